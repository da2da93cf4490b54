package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// What cannot be undone is asked first (issue 26, item 7): approving a
// payment or a pay run, requesting a pay run, terminating, closing,
// waiving. The pages run no script, so the question is a page of its own:
// the form posted without confirm=yes is answered with what the change
// will do, in words and with its total, and a button that sends the same
// fields again, confirmed. Cancel goes back, having changed nothing.

// confirmation is the page that asks.
type confirmation struct {
	Title string
	// Lead says what is about to happen; Consequences what follows from
	// it, one sentence each.
	Lead         string
	Consequences []string
	// Total and Count, for money (a payment, a pay run).
	Total, Count string
	// Reasons are each reason given for paying before the check-in is in.
	Reasons []string
	// Action is the form's path; Fields what it sent (sent again).
	Action string
	Fields url.Values
	Button string
	Danger bool
	Back   string
}

// confirmed reports whether the form was sent from its confirmation page.
func confirmed(r *http.Request) bool { return r.PostForm.Get("confirm") == "yes" }

// ask answers a form that changes what cannot be undone with its
// confirmation page, unless it was confirmed: it reports whether it
// answered (the caller then does nothing). build words the question; a
// refusal of the person's (a reason left blank) shows their page (show)
// with it, as the change would.
func (a *App) ask(w http.ResponseWriter, r *http.Request, section string, roles []grants.Role,
	show func(http.ResponseWriter, *http.Request, *view, int), build func(v *view) (*confirmation, error),
) bool {
	if err := r.ParseForm(); err != nil || confirmed(r) {
		return false // the change reads the form again, and says
	}
	v, ok := a.page(w, r, "", section, roles...)
	if !ok {
		return true
	}
	c, err := build(v)
	switch {
	case err == nil && c == nil:
		return false // nothing to ask: the change goes on and answers
	case errors.Is(err, errAnswered):
		// build answered the request itself.
	case err != nil && status(err) == http.StatusInternalServerError:
		a.fail(w, r, err)
	case err != nil:
		v.refused(err, "", nil)
		show(w, r, v, status(err))
	default:
		c.Fields = url.Values{}
		for k, vs := range r.PostForm {
			if k != "confirm" {
				c.Fields[k] = vs
			}
		}
		v.Title = c.Title
		a.render(w, r, http.StatusOK, layout(v, confirmPage(v, c)))
	}
	return true
}

// fieldNames are the confirmation's hidden fields in a stable order.
func (c *confirmation) fieldNames() []string {
	names := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// totals adds amounts up by currency, as one line: "£2,500.00" or
// "£2,500.00 and €100.00".
func totals(sums map[string]int64) string {
	currencies := make([]string, 0, len(sums))
	for c := range sums {
		currencies = append(currencies, c)
	}
	slices.Sort(currencies)
	var parts []string
	for _, c := range currencies {
		parts = append(parts, amount(sums[c], c))
	}
	if len(parts) == 0 {
		return amount(0, "")
	}
	return strings.Join(parts, " and ")
}

// errAnswered is a build that wrote the answer itself (an error page).
var errAnswered = errors.New("answered")

package mailer

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// Email kinds of the finance notices in this file.
const (
	KindNowPayable = "now-payable"
	KindLateDigest = "late-digest"
)

// appPage is a page of the staff web app an email points to: a link when
// the app's address is known, else the page's name.
type appPage struct {
	URL  string
	Name string
}

// appPageOf is the page at path under the app, named title.
func appPageOf(appURL, path, title string) appPage {
	p := appPage{Name: "the " + title + " page of the staff web app (/app/" + path + ")"}
	if appURL != "" {
		p.URL = strings.TrimRight(appURL, "/") + "/" + path
	}
	return p
}

// financePageOf is where finance pays.
func financePageOf(appURL string) appPage { return appPageOf(appURL, "finance", "Finance") }

// nowPayableView is what the now-payable notice sees.
type nowPayableView struct {
	Partner     string
	Reference   string
	Number      int
	Total       int
	PrevCheckIn int
	// Waived: the check-in was waived rather than answered. Accepted: it
	// follows no check-in, and waited on the partner accepting the
	// agreement.
	Waived, Accepted bool
	Facts            []fact
	Page             appPage
}

// NowPayable tells finance that an instalment which fell due while the
// check-in before it was outstanding can now be paid: the check-in came in.
func NowPayable(a *grants.Agreement, in grants.Instalment, to []string, appURL string) (Email, error) {
	amount := money.Amount{Minor: in.Amount, Currency: a.Currency}.Display()
	v := nowPayableView{Partner: a.Partner.Name, Reference: a.Reference, Number: in.Number, Total: instalmentTotal(a),
		PrevCheckIn: a.CheckInBefore(in.Number), Page: financePageOf(appURL)}
	if c := a.CheckIn(v.PrevCheckIn); c != nil && c.Status == grants.CheckInWaived {
		v.Waived = true
	}
	v.Accepted = v.PrevCheckIn == 0
	v.Facts = dueFacts(a, in, amount, v.Total)
	subject := "Now payable: " + amount + " to " + oneLine(a.Partner.Name, maxSubjectPart) +
		" (" + strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total) + ") – " + a.Reference
	return render(tmplNowPayable, subject, to, nil, instalmentTags(KindNowPayable, a, in), v)
}

// maxDigestRows bounds the instalments one digest lists; the finance page
// lists them all.
const maxDigestRows = 100

// lateRow is one line of the digest: Late is its days late in words, by
// whom it waited on (grants.LatenessInWords).
type lateRow struct {
	Partner, Reference, Amount, Due, Late, State string
	Number                                       int
}

type lateDigestView struct {
	Programme  string
	Day        string
	OnTimeDays int
	Count      int
	Rows       []lateRow
	More       int
	Page       appPage
}

// LateDigest lists for finance, in one email, the instalments late beyond
// the programme's on-time setting on day (grants.Late: working days with
// finance, once payable): most late first, by finance's days.
func LateDigest(programme string, day grants.Date, onTimeDays int, late []grants.InstalmentRow, to []string, appURL string) (Email, error) {
	v := lateDigestView{Programme: programme, Day: day.Long(), OnTimeDays: onTimeDays, Count: len(late), Page: financePageOf(appURL)}
	late = slices.Clone(late)
	slices.SortStableFunc(late, func(x, y grants.InstalmentRow) int { return cmp.Compare(y.DaysWithFinance, x.DaysWithFinance) })
	for i, r := range late {
		if i == maxDigestRows {
			v.More = len(late) - i
			break
		}
		state := "due"
		switch {
		case r.Status == grants.InstalmentHeld:
			state = "held: " + oneLine(r.HoldReason, 200)
		case r.Payment.AwaitingApproval():
			state = "payment awaiting approval"
		}
		// One still waiting on its check-in has no days with finance, so is
		// never late: no state says so.
		v.Rows = append(v.Rows, lateRow{Partner: oneLine(r.PartnerName, maxSubjectPart), Reference: r.Reference, Number: r.Number,
			Amount: money.Amount{Minor: r.Amount, Currency: r.Currency}.Display(), Due: r.DueDate.Long(),
			Late: grants.LatenessInWords(r.DaysWithPartner, r.DaysWithFinance, r.DaysOnHold), State: state})
	}
	what := "instalments"
	if len(late) == 1 {
		what = "instalment"
	}
	subject := "Late payments: " + strconv.Itoa(len(late)) + " " + what + " more than " + strconv.Itoa(onTimeDays) + " working days late – " + day.Long()
	return render(tmplLateDigest, subject, to, nil, map[string]string{"kind": KindLateDigest}, v)
}

package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// GET /agreements searches (any case, any accent), counts, sorts and
// narrows to the caller's own; a sort it does not know is a problem
// naming it (issue 26, item 1).
func TestListSearchesWithTotal(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme))
	}
	list := func(q map[string]string) (int, []grants.Agreement, string) {
		t.Helper()
		ev := event("GET", "/agreements", nil, "", RoleViewer)
		q["programme"] = "community-2026"
		ev.QueryStringParameters = q
		resp := f.do(t, ev)
		var page struct {
			Items []grants.Agreement
			Total int
			How   string
		}
		if resp.StatusCode != 200 {
			return resp.StatusCode, nil, resp.Body
		}
		if err := json.Unmarshal([]byte(resp.Body), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != page.Total || page.How == "" {
			t.Errorf("%v: %d items, total %d, how %q", q, len(page.Items), page.Total, page.How)
		}
		return page.Total, page.Items, ""
	}
	var first grants.Agreement
	if n, items, body := list(map[string]string{}); n != 3 {
		t.Fatalf("the plain list: %d (%s)", n, body)
	} else {
		first = items[0]
	}
	word := grants.SearchWords(first.Partner.Name)[0]
	if n, _, body := list(map[string]string{"q": "  " + word + "  ", "sort": "-amount"}); n != 3 {
		t.Errorf("search %q: %d (%s)", word, n, body)
	}
	if n, _, body := list(map[string]string{"q": "nothing-like-it"}); n != 0 {
		t.Errorf("a search finding nothing: %d (%s)", n, body)
	}
	// The viewer owns none.
	if n, _, body := list(map[string]string{"owner": "me", "sort": "partner"}); n != 0 {
		t.Errorf("the viewer's own: %d (%s)", n, body)
	}
	if code, _, body := list(map[string]string{"sort": "colour"}); code != 422 {
		t.Errorf("an unknown sort: %d %s", code, body)
	}
	if code, _, body := list(map[string]string{"owner": "someone"}); code != 422 {
		t.Errorf("an owner other than me: %d %s", code, body)
	}
}

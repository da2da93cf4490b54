package stack

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 25, item 6: a member of another programme tries every route of the
// JSON API on the demo programme's things, in each role they hold there.
// Every one is refused (403, or 404 as for what does not exist), nothing
// of the demo programme is in any answer (names, references, IDs, counts),
// and nothing of it changed.
func TestAnotherProgrammesMemberFindsNothingOnTheAPI(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	now := time.Now()
	token := func(group string) client {
		tok, err := st.Auth.Issue("outsider", group, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	insider := token("programme")
	const id = "demoancoatsyouth"
	var before grants.Agreement
	insider.must(200, "GET", "/agreements/"+id, "", &before)
	// What would betray the demo programme in an answer.
	// (Not the ID: a refusal may name what the caller asked for.)
	secrets := []string{before.Reference, before.Partner.Name, "Moss Side Elders Forum", "demomosssideelde", "priya@ancoats-youth-kitchen.example"}

	tpl, err := samtemplate.Load(filepath.Join(st.opts.Root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	params := strings.NewReplacer("{id}", id, "{n}", "1", "{programme}", DemoProgramme, "{paymentId}", "p1",
		"{messageId}", "m1", "{partnerId}", "x", "{email}", "priya@ancoats-youth-kitchen.example", "{role}", "finance")
	tried := 0
	for _, group := range []string{"programme:elsewhere-2026", "finance:elsewhere-2026", "viewer:elsewhere-2026"} {
		outsider := token(group)
		for _, r := range routes {
			if r.NoAuth || r.Function == "WebFunction" {
				continue
			}
			path := params.Replace(r.Path)
			body := ""
			if r.Method != "GET" {
				body = `{"programme": "` + DemoProgramme + `"}`
			}
			code, b := outsider.do(r.Method, path, body, "Idempotency-Key", "outsider-"+group+r.RouteKey())
			tried++
			if code != http.StatusForbidden && code != http.StatusNotFound {
				t.Errorf("%s as %s: %d, want 403 or 404: %s", r.RouteKey(), group, code, b)
			}
			for _, s := range secrets {
				if strings.Contains(string(b), s) {
					t.Errorf("%s as %s: the answer holds %q: %s", r.RouteKey(), group, s, b)
				}
			}
		}
	}
	if tried < 150 {
		t.Errorf("tried %d requests: the template's routes were not all read", tried)
	}
	var after grants.Agreement
	insider.must(200, "GET", "/agreements/"+id, "", &after)
	if after.Version != before.Version {
		t.Errorf("the outsider's requests changed the agreement: version %d, was %d", after.Version, before.Version)
	}
}

package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The themes' routes (issue 24, item 3), for the programme role only: a
// partner's feedback tagged with a theme (an empty one refused naming
// `theme`), an action recorded, each kept once when sent again, and the
// list with its suggestions.
func TestThemesRoutes(t *testing.T) {
	store := memstore.New()
	env := service.Env{Now: tick(), NewID: memstore.NewID}
	api := (&Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})}).Routes()
	for k, r := range (&Themes{Themes: service.NewThemes(store, env)}).Routes() {
		api[k] = r
	}
	f := &fixture{api: api, store: store}
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	prog := map[string]string{"programme": "community-2026"}

	wantField(t, "an empty theme", f.do(t, event("POST", "/programmes/{programme}/themes", prog, `{"theme": " ", "agreementId": "`+a.ID+`", "checkIn": 1}`, RoleProgramme)), "theme")
	wantField(t, "another programme's agreement", f.do(t, event("POST", "/programmes/{programme}/themes", map[string]string{"programme": "other"},
		`{"theme": "Late payments", "agreementId": "`+a.ID+`", "checkIn": 1}`, RoleProgramme)), "agreementId")
	wantField(t, "a bad programme", f.do(t, event("GET", "/programmes/{programme}/themes", map[string]string{"programme": "bad code!"}, "", RoleProgramme)), "programme")
	for range 2 {
		if r := f.do(t, event("POST", "/programmes/{programme}/themes", prog, `{"theme": "Late payments", "agreementId": "`+a.ID+`", "checkIn": 1}`, RoleProgramme)); r.StatusCode != 201 {
			t.Fatalf("tag: %d %s", r.StatusCode, r.Body)
		}
	}
	wantField(t, "an action with no day", f.do(t, event("POST", "/programmes/{programme}/themes/actions", prog, `{"theme": "late payments", "what": "Paid on the 1st", "on": "", "who": "Finance"}`, RoleProgramme)), "on")
	for range 2 {
		if r := f.do(t, event("POST", "/programmes/{programme}/themes/actions", prog, `{"theme": "late payments", "what": "Paid on the 1st", "on": "2026-06-20", "who": "Finance"}`, RoleProgramme)); r.StatusCode != 201 {
			t.Fatalf("action: %d %s", r.StatusCode, r.Body)
		}
	}
	for _, role := range []Role{RoleFinance, RoleViewer} {
		if r := f.do(t, event("GET", "/programmes/{programme}/themes", prog, "", role)); r.StatusCode != 403 {
			t.Errorf("as %s: %d", role, r.StatusCode)
		}
		if r := f.do(t, event("POST", "/programmes/{programme}/themes", prog, `{"theme": "x", "agreementId": "`+a.ID+`", "checkIn": 1}`, role)); r.StatusCode != 403 {
			t.Errorf("tag as %s: %d", role, r.StatusCode)
		}
	}
	r := f.do(t, event("GET", "/programmes/{programme}/themes", prog, "", RoleProgramme))
	var got service.ThemeList
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.StatusCode != 200 {
		t.Fatalf("list: %d %s", r.StatusCode, r.Body)
	}
	if len(got.Themes) != 1 || got.Themes[0].Name != "Late payments" || len(got.Themes[0].Tags) != 1 || len(got.Themes[0].Actions) != 1 ||
		got.Themes[0].Actions[0].Theme != "Late payments" || len(got.Suggestions) != 1 {
		t.Errorf("themes: %s", r.Body)
	}
}

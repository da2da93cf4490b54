package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The settings' routes (issue 25, item 3) as each role, every answer
// checked against the OpenAPI document: the administrator and the
// programme role read; the administrator alone changes, with If-Match
// (428 without, 412 stale), a bad value 422 by its field.
func TestSettingsRoutes(t *testing.T) {
	store := memstore.New()
	env := service.Env{Now: tick(), NewID: memstore.NewID, Defaults: grants.ProgrammeSettings{Name: "Community Fund", ReminderDays: 7, MaxReminders: 2}}
	f := &fixture{api: (&Settings{Settings: service.NewSettings(store, env)}).Routes(), store: store}
	prog := map[string]string{"programme": "community-2026"}
	const route = "/programmes/{programme}/settings"

	for role, want := range map[Role]int{RoleAdmin: 200, RoleProgramme: 200, RoleFinance: 403, RoleViewer: 403} {
		if r := f.do(t, event("GET", route, prog, "", role)); r.StatusCode != want {
			t.Errorf("GET as %s: %d, want %d", role, r.StatusCode, want)
		} else if want == 200 && r.Headers["ETag"] != `"1"` {
			t.Errorf("GET as %s: ETag %q", role, r.Headers["ETag"])
		}
	}
	for _, role := range []Role{RoleProgramme, RoleFinance, RoleViewer} {
		if r := f.do(t, event("PATCH", route, prog, `{"sendTime": "10:30"}`, role, "If-Match", `"1"`)); r.StatusCode != 403 {
			t.Errorf("PATCH as %s: %d", role, r.StatusCode)
		}
	}
	if r := f.do(t, event("PATCH", route, prog, `{"sendTime": "10:30"}`, RoleAdmin)); r.StatusCode != 428 {
		t.Errorf("no If-Match: %d %s", r.StatusCode, r.Body)
	}
	wantField(t, "a send time of 25:00", f.do(t, event("PATCH", route, prog, `{"sendTime": "25:00"}`, RoleAdmin, "If-Match", `"1"`)), "sendTime")
	wantField(t, "a reminder interval of 0", f.do(t, event("PATCH", route, prog, `{"reminderDays": 0}`, RoleAdmin, "If-Match", `"1"`)), "reminderDays")
	wantField(t, "a bad programme", f.do(t, event("GET", route, map[string]string{"programme": "bad code!"}, "", RoleAdmin)), "programme")
	// Money is not a setting here.
	if r := f.do(t, event("PATCH", route, prog, `{"twoPersonRule": false}`, RoleAdmin, "If-Match", `"1"`)); r.StatusCode < 400 || r.StatusCode >= 500 {
		t.Errorf("twoPersonRule accepted: %d %s", r.StatusCode, r.Body)
	}
	wantField(t, "a time zone of Mars", f.do(t, event("PATCH", route, prog, `{"timeZone": "Mars/Olympus"}`, RoleAdmin, "If-Match", `"1"`)), "timeZone")
	wantField(t, "a digest on Saturdays", f.do(t, event("PATCH", route, prog, `{"lateDigest": "weekly-saturday"}`, RoleAdmin, "If-Match", `"1"`)), "lateDigest")
	wantField(t, "a sender name of two lines", f.do(t, event("PATCH", route, prog, `{"senderName": "Fund\nBcc: x@example.org"}`, RoleAdmin, "If-Match", `"1"`)), "senderName")
	// The example: a send time after the deployment's 09:00.
	r := f.do(t, event("PATCH", route, prog, `{"sendTime": "10:30", "reminderDays": 5}`, RoleAdmin, "If-Match", `"1"`))
	var got service.SettingsView
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.StatusCode != 200 {
		t.Fatalf("PATCH: %d %s", r.StatusCode, r.Body)
	}
	if r.Headers["ETag"] != `"2"` || got.Settings.SendTime != "10:30" || got.Settings.ReminderDays != 5 || len(got.Changed) != 2 || len(got.History) != 1 || got.Note == "" {
		t.Errorf("PATCH: %s %s", r.Headers["ETag"], r.Body)
	}
	if r := f.do(t, event("PATCH", route, prog, `{"sendTime": "08:00"}`, RoleAdmin, "If-Match", `"1"`)); r.StatusCode != 412 {
		t.Errorf("stale If-Match: %d %s", r.StatusCode, r.Body)
	}
}

// No route but the settings' accepts the administrator: nothing about
// money, nor agreements (issue 25, item 1).
func TestAdminOnlyOnSettingsRoutes(t *testing.T) {
	routers := []Router{(&Agreements{}).Routes(), (&CheckIns{}).Routes(), (&Enquiries{}).Routes(), (&EnquiryDrafts{}).Routes(),
		(&Partners{}).Routes(), (&Payments{}).Routes(), (&Reflections{}).Routes(), (&Messages{}).Routes(), (&Stories{}).Routes(), (&Themes{}).Routes()}
	money := 0
	for _, rt := range routers {
		for key, route := range rt {
			if strings.Contains(key, "payment") || strings.Contains(key, "payrun") || strings.Contains(key, "pay-run") {
				money++
			}
			for _, r := range route.Roles {
				if r == RoleAdmin {
					t.Errorf("%s accepts admin", key)
				}
			}
		}
	}
	if money == 0 {
		t.Error("no payment route looked at")
	}
}

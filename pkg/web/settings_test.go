package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The settings page (issue 25, item 3): the administrator edits, each field
// with its help; a bad value is refused by its field, what was typed kept;
// a change is saved, in the history with before and after, and the page
// says it applies to what is scheduled after it. The programme role reads
// without a form; finance and viewers are refused; a cross-site post is
// refused; an administrator alone starts at the settings and has no other
// page in the navigation.
func TestSettingsPage(t *testing.T) {
	a := newApp(t)
	const admin = "ada@funder.example"
	page := a.as(admin, grants.RoleAdmin, "GET", "/app/settings", nil)
	if page.code != http.StatusOK {
		t.Fatalf("settings as admin: %d %s", page.code, page.body)
	}
	for _, want := range []string{`<form method="post" action="/app/settings"`, `name="version" value="1"`, `name="sendTime" type="text" value="09:00"`,
		`id="help-reminderDays"`, "applies to what is scheduled after it", `href="/app/settings" aria-current="page"`, "No change has been made"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `href="/app/finance"`) || strings.Contains(page.body, `href="/app/agreements"`) {
		t.Error("an administrator alone is offered pages they may not read")
	}
	if r := a.as(admin, grants.RoleAdmin, "GET", "/app", nil); r.code != http.StatusSeeOther || r.location != "/app/settings" {
		t.Errorf("an administrator at /app: %d %s", r.code, r.location)
	}
	form := func(change map[string]string) url.Values {
		f := url.Values{"version": {"1"}}
		for k, v := range map[string]string{"name": "", "sendTime": "09:00", "region": "england-and-wales", "quietPeriod": "12-24/01-01",
			"reminderDays": "7", "maxReminders": "2", "onTimeWorkingDays": "5", "paymentPolicy": "onSchedule"} {
			f.Set(k, v)
		}
		for k, v := range change {
			f.Set(k, v)
		}
		return f
	}
	// Read what the page shows and send it back changed.
	shown := func(field string) string {
		i := strings.Index(page.body, `name="`+field+`"`)
		if i < 0 {
			return ""
		}
		rest := page.body[i:]
		if strings.HasPrefix(page.body[strings.LastIndex(page.body[:i], "<"):], "<textarea") {
			return ""
		}
		j := strings.Index(rest, `value="`)
		rest = rest[j+len(`value="`):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	base := map[string]string{}
	for _, f := range settingFields {
		base[f] = shown(f)
	}
	r := a.as(admin, grants.RoleAdmin, "POST", "/app/settings", form(merge(base, map[string]string{"sendTime": "25:00", "reminderDays": "0"})))
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-sendTime"`) || !strings.Contains(r.body, `id="err-reminderDays"`) ||
		!strings.Contains(r.body, `value="25:00"`) || !strings.Contains(r.body, `name="reminderDays" type="text" value="0"`) {
		t.Fatalf("bad values: %d %s", r.code, r.body)
	}
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/settings", form(merge(base, map[string]string{"sendTime": "07:30", "reminderDays": "5"})))
	if r.code != http.StatusSeeOther || r.location != "/app/settings?done=settings-changed" {
		t.Fatalf("change: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as(admin, grants.RoleAdmin, "GET", r.location, nil)
	for _, want := range []string{`name="version" value="2"`, `value="07:30"`, "The settings were changed.", "<td>Send time</td>",
		"<code>&#34;09:00&#34;</code>", "<code>&#34;07:30&#34;</code>", "<td>Days between reminders</td>", "<code>7</code>", "<code>5</code>", "<td>ada@funder.example</td>"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after the change the page lacks %q", want)
		}
	}
	// A stale form: refused, what was typed kept.
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/settings", form(merge(base, map[string]string{"sendTime": "08:15"})))
	if r.code != http.StatusConflict || !strings.Contains(r.body, `value="08:15"`) || !strings.Contains(r.body, `name="version" value="2"`) {
		t.Errorf("stale: %d %s", r.code, r.body)
	}
	// The digest's frequency, the sender's name and the time zone, each
	// with its help; a bad one refused by its field; a change in the
	// history. A send time after 09:00 (10:30) is one like any other.
	for _, want := range []string{`id="help-lateDigest"`, `<option value="weekly-friday"`, `id="help-senderName"`, `id="help-timeZone"`,
		`name="timeZone" type="text" value="Europe/London"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	base["version"] = "2"
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/settings", form(merge(base, map[string]string{"version": "2", "timeZone": "Mars/Olympus", "lateDigest": "fortnightly", "senderName": "A <b@c.d>"})))
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-timeZone"`) || !strings.Contains(r.body, `id="err-lateDigest"`) ||
		!strings.Contains(r.body, `id="err-senderName"`) || !strings.Contains(r.body, `value="Mars/Olympus"`) {
		t.Fatalf("bad digest, sender and zone: %d %s", r.code, r.body)
	}
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/settings", form(merge(base, map[string]string{"version": "2", "sendTime": "10:30", "timeZone": "Europe/Dublin",
		"lateDigest": "weekly-friday", "senderName": "Riverside Community Fund"})))
	if r.code != http.StatusSeeOther {
		t.Fatalf("digest, sender and zone: %d %s", r.code, r.body)
	}
	page = a.as(admin, grants.RoleAdmin, "GET", r.location, nil)
	for _, want := range []string{`name="version" value="3"`, `value="10:30"`, "<td>Late-payment digest</td>", "<code>&#34;daily&#34;</code>",
		"<code>&#34;weekly-friday&#34;</code>", "<td>Sender&#39;s name</td>", "<code>&#34;Riverside Community Fund&#34;</code>",
		"<td>Time zone</td>", "<code>&#34;Europe/London&#34;</code>", "<code>&#34;Europe/Dublin&#34;</code>", `<option value="weekly-friday" selected`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after the second change the page lacks %q", want)
		}
	}
	// The programme role reads, without a form.
	r = a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/settings", nil)
	if r.code != http.StatusOK || strings.Contains(r.body, `action="/app/settings"`) || !strings.Contains(r.body, "10:30") || !strings.Contains(r.body, "Only an administrator") {
		t.Errorf("as programme: %d %s", r.code, r.body)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/settings", form(nil)); r.code != http.StatusForbidden {
		t.Errorf("programme posting: %d", r.code)
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		if r := a.as("x@funder.example", role, "GET", "/app/settings", nil); r.code != http.StatusForbidden {
			t.Errorf("%s reading settings: %d", role, r.code)
		}
	}
	if r := a.as(admin, grants.RoleAdmin, "POST", "/app/settings", form(map[string]string{"version": "3", "sendTime": "12:00"}), "Sec-Fetch-Site", "cross-site"); r.code != http.StatusForbidden {
		t.Errorf("a cross-site post: %d", r.code)
	}
	// The administrator has no page about money.
	if r := a.as(admin, grants.RoleAdmin, "GET", "/app/finance", nil); r.code != http.StatusForbidden {
		t.Errorf("admin at finance: %d", r.code)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

package stack

import (
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// adminSignIn signs in to the web app as the demo administrator, Ada, by
// the local sign-in page, and returns her browser: she lands on the
// settings, the one page of hers.
func adminSignIn(t *testing.T, st *Stack) *http.Client {
	t.Helper()
	api := "http://" + st.opts.APIAddr
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	read := reader(t)
	resp, page := read(browser.Get(api + "/app"))
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/oauth2/authorize" {
		t.Fatalf("GET /app ends at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("person", "ada")
	resp, page = read(browser.PostForm(resp.Request.URL.String(), form))
	if resp.StatusCode != 200 || resp.Request.URL.String() != api+"/app/settings" || !strings.Contains(page, "Signed in as ada@funder.local") {
		t.Fatalf("after picking ada: %s answers %d: %s", resp.Request.URL, resp.StatusCode, page)
	}
	return browser
}

// Issue 25, item 3 on the local stack: the administrator signs in to the
// web app, is refused a send time of 25:00 by its field (what she typed
// kept), and sets the send time to 10:30 (after the deployment's 09:00)
// and reminders every 5 days; the change is in the history. By the JSON
// API (make token ROLE=admin) a reminder interval of 0 is refused naming
// reminderDays, and the admin may neither read instalments nor pay. An
// agreement activated after the change sends its first check-in at 10:30
// London time (not at 09:00), and its first reminder is due 5 days on (the
// deployment's is 7); one activated before it keeps its 09:00, and its
// check-in, scheduled before the change, goes once. The sweep runs every
// half hour throughout, as in AWS.
func TestAdminChangesSettingsOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	api := "http://" + st.opts.APIAddr
	london, _ := time.LoadLocation("Europe/London")
	browser := adminSignIn(t, st)
	read := reader(t)

	resp, page := read(browser.Get(api + "/app/settings"))
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || version == nil || !strings.Contains(page, service.TakesEffect[:40]) {
		t.Fatalf("the settings page: %d %s", resp.StatusCode, page)
	}
	// The form as shown, with changes.
	shown := url.Values{}
	for _, m := range regexp.MustCompile(`<input id="setting-[^"]+" name="([^"]+)" type="[a-z]+" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		shown.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="setting-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		shown.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select id="setting-[^"]+" name="([^"]+)".*?<option value="([^"]*)" selected`).FindAllStringSubmatch(page, -1) {
		shown.Set(m[1], html.UnescapeString(m[2]))
	}
	post := func(change map[string]string) (*http.Response, string) {
		f := url.Values{"version": {version[1]}}
		for k, v := range shown {
			f[k] = v
		}
		for k, v := range change {
			f.Set(k, v)
		}
		req, _ := http.NewRequest("POST", api+"/app/settings", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", api)
		return read(browser.Do(req))
	}
	resp, page = post(map[string]string{"sendTime": "25:00"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-sendTime"`) || !strings.Contains(page, `value="25:00"`) {
		t.Fatalf("a send time of 25:00: %d %s", resp.StatusCode, page)
	}
	// An agreement activated before the change: its timing is 09:00's.
	now := time.Now()
	issue := func(user, role string) client {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	admin, officer := issue("ada", "admin"), issue("olu", "programme")
	start := grants.Today(st.Clock.Now(), london)
	activate := func(name, contact string) grants.Agreement {
		var a grants.Agreement
		officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": %q, "registrationNumber": "1182345", "address": "9 Ardwick Green, Manchester M12 6FZ"},
		"contacts": [{"name": "Lee Chan", "email": %q, "role": "lead"}],
		"amount": 300000, "startDate": %q, "durationMonths": 3, "instalmentCount": 3, "terms": ["Share food weekly"], "support": ["Mentoring"]}`,
			DemoProgramme, name, contact, start), &a, "Idempotency-Key", fmt.Sprintf("settings-%s-%d", name, now.UnixNano()))
		officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)
		return a
	}
	earlier := fmt.Sprintf("kim-%d@settings.example", now.UnixNano())
	before := activate("Longsight Larder", earlier)
	if before.Timing == nil || before.Timing.SendTime != "09:00" {
		t.Fatalf("the timing of the agreement activated before the change: %+v", before.Timing)
	}

	const sender = "Manchester Community Partnerships"
	resp, page = post(map[string]string{"reminderDays": "5", "senderName": sender, "lateDigest": "weekly-friday"})
	if resp.StatusCode != 200 || !strings.Contains(page, "The settings were changed.") || !strings.Contains(page, "<td>Sender&#39;s name</td>") ||
		!strings.Contains(page, "&#34;weekly-friday&#34;") || !strings.Contains(page, "<td>Days between reminders</td>") {
		t.Fatalf("the change: %d %s", resp.StatusCode, page)
	}

	// The JSON API as the administrator: a bad value by its field; the
	// issue's example, a send time of 10:30 (after the deployment's 09:00);
	// no money.
	var view service.SettingsView
	admin.must(200, "GET", "/programmes/"+DemoProgramme+"/settings", "", &view)
	if view.Settings.ReminderDays != 5 || view.Settings.SenderName != sender || len(view.History) != 1 || view.History[0].By != "ada@funder.local" {
		t.Errorf("the settings by the API: %+v", view)
	}
	code, body := admin.do("PATCH", "/programmes/"+DemoProgramme+"/settings", `{"reminderDays": 0}`, "If-Match", fmt.Sprintf(`"%d"`, view.Version))
	if code != 422 || !strings.Contains(string(body), `"reminderDays"`) {
		t.Errorf("a reminder interval of 0: %d %s", code, body)
	}
	admin.must(200, "PATCH", "/programmes/"+DemoProgramme+"/settings", `{"sendTime": "10:30"}`, &view, "If-Match", fmt.Sprintf(`"%d"`, view.Version))
	if view.Settings.SendTime != "10:30" || len(view.History) != 2 || len(view.Changed) != 1 || view.Changed[0].Field != "sendTime" {
		t.Errorf("PATCH sendTime 10:30: %+v", view)
	}
	if code, _ := admin.do("GET", "/instalments?status=due&programme="+DemoProgramme, ""); code != 403 {
		t.Errorf("the administrator reads instalments: %d", code)
	}
	if code, _ := admin.do("POST", "/agreements/demoancoatsyouth/instalments/1/payments", `{"paymentReference": "X", "paidOn": "2026-01-01"}`, "Idempotency-Key", "admin-pay"); code != 403 {
		t.Errorf("the administrator pays: %d", code)
	}

	// An agreement activated after the change: its check-in at 10:30.
	contact := fmt.Sprintf("lee-%d@settings.example", now.UnixNano())
	a := activate("Ardwick Food Share", contact)
	if a.Timing == nil || a.Timing.SendTime != "10:30" {
		t.Fatalf("the agreement's timing: %+v", a.Timing)
	}
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	// checkIns are the check-in 1 emails to addr, by when they were written.
	from := map[string]string{}
	checkIns := func(addr string) []time.Time {
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, addr)
		if err != nil {
			t.Fatal(err)
		}
		var out []time.Time
		for _, m := range msgs {
			if strings.Contains(m.Subject, "Check-in 1 of") {
				sent, err := mail.ParseDate(sesHeader(m, "Date"))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, sent.In(london))
				from[addr] = m.From
			}
		}
		return out
	}
	for day := 0; day < 40 && (len(checkIns(contact)) == 0 || len(checkIns(earlier)) == 0); day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	// A day on, with the sweep run every half hour meanwhile: still one each.
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The local scheduler fires a schedule within the hour after its time
	// (Runner.Advance steps hours): 10:30 London, not before, and not at
	// the default 09:00's hour; the earlier agreement's at 09:00.
	at := func(t time.Time) int { return t.Hour()*60 + t.Minute() }
	later, kept := checkIns(contact), checkIns(earlier)
	if len(later) != 1 || at(later[0]) < 10*60+30 || at(later[0]) > 11*60+30 {
		t.Fatalf("check-in 1 went out at %v, want once at 10:30 London", later)
	}
	if len(kept) != 1 || at(kept[0]) < 9*60 || at(kept[0]) > 10*60 {
		t.Fatalf("the earlier agreement's check-in 1 went out at %v, want once at 09:00 London (scheduled before the change)", kept)
	}
	checkIn := later[0]
	// Both went after the change: from the programme's sender name.
	for _, addr := range []string{contact, earlier} {
		if !strings.Contains(from[addr], sender) {
			t.Errorf("check-in 1 to %s is from %q, want the programme's sender name", addr, from[addr])
		}
	}
	// The reminder interval: the first reminder is due 5 days on, not the
	// deployment's 7.
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	if c := got.CheckIns[0]; c.Status != grants.CheckInSent || c.RemindOn != got.Timing.RemindOn(grants.DateOf(checkIn), 5) {
		t.Errorf("check-in 1: %s, reminder on %s, want %s", c.Status, c.RemindOn, got.Timing.RemindOn(grants.DateOf(checkIn), 5))
	}
	// Its reminder is the sweep's (every half hour): on its day, at 10:30
	// London, not at 09:00, and once.
	reminders := func() []time.Time {
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, contact)
		if err != nil {
			t.Fatal(err)
		}
		var out []time.Time
		for _, m := range msgs {
			if strings.Contains(m.Subject, "reminder: check-in 1") {
				sent, err := mail.ParseDate(sesHeader(m, "Date"))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, sent.In(london))
			}
		}
		return out
	}
	for day := 0; day < 10 && len(reminders()) == 0; day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if r := reminders(); len(r) != 1 || grants.DateOf(r[0]) != got.CheckIns[0].RemindOn || at(r[0]) < 10*60+30 || at(r[0]) > 11*60+30 {
		t.Errorf("the first reminder went at %v, want once on %s at 10:30 London", r, got.CheckIns[0].RemindOn)
	}
}

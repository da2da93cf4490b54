package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestThemesInTheBrowser is issue 24, item 3, on the local stack: a
// partner's feedback (a call the officer recorded) is on "What partners
// told us"; the officer tags it with an empty theme and is told by the
// field, then with "Late payments"; the theme is suggested from then on;
// the officer records what the programme did about it (what, the day,
// who), and the page shows the theme with its feedback and its action,
// and who recorded it.
func TestThemesInTheBrowser(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	browser := chromium.Browser(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	api := client{t, st.opts.APIAddr, tok}
	var a grants.Agreement
	api.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Whalley Range Toddler Group", "registrationNumber": "1163456", "address": "1 Withington Road, Manchester M16 8AA"},
		"contacts": [{"name": "Ruth Okafor", "email": "ruth-%d@toddlers.example", "role": "lead"}],
		"amount": 300000, "startDate": %q, "terms": ["Run two sessions a week"]}`,
		DemoProgramme, now.UnixNano(), grants.Today(st.Clock.Now(), time.UTC)), &a)
	api.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
	today := grants.Today(st.Clock.Now(), a.Location())
	api.must(201, "POST", "/agreements/"+a.ID+"/check-ins/1/responses", fmt.Sprintf(`{"channel": "call", "happenedOn": %q,
		"participants": ["Ruth Okafor"], "summary": "Sessions full.", "partnerWords": "Feedback for us: the first payment came three weeks late."}`, today), nil)

	officer := signIn(t, st, browser, "olu")
	officer.open("/app/feedback")
	form := `form.tag-form:has(input[name=agreementId][value="` + a.ID + `"])`
	if !strings.Contains(officer.html(), "the first payment came three weeks late.") {
		t.Fatal("the feedback page does not show the partner's words")
	}
	if code := chromium.Submit(t, officer.tab, "tag with no theme", form+` button[type=submit]`); code != 400 {
		t.Fatalf("an empty theme: %d", code)
	}
	if got := officer.text(form + ` .field-error`); !strings.Contains(got, "Theme is required") {
		t.Errorf("an empty theme is told as %q", got)
	}
	chromium.Do(t, officer.tab, "type a theme", chromedp.SetValue(chromedp.CSS(form+` input[name=theme]`), "Late payments"))
	if code := chromium.Submit(t, officer.tab, "tag", form+` button[type=submit]`); code != 200 {
		t.Fatalf("tag: %d", code)
	}
	if got := officer.text(`article.feedback:has(input[name=agreementId][value="` + a.ID + `"]) .themes`); !strings.Contains(got, "Late payments") {
		t.Errorf("the feedback's themes read %q", got)
	}
	if !strings.Contains(officer.html(), `<option value="Late payments">`) {
		t.Error("the theme is not suggested")
	}

	chromium.Do(t, officer.tab, "record an action",
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/feedback/actions"]) summary`)),
		chromedp.SetValue(chromedp.CSS("#action-theme"), "late payments"),
		chromedp.SetValue(chromedp.CSS("#action-what"), "Moved the pay run to the first Monday of the month"),
		chromedp.SetValue(chromedp.CSS("#action-on"), today.String()),
		chromedp.SetValue(chromedp.CSS("#action-who"), "Finance team"))
	if code := chromium.Submit(t, officer.tab, "record", `form[action$="/feedback/actions"] button[type=submit]`); code != 200 {
		t.Fatalf("record an action: %d", code)
	}
	got := officer.text("#themes")
	for _, want := range []string{"Late payments", "Feedback from 1 check-in.", "Moved the pay run to the first Monday of the month (Finance team)", "recorded by olu@funder.local"} {
		if !strings.Contains(got, want) {
			t.Errorf("the themes read %q, without %q", got, want)
		}
	}
	officer.keep("feedback-themes")

	// The JSON routes, through the gateway, read and write the same themes.
	var list service.ThemeList
	api.must(200, "GET", "/programmes/"+DemoProgramme+"/themes", "", &list)
	if len(list.Themes) != 1 || list.Themes[0].Name != "Late payments" || len(list.Themes[0].Tags) != 1 || list.Themes[0].Tags[0].AgreementID != a.ID ||
		len(list.Themes[0].Actions) != 1 || list.Themes[0].Actions[0].Who != "Finance team" {
		t.Errorf("GET themes: %+v", list)
	}
	if status, body := api.do("POST", "/programmes/"+DemoProgramme+"/themes", `{"theme": "", "agreementId": "`+a.ID+`", "checkIn": 1}`); status != 422 || !strings.Contains(string(body), `"field":"theme"`) {
		t.Errorf("an empty theme by JSON: %d %s", status, body)
	}
	api.must(201, "POST", "/programmes/"+DemoProgramme+"/themes", `{"theme": "Reporting burden", "agreementId": "`+a.ID+`", "checkIn": 1}`, nil)
	officer.open("/app/feedback")
	if got := officer.text(`article.feedback:has(input[name=agreementId][value="` + a.ID + `"]) .themes`); !strings.Contains(got, "Reporting burden") {
		t.Errorf("a theme tagged by JSON is not on the page: %q", got)
	}
	finance, err := st.Auth.Issue("fin", "finance", now)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := (client{t, st.opts.APIAddr, finance}).do("GET", "/programmes/"+DemoProgramme+"/themes", ""); status != 403 {
		t.Errorf("finance reading themes: %d", status)
	}
}

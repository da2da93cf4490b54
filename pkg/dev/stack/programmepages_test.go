package stack

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 25, item 6, on the pages: a member of another programme, in every
// role they may hold there, asks for every page of the web app (read from
// its mux, so a page added later is tried too) on the demo programme's
// things. Each is refused, or is their own programme's and shows nothing
// of the demo's; every form is refused and changes nothing.
func TestAnotherProgrammesMemberFindsNothingOnThePages(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	api := "http://" + st.opts.APIAddr
	read := reader(t)
	tok, err := st.Auth.Issue("ada", "admin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	admin := client{t, st.opts.APIAddr, tok}
	admin.must(201, "POST", "/programmes", `{"code": "elsewhere-2027", "name": "Elsewhere Fund"}`, nil)
	const email = "outsider@funder.local"
	for _, role := range []string{"programme", "finance", "viewer"} {
		admin.must(201, "POST", "/programmes/elsewhere-2027/staff", `{"email": "`+email+`", "name": "Out Sider", "role": "`+role+`"}`, nil)
	}
	const id = "demoancoatsyouth"
	var before grants.Agreement
	insider := client{t, st.opts.APIAddr, must(st.Auth.Issue("olu", "programme", time.Now()))}
	insider.must(200, "GET", "/agreements/"+id, "", &before)
	secrets := []string{before.Reference, before.Partner.Name, "Moss Side Elders Forum", "priya@ancoats-youth-kitchen.example", "Community Partnerships Pilot"}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if resp, page := pickOnSignInPage(t, st, browser, email); resp.StatusCode != 200 || !strings.Contains(page, "Elsewhere Fund") {
		t.Fatalf("the outsider's first page: %d %s", resp.StatusCode, page)
	}
	src, err := os.ReadFile(filepath.Join(st.opts.Root, "pkg", "web", "web.go"))
	if err != nil {
		t.Fatal(err)
	}
	pages := regexp.MustCompile(`mux\.HandleFunc\("(GET|POST) (/app[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(pages) < 50 {
		t.Fatalf("read %d pages from pkg/web/web.go", len(pages))
	}
	params := strings.NewReplacer("{id}", id, "{n}", "1", "{messageId}", "m1", "{programme}", DemoProgramme, "{$}", "")
	noFollow := noRedirects(browser)
	for _, p := range pages {
		method, path := p[1], params.Replace(p[2])
		if path == "/app/" || strings.HasPrefix(path, "/app/static/") {
			continue
		}
		req, _ := http.NewRequest(method, api+path, nil)
		if method == "POST" {
			req, _ = http.NewRequest(method, api+path, strings.NewReader(url.Values{"programme": {DemoProgramme}, "key": {"k"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", api)
		}
		resp, body := read(noFollow.Do(req))
		switch {
		case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound:
		case method == "GET" && resp.StatusCode == http.StatusOK:
			// Their own programme's page.
		case method == "POST" && resp.StatusCode == http.StatusBadRequest:
			// Their own programme's form, refused for what it lacks.
		default:
			t.Errorf("%s %s: %d, want refused (or their own programme's page): %s", method, path, resp.StatusCode, body)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s %s shows %q", method, path, s)
			}
		}
	}
	var after grants.Agreement
	insider.must(200, "GET", "/agreements/"+id, "", &after)
	if after.Version != before.Version {
		t.Errorf("the outsider's forms changed the agreement: version %d, was %d", after.Version, before.Version)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

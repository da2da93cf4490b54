package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// offered is what a page offers: its links and its forms.
type offered struct {
	links []string
	forms []offeredForm
}

type offeredForm struct {
	method, action string
	fields         url.Values // the form's hidden and pre-filled fields
}

// offers reads a page's links (a[href]) and forms, those of the app only.
func offers(t *testing.T, page string) offered {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var o offered
	var form *offeredForm
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			switch n.Data {
			case "a":
				if h := attr["href"]; strings.HasPrefix(h, "/app") {
					o.links = append(o.links, h)
				}
			case "form":
				f := offeredForm{method: strings.ToUpper(attr["method"]), action: attr["action"], fields: url.Values{}}
				if f.method == "" {
					f.method = "GET"
				}
				o.forms = append(o.forms, f)
				form = &o.forms[len(o.forms)-1]
				defer func() { form = nil }()
			case "input":
				if form != nil && attr["name"] != "" && attr["value"] != "" {
					form.fields.Add(attr["name"], attr["value"])
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return o
}

// TestNothingOfferedIsRefused follows every link and form a person is
// shown, page after page from the overview, in each role (issue 26, item
// 14): none answers 403. A viewer's forms (the filters) are sent too; the
// other roles' forms change things, so only their links are followed (the
// pages refuse what a role may not do: roles_test.go and the
// programmeaccess tests).
func TestNothingOfferedIsRefused(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	id := a.create("k")
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.code)
	}
	if err := a.svc.InstalmentDue(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	if err := a.svc.AcceptReply(ctx, grants.Reply{AgreementID: id, CheckIn: 1, MessageID: "m1", From: "amina@levykitchen.org.uk",
		ReceivedAt: a.clock.Now(), Text: "We are struggling to find volunteers.", FullText: "We are struggling to find volunteers."}, "amina@levykitchen.org.uk", grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	withStaff(t, a)
	a.pages.Funder = export.Funder{Prefix: "360G-funder", OrgID: "GB-CHC-1234567", OrgName: "The Funder"}
	// The Enquiries page, listed only (nothing here is emailed).
	a.pages.Enquiries = service.NewEnquiries(a.store.(service.EnquiryStore), nil, service.Env{Now: a.clock.Now}, service.EnquiryOptions{Programme: programme})
	for _, role := range []grants.Role{grants.RoleViewer, grants.RoleFinance, grants.RoleProgramme, grants.RoleAdmin} {
		user := string(role) + "@funder.example"
		seen := map[string]bool{}
		queue := []string{"/app"}
		check := func(from, method, target string, form url.Values) {
			t.Helper()
			if seen[method+" "+target] {
				return
			}
			seen[method+" "+target] = true
			r := a.as(user, role, method, target, form)
			if r.code == http.StatusForbidden {
				t.Errorf("%s: %s is offered %s %s on %s, which answers 403", role, user, method, target, from)
			}
			if method == "GET" && r.code == http.StatusOK && strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				queue = append(queue, target)
			}
		}
		seen["GET /app"] = true
		if r := a.as(user, role, "GET", "/app", nil); r.code == http.StatusSeeOther {
			queue[0] = r.location // an administrator starts at their own pages
		}
		for pages := 0; len(queue) > 0 && pages < 60; pages++ {
			path := queue[0]
			queue = queue[1:]
			r := a.as(user, role, "GET", path, nil)
			if r.code != http.StatusOK {
				t.Errorf("%s: %s answered %d", role, path, r.code)
				continue
			}
			o := offers(t, r.body)
			for _, l := range o.links {
				if l, _, _ = strings.Cut(l, "#"); l != "" && !strings.HasPrefix(l, "/app/static/") {
					check(path, "GET", l, nil)
				}
			}
			for _, f := range o.forms {
				switch {
				case f.method == "GET":
					check(path, "GET", f.action+"?"+f.fields.Encode(), nil)
				case role == grants.RoleViewer:
					check(path, "POST", f.action, f.fields)
				}
			}
		}
		if len(seen) < 4 {
			t.Errorf("%s: only %d links and forms were followed", role, len(seen))
		}
		t.Logf("%s: %d links and forms followed", role, len(seen))
	}
}

package mailer

import (
	"html"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The check-in and its reminders offer the confidential feedback address,
// with what it is for, in both parts; the Reply-To stays the reply address.
func TestCheckInOffersTheConfidentialAddress(t *testing.T) {
	a := fixture(t)
	const fb = "feedback+fabc@reply.example"
	for name, render := range map[string]func() (Email, error){
		"check-in": func() (Email, error) {
			return CheckInOffering(a, a.CheckIns[0], "checkin+x@reply.example", fb, "Open Doors", grants.Officer{}, nil)
		},
		"reminder": func() (Email, error) {
			return ReminderOffering(a, a.CheckIns[0], "checkin+x@reply.example", fb, 1, grants.Officer{}, nil)
		},
	} {
		e, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.Text, "Write to "+fb+" instead") || !strings.Contains(e.Text, `"a partner in round 1", without your name`) {
			t.Errorf("%s text:\n%s", name, e.Text)
		}
		if !strings.Contains(html.UnescapeString(e.HTML), `href="mailto:`+fb+`"`) || !strings.Contains(e.HTML, "without your name") {
			t.Errorf("%s HTML:\n%s", name, e.HTML)
		}
		if len(e.ReplyTo) != 1 || e.ReplyTo[0] != "checkin+x@reply.example" {
			t.Errorf("%s Reply-To %v", name, e.ReplyTo)
		}
	}
	e, err := CheckInAsking(a, a.CheckIns[0], "checkin+x@reply.example", "Open Doors", grants.Officer{}, nil)
	if err != nil || strings.Contains(e.Text, "feedback+") || strings.Contains(e.HTML, "feedback+") {
		t.Errorf("with no feedback address: %v\n%s", err, e.Text)
	}
}

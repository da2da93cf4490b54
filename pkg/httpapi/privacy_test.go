package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
)

// privateReply is a partner's reply to check-in 1 with body as its text.
func privateReply(from, rcpt, messageID, body string) []byte {
	return fmt.Appendf(nil, "From: Sarah Jenkins <%s>\r\nTo: <%s>\r\nDate: Fri, 9 Jan 2026 10:10:10 +0000\r\n"+
		"Subject: Re: Your check-in\r\nMessage-ID: <%s@hopehouse.org.uk>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n", from, rcpt, messageID, strings.ReplaceAll(body, "\n", "\r\n"))
}

// Issue 24: the answer to "Feedback for us" is the programme role's only.
// As finance and a viewer read the check-in route, a reply that labels its
// answers shows the rest with feedbackWithheld, and a reply with no headings
// shows no words at all; the programme role reads both whole, the feedback
// answer in "feedback".
func TestCheckInRouteWithholdsFeedbackFromFinanceAndViewers(t *testing.T) {
	t.Parallel()
	e := newCIEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	e.Receive(t, privateReply(e.Partner, rcpt, "labelled-1",
		"Progress: 15 volunteers came in December.\nFeedback for us: PRIVATE-LABELLED the forms take too long."), e.Partner, rcpt, replyworld.Pass)
	e.Receive(t, privateReply(e.Partner, rcpt, "whole-2",
		"PRIVATE-WHOLE we were cross that the payment came late."), e.Partner, rcpt, replyworld.Pass)

	for _, role := range []Role{RoleProgramme, RoleFinance, RoleViewer} {
		resp := e.do(t, event("GET", "/agreements/{id}/check-ins/{n}", checkInParams(a.ID, "1"), "", role))
		got := decodeInto[ciCheckIn](t, resp)
		if len(got.Replies) != 2 {
			t.Fatalf("%s reads %d replies, want 2: %s", role, len(got.Replies), resp.Body)
		}
		if role == RoleProgramme {
			for _, r := range got.Replies {
				if r.FeedbackWithheld || !strings.Contains(r.Feedback, "PRIVATE-") || !strings.Contains(r.Text, "PRIVATE-") {
					t.Errorf("programme reads %+v", r)
				}
			}
			continue
		}
		if strings.Contains(resp.Body, "PRIVATE-") || strings.Contains(resp.Body, `"feedback"`) {
			t.Errorf("%s reads the feedback: %s", role, resp.Body)
		}
		if strings.Count(resp.Body, `"feedbackWithheld":true`) != 2 {
			t.Errorf("%s is not told a part was withheld: %s", role, resp.Body)
		}
		if !strings.Contains(resp.Body, "15 volunteers came in December") {
			t.Errorf("%s does not read the rest of the reply: %s", role, resp.Body)
		}
		for _, r := range got.Replies {
			if r.RawKey != "" || r.TextURL != "" {
				t.Errorf("%s is linked to the message as received or the whole text: %+v", role, r)
			}
		}
	}
}

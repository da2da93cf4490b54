package grants

import (
	"strings"
	"testing"
)

func TestSplitFeedbackTakesOutTheAnswerWhereverItIs(t *testing.T) {
	for _, c := range []struct {
		name, text, rest, feedback string
		whole                      bool
	}{
		{"labelled last", "Progress: 15 volunteers.\nFeedback for us: the forms are too long.\nReally.", "Progress: 15 volunteers.", "the forms are too long.\nReally.", false},
		{"labelled in the middle", "1. Progress: good\n2. Feedback for us: slow payments\n3. A story: Amal", "1. Progress: good\n3. A story: Amal", "slow payments", false},
		{"numbered", "1. good\n2. Amal's garden\n3. none\n4. pay sooner please", "1. good\n2. Amal's garden\n3. none", "pay sooner please", false},
		{"no headings", "All going well, but you pay late.", "", "All going well, but you pay late.", true},
		{"empty", "", "", "", true},
	} {
		rest, fb, whole := SplitFeedback(c.text)
		if rest != c.rest || fb != c.feedback || whole != c.whole {
			t.Errorf("%s: got rest %q feedback %q whole %v, want %q %q %v", c.name, rest, fb, whole, c.rest, c.feedback, c.whole)
		}
	}
}

func TestReplyReadByRole(t *testing.T) {
	r := Reply{Text: "Progress: fine.\nFeedback for us: SECRET words", FullText: "Progress: fine.\nFeedback for us: SECRET words\n> quoted",
		TextKey: "k", TextSize: 99, RawKey: "raw"}
	prog := r.ReadBy(Actor{Groups: []Role{RoleViewer, RoleProgramme}})
	if prog.Feedback != "SECRET words" || prog.FeedbackWithheld || prog.Text != r.Text || prog.RawKey != "raw" {
		t.Errorf("programme reads %+v", prog)
	}
	for _, role := range []Role{RoleFinance, RoleViewer} {
		got := r.ReadBy(Actor{Groups: []Role{role}})
		if !got.FeedbackWithheld || got.Feedback != "" || got.Text != "Progress: fine." || got.FullText != "Progress: fine." ||
			got.TextKey != "" || got.RawKey != "" || got.TextSize != 0 {
			t.Errorf("%s reads %+v", role, got)
		}
		whole := Reply{Text: "We are cross about the late payment."}.ReadBy(Actor{Groups: []Role{role}})
		if whole.Text != "" || !whole.FeedbackWithheld || strings.Contains(whole.FullText, "cross") {
			t.Errorf("%s reads a reply with no headings as %+v", role, whole)
		}
		if none := (Reply{Text: ""}).ReadBy(Actor{Groups: []Role{role}}); none.FeedbackWithheld {
			t.Errorf("%s: a reply with no words says a part was withheld", role)
		}
	}
}

// The help phrase may be feedback: only the programme role reads it on the
// agreement; the record that help was asked stays for everyone, and the
// agreement read is not changed.
func TestAgreementReadByWithholdsHelpPhrases(t *testing.T) {
	a := &Agreement{HelpRequests: []HelpRequest{{CheckIn: 1, MessageID: "m1", Phrase: "struggling"}}}
	if got := a.ReadBy(Actor{Groups: []Role{RoleProgramme}}); got.HelpRequests[0].Phrase != "struggling" {
		t.Errorf("the programme role reads %+v", got.HelpRequests)
	}
	for _, r := range []Role{RoleFinance, RoleViewer} {
		got := a.ReadBy(Actor{Groups: []Role{r}})
		if len(got.HelpRequests) != 1 || got.HelpRequests[0].Phrase != "" || got.HelpRequests[0].MessageID != "m1" {
			t.Errorf("%s reads %+v", r, got.HelpRequests)
		}
	}
	if a.HelpRequests[0].Phrase != "struggling" {
		t.Error("reading changed the agreement")
	}
}

package grants

import (
	"strings"
	"testing"
	"time"
)

func TestFindPassageIgnoresWhiteSpace(t *testing.T) {
	words := "We ran four meals.\nThe forms are\ntoo long, and payments\r\n  come late.\nThanks."
	for _, c := range []struct {
		passage string
		want    string
		ok      bool
	}{
		{"The forms are too long, and payments come late.", "The forms are\ntoo long, and payments\r\n  come late.", true},
		{"  forms   are\ttoo long ", "forms are\ntoo long", true},
		{"(meals.)", "", false}, // punctuation is text: no match
		{"The forms are short", "", false},
		{"   ", "", false},
	} {
		start, end, ok := FindPassage(words, c.passage)
		if ok != c.ok || (ok && words[start:end] != c.want) {
			t.Errorf("FindPassage(%q) = %d, %d, %v", c.passage, start, end, ok)
		}
	}
}

func TestMarkFeedback(t *testing.T) {
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.FixedZone("BST", 3600))
	r := Reply{CheckIn: 2, MessageID: "m-1", Text: "We ran four meals.\nThe forms are\ntoo long.\nThanks."}
	m, _, changed, err := r.MarkFeedback("the forms are too long.", now, "Officer One")
	if err == nil || changed {
		t.Fatalf("a passage in other case is not the reply's text: marked %+v", m)
	}
	if ErrorCode(err) != Invalid || !strings.Contains(err.Error(), "passage") {
		t.Errorf("error %v does not name the passage", err)
	}
	m, e, changed, err := r.MarkFeedback(" The forms are too long. ", now, "Officer One")
	if err != nil || !changed {
		t.Fatal(err, changed)
	}
	if m.Passage != "The forms are\ntoo long." || m.By != "Officer One" || !m.At.Equal(now) || m.At.Location() != time.UTC {
		t.Errorf("mark %+v", m)
	}
	if e.Action != "reply.feedback_marked" || e.Subject != "check-in 2" || strings.Contains(e.Detail, "forms") || e.Actor != "Officer One" {
		t.Errorf("entry %+v", e)
	}
	r.FeedbackMark = &m
	if again, e, changed, err := r.MarkFeedback("The forms are\n too long.", now.Add(time.Hour), "Officer Two"); err != nil || changed || again != m || e.Action != "" {
		t.Errorf("marking again: %+v %+v %v %v", again, e, changed, err)
	}
	none, e, changed, err := r.MarkFeedback("", now.Add(time.Hour), "Officer Two")
	if err != nil || !changed || none.Passage != "" || none.By != "Officer Two" || !strings.Contains(e.Detail, "no feedback") {
		t.Errorf("marking no feedback: %+v %+v %v %v", none, e, changed, err)
	}
}

func TestReplyReadWithMark(t *testing.T) {
	finance, viewer, prog := Actor{Groups: []Role{RoleFinance}}, Actor{Groups: []Role{RoleViewer}}, Actor{Groups: []Role{RoleViewer, RoleProgramme}}
	words := "We ran four meals for 40 people.\nHonestly the forms are too long and we are struggling with them.\nPhotos attached."
	base := Reply{Text: words, FullText: words + "\n> quoted", TextKey: "k", TextSize: 99, RawKey: "raw", AsksForHelp: "struggling"}

	// Unmarked, the reply has no headings: withheld whole.
	for _, who := range []Actor{finance, viewer} {
		got := base.ReadBy(who)
		if got.Text != "" || !got.FeedbackWithheld || got.AsksForHelp != "" {
			t.Errorf("unmarked, %v reads %+v", who.Groups, got)
		}
	}

	marked := base
	marked.FeedbackMark = &FeedbackMark{Passage: "Honestly the forms are too long and we are struggling with them.", By: "Officer One", At: time.Now()}
	p := marked.ReadBy(prog)
	if p.Feedback != marked.FeedbackMark.Passage || p.FeedbackWithheld || p.Text != words || p.FeedbackMark == nil || p.RawKey != "raw" {
		t.Errorf("the programme reads %+v", p)
	}
	for _, who := range []Actor{finance, viewer} {
		got := marked.ReadWith(who, SplitFeedback)
		want := "We ran four meals for 40 people.\n\nPhotos attached."
		if got.Text != want || got.FullText != want || !got.FeedbackWithheld || got.Feedback != "" || got.FeedbackMark != nil ||
			got.TextKey != "" || got.RawKey != "" || got.TextSize != 0 {
			t.Errorf("marked, %v reads %+v", who.Groups, got)
		}
		// The phrase that flagged it is in the withheld passage only.
		if got.AsksForHelp != "" {
			t.Errorf("%v is shown the help phrase %q found only in the feedback", who.Groups, got.AsksForHelp)
		}
	}

	// A help phrase in the words finance reads stays.
	helped := marked
	helped.Text = words + "\nCan you send the next form early?"
	if got := helped.ReadBy(finance); got.AsksForHelp != "can you" || !got.FeedbackWithheld || !strings.Contains(got.Text, "Can you send") {
		t.Errorf("finance reads %+v", got)
	}

	// Marked as holding no feedback: everyone reads it whole.
	none := base
	none.FeedbackMark = &FeedbackMark{By: "Officer One", At: time.Now()}
	for _, who := range []Actor{finance, viewer} {
		got := none.ReadBy(who)
		if got.Text != words || got.FullText != base.FullText || got.FeedbackWithheld || got.RawKey != "raw" || got.TextKey != "k" || got.AsksForHelp != "struggling" || got.FeedbackMark != nil {
			t.Errorf("marked no feedback, %v reads %+v", who.Groups, got)
		}
	}
	if got := none.ReadBy(prog); got.Feedback != "" || got.Text != words {
		t.Errorf("the programme reads %+v", got)
	}

	// A mark overrides a wrong split: the heading was not the feedback.
	split := Reply{Text: "Feedback for us: none really.\nWe are cross about late payments."}
	split.FeedbackMark = &FeedbackMark{Passage: "We are cross about late payments.", By: "Officer One"}
	if got := split.ReadBy(finance); got.Text != "Feedback for us: none really." || strings.Contains(got.Text, "cross") || !got.FeedbackWithheld {
		t.Errorf("finance reads %+v", got)
	}

	// A mark whose passage is not in the words (never made so) withholds
	// as the split does.
	stale := base
	stale.FeedbackMark = &FeedbackMark{Passage: "not in the reply"}
	if got := stale.ReadBy(finance); got.Text != "" || !got.FeedbackWithheld {
		t.Errorf("a stale mark: finance reads %+v", got)
	}
}

func TestGatherFeedbackUsesMarks(t *testing.T) {
	a := []Agreement{{ID: "a1", Reference: "PG-1", Partner: Partner{Name: "P"}}}
	replies := map[string][]Reply{"a1": {
		{CheckIn: 1, MessageID: "m1", Text: "All fine. The portal is slow.", FeedbackMark: &FeedbackMark{Passage: "The portal is slow."}},
		{CheckIn: 1, MessageID: "m2", Text: "Photos attached.", FeedbackMark: &FeedbackMark{}},
		{CheckIn: 1, MessageID: "m3", Text: "Unmarked words."},
	}}
	rounds := GatherFeedback(a, replies, time.UTC)
	if len(rounds) != 1 || len(rounds[0].Entries) != 2 {
		t.Fatalf("rounds %+v", rounds)
	}
	got := map[string]bool{}
	for _, e := range rounds[0].Entries {
		got[e.Words] = e.WholeReply
	}
	if whole, ok := got["The portal is slow."]; !ok || whole {
		t.Errorf("the marked passage: %v", got)
	}
	if whole, ok := got["Unmarked words."]; !ok || !whole {
		t.Errorf("the unmarked reply: %v", got)
	}
}

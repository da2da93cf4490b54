package answers

import (
	"testing"
)

// A reply to a programme's own questions is read per question: by their
// headings (as the partner copied them, with or without their numbers), or
// by the numbers alone, in order.
func TestAnswersPerProgrammeQuestion(t *testing.T) {
	labels := []string{"What did the young people make?", "Who came for the first time?", "Feedback for us"}
	for name, tc := range map[string]struct {
		text string
		want []string
	}{
		"by heading": {"Hi Olu,\n\nWhat did the young people make? A mural, and a zine.\nIt took six weeks.\n\nWho came for the first time:\nTwelve families.\n\nFeedback for us – more notice of dates, please.\n\nThanks, Sam",
			[]string{"A mural, and a zine.\nIt took six weeks.", "Twelve families.", "more notice of dates, please.\n\nThanks, Sam"}},
		"numbered headings": {"1. What did the young people make?\nA mural.\n2. Who came for the first time?\nNobody new.\n3. Feedback for us: keep it up",
			[]string{"A mural.", "Nobody new.", "keep it up"}},
		"numbers only":   {"1) A mural\n2) Twelve families\n3) Thank you", []string{"A mural", "Twelve families", "Thank you"}},
		"one unanswered": {"What did the young people make?\nA mural.\n\nFeedback for us: none", []string{"A mural.", "", "none"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := Of(tc.text, labels)
			if !ok {
				t.Fatal("no question found")
			}
			for i, a := range got {
				if a.Number != i+1 || a.Label != labels[i] || a.Text != tc.want[i] {
					t.Errorf("answer %d: %+v, want %q", i+1, a, tc.want[i])
				}
			}
		})
	}
	if _, ok := Of("All going well, thank you! Photos attached.", labels); ok {
		t.Error("a reply in a few lines of its own found questions")
	}
	// A number out of order in prose is not a heading: "3) ..." with no 1 and 2 before it.
	got, _ := Of("Progress: fine\n3) and then a list\n", []string{"Progress", "A story", "Support"})
	if got[0].Text != "fine\n3) and then a list" || got[2].Text != "" {
		t.Errorf("out-of-order number taken as a heading: %+v", got)
	}
}

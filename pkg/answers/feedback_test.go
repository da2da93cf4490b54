package answers

import "testing"

// The feedback answer is taken out wherever the programme's questions put
// it, by heading or by number; a reply with no question found cannot be
// parted.
func TestSplitFeedbackByTheProgrammesQuestions(t *testing.T) {
	labels := []string{"What did the young people make?", "Feedback for us", "Who came for the first time?"}
	for name, tc := range map[string]struct{ text, rest, answer string }{
		"by heading": {"Hi Olu,\nWhat did the young people make? A mural.\nFeedback for us: more notice, please.\nWho came for the first time: twelve families.",
			"Hi Olu,\nWhat did the young people make? A mural.\nWho came for the first time: twelve families.", "more notice, please."},
		"numbers only": {"1) A mural\n2) pay us sooner\n3) Twelve families", "1) A mural\n3) Twelve families", "pay us sooner"},
	} {
		rest, answer, ok := SplitFeedback(tc.text, labels, 1)
		if !ok || rest != tc.rest || answer != tc.answer {
			t.Errorf("%s: rest %q answer %q ok %v", name, rest, answer, ok)
		}
	}
	if _, _, ok := SplitFeedback("All going well.", labels, 1); ok {
		t.Error("a reply with no questions in it was parted")
	}
	// A programme that asks no feedback question: nothing taken out.
	if rest, answer, ok := SplitFeedback("1) A mural\n2) Twelve families", labels[:1], -1); !ok || answer != "" || rest != "1) A mural\n2) Twelve families" {
		t.Errorf("no feedback question: rest %q answer %q ok %v", rest, answer, ok)
	}
}

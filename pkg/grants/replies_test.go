package grants

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		max  int
		want string
		cut  bool
	}{
		{"hello", 5, "hello", false},
		{"hello", 4, "hell", true},
		{"", 0, "", false},
		{"héllo", 2, "h", true}, // "é" is two bytes: not split
		{"héllo", 3, "hé", true},
		{"€uro", 2, "", true},
		{"abc", 0, "", true},
	} {
		got, cut := Clip(tc.s, tc.max)
		if got != tc.want || cut != tc.cut || !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q %v, want %q %v", tc.s, tc.max, got, cut, tc.want, tc.cut)
		}
	}
}

// A reply whose files past MaxAttachments stayed in the message says so
// in the history, where a person reading it looks for the files.
func TestReplyHistorySaysWhereTheFilesPastTheCapAre(t *testing.T) {
	a := activeAgreement(t)
	now := time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC)
	r := Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "m1", From: "sarah@hope.example", ReceivedAt: now,
		Attachments: make([]Attachment, MaxAttachments), MoreAttachments: 2900}
	entries, err := a.ReceiveReply(1, r, now, "system")
	if err != nil {
		t.Fatal(err)
	}
	if want := "100 attachments and 2900 more kept in the message as received"; !strings.Contains(entries[0].Detail, want) {
		t.Errorf("history says %q, want %q", entries[0].Detail, want)
	}
}

package grants

import (
	"strings"
	"testing"
	"time"
)

// Issue 26, item 4: no API wording reaches a page. What the history and
// the activation message say counts things as people do: "1 attachment",
// "instalment 1 is due", "instalments 1 and 2 are due", never
// "attachment(s)" or "instalments 1 are due".

func TestCountSaysOneOrMany(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0 attachments"},
		{1, "1 attachment"},
		{2, "2 attachments"},
		{100, "100 attachments"},
	} {
		if got := Count(tc.n, "attachment", "attachments"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestActivationSummaryCountsAsPeopleDo(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Activation
		want string
	}{
		{"one instalment due", Activation{InstalmentsDue: []int{1}}, "instalment 1 is due to finance"},
		{"two instalments due", Activation{InstalmentsDue: []int{1, 2}}, "instalments 1 and 2 are due to finance"},
		{"three instalments due", Activation{InstalmentsDue: []int{1, 2, 3}}, "instalments 1, 2 and 3 are due to finance"},
		{"one check-in passed", Activation{CheckInsPassed: []int{1}}, "check-in 1 had passed and will not be asked for"},
		{"two check-ins passed", Activation{CheckInsPassed: []int{1, 2}}, "check-ins 1 and 2 had passed and will not be asked for"},
		{"both", Activation{InstalmentsDue: []int{1}, CheckInsPassed: []int{1, 2, 3}},
			"instalment 1 is due to finance; check-ins 1, 2 and 3 had passed and will not be asked for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.Summary(); got != tc.want {
				t.Errorf("Summary() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReplyHistoryCountsItsAttachments(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		files, more int
		want        string
	}{
		{0, 0, "0 attachments"},
		{1, 0, "1 attachment ("},
		{2, 0, "2 attachments ("},
		{1, 3, "1 attachment and 3 more kept in the message as received"},
	} {
		a := activeAgreement(t)
		r := Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "m1", From: "sarah@hope.example", ReceivedAt: now, Attachments: make([]Attachment, tc.files), MoreAttachments: tc.more}
		entries, err := a.ReceiveReply(1, r, now, System)
		if err != nil {
			t.Fatal(err)
		}
		if d := entries[0].Detail; !strings.Contains(d, tc.want) || strings.Contains(d, "(s)") {
			t.Errorf("%d files: history says %q, want %q", tc.files, d, tc.want)
		}
	}
}

func TestOverdueHistoryCountsItsReminders(t *testing.T) {
	for _, tc := range []struct {
		max  int
		want string
	}{
		{0, "no reply after 0 reminders"},
		{1, "no reply after 1 reminder"},
		{2, "no reply after 2 reminders"},
	} {
		a := activeAgreement(t)
		c := a.CheckIn(1)
		c.Status, c.Reminders, c.RemindOn = CheckInSent, tc.max, c.DueDate
		e, _, overdue, _ := a.RemindOrEscalate(1, time.Date(c.DueDate.Year, c.DueDate.Month, c.DueDate.Day, 12, 0, 0, 0, time.UTC), 7, tc.max)
		if !overdue || e.Detail != tc.want {
			t.Errorf("after %d reminders: overdue %v, history says %q, want %q", tc.max, overdue, e.Detail, tc.want)
		}
	}
}

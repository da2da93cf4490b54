package grants

import (
	"strings"
	"testing"
)

// A conversation is validated field by field, and once recorded it counts
// as the check-in's response as an emailed reply does: the check-in is
// received (by its channel) and the instalment waiting on it is freed.
func TestRecordConversation(t *testing.T) {
	at := now.AddDate(0, 3, 10) // 20 April 2026
	good := ConversationInput{Channel: "call", HappenedOn: "2026-04-18", Participants: []string{" Amina Khan ", "", "Olu Adeyemi"},
		Summary: " Meals going well; volunteers stretched. ", PartnerWords: "We'd love help with evaluation."}
	bad := map[string]struct {
		edit  func(in *ConversationInput)
		field string
	}{
		"an unknown channel":   {func(in *ConversationInput) { in.Channel = "carrier pigeon" }, "channel"},
		"no date":              {func(in *ConversationInput) { in.HappenedOn = "" }, "happenedOn"},
		"a date in the future": {func(in *ConversationInput) { in.HappenedOn = "2026-04-21" }, "happenedOn"},
		"before the agreement": {func(in *ConversationInput) { in.HappenedOn = "2026-01-09" }, "happenedOn"},
		"nobody took part":     {func(in *ConversationInput) { in.Participants = []string{" "} }, "participants"},
		"too many people": {func(in *ConversationInput) {
			in.Participants = make([]string, MaxParticipants+1)
			fill(in.Participants)
		}, "participants"},
		"a name too long":           {func(in *ConversationInput) { in.Participants = []string{strings.Repeat("n", MaxParticipantName+1)} }, "participants[0]"},
		"no summary":                {func(in *ConversationInput) { in.Summary = "  " }, "summary"},
		"a summary too long":        {func(in *ConversationInput) { in.Summary = strings.Repeat("s", MaxConversationNotes+1) }, "summary"},
		"partner's words too long":  {func(in *ConversationInput) { in.PartnerWords = strings.Repeat("w", MaxPartnerWords+1) }, "partnerWords"},
		"a control character words": {func(in *ConversationInput) { in.PartnerWords = "a\x00b" }, "partnerWords"},
	}
	for name, tt := range bad {
		t.Run(name, func(t *testing.T) {
			in := good
			in.Participants = append([]string(nil), good.Participants...)
			tt.edit(&in)
			_, err := activeAgreement(t).NewConversation(1, in, at, "olu")
			if !hasField(err, tt.field) {
				t.Errorf("err = %v, want a fault in %s", err, tt.field)
			}
		})
	}
	if _, err := activeAgreement(t).NewConversation(9, good, at, "olu"); ErrorCode(err) != NotFound {
		t.Errorf("check-in 9: %v", err)
	}

	a := activeAgreement(t)
	fallDue(2)(t, a)
	r, err := a.NewConversation(1, good, at, "olu")
	if err != nil {
		t.Fatal(err)
	}
	cv := r.Conversation
	if !strings.HasPrefix(r.MessageID, ConversationIDPrefix) || cv == nil || cv.Channel != ChannelCall || cv.HappenedOn != (Date{2026, 4, 18}) ||
		strings.Join(cv.Participants, "|") != "Amina Khan|Olu Adeyemi" || cv.Summary != "Meals going well; volunteers stretched." ||
		r.Text != "We'd love help with evaluation." || r.PartnersWords() != r.Text || cv.RecordedBy != "olu" {
		t.Errorf("conversation reply %+v %+v", r, cv)
	}
	if again, _ := activeAgreement(t).NewConversation(1, good, at.Add(1), "olu"); again.MessageID != r.MessageID {
		t.Error("the same conversation recorded twice has two IDs")
	}
	entries, err := a.ReceiveReply(1, r, at, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(entries); strings.Join(got, ",") != "conversation.recorded,reply.asks_for_help,checkin.received" || r.AsksForHelp != "help" || entries[0].Detail != "call on 2026-04-18 with Amina Khan, Olu Adeyemi" {
		t.Errorf("audit %v %q", got, entries[0].Detail)
	}
	if c := a.CheckIn(1); c.Status != CheckInReceived || c.ReceivedBy != ChannelCall {
		t.Errorf("check-in 1 after a call: %+v", c)
	}
	if a.Instalment(2).AwaitingCheckIn {
		t.Error("instalment 2 still waits for the check-in answered by a call")
	}
	if s := a.ComputeStats(); s.CheckInsReceived != 1 || s.CheckInsByConversation != 1 {
		t.Errorf("stats %+v", s)
	}

	draft, _ := NewAgreement(validInput(), now, "officer")
	r.AgreementID = draft.ID
	if _, err := draft.ReceiveReply(1, r, at, "olu"); ErrorCode(err) != Conflict {
		t.Errorf("a conversation on a draft: %v", err)
	}
}

func hasField(err error, field string) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

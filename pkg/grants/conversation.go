package grants

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Channel is how a check-in was answered other than by replying to its email.
type Channel string

// Channels a recorded conversation can come through.
const (
	ChannelCall    Channel = "call"
	ChannelMeeting Channel = "meeting"
	ChannelVisit   Channel = "visit"
	ChannelEmail   Channel = "email" // an email sent another way (to an officer, say)
	ChannelOther   Channel = "other"
)

// Channels lists the channels in the order a form offers them.
var Channels = []Channel{ChannelCall, ChannelMeeting, ChannelVisit, ChannelEmail, ChannelOther}

// Limits of a recorded conversation.
const (
	MaxParticipants      = 20
	MaxParticipantName   = 100
	MaxConversationNotes = 4000  // the officer's summary
	MaxPartnerWords      = 10000 // what the partner said, in their words
)

// ConversationIDPrefix starts the message ID of a recorded conversation, so
// it is never taken for an SES message ID.
const ConversationIDPrefix = "conversation-"

// Conversation is a check-in answered in a call, meeting, visit or an email
// that did not come through the check-in's address, recorded by an officer.
// It is kept as a Reply, so the check-in route, the timeline and the pages
// show it where they show an emailed answer.
type Conversation struct {
	Channel      Channel  `json:"channel"`
	HappenedOn   Date     `json:"happenedOn"`
	Participants []string `json:"participants"`
	Summary      string   `json:"summary"`
	RecordedBy   string   `json:"recordedBy"`
}

// ConversationInput is what an officer records.
type ConversationInput struct {
	Channel      string
	HappenedOn   string
	Participants []string
	Summary      string
	PartnerWords string
}

// NewConversation validates a conversation that answers check-in n and
// returns it as the reply it is stored as. It happened between the day the
// agreement was made and today. Its ID is derived from what was
// recorded, so the same record submitted twice is stored once.
func (a *Agreement) NewConversation(n int, in ConversationInput, now time.Time, actor string) (Reply, error) {
	if a.CheckIn(n) == nil {
		return Reply{}, Errorf(NotFound, "Agreement %s has no check-in %d.", a.Reference, n)
	}
	var errs fieldErrors
	ch := Channel(strings.TrimSpace(in.Channel))
	if !validChannel(ch) {
		errs.add("channel", "must be one of call, meeting, visit, email, other")
	}
	today := Today(now, a.Location())
	happened, ok := checkDate(&errs, "happenedOn", strings.TrimSpace(in.HappenedOn), today)
	made := Today(a.CreatedAt, a.Location())
	if ok && (happened.After(today) || happened.Before(made)) {
		errs.add("happenedOn", "must be from the day the agreement was made (%s) to today (%s)", made, today)
	}
	var people []string
	for i, p := range in.Participants {
		if p = strings.TrimSpace(p); p != "" {
			checkText(&errs, fmt.Sprintf("participants[%d]", i), p, MaxParticipantName, false)
			people = append(people, p)
		}
	}
	switch {
	case len(people) == 0:
		errs.add("participants", "needs at least one person who took part")
	case len(people) > MaxParticipants:
		errs.add("participants", "has %d people; at most %d are allowed", len(people), MaxParticipants)
	}
	summary, words := strings.TrimSpace(in.Summary), strings.TrimSpace(in.PartnerWords)
	checkText(&errs, "summary", summary, MaxConversationNotes, true)
	checkText(&errs, "partnerWords", words, MaxPartnerWords, false)
	if err := errs.err(); err != nil {
		return Reply{}, err
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%s\x00%s\x00%s\x00%s", a.ID, n, ch, happened, summary, words))
	r := Reply{
		AgreementID: a.ID,
		CheckIn:     n,
		MessageID:   ConversationIDPrefix + hex.EncodeToString(h[:12]),
		From:        actor,
		Subject:     fmt.Sprintf("%s on %s", ch, happened),
		ReceivedAt:  now.UTC(),
		Text:        words,
		FullText:    summary,
		Attachments: []Attachment{},
		Conversation: &Conversation{Channel: ch, HappenedOn: happened, Participants: people,
			Summary: summary, RecordedBy: actor},
	}
	r.FlagHelp()
	return r, nil
}

func validChannel(c Channel) bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// PartnersWords is what the partner said in a reply: an email's new text,
// or the words an officer noted from a conversation.
func (r Reply) PartnersWords() string { return r.Text }

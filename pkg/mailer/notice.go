package mailer

import (
	"fmt"
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// KindNotice is the "kind" tag of a partner's notice about their money.
const KindNotice = "notice"

const tmplNotice = "notice"

// noticeView is what the notice templates see.
type noticeMoneyView struct {
	Names, Reference, Message string
	Facts                     []fact
	Standing                  []string
	SignOff, Reach            string
}

// Notice tells the partner about a change to their money (grants.Notice):
// an instalment held or released, a check-in waived, an extra payment. It
// says the officer's words as they were kept with the change, the facts of
// the instalment or check-in, and where the grant stands; never the
// internal reason for the change. Replies reach the officer.
func Notice(a *grants.Agreement, n grants.Notice, to []string, o grants.Officer) (Email, error) {
	v := noticeMoneyView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Reference: a.Reference,
		Message:   clip(n.Message, grants.MaxNoticeMessage),
		Standing:  standing(a),
		SignOff:   signOff(o),
		Reach:     reach(o),
	}
	var subject string
	in := a.Instalment(n.Instalment)
	if in != nil {
		v.Facts = []fact{{"Instalment", strconv.Itoa(in.Number)}, {"Amount", amountOf(a, in.Amount)}, {"Due", in.DueDate.Long()}}
	}
	switch n.Kind {
	case grants.NoticeHeld:
		subject = fmt.Sprintf("Instalment %d is on hold", n.Instalment)
	case grants.NoticeReleased:
		subject = fmt.Sprintf("Instalment %d is no longer on hold", n.Instalment)
	case grants.NoticeWaived:
		subject = fmt.Sprintf("Check-in %d: nothing more needed from you", n.CheckIn)
	case grants.NoticeExtra:
		subject = "An extra payment for you"
		if in != nil {
			subject = "An extra payment of " + amountOf(a, in.Amount)
			v.Facts[0].Value += " (an extra payment)"
		}
	default:
		return Email{}, fmt.Errorf("no notice of kind %q", n.Kind)
	}
	tags := agreementTags(KindNotice, a)
	tags["notice"] = string(n.Kind)
	e, err := render(tmplNotice, subject+" – "+a.Reference, to, nil, tags, v)
	return fromOfficer(e, err, o, true)
}

const tmplMessage = "message"

// messageView is what the message templates see.
type messageView struct {
	Names, Reference, Message string
	SignOff, Reach            string
}

// Message is an officer's own message to the partner (grants.NoticeMessage,
// written on the agreement's page; issue 26, item 16): their words as
// kept, from them. Its Reply-To is the agreement's signed message+
// address (replyTo), so the partner's answer is kept on the agreement as a
// message, threaded with the rest of the relationship.
func Message(a *grants.Agreement, n grants.Notice, to []string, replyTo string, o grants.Officer) (Email, error) {
	if n.Kind != grants.NoticeMessage {
		return Email{}, fmt.Errorf("notice %d is %q, not a message", n.Number, n.Kind)
	}
	if replyTo == "" {
		// Without it the answer would be lost to the thread: refuse rather
		// than send an email whose reply goes nowhere we keep.
		return Email{}, fmt.Errorf("message %d: no reply address", n.Number)
	}
	v := messageView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Reference: a.Reference,
		Message:   clip(n.Message, grants.MaxNoticeMessage),
		SignOff:   signOff(o),
		Reach:     reach(o),
	}
	tags := agreementTags(KindNotice, a)
	tags["notice"] = string(n.Kind)
	e, err := render(tmplMessage, "A message about your partnership "+a.Reference, to, addrs(replyTo), tags, v)
	return fromOfficer(e, err, o, false)
}

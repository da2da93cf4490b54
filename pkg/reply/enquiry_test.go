package reply

import (
	"errors"
	"slices"
	"testing"
)

// A message is an enquiry when SES delivered it to the enquiry address and
// to no signed reply address; what becomes of it follows SES's verdicts
// and whether a machine sent it, in Decide's order.
func TestEnquiriesAreDecidedByTheirVerdicts(t *testing.T) {
	const address = "enquiries@reply.funder.local"
	for _, c := range []struct {
		name       string
		recipients []string
		want       bool
	}{
		{"the enquiry address", []string{"Enquiries@Reply.Funder.Local"}, true},
		{"another address", []string{"hello@reply.funder.local"}, false},
		{"a signed reply address too", []string{address, "checkin+abc.def@reply.funder.local"}, false},
	} {
		if got := ToEnquiry(Envelope{Recipients: c.recipients}, address); got != c.want {
			t.Errorf("%s: ToEnquiry %v, want %v", c.name, got, c.want)
		}
	}
	if ToEnquiry(Envelope{Recipients: []string{address}}, "") {
		t.Error("no enquiry address configured, yet an enquiry")
	}

	pass := Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}
	person := &Message{From: Address{Address: "amina@garden.example"}}
	for _, c := range []struct {
		name   string
		msg    *Message
		err    error
		env    Envelope
		kind   Kind
		reason Reason
	}{
		{"a person's email", person, nil, Envelope{Verdicts: pass}, Accept, ReasonOK},
		{"no DMARC policy, SPF passed", person, nil, Envelope{Verdicts: Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "GRAY"}}, Accept, ReasonOK},
		{"spam", person, nil, Envelope{Verdicts: Verdicts{Spam: "FAIL", Virus: "PASS", DMARC: "PASS"}}, Quarantine, ReasonSpam},
		{"a virus", person, nil, Envelope{Verdicts: Verdicts{Spam: "PASS", Virus: "FAIL", DMARC: "PASS"}}, Quarantine, ReasonVirus},
		{"a forged sender", person, nil, Envelope{Verdicts: Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DMARC: "FAIL"}}, Quarantine, ReasonDMARCFail},
		{"nothing verified", person, nil, Envelope{Verdicts: Verdicts{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "GRAY", DMARC: "GRAY"}}, Quarantine, ReasonDMARCUnverified},
		{"an out-of-office", &Message{From: Address{Address: "amina@garden.example"}, AutoReply: true}, nil, Envelope{Verdicts: pass}, Ignore, ReasonAutoReply},
		{"a bounce", &Message{DeliveryReport: true}, nil, Envelope{Verdicts: pass, MailFrom: "<>"}, Ignore, ReasonDeliveryReport},
		{"the null sender", person, nil, Envelope{Verdicts: pass, MailFrom: "<>"}, Ignore, ReasonAutoReply},
		{"unparseable", nil, errors.New("broken"), Envelope{Verdicts: pass}, Quarantine, ReasonUnparseable},
	} {
		out := DecideEnquiry(c.msg, c.err, c.env)
		if out.Kind != c.kind || out.Reason != c.reason {
			t.Errorf("%s: %s %s, want %s %s", c.name, out.Kind, out.Reason, c.kind, c.reason)
		}
	}
}

// An answer's thread is In-Reply-To, then References from the newest.
func TestThread(t *testing.T) {
	m := &Message{InReplyTo: "<c@x>", References: []string{"<a@x>", "<b@x>", "<c@x>"}}
	if got := Thread(m); !slices.Equal(got, []string{"<c@x>", "<b@x>", "<a@x>"}) {
		t.Errorf("Thread: %v", got)
	}
}

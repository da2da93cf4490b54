package mailer

import (
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The enquiries' emails (issue 24, item 6): the enquirer's acknowledgement
// and an officer's answer. Both are answered to the enquiry address
// (replyTo), so that what the enquirer writes back lands on the enquiry,
// and both name the enquirer's messages in In-Reply-To and References, so
// that their mail client threads ours with theirs.

// Email kinds of the enquiries' emails.
const (
	KindEnquiryAck   = "enquiry-ack"
	KindEnquiryReply = "enquiry-reply"
)

const (
	tmplEnquiryAck   = "enquiry_ack"
	tmplEnquiryReply = "enquiry_reply"
)

type enquiryView struct {
	Name, Programme, Subject, Reach, SignOff string
	AnswerBy                                 string
	Days                                     int
	Text                                     string
	Paragraphs                               []string
}

// EnquiryAcknowledgement thanks an enquirer and says by when they will
// hear: days working days, by answerBy.
func EnquiryAcknowledgement(e *grants.Enquiry, programme string, answerBy grants.Date, days int, to []string, replyTo string, o grants.Officer) (Email, error) {
	if programme == "" {
		programme = "us"
	}
	v := enquiryView{Name: firstName(e.Name), Programme: programme, Subject: oneLine(e.Subject, 120), Reach: reach(o), SignOff: signOff(o),
		AnswerBy: answerBy.Long(), Days: days}
	subject := "Thank you for your enquiry – we'll answer by " + answerBy.Long()
	em, err := render(tmplEnquiryAck, subject, to, addrs(replyTo), map[string]string{"kind": KindEnquiryAck, "enquiry": e.ID}, v)
	return threaded(em, err, e, o)
}

// EnquiryReply is an officer's answer to an enquiry.
func EnquiryReply(e *grants.Enquiry, m grants.EnquiryMessage, to []string, replyTo string, o grants.Officer) (Email, error) {
	v := enquiryView{Name: firstName(e.Name), SignOff: signOff(o), Text: m.Text}
	for _, p := range strings.Split(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Paragraphs = append(v.Paragraphs, p)
		}
	}
	subject := oneLine(e.Subject, 200)
	switch {
	case subject == "":
		subject = "Your enquiry"
	case !strings.HasPrefix(strings.ToLower(subject), "re:"):
		subject = "Re: " + subject
	}
	em, err := render(tmplEnquiryReply, subject, to, addrs(replyTo), map[string]string{"kind": KindEnquiryReply, "enquiry": e.ID, "n": strconv.Itoa(m.N)}, v)
	return threaded(em, err, e, o)
}

// threaded names the enquirer's messages, the newest in In-Reply-To.
func threaded(em Email, err error, e *grants.Enquiry, o grants.Officer) (Email, error) {
	if err != nil {
		return em, err
	}
	em.FromName = oneLine(o.Name, 100)
	refs := e.References()
	if len(refs) > 0 {
		em.InReplyTo = refs[len(refs)-1]
		em.References = refs
	}
	return em, nil
}

// firstName is the first word of a display name ("Amina Patel" → Amina).
func firstName(name string) string {
	f := strings.Fields(oneLine(name, 100))
	if len(f) == 0 || strings.Contains(f[0], "@") {
		return ""
	}
	return f[0]
}

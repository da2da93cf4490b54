// Package mailer holds every email the system sends: the wording, rendered
// from embedded text and HTML templates into an Email, and the SES adapter
// (Sender) that sends an Email through SES's SendEmail API, retrying
// throttling with backoff.
//
// Rendering is pure: it imports no AWS package, so the wording can be
// reviewed through the golden files in testdata/golden without any emulator.
// Deciding whom to write to and when is not done here; the callers decide, and
// this package only says it well.
package mailer

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Email is one rendered message, ready to send.
type Email struct {
	To      []string
	ReplyTo []string
	// FromName is the person the email is from (the agreement's officer);
	// the Sender puts it before the funder's name in From. Empty: the
	// funder's name alone.
	FromName string
	// Date is when the email was written (the service's clock), sent as
	// its Date header.
	Date    time.Time
	Subject string
	Text    string
	HTML    string
	// Tags are published with SES sending events (deliveries, bounces,
	// complaints), so an event can be traced to its agreement and email
	// kind without reading the message.
	Tags map[string]string

	// Attachments are files sent with the email (the agreement's PDF).
	Attachments []Attachment

	// InReplyTo and References thread an answer with the messages it
	// answers (Message-ID headers, "<id@host>"); empty for any other email.
	InReplyTo  string
	References []string

	// SenderName is the programme's name for From (its setting, issue 25):
	// it stands for the configured address's display name. Empty: that
	// name, as before programmes could set one.
	SenderName string
}

// Attachment is a file sent with an email.
type Attachment struct {
	Name, ContentType string
	Content           []byte
}

// ErrNoRecipients is returned when an email has nobody to go to, e.g. when
// every contact of a partner has bounced. Callers should tell a person rather
// than count the email as sent.
var ErrNoRecipients = grants.ErrNoRecipients

// Email kinds, as carried in the "kind" tag.
const (
	KindCheckIn           = "check-in"
	KindReminder          = "reminder"
	KindOverdue           = "overdue-notice"
	KindInstalmentDue     = "instalment-due"
	KindAcknowledgement   = "acknowledgement"
	KindReplyNotice       = "reply-notice"
	KindBounce            = "bounce-notice"
	KindRemittance        = "remittance"
	KindTerminated        = "terminated"
	KindTerminatedFinance = "terminated-finance"
	KindWelcome           = "welcome"
	KindThankYou          = "thank-you"
)

//go:embed templates
var templateFS embed.FS

// template names, one text and one HTML file each under templates/.
const (
	tmplCheckIn           = "checkin"
	tmplReminder          = "reminder"
	tmplOverdue           = "overdue"
	tmplInstalmentDue     = "instalment_due"
	tmplAcknowledgement   = "acknowledgement"
	tmplReplyNotice       = "reply_notice"
	tmplBounce            = "bounce"
	tmplRemittance        = "remittance"
	tmplRunRemittance     = "remittance_run"
	tmplTerminated        = "terminated"
	tmplTerminatedFinance = "terminated_finance"
	tmplWelcome           = "welcome"
	tmplThankYou          = "thank_you"
	tmplNowPayable        = "now_payable"
	tmplLateDigest        = "late_digest"
	tmplHeldDigest        = "held_digest"
)

// Each email gets its own template set, because every HTML body defines the
// same "content" block for the shared layout and the sets must not collide.
// They are parsed on the first email a process renders, not at init: a cold
// start pays for none of it (about 0.7 ms; see "Init time" in docs/design.md).
// The golden tests render every email, so a broken template still fails
// them, not a Lambda at 3 a.m.
type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

var templates = sync.OnceValue(func() map[string]templateSet {
	htmlBase := htmltemplate.Must(htmltemplate.New("layout.html").ParseFS(templateFS, "templates/html/layout.html"))
	sets := map[string]templateSet{}
	for _, name := range []string{
		tmplCheckIn, tmplReminder, tmplOverdue, tmplInstalmentDue, tmplAcknowledgement,
		tmplReplyNotice, tmplBounce, tmplRemittance, tmplRunRemittance, tmplWelcome, tmplTerminated, tmplTerminatedFinance,
		tmplThankYou, tmplNowPayable, tmplLateDigest, tmplHeldDigest,
		tmplNotice, tmplMessage,
		tmplAgreement, tmplProposal,
		tmplReflection,
		tmplEnquiryAck, tmplEnquiryReply,
		tmplStory,
	} {
		sets[name] = templateSet{
			text: texttemplate.Must(texttemplate.New(name+".txt").Option("missingkey=error").
				ParseFS(templateFS, "templates/text/common.txt", "templates/text/"+name+".txt")),
			html: htmltemplate.Must(htmltemplate.Must(htmlBase.Clone()).Option("missingkey=error").
				ParseFS(templateFS, "templates/html/"+name+".html")),
		}
	}
	return sets
})

// layoutData is what the HTML layout sees; Data is what the email's own
// "content" block sees.
type layoutData struct {
	Subject string
	Data    any
}

// render executes both bodies of one email.
func render(name, subject string, to, replyTo []string, tags map[string]string, data any) (Email, error) {
	if len(to) == 0 {
		return Email{}, ErrNoRecipients
	}
	var text, html bytes.Buffer
	text.Grow(2048)
	html.Grow(4096)
	set := templates()[name]
	if err := set.text.Execute(&text, data); err != nil {
		return Email{}, fmt.Errorf("mailer: render %s text: %w", name, err)
	}
	if err := set.html.ExecuteTemplate(&html, "layout", layoutData{Subject: subject, Data: data}); err != nil {
		return Email{}, fmt.Errorf("mailer: render %s HTML: %w", name, err)
	}
	return Email{
		To:      to,
		ReplyTo: replyTo,
		Subject: subject,
		Text:    tidyText(text.String()),
		HTML:    html.String(),
		Tags:    tags,
	}, nil
}

// tidyText removes the blank-line runs and trailing spaces that optional
// template sections leave behind, so plain-text emails read as if typed.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

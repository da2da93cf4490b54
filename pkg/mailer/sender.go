package mailer

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// SendEmailAPI is the one SES call the Sender makes (SES v2's SendEmail);
// *sesv2.Client satisfies it, and tests may substitute their own.
//
// Why v2: both APIs deliver alike in AWS, and ses:SendEmail allows both; but
// the local aws-ses-v2-local keeps only the first To address of a v1
// SendEmail, and every address of a v2 one, and v2 carries extra headers
// (the Date header below).
type SendEmailAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ SendEmailAPI = (*sesv2.Client)(nil)

// maxRecipients is SES's limit on recipients of one message.
const maxRecipients = 50

// maxTagLen is SES's limit on a message tag's name and on its value.
const maxTagLen = 256

// charset is declared on every part: the wording uses "–", "£" and "’",
// and partner names may use any script.
const charset = "UTF-8"

// ErrNoMessageID is returned when SES answers without a message ID: without
// one the send cannot be traced to its bounce or delivery, so it is not
// reported as a success.
var ErrNoMessageID = errors.New("mailer: SES returned no message ID")

// Sender sends Emails through SES (the v2 SendEmail API).
type Sender struct {
	client           SendEmailAPI
	from             *mail.Address
	configurationSet string
}

// NewSender builds a Sender that sends from the address from (e.g.
// "Partnerships team <partnerships@example.org>"), through configurationSet
// when it is not empty (the configuration set publishes bounces and
// complaints). Build the client with RetryOptions so throttling is retried.
func NewSender(client SendEmailAPI, from string, configurationSet string) (*Sender, error) {
	if client == nil {
		return nil, errors.New("mailer: nil SES client")
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mailer: from address %q: %w", from, err)
	}
	return &Sender{client: client, from: addr, configurationSet: configurationSet}, nil
}

// From is the From address of e: the configured address, under the name of
// the person the email is from, with the funder's name ("Olu Adeyemi,
// Riverside Community Fund") when e names one; the funder's name is the
// programme's sender name when e carries one, else the configured
// address's. String re-encodes a
// non-ASCII display name as an RFC 2047 encoded word, which SES requires.
func (s *Sender) From(e Email) string {
	name, funder := s.from.Name, s.from.Name
	if own := oneLine(e.SenderName, 100); own != "" {
		name, funder = own, own
	}
	if who := oneLine(e.FromName, 100); who != "" {
		name = who
		if funder != "" {
			name += ", " + funder
		}
	}
	return (&mail.Address{Name: name, Address: s.from.Address}).String()
}

// Send sends e and returns SES's message ID. A throttled send that stays
// throttled through every retry returns an error for which IsThrottled is
// true: the caller should leave the work due and try again later.
func (s *Sender) Send(ctx context.Context, e Email) (messageID string, err error) {
	if err := e.check(); err != nil {
		return "", err
	}
	body := &types.Body{}
	if e.Text != "" {
		body.Text = &types.Content{Data: aws.String(e.Text), Charset: aws.String(charset)}
	}
	if e.HTML != "" {
		body.Html = &types.Content{Data: aws.String(e.HTML), Charset: aws.String(charset)}
	}
	msg := &types.Message{
		Subject: &types.Content{Data: aws.String(oneLine(e.Subject, 400)), Charset: aws.String(charset)},
		Body:    body,
	}
	// The date the email was written, on the sender's clock. SES replaces a
	// Date header with the time it accepted the message, the same instant
	// in AWS; locally, where the clock is simulated, the header keeps the
	// simulated date, so the mail viewer's store shows when, in the walked
	// year, each email went out.
	if !e.Date.IsZero() {
		msg.Headers = []types.MessageHeader{{Name: aws.String("Date"), Value: aws.String(e.Date.Format(time.RFC1123Z))}}
	}
	if e.InReplyTo != "" {
		msg.Headers = append(msg.Headers, types.MessageHeader{Name: aws.String("In-Reply-To"), Value: aws.String(headerIDs(e.InReplyTo))},
			types.MessageHeader{Name: aws.String("References"), Value: aws.String(headerIDs(e.References...))})
	}
	for _, f := range e.Attachments {
		msg.Attachments = append(msg.Attachments, types.Attachment{FileName: aws.String(f.Name), ContentType: aws.String(f.ContentType),
			RawContent: f.Content, ContentDisposition: types.AttachmentContentDispositionAttachment})
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From(e)),
		Destination:      &types.Destination{ToAddresses: e.To},
		ReplyToAddresses: e.ReplyTo,
		Content:          &types.EmailContent{Simple: msg},
		EmailTags:        MessageTags(e.Tags),
	}
	if s.configurationSet != "" {
		in.ConfigurationSetName = aws.String(s.configurationSet)
	}
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		return "", fmt.Errorf("mailer: send %s email: %w", e.Tags["kind"], err)
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", ErrNoMessageID
	}
	return *out.MessageId, nil
}

// check refuses emails SES would reject anyway, before spending a call.
func (e Email) check() error {
	switch {
	case len(e.To) == 0:
		return ErrNoRecipients
	case len(e.To) > maxRecipients:
		return fmt.Errorf("mailer: %d recipients, SES allows %d", len(e.To), maxRecipients)
	case strings.TrimSpace(e.Subject) == "":
		return errors.New("mailer: email has no subject")
	case e.Text == "" && e.HTML == "":
		return errors.New("mailer: email has no body")
	}
	for _, a := range append(append([]string(nil), e.To...), e.ReplyTo...) {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("mailer: malformed address: %w", err)
		}
	}
	return nil
}

// MessageTags turns tags into SES message tags. SES accepts only ASCII
// letters, digits, '_' and '-' in names and values, at most 256 of them, and
// rejects the whole send otherwise, so anything else becomes '_' and long
// strings are cut: a slightly mangled tag is better than an unsent email.
// Tags are sorted by name so requests are reproducible; empty names or
// values, and names that collide after sanitising, are dropped.
func MessageTags(tags map[string]string) []types.MessageTag {
	if len(tags) == 0 {
		return nil
	}
	names := make([]string, 0, len(tags))
	for k := range tags {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]types.MessageTag, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, k := range names {
		name, value := sanitiseTag(k), sanitiseTag(tags[k])
		if name == "" || value == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, types.MessageTag{Name: aws.String(name), Value: aws.String(value)})
	}
	return out
}

func sanitiseTag(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), maxTagLen))
	for _, r := range s {
		if b.Len() == maxTagLen {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// headerIDs writes message IDs as In-Reply-To and References hold them:
// each in angle brackets, space-separated, nothing that would break the
// header (a received header is the sender's to write).
func headerIDs(ids ...string) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		if id == "" || strings.ContainsAny(id, "<> \r\n\t") || len(id) > 250 {
			continue
		}
		out = append(out, "<"+id+">")
	}
	return strings.Join(out, " ")
}

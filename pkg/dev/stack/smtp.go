package stack

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/emersion/go-smtp"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
)

// Inbound stands in for SES email receiving: an SMTP listener that, like a
// receipt rule, stores each raw message in S3 (under the raw prefix, keyed by
// a new message ID) and then invokes the receive handler with an event shaped
// as SES's. Verdicts are PASS unless a test sets them with X-Local-Verdict-*
// headers (Spam, Virus, SPF, DKIM, DMARC), which only this stand-in reads.
// The stored copy carries SES's headers (verdicts, X-SES-RECEIPT) as SES's
// S3 action writes them. Unlike SES, it answers the sender only after the
// handler has run: a message the handler could not store gets a temporary
// failure (451), as nothing here retries the handler the way Lambda does.
type Inbound struct {
	Store   func(ctx context.Context, key string, raw []byte) error
	Invoke  func(ctx context.Context, ev events.SimpleEmailEvent) error
	Prefix  string
	Clock   func() time.Time
	MaxSize int64
}

// Serve listens on addr until ctx ends.
func (in *Inbound) Serve(ctx context.Context, addr string) error {
	s := smtp.NewServer(in)
	s.Addr, s.Domain = addr, "localhost"
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	s.MaxMessageBytes = in.MaxSize
	s.MaxRecipients = 50
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	go func() { _ = s.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = s.Close()
	}()
	return nil
}

// NewSession implements smtp.Backend.
func (in *Inbound) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{in: in}, nil }

type session struct {
	in   *Inbound
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// tryAgain is the temporary failure that makes the sender's server keep
// the message and send it again later.
var tryAgain = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not store the message; try again"}

func (s *session) Data(r io.Reader) (err error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ctx := context.Background()
	id := newMessageID()
	ev := sesEvent(id, s.from, s.to, raw, s.in.Clock())
	if err := s.in.Store(ctx, s.in.Prefix+id, storedCopy(ev, raw)); err != nil {
		slog.ErrorContext(ctx, "store received message", "error", err.Error())
		return tryAgain
	}
	// SES answers the sender before invoking the function, and Lambda
	// retries a failed invocation; here nothing would retry, so the sender
	// hears of the failure instead: a message not stored is never
	// acknowledged. Its copy stays in the bucket, where the reprocess
	// command finds it should the sender give up.
	defer func() {
		if p := recover(); p != nil {
			slog.ErrorContext(ctx, "receive handler panicked", "messageId", id, "panic", fmt.Sprint(p))
			err = tryAgain
		}
	}()
	if err := s.in.Invoke(ctx, ev); err != nil {
		slog.ErrorContext(ctx, "receive handler failed; answering 451", "messageId", id, "error", err.Error())
		return tryAgain
	}
	return nil
}

// storedCopy is the message as SES's S3 action stores it, with SES's
// findings in headers on top.
func storedCopy(ev events.SimpleEmailEvent, raw []byte) []byte {
	m, rc := ev.Records[0].SES.Mail, ev.Records[0].SES.Receipt
	r := emulator.SESReceipt{MailFrom: m.Source, Spam: rc.SpamVerdict.Status, Virus: rc.VirusVerdict.Status,
		SPF: rc.SPFVerdict.Status, DKIM: rc.DKIMVerdict.Status, DMARC: rc.DMARCVerdict.Status}
	if len(rc.Recipients) > 0 {
		r.Recipient = rc.Recipients[0]
	}
	return emulator.StoredBySES(raw, m.MessageID, r, rc.Timestamp)
}

// newMessageID makes an ID shaped like SES's (lowercase, 20+ characters).
func newMessageID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="))
}

func sesEvent(id, from string, to []string, raw []byte, now time.Time) events.SimpleEmailEvent {
	verdict := map[string]string{"Spam": "PASS", "Virus": "PASS", "SPF": "PASS", "DKIM": "PASS", "DMARC": "PASS"}
	var subject string
	var headers []events.SimpleEmailHeader
	if hdr, err := textproto.NewReader(bufioReader(raw)).ReadMIMEHeader(); err == nil {
		subject = hdr.Get("Subject")
		for k := range verdict {
			if v := hdr.Get("X-Local-Verdict-" + k); v != "" {
				verdict[k] = strings.ToUpper(strings.TrimSpace(v))
			}
		}
		for k, vs := range hdr {
			for _, v := range vs {
				headers = append(headers, events.SimpleEmailHeader{Name: k, Value: v})
			}
		}
	}
	if from == "" {
		from = "<>"
	}
	status := func(k string) events.SimpleEmailVerdict { return events.SimpleEmailVerdict{Status: verdict[k]} }
	rec := events.SimpleEmailRecord{
		EventVersion: "1.0",
		EventSource:  "aws:ses",
		SES: events.SimpleEmailService{
			Mail: events.SimpleEmailMessage{
				Timestamp: now.UTC(), Source: from, MessageID: id, Destination: to, HeadersTruncated: false, Headers: headers,
				CommonHeaders: events.SimpleEmailCommonHeaders{Subject: subject},
			},
			Receipt: events.SimpleEmailReceipt{
				Timestamp: now.UTC(), Recipients: to, ProcessingTimeMillis: 1,
				SpamVerdict: status("Spam"), VirusVerdict: status("Virus"), SPFVerdict: status("SPF"), DKIMVerdict: status("DKIM"), DMARCVerdict: status("DMARC"),
				Action: events.SimpleEmailReceiptAction{Type: "Lambda", InvocationType: "Event", FunctionARN: functionArn + "InboundFunction"},
			},
		},
	}
	return events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{rec}}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

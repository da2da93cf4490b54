// Package logs holds the functions' log handler: slog JSON lines in the
// shape Lambda's JSON log format reads (timestamp, level, message), each
// carrying the invocation's Lambda request ID and, where the context knows
// it, the agreement it is about, at the level AWS_LAMBDA_LOG_LEVEL sets
// (ParseLevel; main reads the variable). It
// also keeps email addresses out of every line, writing a pseudonym in
// their place: staff are identified by address, a bounce's outbox key holds
// one, and an SDK error may quote a recipient. (The rest of what is
// personal, names and partners' words, the code never logs.)
package logs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// The keys of a line. Lambda reads "level" to filter application logs and
// "timestamp" (RFC 3339) for the event's time; "message" is the key its
// managed runtimes write (see "Log-level filtering" in the Lambda guide).
const (
	TimestampKey = "timestamp"
	LevelKey     = "level"
	MessageKey   = "message"
	RequestIDKey = "requestId"
	AgreementKey = "agreementId"
)

// Pseudonym stands in a line for an email address: "email#" and the first
// 8 bytes of the SHA-256 of the address in lower case, in hex. A line keeps
// telling one address from another (and an operator who knows an address
// can find its lines) without carrying it.
func Pseudonym(address string) string {
	h := sha256.Sum256([]byte(strings.ToLower(address)))
	return "email#" + hex.EncodeToString(h[:8])
}

// Setup makes the default logger write the functions' lines to stdout, at
// level and above.
func Setup(level slog.Leveler) { slog.SetDefault(slog.New(NewHandler(os.Stdout, level))) }

// NewHandler writes JSON lines to w at level and above.
func NewHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: replace})}
}

// NewConsoleHandler writes the same lines as NewHandler, redacted the same
// way, as key=value text for a person at a terminal (make run's console).
func NewConsoleHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return contextHandler{slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: replace})}
}

// ParseLevel reads the application log level Lambda's advanced logging
// controls set in AWS_LAMBDA_LOG_LEVEL: TRACE and DEBUG log at debug, FATAL
// as ERROR; unset or unknown, INFO.
func ParseLevel(s string) slog.Level {
	switch strings.ToUpper(s) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// replace names the built-in keys as Lambda reads them and redacts
// addresses in every string value.
func replace(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 {
		switch a.Key {
		case slog.TimeKey:
			a.Key = TimestampKey
			return a
		case slog.LevelKey:
			a.Key = LevelKey
			return a
		case slog.MessageKey:
			a.Key = MessageKey
		}
	}
	if a.Value.Kind() == slog.KindString {
		a.Value = slog.StringValue(Redact(a.Value.String()))
	}
	return a
}

type agreementKey struct{}

// WithAgreement marks ctx as about one agreement: lines logged with it (and
// metrics counted with it) carry its ID.
func WithAgreement(ctx context.Context, id string) context.Context {
	if id == "" || AgreementID(ctx) == id {
		return ctx
	}
	return context.WithValue(ctx, agreementKey{}, id)
}

// AgreementID is the agreement ctx is about, or "".
func AgreementID(ctx context.Context) string {
	id, _ := ctx.Value(agreementKey{}).(string)
	return id
}

// RequestID is the Lambda request ID of the invocation ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// contextHandler adds the request and agreement IDs from the record's
// context, unless the call named them itself.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		request, agreement := RequestID(ctx), AgreementID(ctx)
		if request != "" || agreement != "" {
			r.Attrs(func(a slog.Attr) bool {
				switch a.Key {
				case RequestIDKey:
					request = ""
				case AgreementKey:
					agreement = ""
				}
				return true
			})
			if request != "" {
				r.AddAttrs(slog.String(RequestIDKey, request))
			}
			if agreement != "" {
				r.AddAttrs(slog.String(AgreementKey, agreement))
			}
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// emailAddress is an address as RFC 5321 spells them in practice: the
// local part's characters, "@", and a domain of at least two labels (a
// sentence's full stop after it is not part of it).
var emailAddress = regexp.MustCompile("[A-Za-z0-9.!$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+")

// RedactEmails replaces each email address in s with its Pseudonym.
func RedactEmails(s string) string { return emailAddress.ReplaceAllStringFunc(s, Pseudonym) }

// attachmentName is the partner's file name at the end of an attachment's
// object key (attachments/…/<n>-<name>), as an error quotes the key or the
// URL it was sent to: the name is the partner's words.
var attachmentName = regexp.MustCompile(`(attachments/(?:[^\s"'/]+/)+[0-9]+-)[^\s"'/?&]+`)

// Redact keeps what is personal out of s: email addresses become their
// Pseudonym, attachment names in object keys "[name]".
func Redact(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = RedactEmails(s)
	}
	if strings.Contains(s, "attachments/") {
		s = attachmentName.ReplaceAllString(s, "${1}[name]")
	}
	return s
}

// Package reply reads a partner's emailed reply: it turns a raw message (as
// stored by SES) into a Message and decides, purely from the message and the
// SES receipt verdicts, whether it is an accepted check-in reply, needs a
// human look (quarantine), or is machine-generated noise (ignore). It has no
// AWS dependencies so it can be tested and fuzzed offline. Its subpackages
// hold the rest of the idea: token signs and verifies the token in a
// check-in's Reply-To address, and receive takes a stored message from S3
// through this package to the service.
package reply

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"

	"github.com/partnership-grants/backend/pkg/grants"
)

// MaxMessageSize bounds what Parse will look at. SES caps received mail at
// 40 MB (incl. headers); anything bigger is not something SES handed us.
const MaxMessageSize = 40 << 20

// Address is a parsed mailbox.
type Address struct {
	Name    string
	Address string // as written; compare case-insensitively
}

// Attachment is a non-body MIME part (file attachment or inline image).
type Attachment struct {
	Filename    string
	ContentType string
	ContentID   string
	Size        int
	Content     []byte
	Inline      bool
}

// Message is the parsed, decoded form of a received email. All text is UTF-8.
type Message struct {
	From       Address
	To         []Address
	Cc         []Address
	Subject    string
	MessageID  string
	InReplyTo  string
	References []string
	Date       time.Time // zero if missing/unparseable

	// FullText is the whole readable body: the text/plain part(s), or the
	// HTML converted to text when the message is HTML-only.
	FullText string
	// NewText is FullText minus quoted history and signature: what the
	// partner actually wrote in this reply.
	NewText string
	// Forwarded is set when the body forwards another message; NewText then
	// holds only the note above the forwarded content.
	Forwarded bool

	Attachments []Attachment

	AutoReply      bool // out-of-office / vacation / other auto-responder
	DeliveryReport bool // bounce / DSN

	// Warnings are non-fatal parser complaints (bad charset, broken base64...).
	Warnings []string
}

// ErrTooLarge is returned for input above MaxMessageSize.
var ErrTooLarge = errors.New("reply: message too large")

// ErrNoHeaders is returned when the input does not look like an email at all.
var ErrNoHeaders = errors.New("reply: no message headers")

// Parse decodes a raw RFC 5322 message within DefaultLimits.
func Parse(raw []byte) (*Message, error) { return DefaultLimits.Parse(raw) }

// Parse decodes a raw RFC 5322 message. It never panics: a malformed message
// yields an error, or a best-effort Message plus Warnings when enough of it
// could be read to be useful. A message past the limits is not handed to
// the MIME parser at all: it yields a *StructureError and, when its own
// header block could be read, a Message of that header alone (sender,
// recipients, subject, IDs), so that whoever it is held for sees who sent
// it and about what.
func (l Limits) Parse(raw []byte) (*Message, error) {
	if len(raw) > MaxMessageSize {
		return nil, ErrTooLarge
	}
	if !looksLikeHeaders(raw) {
		return nil, ErrNoHeaders
	}
	shape, err := l.Measure(raw)
	if err != nil {
		if shape.headerEnd == 0 {
			return nil, err
		}
		env, herr := readEnvelope(raw[:shape.headerEnd])
		if herr != nil {
			return nil, err
		}
		return headerFields(env), err
	}
	env, err := readEnvelope(raw)
	if err != nil {
		return nil, err
	}
	m := headerFields(env)
	for _, e := range env.Errors {
		m.Warnings = append(m.Warnings, e.Error())
	}

	m.FullText = normalizeText(bodyText(env))
	m.NewText, m.Forwarded = splitReply(m.FullText)
	// Outlook forwards use the same From/Sent header block as replies, so
	// the body alone cannot tell them apart; the "FW:" subject can.
	if !m.Forwarded && fwdSubject().MatchString(m.Subject) && m.NewText != m.FullText {
		m.Forwarded = true
	}
	m.Attachments = collectAttachments(env)
	m.AutoReply = isAutoReply(env, m)
	m.DeliveryReport = isDeliveryReport(env, m)
	return m, nil
}

// headerFields is the Message of env's header fields alone.
func headerFields(env *enmime.Envelope) *Message {
	m := &Message{
		Subject:   clean(env.GetHeader("Subject")),
		MessageID: strings.TrimSpace(env.GetHeader("Message-Id")),
		InReplyTo: strings.TrimSpace(env.GetHeader("In-Reply-To")),
	}
	m.References = strings.Fields(env.GetHeader("References"))
	if d, derr := env.Date(); derr == nil {
		m.Date = d
	}
	m.From = firstAddress(env, "From")
	m.To = addresses(env, "To")
	m.Cc = addresses(env, "Cc")
	return m
}

// readEnvelope runs enmime. It is a large third-party parser fed with
// attacker-controlled input; a panic there must not take down the Lambda or
// lose the message, so it becomes an ordinary error (the caller quarantines
// it). The recover is deliberately scoped to enmime only, so that FuzzParse
// still surfaces panics in our own code instead of masking them.
func readEnvelope(raw []byte) (env *enmime.Envelope, err error) {
	defer func() {
		if r := recover(); r != nil {
			env, err = nil, fmt.Errorf("reply: mime parser panic: %v", r)
		}
	}()
	env, err = readMIME(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	if env == nil || env.Root == nil {
		return nil, errors.New("reply: empty envelope")
	}
	return env, nil
}

// readMIME is the MIME parser; tests replace it to see what reaches it.
var readMIME = enmime.ReadEnvelope

// looksLikeHeaders rejects input whose first line is not a header field, so
// that arbitrary bytes (e.g. an S3 object that is not mail) are reported as
// unparseable instead of becoming a "message" with everything as its body.
var headerLine = lazy(`^(From [^\r\n]*|[!-9;-~]+:[^\r\n]*)\r?\n`)

func looksLikeHeaders(raw []byte) bool {
	raw = bytes.TrimLeft(raw, "\r\n")
	if len(raw) > 2048 {
		raw = raw[:2048]
	}
	return headerLine().Match(raw)
}

// clean is how a subject, a file name or a display name is kept: as
// grants.CleanLine shows partner-controlled text (no bidirectional
// controls, no line breaks, other controls made visible), so that what
// staff see cannot be reordered or hidden; the raw message keeps it as sent.
func clean(s string) string {
	return strings.TrimSpace(grants.CleanLine(s))
}

func firstAddress(env *enmime.Envelope, key string) Address {
	if as := addresses(env, key); len(as) > 0 {
		return as[0]
	}
	return Address{}
}

// addresses parses an address header; when strict parsing fails (common with
// hand-rolled mailers: unquoted commas, stray brackets) it falls back to
// pulling out anything that looks like an addr-spec, so that sender matching
// still works instead of silently yielding no sender.
func addresses(env *enmime.Envelope, key string) []Address {
	list, err := env.AddressList(key)
	if err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			if a == nil {
				continue
			}
			out = append(out, Address{Name: clean(a.Name), Address: strings.TrimSpace(a.Address)})
		}
		return out
	}
	raw := env.GetHeader(key)
	var out []Address
	for _, part := range strings.Split(raw, ",") {
		if a, perr := mail.ParseAddress(part); perr == nil {
			out = append(out, Address{Name: clean(a.Name), Address: a.Address})
			continue
		}
		if s := looseAddr().FindString(part); s != "" {
			out = append(out, Address{Address: s})
		}
	}
	return out
}

var fwdSubject = lazy(`(?i)^(fw|fwd|tr|wg|rv)\s*:`)

var looseAddr = lazy(`[^\s<>"(),;:@]+@[^\s<>"(),;:@]+`)

// bodyText assembles the readable text. enmime's Envelope.Text joins the
// text/plain parts of a multipart/mixed message with "\n--\n", which would
// look like a signature separator to the quote stripper, so we collect the parts
// ourselves; we also undo format=flowed (RFC 3676), which enmime leaves as is
// and which splits "On ... wrote:" lines and paragraphs mid-sentence.
func bodyText(env *enmime.Envelope) string {
	if env.Root == nil {
		return env.Text
	}
	var parts []*enmime.Part
	var walk func(p *enmime.Part)
	walk = func(p *enmime.Part) {
		for ; p != nil; p = p.NextSibling {
			if p.ContentType == "text/plain" && p.Disposition != "attachment" && p.FileName == "" {
				parts = append(parts, p)
				if p.Parent != nil && p.Parent.ContentType == "multipart/alternative" {
					// Only one text/plain per alternative group.
					return
				}
			}
			if strings.HasPrefix(p.ContentType, "multipart/") || p.ContentType == "" && p.FirstChild != nil {
				walk(p.FirstChild)
			}
		}
	}
	if env.Root.FirstChild == nil {
		if env.Root.ContentType == "text/plain" || env.Root.ContentType == "" {
			parts = append(parts, env.Root)
		}
	} else {
		walk(env.Root.FirstChild)
	}
	if len(parts) == 0 {
		return env.Text // HTML-only: enmime's html2text conversion
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString("\n\n")
		}
		s := string(p.Content)
		if params := partParams(p); strings.EqualFold(params["format"], "flowed") {
			s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
		}
		b.WriteString(s)
	}
	return b.String()
}

// unflow reverses RFC 3676 format=flowed: a line ending in a space is
// joined with the next line of the same quote depth.
func unflow(s string, delsp bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		if open {
			out = append(out, strings.Repeat(">", curDepth)+spaceIf(curDepth)+cur.String())
			cur.Reset()
			open = false
		}
	}
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := l[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if open && depth != curDepth {
			flush()
		}
		sig := content == "-- "
		flowed := strings.HasSuffix(content, " ") && !sig
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		curDepth, open = depth, true
		if !flowed {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}

func spaceIf(depth int) string {
	if depth > 0 {
		return " "
	}
	return ""
}

// normalizeText makes line endings uniform and drops invisible junk that
// clients add (BOM, NBSP used as indentation, zero-width spaces).
func normalizeText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.NewReplacer("\u200b", "", "\u00a0", " ").Replace(s)
	return strings.TrimSpace(s)
}

// collectAttachments merges enmime's Attachments, Inlines and OtherParts
// (images inside multipart/related often have no Content-Disposition and end
// up in OtherParts), skipping body text parts.
func collectAttachments(env *enmime.Envelope) []Attachment {
	seen := map[*enmime.Part]bool{}
	var out []Attachment
	add := func(p *enmime.Part, inline bool) {
		if p == nil || seen[p] {
			return
		}
		seen[p] = true
		if (p.ContentType == "text/plain" || p.ContentType == "text/html") && p.FileName == "" && p.Disposition != "attachment" {
			return // a body part marked inline, not a file
		}
		name := p.FileName
		if name == "" {
			name = defaultName(p)
		}
		out = append(out, Attachment{
			Filename:    clean(name),
			ContentType: p.ContentType,
			ContentID:   strings.Trim(p.ContentID, "<> "),
			Size:        len(p.Content),
			Content:     p.Content,
			Inline:      inline,
		})
	}
	for _, p := range env.Attachments {
		add(p, false)
	}
	for _, p := range env.Inlines {
		add(p, true)
	}
	for _, p := range env.OtherParts {
		add(p, p.ContentID != "")
	}
	return out
}

func defaultName(p *enmime.Part) string {
	ext := ""
	if exts, _ := mime.ExtensionsByType(p.ContentType); len(exts) > 0 {
		ext = exts[0]
	}
	id := p.PartID
	if id == "" {
		id = "0"
	}
	return "part-" + strings.ReplaceAll(id, ".", "-") + ext
}

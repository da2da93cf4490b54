package reply

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"
)

// StoredEnvelope recovers what SES's receipt event said of a message from
// the copy SES's S3 action stored, for a message whose event was lost (its
// processing failed until Lambda gave up). SES writes its findings as
// headers on top of the message: Return-Path (MAIL FROM), X-SES-Spam-Verdict,
// X-SES-Virus-Verdict, Authentication-Results from amazonses.com (SPF, DKIM,
// DMARC), then X-SES-RECEIPT. Only headers above the first X-SES-RECEIPT
// are read: only SES writes raw messages (the bucket policy), so that one is
// SES's, and everything below it was written by the sender, who can write
// any header. Without one, nothing is read. What is not found stays
// empty, which Decide treats as doubtful. The envelope recipients are not
// recoverable (a Bcc leaves no header), so Decide looks for the token in
// To and Cc.
func StoredEnvelope(raw []byte, messageID string) Envelope {
	env := Envelope{MessageID: messageID}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	var got Envelope
	seen := map[string]bool{}
	for {
		line, err := r.ReadContinuedLine()
		if err != nil || line == "" {
			return env // no X-SES-RECEIPT: trust nothing
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name, value = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value)
		if name == "X-Ses-Receipt" {
			got.MessageID = messageID
			return got
		}
		if seen[name] {
			continue // SES writes each once; a second is the sender's
		}
		seen[name] = true
		switch name {
		case "Return-Path":
			got.MailFrom = strings.TrimSpace(value)
			if got.MailFrom != "<>" {
				got.MailFrom = strings.Trim(got.MailFrom, "<>")
			}
		case "X-Ses-Spam-Verdict":
			got.Verdicts.Spam = value
		case "X-Ses-Virus-Verdict":
			got.Verdicts.Virus = value
		case "Authentication-Results":
			authResults(value, &got.Verdicts)
		}
	}
}

// authResults reads SES's Authentication-Results (RFC 8601):
// "amazonses.com; spf=pass (...) smtp.mailfrom=...; dkim=pass ...; dmarc=pass ...".
func authResults(v string, into *Verdicts) {
	parts := strings.Split(v, ";")
	if strings.TrimSpace(parts[0]) != "amazonses.com" {
		return
	}
	for _, p := range parts[1:] {
		method, rest, _ := strings.Cut(strings.TrimSpace(p), "=")
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		result := strings.ToUpper(fields[0])
		switch strings.ToLower(method) {
		case "spf":
			into.SPF = result
		case "dkim":
			if into.DKIM == "" {
				into.DKIM = result
			}
		case "dmarc":
			into.DMARC = result
		}
	}
}

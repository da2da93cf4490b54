package emulator

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// SESReceipt is what SES's receipt rule found of a message it received.
type SESReceipt struct {
	MailFrom, Recipient           string
	Spam, Virus, SPF, DKIM, DMARC string // PASS, FAIL, GRAY...
}

// StoredBySES is raw as SES's S3 action stores it: SES's own headers on top
// (the envelope sender, its Received line, its verdicts, and X-SES-RECEIPT),
// then the message as sent. The receive handler reads only the event, but a
// message whose event was lost is judged from these (reply.StoredEnvelope),
// so the local stand-in and the tests write them as SES does.
func StoredBySES(raw []byte, id string, r SESReceipt, at time.Time) []byte {
	result := func(v string) string { return strings.ToLower(v) }
	from := r.MailFrom
	if from == "<>" {
		from = ""
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", from)
	fmt.Fprintf(&b, "Received: from localhost by inbound-smtp.local with SMTP id %s\r\n for %s;\r\n %s\r\n", id, r.Recipient, at.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "X-SES-Spam-Verdict: %s\r\nX-SES-Virus-Verdict: %s\r\n", r.Spam, r.Virus)
	fmt.Fprintf(&b, "Authentication-Results: amazonses.com;\r\n spf=%s smtp.mailfrom=%s;\r\n dkim=%s;\r\n dmarc=%s;\r\n", result(r.SPF), from, result(r.DKIM), result(r.DMARC))
	fmt.Fprintf(&b, "X-SES-RECEIPT: local-%s\r\n", id)
	b.Write(raw)
	return b.Bytes()
}

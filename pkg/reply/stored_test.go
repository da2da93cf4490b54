package reply

import (
	"strings"
	"testing"
)

func TestStoredEnvelope(t *testing.T) {
	const message = "From: Sarah <sarah@hopehouse.org.uk>\r\nTo: checkin+tok@reply.example\r\nSubject: Re\r\n\r\nHello\r\n"
	const ses = "Return-Path: <sarah@hopehouse.org.uk>\r\n" +
		"Received: from mail.hopehouse.org.uk by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abc\r\n for checkin+tok@reply.example;\r\n Fri, 9 Jan 2026 10:10:10 +0000\r\n" +
		"X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n" +
		"Received-SPF: pass (spfCheck: domain of hopehouse.org.uk designates 192.0.2.1 as permitted sender)\r\n" +
		"Authentication-Results: amazonses.com;\r\n spf=pass (spfCheck: domain of hopehouse.org.uk designates 192.0.2.1 as permitted sender) smtp.mailfrom=sarah@hopehouse.org.uk;\r\n dkim=pass header.i=@hopehouse.org.uk;\r\n dmarc=pass header.from=hopehouse.org.uk;\r\n" +
		"X-SES-RECEIPT: AEFBQUFBQUFBQUFH\r\nX-SES-DKIM-SIGNATURE: a=rsa-sha256\r\n"
	pass := Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}
	// What a sender writes into the message to pass for SES's findings.
	const forged = "X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\nAuthentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass\r\nX-SES-RECEIPT: x\r\n"
	for _, tc := range []struct {
		name string
		raw  string
		want Envelope
	}{
		{"stored by SES", ses + message, Envelope{MailFrom: "sarah@hopehouse.org.uk", Verdicts: pass, MessageID: "m1"}},
		{"stored by SES, failing DMARC", strings.Replace(ses, "dmarc=pass", "dmarc=fail", 1) + message,
			Envelope{MailFrom: "sarah@hopehouse.org.uk", Verdicts: Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "FAIL"}, MessageID: "m1"}},
		{"SES's verdicts win over the sender's", strings.Replace(ses, "X-SES-Virus-Verdict: PASS", "X-SES-Virus-Verdict: FAIL", 1) + forged + message,
			Envelope{MailFrom: "sarah@hopehouse.org.uk", Verdicts: Verdicts{Spam: "PASS", Virus: "FAIL", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, MessageID: "m1"}},
		{"null sender", strings.Replace(ses, "<sarah@hopehouse.org.uk>", "<>", 1) + message,
			Envelope{MailFrom: "<>", Verdicts: pass, MessageID: "m1"}},
		{"not stored by SES", message, Envelope{MessageID: "m1"}},
		{"SES left the results out", "X-SES-Spam-Verdict: PASS\r\nX-SES-RECEIPT: x\r\n" + message, Envelope{Verdicts: Verdicts{Spam: "PASS"}, MessageID: "m1"}},
		{"garbage", "\x00\x01 not an email", Envelope{MessageID: "m1"}},
	} {
		if got := StoredEnvelope([]byte(tc.raw), "m1"); got.MailFrom != tc.want.MailFrom || got.Verdicts != tc.want.Verdicts || got.MessageID != tc.want.MessageID || len(got.Recipients) != 0 {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

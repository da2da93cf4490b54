package reply

import (
	"strings"
	"testing"
)

// Issue item 6: what a partner's email names (its subject, its files, its
// sender's display name) is kept without text-direction controls or line
// breaks, other controls shown visibly, so that what staff see is what was
// sent, in the order it was sent. (The raw message keeps it as sent.)
func TestParseCleansPartnerControlledNames(t *testing.T) {
	raw := strings.ReplaceAll(`From: =?UTF-8?Q?Sarah_=E2=80=AEnosnhoJ?= <sarah@hope.example>
To: checkin+good@r.example
Subject: =?UTF-8?Q?Check-in_2=0D=0ABcc:_x@evil.example_=E2=80=AE=00?=
Message-ID: <abc@hope.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

All going well.
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe%00

x
--b--
`, "\n", "\r\n")
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Check-in 2 Bcc: x@evil.example \u2400"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("%d attachments", len(m.Attachments))
	}
	if want := "invoicefdp.exe\u2400"; m.Attachments[0].Filename != want {
		t.Errorf("file name %q, want %q", m.Attachments[0].Filename, want)
	}
	if want := "Sarah nosnhoJ"; m.From.Name != want {
		t.Errorf("sender's name %q, want %q", m.From.Name, want)
	}
}

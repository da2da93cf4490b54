package httpapi

import (
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
)

// A reply whose attachments a browser would run (HTML, SVG) if it opened
// them, named with characters a header cannot carry as they are.
func hostileAttachments(from, rcpt string) []byte {
	return []byte(strings.ReplaceAll(`From: Partner <`+from+`>
To: <`+rcpt+`>
Subject: Re: Your check-in
Date: Thu, 15 Jan 2026 11:11:11 +0000
Message-ID: <hostile-attachments-1@partner.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset="UTF-8"

Our report and a picture attached. 12 volunteers this quarter.

--b1
Content-Type: text/html; charset="UTF-8"
Content-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22Q4%22%3B%20%E2%82%AC.html

<script>alert(document.cookie)</script>
--b1
Content-Type: image/svg+xml
Content-Disposition: attachment; filename="logo.svg"

<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename="report.pdf"

%PDF-1.4 not really
--b1--
`, "\n", "\r\n"))
}

// Attachment links download: whatever the sender called the file's type,
// the link answers Content-Disposition: attachment with the file's name
// (RFC 6266, the name in filename* per RFC 5987), and a type a browser
// would run (HTML, SVG) is served as application/octet-stream. The links
// are fetched from s3rver as a browser would.
func TestAttachmentLinksDownloadNeverRender(t *testing.T) {
	t.Parallel()
	e := newCIEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	e.Receive(t, hostileAttachments(e.Partner, rcpt), e.Partner, rcpt, replyworld.Pass)

	got := decodeInto[ciCheckIn](t, e.do(t, event("GET", "/agreements/{id}/check-ins/{n}", checkInParams(a.ID, "1"), "", RoleViewer)))
	if len(got.Replies) != 1 || len(got.Replies[0].Attachments) != 3 {
		t.Fatalf("replies %+v", got.Replies)
	}
	want := map[string]string{
		"Résumé \"Q4\"; €.html": "application/octet-stream",
		"logo.svg":              "application/octet-stream",
		"report.pdf":            "application/pdf",
	}
	for _, att := range got.Replies[0].Attachments {
		wantType, ok := want[att.Name]
		delete(want, att.Name)
		if !ok {
			t.Errorf("unexpected attachment %q", att.Name)
			continue
		}
		resp, err := http.Get(att.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: GET link %s, %d bytes", att.Name, resp.Status, len(body))
		}
		if ct := resp.Header.Get("Content-Type"); ct != wantType {
			t.Errorf("%s: Content-Type %q, want %q", att.Name, ct, wantType)
		}
		cd := resp.Header.Get("Content-Disposition")
		disposition, params, err := mime.ParseMediaType(cd)
		if err != nil || disposition != "attachment" || params["filename"] != att.Name {
			t.Errorf("%s: Content-Disposition %q (%s %q %v), want attachment with the name", att.Name, cd, disposition, params["filename"], err)
		}
		if !strings.Contains(cd, "filename*=UTF-8''") || strings.ContainsAny(cd, "\r\n") {
			t.Errorf("%s: Content-Disposition %q lacks an RFC 5987 filename*", att.Name, cd)
		}
	}
	for name := range want {
		t.Errorf("no attachment %q", name)
	}
}

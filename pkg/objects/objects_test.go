package objects

import (
	"mime"
	"net/url"
	"strings"
	"testing"
)

// Whatever the name, the header parses back to attachment and the name (as
// a browser reads filename*), and never carries a line break or a quote
// that would end the ASCII name early.
func TestContentDisposition(t *testing.T) {
	for _, tt := range []struct{ name, want, ascii string }{
		{"report.pdf", "report.pdf", `filename="report.pdf"`},
		{`Résumé "Q4"; €.html`, `Résumé "Q4"; €.html`, `filename="R_sum_ _Q4_; _.html"`},
		{"../../etc/passwd", ".._.._etc_passwd", `filename=".._.._etc_passwd"`},
		{`C:\temp\x.exe`, "C:_temp_x.exe", `filename="C:_temp_x.exe"`},
		{"evil\r\nSet-Cookie: a=b.txt", "evilSet-Cookie: a=b.txt", `filename="evilSet-Cookie: a=b.txt"`},
		{"bad\xffutf8.txt", "bad_utf8.txt", `filename="bad_utf8.txt"`},
		{"", "attachment", `filename="attachment"`},
		{"..", "attachment", `filename="attachment"`},
	} {
		cd := ContentDisposition(tt.name)
		disposition, params, err := mime.ParseMediaType(cd)
		if err != nil || disposition != "attachment" || params["filename"] != tt.want {
			t.Errorf("%q: %s parses as %s %q (%v), want attachment %q", tt.name, cd, disposition, params["filename"], err, tt.want)
		}
		if !strings.Contains(cd, tt.ascii) || strings.ContainsAny(cd, "\r\n") {
			t.Errorf("%q: %s, want the ASCII stand-in %s", tt.name, cd, tt.ascii)
		}
	}
}

func TestDownloadType(t *testing.T) {
	for ct, want := range map[string]string{
		"application/pdf":              "application/pdf",
		"Image/PNG":                    "image/png",
		"text/plain; charset=utf-8":    "text/plain",
		"text/html":                    "application/octet-stream",
		"image/svg+xml":                "application/octet-stream",
		"application/xhtml+xml":        "application/octet-stream",
		"text/xml":                     "application/octet-stream",
		"application/javascript":       "application/octet-stream",
		"":                             "application/octet-stream",
		"text/plain\r\nX-Evil: 1":      "application/octet-stream",
		"application/x-msdownload":     "application/octet-stream",
		"multipart/related; type=html": "application/octet-stream",
	} {
		if got := DownloadType(ct); got != want {
			t.Errorf("DownloadType(%q) = %q, want %q", ct, got, want)
		}
	}
}

// A file's original name survives the trip through S3's metadata: in
// ASCII, and within S3's 2 KB, cut at a character when it would not fit.
func TestEncodeName(t *testing.T) {
	long := strings.Repeat("Interim budget report Q4 ", 24) + ".pdf" // 604 characters
	cjk := strings.Repeat("報", 900)                                  // 2,700 bytes, 8,100 encoded
	for _, tc := range []struct {
		name string
		kept int // bytes of the name read back
	}{
		{"report.pdf", 10},
		{`Résumé "Q4"; €.html`, len(`Résumé "Q4"; €.html`)},
		{"../../etc/passwd", 16},
		{"a\r\nb", 4},
		{long, len(long)},
		{cjk, 213 * 3}, // nine bytes encoded a character: 213 fit
	} {
		enc := EncodeName(tc.name)
		if strings.IndexFunc(enc, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 || len(NameMetadata)+len(enc) > 2048 {
			t.Errorf("%.20q: %d bytes of metadata, or not printable ASCII: %.60q", tc.name, len(enc), enc)
		}
		got, err := url.PathUnescape(enc)
		if err != nil || got != tc.name[:tc.kept] {
			t.Errorf("%.20q reads back as %.20q (%d bytes, want %d): %v", tc.name, got, len(got), tc.kept, err)
		}
	}
}

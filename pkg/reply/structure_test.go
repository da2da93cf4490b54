package reply

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	token "github.com/partnership-grants/backend/pkg/replytoken"

	"github.com/jhillyerd/enmime/v2"
)

const nestedHeader = "From: Sarah Jenkins <sarah@hope.example>\r\nTo: checkin+tok@r.example\r\nSubject: Re: check-in\r\nMIME-Version: 1.0\r\n"

// nested is a message of depth multiparts, one inside the next, around one
// line of text. Unclosed, no level has its closing boundary: the shape that
// made enmime's work double with every level (1.6 KB at 25 levels).
func nested(depth int, closed bool) []byte {
	var b bytes.Buffer
	b.WriteString(nestedHeader)
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
	for i := depth - 1; closed && i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// flat is a multipart/mixed message of a text part and n attachments.
func flat(n int) []byte {
	var b bytes.Buffer
	b.WriteString(nestedHeader + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f%d.bin\"\r\n\r\nx\r\n", i)
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

// withHeader is a plain message whose header block is n bytes long.
func withHeader(n int) []byte {
	h := nestedHeader + "X-Padding: "
	pad := n - len(h) - len("\r\n\r\n")
	return []byte(h + strings.Repeat("p", pad) + "\r\n\r\nhello\r\n")
}

// partHeader is a multipart message whose second part's header block is n
// bytes long.
func partHeader(n int) []byte {
	h := "Content-Type: application/octet-stream\r\nX-Padding: "
	pad := n - len(h) - len("\r\n\r\n")
	return []byte(nestedHeader + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n" +
		h + strings.Repeat("p", pad) + "\r\n\r\nx\r\n--b--\r\n")
}

var small = Limits{MaxDepth: 10, MaxParts: 50, MaxHeaderBytes: 4096}

func TestMeasure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		raw   []byte
		want  Shape
		limit string // the StructureError's, or none
	}{
		{"plain", withHeader(200), Shape{Depth: 0, Parts: 1, HeaderBytes: 200}, ""},
		{"3 deep, closed", nested(3, true), Shape{Depth: 3, Parts: 4}, ""},
		{"3 deep, unclosed", nested(3, false), Shape{Depth: 3, Parts: 4}, ""},
		{"10 deep is the most", nested(10, false), Shape{Depth: 10, Parts: 11}, ""},
		{"11 deep", nested(11, true), Shape{Depth: 11, Parts: 11}, LimitDepth},
		// It stops at the eleventh level: the other fourteen are never read.
		{"25 deep", nested(25, false), Shape{Depth: 11, Parts: 11}, LimitDepth},
		{"50 parts are the most", flat(48), Shape{Depth: 1, Parts: 50}, ""},
		{"51 parts", flat(49), Shape{Depth: 1, Parts: 51}, LimitParts},
		{"4,096-byte header is the most", withHeader(4096), Shape{Parts: 1, HeaderBytes: 4096}, ""},
		{"4,097-byte header", withHeader(4097), Shape{Parts: 1}, LimitHeader},
		{"4,097-byte part header", partHeader(4097), Shape{Depth: 1, Parts: 3}, LimitHeader},
		// A boundary closes every level inside its own: the second part of
		// b0 is beside the first, not inside the unclosed b1.
		{"outer boundary closes inner levels", []byte(nestedHeader + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n--b0\r\n" +
			"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n" +
			"--b0\r\nContent-Type: multipart/mixed; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\ny\r\n--b0--\r\n"), Shape{Depth: 2, Parts: 5}, ""},
		// enmime takes any part with a boundary as a multipart, whatever its
		// type, except text/plain and text/html.
		{"any type with a boundary nests", []byte(nestedHeader + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n--b0\r\n" +
			"Content-Type: application/x-odd; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n--b1--\r\n--b0--\r\n"), Shape{Depth: 2, Parts: 3}, ""},
		{"text with a boundary does not", []byte(nestedHeader + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n--b0\r\n" +
			"Content-Type: text/plain; boundary=b1\r\n\r\n--b1\r\nx\r\n--b0--\r\n"), Shape{Depth: 1, Parts: 2}, ""},
		// In a preamble enmime takes a boundary anywhere in a line.
		{"boundary inside a preamble line", []byte(nestedHeader + "Content-Type: multipart/mixed; boundary=b0\r\n\r\nsee --b0 \r\n" +
			"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n"), Shape{Depth: 2, Parts: 3}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := small.Measure(tc.raw)
			var se *StructureError
			switch {
			case tc.limit == "" && err != nil:
				t.Fatalf("Measure: %v", err)
			case tc.limit != "" && (!errors.As(err, &se) || se.Limit != tc.limit || !errors.Is(err, ErrTooComplex)):
				t.Fatalf("Measure: %v, want the %s limit passed", err, tc.limit)
			}
			if got.Depth != tc.want.Depth || got.Parts != tc.want.Parts || tc.want.HeaderBytes != 0 && got.HeaderBytes != tc.want.HeaderBytes {
				t.Errorf("shape %+v, want %+v", got, tc.want)
			}
		})
	}
}

// Every message of the corpus is well within the limits.
func TestCorpusIsWithinTheLimits(t *testing.T) {
	for _, p := range loadCorpus(t) {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if sh, err := DefaultLimits.Measure(raw); err != nil || sh.Depth > 4 {
			t.Errorf("%s: %+v %v", filepath.Base(p), sh, err)
		}
	}
}

// recordMIME replaces the MIME parser for one test with one that records
// what it was given.
func recordMIME(t *testing.T) *[][]byte {
	var seen [][]byte
	real := readMIME
	readMIME = func(r io.Reader) (*enmime.Envelope, error) {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		seen = append(seen, b)
		return real(bytes.NewReader(b))
	}
	t.Cleanup(func() { readMIME = real })
	return &seen
}

// A message past a limit never reaches the MIME parser whole: only its own
// header block does, so that the person it is held for sees who sent it.
// (Not parallel: it replaces the parser.)
func TestMessagePastALimitIsNotParsed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		raw   []byte
		limit string
	}{
		{"25 deep, unclosed", nested(25, false), LimitDepth},
		{"25 deep, closed", nested(25, true), LimitDepth},
		{"5,001 parts", flat(5000), LimitParts},
		{"a part's header over 128 KB", partHeader(128<<10 + 1), LimitHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := recordMIME(t)
			m, err := Parse(tc.raw)
			var se *StructureError
			if !errors.As(err, &se) || se.Limit != tc.limit {
				t.Fatalf("Parse: %v, want the %s limit passed", err, tc.limit)
			}
			if m == nil || m.From.Address != "sarah@hope.example" || m.Subject != "Re: check-in" || len(m.To) != 1 || m.FullText != "" || len(m.Attachments) != 0 {
				t.Errorf("message %+v, want its header alone", m)
			}
			header := tc.raw[:bytes.Index(tc.raw, []byte("\r\n\r\n"))+4]
			if len(*seen) != 1 || !bytes.Equal((*seen)[0], header) {
				t.Errorf("the parser was given %d inputs, want only the %d-byte header block", len(*seen), len(header))
			}
			out := Decide(m, err, Envelope{Recipients: []string{"checkin+good@r.example"}}, fakeVerifier{}, nil)
			if out != (Outcome{Quarantine, ReasonTooComplex, "abcdefghijklmnop", 4, token.ForCheckIn}) {
				t.Errorf("Decide = %+v, want held as too_complex, for its check-in", out)
			}
		})
	}
	// A header block of the message's own past the limit leaves nothing to read.
	seen := recordMIME(t)
	if m, err := Parse(withHeader(128<<10 + 1)); m != nil || !errors.Is(err, ErrTooComplex) || len(*seen) != 0 {
		t.Errorf("Parse of an oversize header: %+v %v, parser given %d inputs", m, err, len(*seen))
	}
}

// What the parser makes of a message within the limits is never deeper or
// larger than Measure said: the limits bound the parser's work, not just
// Measure's idea of it.
func FuzzMeasure(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.eml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, b := range [][]byte{nested(3, false), nested(4, true), flat(3), partHeader(300),
		[]byte("Content-Type: multipart/mixed\r\n\r\n--\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\nx --a \r\n\r\n--a\r\n"),
		[]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: x/y; boundary=aa\r\n\r\n--aa\r\n--a\r\n\r\n--aa--\r\n"),
		[]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n--a\n\n--b\n"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 64<<10 {
			return
		}
		sh, err := DefaultLimits.Measure(raw)
		if err != nil {
			return
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			return
		}
		depth, parts := tree(env.Root, true)
		if depth > sh.Depth || parts > sh.Parts {
			t.Fatalf("enmime read %d levels and %d parts; Measure said %+v", depth, parts, sh)
		}
	})
}

// tree is the depth (multiparts nested) and size (parts) of enmime's tree.
func tree(p *enmime.Part, root bool) (depth, parts int) {
	parts = 1
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		d, n := tree(c, false)
		depth, parts = max(depth, d), parts+n
	}
	if root && strings.HasPrefix(p.ContentType, "multipart/") || !root && p.Boundary != "" && p.ContentType != "text/plain" && p.ContentType != "text/html" {
		depth++
	}
	return depth, parts
}

// Parsing a message at the depth limit, with no level closed (the costly
// shape), and the 25-deep message the limit turns away.
func BenchmarkParseNested(b *testing.B) {
	for _, depth := range []int{10, 25} {
		raw := nested(depth, false)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse(raw)
			}
		})
	}
}

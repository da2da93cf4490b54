package reply

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// Limits bound the MIME structure Parse hands to the MIME parser. They are
// checked by Measure, a single pass over the bytes, before the parser sees
// anything, because the parser's cost is not linear in the message's size:
//
//   - Depth: enmime reads a nested multipart through one boundary reader
//     per level, each over a bufio.Reader over the level above. Where a
//     level ends without its closing boundary, its reader asks the level
//     above again for every byte it peeks (it does not remember that its
//     source ended, and bufio.Reader reports an error once and then reads
//     again), and that level asks its own source twice per call: the work
//     doubles with every unterminated level. A 1.5 KB message of 25 such
//     levels took 40 s here (87 s in AWS); 10 levels take about 2 ms.
//   - Parts: enmime appends each part to its parent by walking the sibling
//     list, so a flat message of n parts costs n²: 10,000 parts take 0.7 s
//     and 100 MB, 50,000 take 34 s and 540 MB.
//   - Header bytes: a header block is read and copied whole, twice, before
//     anything looks at it.
//
// A message past a limit is not parsed; it is held for a person, who can
// read it as received.
type Limits struct {
	MaxDepth       int // multiparts nested one inside another
	MaxParts       int // MIME parts of every kind, the message itself included
	MaxHeaderBytes int // one header block: the message's, or one part's
}

// DefaultLimits are far above what mail clients write and far below what
// costs the InboundFunction anything noticeable:
//   - Depth 10: the deepest real replies nest 4 to 6 (signed or mixed,
//     alternative, related, with a forward inside); 10 unterminated levels
//     cost about 2 ms, and every level more doubles it. At both limits at
//     once (499 unterminated chains 9 deep) a message parses in 0.7 s.
//   - 5,000 parts: a reply with thousands of small attachments is still
//     read (and stored up to grants.MaxAttachments, the rest left in the
//     message as received); 5,000 parts parse in about 0.7 s.
//   - 128 KB of header: a long Received chain with ARC and DKIM signatures
//     is 10 to 30 KB.
var DefaultLimits = Limits{MaxDepth: 10, MaxParts: 5000, MaxHeaderBytes: 128 << 10}

// ErrTooComplex matches (errors.Is) every StructureError.
var ErrTooComplex = errors.New("reply: message structure past the limits")

// StructureError says which of the Limits a message is past.
type StructureError struct {
	Limit string // LimitDepth, LimitParts or LimitHeader
	Max   int
}

// The limits a StructureError names.
const (
	LimitDepth  = "depth"
	LimitParts  = "parts"
	LimitHeader = "header"
)

func (e *StructureError) Error() string {
	switch e.Limit {
	case LimitDepth:
		return fmt.Sprintf("its parts are nested more than %d deep", e.Max)
	case LimitParts:
		return fmt.Sprintf("it has more than %d parts", e.Max)
	default:
		return fmt.Sprintf("a header block is longer than %d bytes", e.Max)
	}
}

// Is makes errors.Is(err, ErrTooComplex) true.
func (e *StructureError) Is(target error) bool { return target == ErrTooComplex }

// Shape is what Measure found: the deepest nesting, the parts and the
// longest header block, as far as it read (it stops at the first limit
// passed).
type Shape struct {
	Depth, Parts, HeaderBytes int
	// headerEnd is where the message's own header block ends (0 if it
	// never did within the limit).
	headerEnd int
}

// level is one open multipart, as enmime's boundary reader for it sees
// the lines.
type level struct {
	delim   []byte // "--" + boundary
	final   []byte // "--" + boundary + "--"
	started bool   // past its preamble: its first delimiter was seen
}

// Measure walks raw's MIME structure the way enmime will, line by line
// and without decoding anything, and returns its Shape, or a
// *StructureError at the first limit passed. It is linear in len(raw)
// times the depth (at most MaxDepth).
//
// It follows enmime's rules rather than RFC 2046's where they differ, so
// that it never sees less structure than the parser would: a boundary
// line closes the outermost level it belongs to and every level inside
// it; within a part a boundary counts only at the start of a line, but
// in a multipart's preamble anywhere in a line (enmime's Next); any part
// with a boundary parameter is a multipart unless it is text/plain or
// text/html; headers are read with enmime's own reader and media-type
// parser. FuzzMeasure holds it to that: the tree enmime builds from a
// message within the limits is never deeper or larger than Measure said.
func (l Limits) Measure(raw []byte) (Shape, error) {
	sh := Shape{Parts: 1}
	var open []level
	inHeader, hdrStart := true, 0
	for pos := 0; pos < len(raw); {
		end := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		line := raw[pos:end]
		if j, closing, ok := boundaryLine(open, line); ok {
			if inHeader {
				// A boundary ends the part's header (and the part) early;
				// enmime still reads what header there was.
				if err := l.endHeader(&sh, &open, raw[hdrStart:pos], hdrStart == 0); err != nil {
					return sh, err
				}
			}
			open = open[:j+1]
			if closing {
				open, inHeader = open[:j], false
			} else {
				open[j].started = true
				if sh.Parts++; sh.Parts > l.MaxParts {
					return sh, &StructureError{Limit: LimitParts, Max: l.MaxParts}
				}
				inHeader, hdrStart = true, end
			}
			pos = end
			continue
		}
		if inHeader {
			if end-hdrStart > l.MaxHeaderBytes {
				return sh, &StructureError{Limit: LimitHeader, Max: l.MaxHeaderBytes}
			}
			if blank(line) {
				if err := l.endHeader(&sh, &open, raw[hdrStart:end], hdrStart == 0); err != nil {
					return sh, err
				}
				inHeader = false
			}
		}
		pos = end
	}
	if inHeader {
		return sh, l.endHeader(&sh, &open, raw[hdrStart:], hdrStart == 0)
	}
	return sh, nil
}

// endHeader reads a finished header block and, if it makes its part a
// multipart, opens a level for it.
func (l Limits) endHeader(sh *Shape, open *[]level, header []byte, root bool) error {
	sh.HeaderBytes = max(sh.HeaderBytes, len(header))
	if root {
		sh.headerEnd = len(header)
	}
	boundary, ok := multipart(header, root)
	if !ok {
		return nil
	}
	if len(*open) >= l.MaxDepth {
		sh.Depth = len(*open) + 1
		return &StructureError{Limit: LimitDepth, Max: l.MaxDepth}
	}
	*open = append(*open, level{delim: []byte("--" + boundary), final: []byte("--" + boundary + "--")})
	sh.Depth = max(sh.Depth, len(*open))
	return nil
}

// multipart says whether enmime will read a part with this header as a
// multipart, and with which boundary. The message itself is one when its
// type is multipart/*, even without a boundary (enmime then splits it on
// lines of "--"); a part is one when it has a boundary and is not text.
func multipart(header []byte, root bool) (boundary string, ok bool) {
	h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(header)), ignoreErrors{})
	if err != nil {
		return "", false
	}
	ctype := h.Get("Content-Type")
	if ctype == "" {
		return "", false
	}
	mtype, params, _, err := mediatype.Parse(ctype)
	if err != nil {
		return "", false
	}
	boundary = params["boundary"]
	if root {
		return boundary, strings.HasPrefix(mtype, "multipart/")
	}
	return boundary, boundary != "" && mtype != "text/plain" && mtype != "text/html"
}

type ignoreErrors struct{}

func (ignoreErrors) AddError(string, string, ...any)   {}
func (ignoreErrors) AddWarning(string, string, ...any) {}

// boundaryLine finds the outermost open level that line is a boundary of,
// and whether it closes it ("--boundary--"). The outermost wins because
// its reader sees the bytes first: an inner part never reads past it.
func boundaryLine(open []level, line []byte) (j int, closing, ok bool) {
	for j, lv := range open {
		inner := j == len(open)-1
		if inner && !lv.started {
			// enmime's Next reads the preamble line by line and takes a
			// boundary found anywhere in one.
			if bytes.Contains(line, lv.final) {
				return j, true, true
			}
			if isDelimiter(line, lv.delim) {
				return j, false, true
			}
			continue
		}
		if !bytes.HasPrefix(line, lv.delim) {
			continue
		}
		rest := line[len(lv.delim):]
		if bytes.HasPrefix(rest, []byte("--")) {
			return j, true, true
		}
		if len(rest) > 0 && unicode.IsSpace(rune(rest[0])) {
			return j, false, true
		}
	}
	return 0, false, false
}

// isDelimiter is enmime's test of a whole preamble line: the first
// "--boundary" in it, followed by white space.
func isDelimiter(line, delim []byte) bool {
	i := bytes.Index(line, delim)
	if i < 0 {
		return false
	}
	rest := line[i+len(delim):]
	return len(rest) > 0 && unicode.IsSpace(rune(rest[0]))
}

// blank is the empty line that ends a header block.
func blank(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

package dashboard

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

func TestRenderGolden(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Render(&buf, fixturePage(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "dashboard.golden.html", buf.Bytes())
}

func TestRenderEscapesPartnerText(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Render(&buf, fixturePage(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{`<script>`, `Stitchers & Makers`, `ZgotmplZ`} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	for _, good := range []string{`&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;`, `Levenshulme Stitchers &amp; Makers`, `Rochdale Men&#39;s Shed`} {
		if !strings.Contains(out, good) {
			t.Errorf("output lacks the escaped %q", good)
		}
	}
}

func TestRenderSummaryFigures(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Render(&buf, fixturePage(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Committed: two active awards plus the £5,000 paid before termination.
	for _, want := range []string{
		"<dt>Committed</dt><dd>£25,000.00</dd>",
		"<dt>Paid</dt><dd>£17,500.00</dd>",
		"<dt>Outstanding</dt><dd>£7,500.00</dd>",
		`<a href="#agreement-agr-0014">CP-2025-014</a>`,
		"Check-in 2 overdue since 18 Mar 2026",
		"Instalment 3 held: awaiting a check-in reply",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestTimelinePositions(t *testing.T) {
	p := fixturePage(t)
	larder := &p.Agreements[0]
	tl := buildTimeline(larder, p.Today)
	// The first instalment falls on the start date, the final report on the end date.
	if m := tl.Markers[0]; m.Kind != "inst" || m.Left != "0.00%" {
		t.Errorf("first marker = %+v, want instalment 1 at 0.00%%", m)
	}
	if m := tl.Markers[len(tl.Markers)-1]; m.Kind != "chk" || m.Glyph != "F" || m.Left != "100.00%" {
		t.Errorf("last marker = %+v, want the final report at 100.00%%", m)
	}
	// 1 Aug 2025 to 31 Jul 2026 is 364 days; 14 May 2026 is day 286.
	if tl.Today != "78.57%" {
		t.Errorf("today at %s, want 78.57%%", tl.Today)
	}
	for i := 1; i < len(tl.Markers); i++ {
		if basisPoints(t, tl.Markers[i].Left) < basisPoints(t, tl.Markers[i-1].Left) {
			t.Errorf("markers out of date order: %v then %v", tl.Markers[i-1], tl.Markers[i])
		}
	}
	// A draft starting in the future shows no today line but a full strip.
	draft := buildTimeline(&p.Agreements[3], p.Today)
	if draft.Today != "" || draft.Elapsed != "0.00%" || len(draft.Markers) != 8 || len(draft.Ticks) != 12 {
		t.Errorf("draft timeline = today %q elapsed %q, %d markers, %d ticks", draft.Today, draft.Elapsed, len(draft.Markers), len(draft.Ticks))
	}
}

// basisPoints reads "37.52%" back as 3752.
func basisPoints(t *testing.T, pct string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.NewReplacer(".", "", "%", "").Replace(pct))
	if err != nil {
		t.Fatalf("bad percentage %q", pct)
	}
	return n
}

func TestPercentClamps(t *testing.T) {
	for _, tt := range []struct {
		days, span int
		want       string
	}{{0, 364, "0.00%"}, {364, 364, "100.00%"}, {-5, 364, "0.00%"}, {400, 364, "100.00%"}, {1, 3, "33.33%"}} {
		if got := percent(tt.days, tt.span); got != tt.want {
			t.Errorf("percent(%d, %d) = %s, want %s", tt.days, tt.span, got, tt.want)
		}
	}
}

func TestRenderEmptyPage(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Render(&buf, Page{Today: grants.Date{Year: 2026, Month: 1, Day: 5}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No agreements in this programme yet.", "No replies are waiting.", "Nothing committed yet."} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("empty page lacks %q", want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestRenderReportsWriteErrors(t *testing.T) {
	if _, err := Render(failingWriter{}, fixturePage(t)); err == nil {
		t.Error("Render to a failing writer returned nil")
	}
}

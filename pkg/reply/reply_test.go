package reply

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	token "github.com/partnership-grants/backend/pkg/replytoken"
)

func TestStripQuoted(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"gmail one line":   {"Yes.\n\nOn Mon, 5 Jan 2026 at 10:00, A <a@b.org> wrote:\n> q\n", "Yes."},
		"gmail wrapped":    {"Yes.\n\nOn Mon, 5 Jan 2026 at 10:00, A Very Long Name <\na@b.org> wrote:\n\n> q\n", "Yes."},
		"gmail 3 lines":    {"Yes.\n\nOn Mon, 5 Jan 2026 at 10:00,\nA Very Long Name <a@b.org>\nwrote:\n> q\n", "Yes."},
		"apple":            {"Yes.\n\nOn 5 Jan 2026, at 10:00, A <a@b.org> wrote:\n\n> q", "Yes."},
		"thunderbird":      {"Yes.\n\nOn 05/01/2026 10:00, A wrote:\n> q", "Yes."},
		"original message": {"Yes.\n\n-----Original Message-----\nFrom: A\nSent: x\nTo: y\nSubject: z\n\nq", "Yes."},
		"outlook block":    {"Yes.\n\nFrom: A <a@b.org>\nSent: 05 January 2026 10:00\nTo: B\nSubject: z\n\nq", "Yes."},
		"outlook rule":     {"Yes.\n\n________________________________\nFrom: A <a@b.org>\nSent: Monday\nTo: B\nSubject: z\n\nq", "Yes."},
		"outlook bold":     {"Yes.\n\n*From:* A <a@b.org>\n*Sent:* Monday\n*To:* B\n*Subject:* z\n\nq", "Yes."},
		"french":           {"Oui.\n\nLe lun. 5 janv. 2026 à 10:00, A <a@b.org> a écrit\u00a0:\n> q", "Oui."},
		"german":           {"Ja.\n\nAm Mo., 5. Jan. 2026 um 10:00 Uhr schrieb A <a@b.org>:\n> q", "Ja."},
		"welsh":            {"Iawn.\n\nAr Llun, 5 Ion 2026 am 10:00 A <a@b.org> ysgrifennodd:\n> q", "Iawn."},
		"sig dash":         {"Yes.\n\n-- \nSarah\n01234", "Yes."},
		"iphone":           {"Yes.\n\nSent from my iPhone", "Yes."},
		"outlook mobile":   {"Yes.\n\nGet Outlook for iOS\n________________________________\nFrom: A", "Yes."},
		"interleaved":      {"> q1\nA1\n> q2\nA2", "A1\nA2"},
		"prose From:":      {"From: our side, all good.\nThanks", "From: our side, all good.\nThanks"},
		"prose On":         {"On Monday we planted.\nThe kids wrote: poems!\nGreat day.", "On Monday we planted.\nThe kids wrote: poems!\nGreat day."},
		"forward keeps":    {"FYI\n\n---------- Forwarded message ---------\nFrom: X\n\nbody", "FYI"},
		"empty":            {"", ""},
		"only quote":       {"> a\n> b", ""},
		"crlf":             {"Yes.\r\n\r\nOn Mon, 5 Jan 2026, A <a@b.org> wrote:\r\n> q", "Yes."},
	} {
		if got := stripQuoted(tc.in); got != tc.want {
			t.Errorf("%s: stripQuoted = %q, want %q", name, got, tc.want)
		}
	}
}

type fakeVerifier struct{}

func (fakeVerifier) VerifyKind(_ token.Kind, tok string) (string, int, error) {
	if tok == "good" {
		return "abcdefghijklmnop", 4, nil
	}
	return "", 0, errors.New("bad")
}

func TestDecideRules(t *testing.T) {
	pass := Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}
	good := []string{"checkin+good@r.example"}
	msg := func(mod func(*Message)) *Message {
		m := &Message{From: Address{Address: "Sarah@Hope.example"}}
		if mod != nil {
			mod(m)
		}
		return m
	}
	contacts := func(string) ([]string, error) { return []string{"sarah@hope.example"}, nil }
	for name, tc := range map[string]struct {
		msg      *Message
		perr     error
		env      Envelope
		contacts func(string) ([]string, error)
		want     Outcome
	}{
		"accept":             {msg(nil), nil, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Accept, ReasonOK, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"lowercase verdicts": {msg(nil), nil, Envelope{Recipients: good, Verdicts: Verdicts{DMARC: "pass"}}, contacts, Outcome{Accept, ReasonOK, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"virus beats parse":  {nil, errors.New("x"), Envelope{Recipients: good, Verdicts: Verdicts{Virus: "FAIL"}}, contacts, Outcome{Quarantine, ReasonVirus, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"unparseable":        {nil, errors.New("x"), Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonUnparseable, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"too complex":        {msg(nil), &StructureError{Limit: LimitDepth, Max: 10}, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonTooComplex, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"nil msg no error":   {nil, nil, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonUnparseable, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"dmarc processing":   {msg(nil), nil, Envelope{Recipients: good, Verdicts: Verdicts{DMARC: "PROCESSING_FAILED"}}, contacts, Outcome{Quarantine, ReasonDMARCUnverified, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"dmarc missing":      {msg(nil), nil, Envelope{Recipients: good}, contacts, Outcome{Quarantine, ReasonDMARCUnverified, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"contacts error":     {msg(nil), nil, Envelope{Recipients: good, Verdicts: pass}, func(string) ([]string, error) { return nil, errors.New("ddb") }, Outcome{Quarantine, ReasonContactsUnavailable, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"nil contacts func":  {msg(nil), nil, Envelope{Recipients: good, Verdicts: pass}, nil, Outcome{Quarantine, ReasonContactsUnavailable, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"empty from":         {&Message{}, nil, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonUnknownSender, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"auto keeps id":      {msg(func(m *Message) { m.AutoReply = true }), nil, Envelope{Recipients: good, Verdicts: Verdicts{DMARC: "FAIL"}}, contacts, Outcome{Ignore, ReasonAutoReply, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"dsn wins auto":      {msg(func(m *Message) { m.AutoReply, m.DeliveryReport = true, true }), nil, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Ignore, ReasonDeliveryReport, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"bad token":          {msg(nil), nil, Envelope{Recipients: []string{"checkin+nope@r.example"}, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonBadToken, "", 0, token.ForCheckIn}},
		"forged env beats header": {msg(func(m *Message) { m.To = []Address{{Address: "checkin+good@r.example"}} }), nil,
			Envelope{Recipients: []string{"checkin+nope@r.example"}, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonBadToken, "", 0, token.ForCheckIn}},
		"second recipient ok": {msg(nil), nil, Envelope{Recipients: []string{"other@r.example", "checkin+good@r.example"}, Verdicts: pass}, contacts, Outcome{Accept, ReasonOK, "abcdefghijklmnop", 4, token.ForCheckIn}},
		// Issue item 9: the sender is compared as mail systems compare
		// addresses, ignoring ASCII case only. Unicode folding would take a
		// Kelvin sign (U+212A) for a "k", a long s (U+017F) for an "s".
		"sender in another ASCII case": {msg(func(m *Message) { m.From.Address = "SARAH@HOPE.EXAMPLE" }), nil, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Accept, ReasonOK, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"look-alike sender, Kelvin sign": {msg(func(m *Message) { m.From.Address = "sarah@hope.exampl\u212A" }), nil, Envelope{Recipients: good, Verdicts: pass},
			func(string) ([]string, error) { return []string{"sarah@hope.examplk"}, nil }, Outcome{Quarantine, ReasonUnknownSender, "abcdefghijklmnop", 4, token.ForCheckIn}},
		"look-alike sender, long s": {msg(func(m *Message) { m.From.Address = "\u017Farah@hope.example" }), nil, Envelope{Recipients: good, Verdicts: pass}, contacts, Outcome{Quarantine, ReasonUnknownSender, "abcdefghijklmnop", 4, token.ForCheckIn}},
	} {
		got := Decide(tc.msg, tc.perr, tc.env, fakeVerifier{}, tc.contacts)
		if got != tc.want {
			t.Errorf("%s: Decide = %+v, want %+v", name, got, tc.want)
		}
	}
	// A nil verifier must not panic and must never accept.
	if got := Decide(msg(nil), nil, Envelope{Recipients: good, Verdicts: pass}, nil, contacts); got.Kind == Accept {
		t.Errorf("nil verifier accepted: %+v", got)
	}
}

func TestParseRejectsNonMail(t *testing.T) {
	for _, in := range [][]byte{nil, {}, []byte("\x00\x01"), []byte("just some text\nwith lines\n")} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
	if _, err := Parse(make([]byte, MaxMessageSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
}

// FuzzParse feeds arbitrary bytes through the whole pure pipeline. The
// property is simply "never panics", plus basic sanity on the outcome.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.eml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--"))
	signer := testSigner(f)
	tok, _ := signer.Token("abcdefghijklmnop", 1)
	env := Envelope{Recipients: []string{"checkin+" + tok + "@r.example"}, Verdicts: Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}}
	contacts := func(string) ([]string, error) { return []string{"sarah.jenkins@hopehouse.org.uk"}, nil }
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := Parse(raw)
		if err == nil && msg == nil {
			t.Fatal("nil message without error")
		}
		if msg != nil {
			_ = stripQuoted(msg.FullText)
			if len(msg.NewText) > len(msg.FullText) {
				t.Fatalf("NewText longer than FullText")
			}
		}
		_ = stripQuoted(string(raw))
		out := Decide(msg, err, env, signer, contacts)
		if out.Kind == Accept && (err != nil || msg == nil) {
			t.Fatalf("accepted unparseable message")
		}
		if out.AgreementID != "abcdefghijklmnop" {
			t.Fatalf("valid envelope token lost: %+v", out)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	raw, err := os.ReadFile("testdata/corpus/pdf_attachment.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// Reason codes are stored and used in metrics; keep them snake_case.
func TestReasonsAreSnakeCase(t *testing.T) {
	for _, r := range []Reason{ReasonOK, ReasonNoToken, ReasonBadToken, ReasonUnknownSender, ReasonContactsUnavailable,
		ReasonDMARCFail, ReasonDMARCUnverified, ReasonSpam, ReasonVirus, ReasonAutoReply, ReasonDeliveryReport, ReasonUnparseable, ReasonTooComplex} {
		if strings.ToLower(string(r)) != string(r) || strings.ContainsAny(string(r), " -") {
			t.Errorf("reason %q not snake_case", r)
		}
	}
}

// FuzzQuoteHeaderPatterns checks that choosing the quote-header patterns by
// a line's lead word changes nothing: whatever pattern matches a line is
// among those chosen for it.
func FuzzQuoteHeaderPatterns(f *testing.F) {
	for _, s := range []string{
		"On Mon, 5 Jan 2026 at 10:00, A <a@b.org> wrote:",
		"ON\t05/01/2026 10:00, Name WROTE :",
		"Le lun. 5 janv. 2026 à 10:00, Name <a@b> a écrit :",
		"Am Mo., 5. Jan. 2026 um 10:00 Uhr ſchrieb Name <a@b>:",
		"Ar Llun, 5 Ion 2026 am 10:00 Name <a@b> ysgrifennodd:",
		"El lun, 5 ene 2026 a las 10:00, Name (<a@b>) escribió:",
		"Il giorno lun 5 gen 2026 alle ore 10:00 Name <a@b> ha scritto:",
		"Op ma 5 jan. 2026 om 10:00 schreef Name <a@b>:",
		"Em seg., 5 de jan. de 2026 às 10:00, Name <a@b> escreveu:",
		"Name <a@b.org> wrote:",
		"on",
		"Onward we go",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		chosen := map[string]bool{}
		for _, re := range quoteHeaderPatterns(quoteLead().FindStringSubmatch(line)) {
			chosen[re().String()] = true
		}
		for _, re := range append(slices.Collect(maps.Values(quoteHeaderRes)), quoteHeaderNoDateRe) {
			if re().MatchString(line) && !chosen[re().String()] {
				t.Fatalf("%q matches %s, which was not chosen", line, re())
			}
		}
	})
}

// stripQuoted returns only the newly written part of a reply body: quoted
// history ("On ... wrote:" blocks, Outlook header blocks, "> " lines) and the
// signature are removed. Forwarded content is also cut, keeping the note
// above it (see Message.Forwarded).
func stripQuoted(text string) string {
	s, _ := splitReply(text)
	return s
}

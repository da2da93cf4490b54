package reply

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	token "github.com/partnership-grants/backend/pkg/replytoken"
)

// testKey is a fixed HMAC key used only by tests; corpus files contain
// "{{TOKEN}}" placeholders that are filled with tokens signed under it.
var testKey = []byte("test-only-hmac-key-0123456789abcdef")

const replyDomain = "reply.riverside-fund.org.uk"

type corpusCase struct {
	Description string   `json:"description"`
	AgreementID string   `json:"agreement_id"`
	CheckIn     int      `json:"check_in"`
	Token       string   `json:"token"`      // valid | forged | none
	TokenIn     string   `json:"token_in"`   // envelope (default) | header
	TokenCase   string   `json:"token_case"` // lower (default) | upper
	MailFrom    string   `json:"mail_from"`
	Contacts    []string `json:"contacts"`
	Verdicts    struct {
		Spam, Virus, SPF, DKIM, DMARC string
	} `json:"verdicts"`
	Expect struct {
		Kind            string   `json:"kind"`
		Reason          string   `json:"reason"`
		ParseError      bool     `json:"parse_error"`
		Subject         string   `json:"subject"`
		NewText         *string  `json:"new_text"`
		NewContains     []string `json:"new_text_contains"`
		NewExcludes     []string `json:"new_text_excludes"`
		FullContains    []string `json:"full_text_contains"`
		AutoReply       *bool    `json:"auto_reply"`
		DeliveryReport  *bool    `json:"delivery_report"`
		Forwarded       bool     `json:"forwarded"`
		AttachmentsJSON *[]struct {
			Name        string `json:"name"`
			Inline      bool   `json:"inline"`
			ContentType string `json:"content_type"`
			Size        int    `json:"size"`
		} `json:"attachments"`
	} `json:"expect"`
}

func testSigner(t testing.TB) *token.Signer {
	t.Helper()
	s, err := token.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forge flips the last MAC character so the token is well-formed but unsigned.
func forge(tok string) string {
	last := tok[len(tok)-1]
	repl := byte('a')
	if last == 'a' {
		repl = 'b'
	}
	return tok[:len(tok)-1] + string(repl)
}

func loadCorpus(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("corpus has %d messages, want >= 30", len(files))
	}
	return files
}

func TestCorpus(t *testing.T) {
	signer := testSigner(t)
	for _, emlPath := range loadCorpus(t) {
		name := strings.TrimSuffix(filepath.Base(emlPath), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(emlPath)
			if err != nil {
				t.Fatal(err)
			}
			js, err := os.ReadFile(strings.TrimSuffix(emlPath, ".eml") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var c corpusCase
			dec := json.NewDecoder(bytes.NewReader(js))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("bad json: %v", err)
			}

			tok, err := signer.Token(c.AgreementID, c.CheckIn)
			if err != nil {
				t.Fatal(err)
			}
			var env Envelope
			env.MailFrom = c.MailFrom
			env.Verdicts = Verdicts{Spam: c.Verdicts.Spam, Virus: c.Verdicts.Virus, SPF: c.Verdicts.SPF, DKIM: c.Verdicts.DKIM, DMARC: c.Verdicts.DMARC}
			switch c.Token {
			case "valid":
			case "forged":
				tok = forge(tok)
			case "none":
				tok = "notatoken"
			default:
				t.Fatalf("bad token kind %q", c.Token)
			}
			hdrTok := tok
			if c.TokenCase == "upper" {
				hdrTok = strings.ToUpper(tok)
			}
			raw = bytes.ReplaceAll(raw, []byte("{{TOKEN}}"), []byte(hdrTok))
			switch {
			case c.Token == "none":
				env.Recipients = []string{"grants@" + replyDomain}
			case c.TokenIn == "header":
				env.Recipients = nil // e.g. a test harness without receipt data
			default:
				env.Recipients = []string{token.LocalPrefix + tok + "@" + replyDomain}
			}

			msg, perr := Parse(raw)
			if (perr != nil) != c.Expect.ParseError {
				t.Fatalf("Parse error = %v, want error: %v", perr, c.Expect.ParseError)
			}
			contacts := func(id string) ([]string, error) {
				if id != c.AgreementID {
					t.Errorf("contacts looked up for %q", id)
				}
				return c.Contacts, nil
			}
			out := Decide(msg, perr, env, signer, contacts)
			if out.Kind.String() != c.Expect.Kind || string(out.Reason) != c.Expect.Reason {
				t.Errorf("Decide = %v/%s, want %s/%s", out.Kind, out.Reason, c.Expect.Kind, c.Expect.Reason)
			}
			// A valid token must always survive into the outcome, whatever
			// the verdict, so the caller can file the message.
			if c.Token == "valid" && (out.AgreementID != c.AgreementID || out.CheckIn != c.CheckIn) {
				t.Errorf("outcome lost agreement: %+v", out)
			}
			if c.Token != "valid" && out.AgreementID != "" {
				t.Errorf("outcome has agreement for %s token: %+v", c.Token, out)
			}
			if msg == nil {
				return
			}
			if c.Expect.Subject != "" && msg.Subject != c.Expect.Subject {
				t.Errorf("Subject = %q, want %q", msg.Subject, c.Expect.Subject)
			}
			if c.Expect.NewText != nil && msg.NewText != *c.Expect.NewText {
				t.Errorf("NewText mismatch\n got: %q\nwant: %q", msg.NewText, *c.Expect.NewText)
			}
			for _, s := range c.Expect.NewContains {
				if !strings.Contains(msg.NewText, s) {
					t.Errorf("NewText lacks %q:\n%s", s, msg.NewText)
				}
			}
			for _, s := range c.Expect.NewExcludes {
				if strings.Contains(msg.NewText, s) {
					t.Errorf("NewText contains %q:\n%s", s, msg.NewText)
				}
			}
			for _, s := range c.Expect.FullContains {
				if !strings.Contains(msg.FullText, s) {
					t.Errorf("FullText lacks %q", s)
				}
			}
			if c.Expect.AutoReply != nil && msg.AutoReply != *c.Expect.AutoReply {
				t.Errorf("AutoReply = %v", msg.AutoReply)
			}
			if c.Expect.DeliveryReport != nil && msg.DeliveryReport != *c.Expect.DeliveryReport {
				t.Errorf("DeliveryReport = %v", msg.DeliveryReport)
			}
			if msg.Forwarded != c.Expect.Forwarded {
				t.Errorf("Forwarded = %v, want %v", msg.Forwarded, c.Expect.Forwarded)
			}
			if want := c.Expect.AttachmentsJSON; want != nil {
				if len(msg.Attachments) != len(*want) {
					t.Fatalf("got %d attachments %+v, want %d", len(msg.Attachments), names(msg.Attachments), len(*want))
				}
				for i, w := range *want {
					g := msg.Attachments[i]
					if g.Filename != w.Name || g.Inline != w.Inline {
						t.Errorf("attachment %d = %q inline=%v, want %q inline=%v", i, g.Filename, g.Inline, w.Name, w.Inline)
					}
					if w.ContentType != "" && g.ContentType != w.ContentType {
						t.Errorf("attachment %d type %q, want %q", i, g.ContentType, w.ContentType)
					}
					if w.Size != 0 && (g.Size != w.Size || len(g.Content) != w.Size) {
						t.Errorf("attachment %d size %d, want %d", i, g.Size, w.Size)
					}
				}
			}
			if c.Expect.Kind == "accept" && msg.From.Address == "" {
				t.Errorf("accepted without a From address")
			}
		})
	}
}

func names(as []Attachment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Filename+"("+a.ContentType+")")
	}
	return out
}

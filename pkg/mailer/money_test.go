package mailer

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every email writes money one way, "£2,500.00" (issue 26, item 9): no
// golden email, text or HTML, has an amount as a major-unit decimal with
// its code ("2500.00 GBP") or as a run of minor units ("250000"). The one
// long number an email carries is a charity's registered number.
func TestGoldenEmailsWriteMoneyOneWay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden emails: %v", err)
	}
	coded := regexp.MustCompile(`\b\d+(\.\d+)? [A-Z]{3}\b`)
	minor := regexp.MustCompile(`\b\d{5,}\b`)
	// Colours in the HTML's styles and a charity's number are not money.
	notMoney := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b|Charity number(: |</th><td[^>]*>)\d+`)
	pounds := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body := notMoney.ReplaceAllString(string(b), "")
		if m := coded.FindString(body); m != "" {
			t.Errorf("%s writes money as %q", f, m)
		}
		if m := minor.FindString(body); m != "" {
			t.Errorf("%s has %q, minor units or another long number", f, m)
		}
		if strings.Contains(body, "£") {
			pounds++
		}
	}
	if pounds == 0 {
		t.Error("no golden email shows money: the test reads nothing")
	}
}

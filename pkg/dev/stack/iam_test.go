package stack

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// iamUsed is make iam's record: every stack of this test binary appends
// each function and action its policy allowed a call (once per stack).
var iamUsed = flag.String("iam.used", "", "append each function's allowed actions, as function<TAB>action lines, to this file (make iam)")

var (
	iamUsedOnce sync.Once
	iamUsedFile *os.File
)

// iamRecord points opts at the -iam.used file, if one is given.
func iamRecord(t *testing.T, opts *Options) {
	if *iamUsed == "" {
		return
	}
	iamUsedOnce.Do(func() {
		f, err := os.OpenFile(*iamUsed, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatalf("-iam.used: %v", err)
		}
		iamUsedFile = f
	})
	if iamUsedFile != nil {
		opts.IAMUsed = iamUsedFile
	}
}

// TestPolicyGapIsAccessDenied is issue 27, item 2's proof that the stack
// tests the policies: on a copy of template.yaml whose PaymentsFunction may
// no longer call dynamodb:BatchGetItem (no function's policy allowed it
// once, and AWS would have refused every payment request), finance's
// payment request fails as it would in AWS: AccessDenied, and a log line
// naming the function, the action and the table. What the payments
// function does without that action (listing due instalments) still works.
func TestPolicyGapIsAccessDenied(t *testing.T) {
	t.Parallel()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	at := strings.Index(text, "\n  PaymentsFunction:\n")
	gap := strings.Index(text[at:], "dynamodb:BatchGetItem, ")
	if at < 0 || gap < 0 {
		t.Fatal("template.yaml's PaymentsFunction allows no dynamodb:BatchGetItem to take out")
	}
	gap += at
	text = text[:gap] + text[gap+len("dynamodb:BatchGetItem, "):]
	copied := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(copied, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	st := startStackWith(t, func(o *Options) { o.IAMTemplate = copied })
	var output captured
	output.capture(t, st)
	tok, err := st.Auth.Issue("bob", "finance", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	bob := client{t, st.opts.APIAddr, tok}

	const id = "demoancoatsyouth" // the demo seed's, instalment 1 due
	code, body := bob.do("POST", "/agreements/"+id+"/instalments/1/payments",
		`{"paymentReference": "BACS-IAM-1", "paidOn": "`+grants.Today(st.Clock.Now(), time.UTC).String()+`"}`, "Idempotency-Key", "iam-pay-1")
	if code != 500 {
		t.Fatalf("a payment request without dynamodb:BatchGetItem: %d %s, want the 500 of a failed call", code, body)
	}
	raw, lines := output.lines(t)
	denied, accessDenied := false, false
	table := "arn:aws:dynamodb:" + localRegion + ":000000000000:table/" + st.opts.TableName
	for i, l := range lines {
		if l["message"] == "iam denied" && l["function"] == "PaymentsFunction" && l["action"] == "dynamodb:BatchGetItem" && l["resource"] == table {
			denied = true
		}
		if strings.Contains(raw[i], "AccessDeniedException") {
			accessDenied = true
		}
	}
	if !denied {
		t.Errorf("no line says PaymentsFunction was denied dynamodb:BatchGetItem on %s:\n%s", table, strings.Join(raw, "\n"))
	}
	if !accessDenied {
		t.Errorf("no line carries the call's AccessDeniedException:\n%s", strings.Join(raw, "\n"))
	}
	var due struct{ Items []grants.Instalment }
	bob.must(200, "GET", "/instalments?programme="+DemoProgramme, "", &due)
	var a grants.Agreement
	bob.must(200, "GET", "/agreements/"+id, "", &a)
	if in := a.Instalment(1); in.Status != grants.InstalmentDue {
		t.Errorf("the refused request changed instalment 1: %s", in.Status)
	}
}

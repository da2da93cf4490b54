package receiver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/receiver"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/dev/stack"
)

// The InboundFunction verifies reply addresses (its receiver) with the key
// the check-in senders sign them with: its cold start reads the secret once,
// and so does the local stack, which wires every function on one Deps.
// Payments and CheckIns, which sign no address, never read it.
func TestInboundReadsTheReplyTokenKeyOnce(t *testing.T) {
	const id = "test/reply-token-key"
	srv, reads := countingSecrets(t, id)
	env := map[string]string{
		"AWS_REGION":            "eu-west-2",
		"AWS_ACCESS_KEY_ID":     "test",
		"AWS_SECRET_ACCESS_KEY": "test",
		"AWS_SESSION_TOKEN":     "",
		// Nothing else may be called while wiring: every other service is a dead port.
		"AWS_ENDPOINT_URL":                    "http://127.0.0.1:1",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER":    srv.URL,
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
		"TABLE_NAME":                          "test",
		"SENDER_EMAIL":                        "grants@example.org",
		"REPLY_TOKEN_SECRET":                  id,
	}
	ctx := context.Background()
	cfg, err := app.Load(func(name string) string { return env[name] }, app.NeedMail, app.NeedReplyTokens)
	if err != nil {
		t.Fatal(err)
	}
	d, err := app.NewDeps(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := receiver.New(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("the InboundFunction's wiring read the secret %d times, want 1", n)
	}
	if _, err := senders.PaymentsAPI(ctx, d, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := senders.CheckInsAPI(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("wiring three functions on one Deps read the secret %d times, want 1", n)
	}
}

// Only the functions that sign reply addresses (the CheckInSender and the
// Sweep: CheckInMail) or verify them (Inbound) are given the reply-token
// key: the others wire without REPLY_TOKEN_SECRET and never read a secret.
func TestOnlyTheSignersReadTheReplyTokenKey(t *testing.T) {
	const id = "test/reply-token-key"
	srv, reads := countingSecrets(t, id)
	env := map[string]string{
		"AWS_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_SECRETS_MANAGER": srv.URL,
		"TABLE_NAME": "test", "SENDER_EMAIL": "grants@example.org",
	}
	ctx := context.Background()
	cfg, err := app.Load(func(name string) string { return env[name] }, app.NeedMail)
	if err != nil {
		t.Fatal(err)
	}
	d, err := app.NewDeps(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := senders.PaymentsAPI(ctx, d, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := senders.CheckInsAPI(ctx, d); err != nil {
		t.Fatal(err)
	}
	x, err := senders.Automation(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 0 || x.SendsCheckIns() {
		t.Errorf("Payments, CheckIns and the other emailing functions read the secret %d times (signer %v), want none", n, x.SendsCheckIns())
	}
	if _, err := senders.CheckInMail(ctx, d); err == nil {
		t.Error("CheckInMail without REPLY_TOKEN_SECRET: want an error")
	}
	d.Config.ReplyTokenSecret = id
	x, err = senders.CheckInMail(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 1 || !x.SendsCheckIns() {
		t.Errorf("CheckInMail read the secret %d times (signer %v), want once", n, x.SendsCheckIns())
	}
}

// countingSecrets is the Secrets Manager stand-in holding the key id, and
// how many times it has been read.
func countingSecrets(t *testing.T, id string) (*httptest.Server, *atomic.Int32) {
	reads := new(atomic.Int32)
	secrets := stack.NewSecrets(map[string]string{id: strings.Repeat("k", 32)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue" {
			reads.Add(1)
		}
		secrets.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, reads
}

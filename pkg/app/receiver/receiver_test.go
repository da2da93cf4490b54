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

// The InboundFunction signs reply addresses (its outbox) and verifies them
// (its receiver) with one key: its cold start reads the secret once, and so
// does the local stack, which wires every function on one Deps.
func TestInboundReadsTheReplyTokenKeyOnce(t *testing.T) {
	const id = "test/reply-token-key"
	var reads atomic.Int32
	secrets := stack.NewSecrets(map[string]string{id: strings.Repeat("k", 32)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue" {
			reads.Add(1)
		}
		secrets.ServeHTTP(w, r)
	}))
	defer srv.Close()
	for k, v := range map[string]string{
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
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	d, err := app.NewDeps(nil)
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

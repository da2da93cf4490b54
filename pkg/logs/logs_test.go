package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func lines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %s", l)
		}
		out = append(out, m)
	}
	return out
}

func TestLineCarriesLambdaKeysAndContextIDs(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewHandler(&b, slog.LevelInfo))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	log.InfoContext(WithAgreement(ctx, "agr-1"), "check-in sent", "checkIn", 2)
	log.WarnContext(ctx, "no agreement here")
	log.InfoContext(WithAgreement(ctx, "agr-1"), "named by the call", "agreementId", "agr-2")
	log.Info("no context")
	log.DebugContext(ctx, "below the level")

	got := lines(t, &b)
	if len(got) != 4 {
		t.Fatalf("%d lines, want 4: %s", len(got), b.String())
	}
	first := got[0]
	if first["message"] != "check-in sent" || first["level"] != "INFO" || first["requestId"] != "req-1" || first["agreementId"] != "agr-1" || first["checkIn"] != 2.0 {
		t.Errorf("first line: %v", first)
	}
	if _, err := time.Parse(time.RFC3339Nano, first["timestamp"].(string)); err != nil {
		t.Errorf("timestamp is not RFC 3339: %v", first["timestamp"])
	}
	for _, k := range []string{"msg", "time"} {
		if _, ok := first[k]; ok {
			t.Errorf("line keeps slog's own key %q: %v", k, first)
		}
	}
	if got[1]["level"] != "WARN" || got[1]["requestId"] != "req-1" || got[1]["agreementId"] != nil {
		t.Errorf("second line: %v", got[1])
	}
	if got[2]["agreementId"] != "agr-2" || strings.Count(b.String(), `"agreementId"`) != 2 {
		t.Errorf("an ID the call names is kept, once: %s", b.String())
	}
	if got[3]["requestId"] != nil {
		t.Errorf("a line without a context has no request ID: %v", got[3])
	}
}

func TestLevelFollowsLambda(t *testing.T) {
	for env, want := range map[string]slog.Level{"": slog.LevelInfo, "TRACE": slog.LevelDebug, "debug": slog.LevelDebug, "INFO": slog.LevelInfo,
		"WARN": slog.LevelWarn, "ERROR": slog.LevelError, "FATAL": slog.LevelError, "nonsense": slog.LevelInfo} {
		if got := ParseLevel(env); got != want {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=%q: %v, want %v", env, got, want)
		}
	}
}

func TestEmailAddressesArePseudonymised(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewHandler(&b, slog.LevelInfo)).With("actor", "Olu@Funder.local")
	log.Error("send bounce#bounce#0102abc#sam.taylor+x@hulme-garden.org.uk: failed",
		"error", "MessageRejected: Email address is not verified: sam.taylor+x@hulme-garden.org.uk.", "count", 3)
	out := b.String()
	for _, leak := range []string{"sam.taylor", "hulme-garden", "Olu@", "funder.local"} {
		if strings.Contains(out, leak) {
			t.Errorf("line carries %q: %s", leak, out)
		}
	}
	p := Pseudonym("sam.taylor+x@hulme-garden.org.uk")
	if strings.Count(out, p) != 2 || !strings.Contains(out, Pseudonym("olu@funder.local")) || !strings.Contains(out, p+`."`) {
		t.Errorf("want the address's pseudonym %s in its place, the sentence's full stop kept: %s", p, out)
	}
	for _, s := range []string{"no address here", "a lone @ sign", "user@localhost", "@handle", "x@y"} {
		if got := RedactEmails(s); got != s {
			t.Errorf("RedactEmails(%q) = %q, want it unchanged", s, got)
		}
	}
}

// An attachment's name is the partner's words: an error quoting its object
// key or the URL it was sent to keeps the key's place and number, not the
// name. make run's console redacts as production does.
func TestAttachmentNamesAreRedacted(t *testing.T) {
	for _, h := range []func(io.Writer, slog.Leveler) slog.Handler{NewHandler, NewConsoleHandler} {
		var b bytes.Buffer
		slog.New(h(&b, slog.LevelInfo)).Error("receive failed", "error",
			`store attachment attachments/ag1/check-in-2/msg-9/03-Amina_Khan_diagnosis.pdf: operation error S3: PutObject, `+
				`Put "http://127.0.0.1:4569/mail/attachments/unassigned/msg-9/01-eviction-notice.jpg?x-id=PutObject": connection refused`,
			"actor", "olu@funder.local")
		out := b.String()
		for _, leak := range []string{"Amina", "diagnosis", "eviction", "olu@"} {
			if strings.Contains(out, leak) {
				t.Errorf("line carries %q: %s", leak, out)
			}
		}
		if !strings.Contains(out, "attachments/ag1/check-in-2/msg-9/03-[name]") || !strings.Contains(out, "attachments/unassigned/msg-9/01-[name]?x-id") {
			t.Errorf("the keys lost more than their names: %s", out)
		}
	}
}

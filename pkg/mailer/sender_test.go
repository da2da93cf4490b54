package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const from = "Partnerships team <partnerships@museum.example.org>"

// fastRetry keeps the real policy's shape with millisecond delays.
var fastRetry = RetryPolicy{MaxAttempts: 6, BaseDelay: time.Millisecond, MaxBackoff: 20 * time.Millisecond}

// uniqueAddress gives each test a recipient no other test uses, because the
// emulator's store is shared.
func uniqueAddress(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "partner-" + hex.EncodeToString(b[:]) + "@example.org"
}

func messagesTo(t *testing.T, endpoint, addr string) []emulator.SESMessage {
	t.Helper()
	out, err := emulator.SESMessagesTo(context.Background(), endpoint, addr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkInEmail(t *testing.T, to ...string) Email {
	t.Helper()
	a := fixture(t)
	a.Contacts = a.Contacts[:0]
	for i, addr := range to {
		a.Contacts = append(a.Contacts, grants.Contact{Name: fmt.Sprintf("Contact %d", i+1), Email: addr})
	}
	e, err := CheckIn(a, checkIn(a, 2), replyTo, "Open Doors 2026", grants.Officer{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSendThroughSES(t *testing.T) {
	client, endpoint := testenv.SESv2(t, WithRetry(fastRetry))
	for _, configSet := range []string{"", "partnership-mail"} {
		t.Run("configuration set "+configSet, func(t *testing.T) {
			addr := uniqueAddress(t)
			s, err := NewSender(client, from, configSet)
			if err != nil {
				t.Fatal(err)
			}
			e := checkInEmail(t, addr)
			e.Tags["odd tag: £"] = "value with spaces/and+symbols"
			id, err := s.Send(context.Background(), e)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if id == "" {
				t.Fatal("Send returned no message id")
			}
			got := messagesTo(t, endpoint, addr)
			if len(got) != 1 {
				t.Fatalf("emulator holds %d messages to %s, want 1", len(got), addr)
			}
			m := got[0]
			if m.MessageID != id {
				t.Errorf("stored message id %q, Send returned %q", m.MessageID, id)
			}
			if m.From != `"Partnerships team" <partnerships@museum.example.org>` || m.Subject != e.Subject || m.Body.Text != e.Text || m.Body.HTML != e.HTML {
				t.Errorf("stored message differs from the email sent: from %q subject %q", m.From, m.Subject)
			}
			if len(m.ReplyTo) != 1 || m.ReplyTo[0] != replyTo {
				t.Errorf("stored Reply-To = %v, want %v", m.ReplyTo, replyTo)
			}
		})
	}
}

// TestSendToSeveralContacts: every recipient reaches the mail viewer, and
// the email's own date (the sender's clock, simulated locally) is in its
// Date header. With SES v1 the emulator (2.10.2) kept only the first To
// address (its schema names only ToAddresses.member.1); v2 keeps them all.
func TestSendToSeveralContacts(t *testing.T) {
	client, endpoint := testenv.SESv2(t)
	s, err := NewSender(client, from, "")
	if err != nil {
		t.Fatal(err)
	}
	first, second := uniqueAddress(t), uniqueAddress(t)
	e := checkInEmail(t, first, second)
	e.Date = time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC)
	e.FromName = "Olu Adeyemi"
	id, err := s.Send(context.Background(), e)
	if err != nil || id == "" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	got := messagesTo(t, endpoint, first)
	if len(got) != 1 {
		t.Fatalf("want the message stored once, got %d", len(got))
	}
	if to := got[0].Destination.To; len(to) != 2 || to[0] != first || to[1] != second {
		t.Errorf("emulator stored To = %v, want both contacts", to)
	}
	var date string
	for _, h := range got[0].Headers {
		if h.Name == "Date" {
			date = h.Value
		}
	}
	if date != "Tue, 02 Mar 2027 09:00:00 +0000" {
		t.Errorf("Date header = %q (headers %v)", date, got[0].Headers)
	}
	if !strings.HasPrefix(got[0].From, "\"Olu Adeyemi, ") && !strings.HasPrefix(got[0].From, "Olu Adeyemi, ") {
		t.Errorf("From = %q, want the officer's name before the funder's", got[0].From)
	}
}

func TestThrottlingIsRetriedUntilSent(t *testing.T) {
	th := testenv.NewSESThrottle(3, "Maximum sending rate exceeded.")
	client, endpoint := testenv.SESv2(t, WithRetry(fastRetry), th.Install)
	s, err := NewSender(client, from, "")
	if err != nil {
		t.Fatal(err)
	}
	addr := uniqueAddress(t)
	id, err := s.Send(context.Background(), checkInEmail(t, addr))
	if err != nil {
		t.Fatalf("Send after 3 throttled attempts: %v", err)
	}
	if id == "" {
		t.Fatal("no message id")
	}
	if a, s := th.Attempts.Load(), th.Reached.Load(); a != 4 || s != 1 {
		t.Errorf("attempts = %d, reached SES = %d; want 4 and 1", a, s)
	}
	got := messagesTo(t, endpoint, addr)
	if len(got) != 1 || got[0].MessageID != id {
		t.Fatalf("emulator holds %d messages to the partner, want exactly 1 with id %s", len(got), id)
	}
}

func TestPersistentThrottlingFails(t *testing.T) {
	th := testenv.NewSESThrottle(1<<30, "Maximum sending rate exceeded.")
	client, endpoint := testenv.SESv2(t, WithRetry(fastRetry), th.Install)
	s, err := NewSender(client, from, "")
	if err != nil {
		t.Fatal(err)
	}
	addr := uniqueAddress(t)
	id, err := s.Send(context.Background(), checkInEmail(t, addr))
	if err == nil {
		t.Fatal("Send succeeded while SES throttled every attempt")
	}
	if id != "" {
		t.Errorf("Send returned message id %q with an error", id)
	}
	if !isThrottled(err) {
		t.Errorf("error %v is not SES throttling", err)
	}
	var maxErr *retry.MaxAttemptsError
	if !errors.As(err, &maxErr) {
		t.Errorf("error is not the retryer giving up: %v", err)
	}
	if a := th.Attempts.Load(); int(a) != fastRetry.MaxAttempts {
		t.Errorf("attempts = %d, want %d", a, fastRetry.MaxAttempts)
	}
	if got := messagesTo(t, endpoint, addr); len(got) != 0 {
		t.Errorf("emulator holds %d messages, want none", len(got))
	}
}

func TestDailyQuotaIsNotRetried(t *testing.T) {
	th := testenv.NewSESThrottle(1<<30, "Daily message quota exceeded.")
	client, _ := testenv.SESv2(t, WithRetry(fastRetry), th.Install)
	s, err := NewSender(client, from, "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Send(context.Background(), checkInEmail(t, uniqueAddress(t)))
	if err == nil || id != "" {
		t.Fatalf("Send = %q, %v; want an error and no id", id, err)
	}
	if !isThrottled(err) {
		t.Errorf("error %v is not SES throttling", err)
	}
	if a := th.Attempts.Load(); a != 1 {
		t.Errorf("attempts = %d, want 1: the daily quota does not clear in seconds", a)
	}
}

// TestSDKDefaultRetriesThrottling pins what the SDK does without
// RetryOptions: it already retries "Throttling", but only 3 attempts in all.
func TestSDKDefaultRetriesThrottling(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Maximum sending rate exceeded."}
	std := retry.NewStandard()
	if !std.IsErrorRetryable(throttled) {
		t.Error("the SDK's standard retryer does not retry SES Throttling")
	}
	if std.MaxAttempts() != 3 {
		t.Errorf("standard MaxAttempts = %d", std.MaxAttempts())
	}

	var o sesv2.Options
	o.RetryMaxAttempts = 2 // as AWS_MAX_ATTEMPTS would set it
	RetryOptions(&o)
	if o.Retryer.MaxAttempts() != DefaultRetryPolicy.MaxAttempts || o.RetryMaxAttempts != DefaultRetryPolicy.MaxAttempts {
		t.Errorf("RetryOptions: MaxAttempts = %d / %d", o.Retryer.MaxAttempts(), o.RetryMaxAttempts)
	}
	if !o.Retryer.IsErrorRetryable(throttled) {
		t.Error("RetryOptions does not retry Throttling")
	}
	if o.Retryer.IsErrorRetryable(&smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Daily message quota exceeded."}) {
		t.Error("RetryOptions retries the daily quota")
	}
	if o.Retryer.IsErrorRetryable(&smithy.GenericAPIError{Code: "MessageRejected", Message: "Email address is not verified."}) {
		t.Error("RetryOptions retries a rejected message")
	}
}

func TestBackoffIsJitteredAndCapped(t *testing.T) {
	j := jitterBackoff{base: 100 * time.Millisecond, max: time.Second}
	for attempt := 0; attempt <= 10; attempt++ {
		ceiling := min(100*time.Millisecond<<max(attempt-1, 0), time.Second)
		seen := map[time.Duration]bool{}
		for range 200 {
			d, err := j.BackoffDelay(attempt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: delay %v outside [0, %v]", attempt, d, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 50 {
			t.Errorf("attempt %d: only %d distinct delays in 200: not jittered", attempt, len(seen))
		}
	}
}

// fakeSES answers SendEmail without a network, for the cases the emulator
// cannot produce.
type fakeSES struct {
	out *sesv2.SendEmailOutput
	in  *sesv2.SendEmailInput
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = in
	return f.out, nil
}

func TestSendNeverSucceedsWithoutMessageID(t *testing.T) {
	for _, out := range []*sesv2.SendEmailOutput{nil, {}, {MessageId: aws.String("")}} {
		s, err := NewSender(&fakeSES{out: out}, from, "")
		if err != nil {
			t.Fatal(err)
		}
		if id, err := s.Send(context.Background(), checkInEmail(t, "a@example.org")); !errors.Is(err, ErrNoMessageID) || id != "" {
			t.Errorf("Send = %q, %v; want ErrNoMessageID", id, err)
		}
	}
}

func TestSendBuildsTheRequest(t *testing.T) {
	f := &fakeSES{out: &sesv2.SendEmailOutput{MessageId: aws.String("m-1")}}
	s, err := NewSender(f, "Équipe Partenariats <p@example.org>", "")
	if err != nil {
		t.Fatal(err)
	}
	e := checkInEmail(t, "a@example.org")
	e.Tags = map[string]string{"kind": "check-in", "ses:caller": "x", "agreement id": "CP/2026/003", "empty": ""}
	if _, err := s.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	in := f.in
	if in.ConfigurationSetName != nil {
		t.Errorf("ConfigurationSetName = %q, want unset when empty", *in.ConfigurationSetName)
	}
	if got := aws.ToString(in.FromEmailAddress); got != "=?utf-8?q?=C3=89quipe_Partenariats?= <p@example.org>" {
		t.Errorf("FromEmailAddress = %q, want an RFC 2047 encoded display name", got)
	}
	b := in.Content.Simple.Body
	if aws.ToString(b.Text.Charset) != "UTF-8" || aws.ToString(b.Html.Charset) != "UTF-8" || aws.ToString(in.Content.Simple.Subject.Charset) != "UTF-8" {
		t.Error("a part lacks the UTF-8 charset")
	}
	var tags []string
	for _, tg := range in.EmailTags {
		tags = append(tags, aws.ToString(tg.Name)+"="+aws.ToString(tg.Value))
	}
	if got, want := strings.Join(tags, " "), "agreement_id=CP_2026_003 kind=check-in ses_caller=x"; got != want {
		t.Errorf("tags = %q, want %q", got, want)
	}

	if _, err := s.Send(context.Background(), Email{Subject: "x", Text: "y"}); !errors.Is(err, ErrNoRecipients) {
		t.Errorf("Send with no recipients: %v", err)
	}
	if _, err := NewSender(f, "not an address", ""); err == nil {
		t.Error("NewSender accepted a malformed from address")
	}
}

func TestMessageTagsAreCut(t *testing.T) {
	long := strings.Repeat("é", 300)
	tags := MessageTags(map[string]string{long: long})
	if len(tags) != 1 || len(*tags[0].Name) != maxTagLen || len(*tags[0].Value) != maxTagLen {
		t.Fatalf("tags = %+v", tags)
	}
}

// isThrottled: the send failed on SES throttling, after the retries ran out.
func isThrottled(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == throttlingCode
}

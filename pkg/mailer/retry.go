package mailer

import (
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"
)

// SES v2 answers a send over the account's per-second rate with HTTP 429
// and error code "TooManyRequestsException" (v1 said "Throttling", kept in
// case a gateway answers in the old words), message "Maximum sending rate
// exceeded.". "Daily message quota exceeded." no retry within seconds can
// fix, whatever code carries it.
const (
	throttlingCode   = "TooManyRequestsException"
	throttlingCodeV1 = "Throttling"
	dailyQuotaNotice = "Daily message quota exceeded"
)

// RetryPolicy is how a throttled (or otherwise transiently failed) send is
// retried: up to MaxAttempts attempts in all, waiting a random time (full
// jitter) up to BaseDelay·2^(retry-1), capped at MaxBackoff, between them.
type RetryPolicy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxBackoff  time.Duration
}

// DefaultRetryPolicy spreads six attempts over at most about 12 seconds
// (0.4 + 0.8 + 1.6 + 3.2 + 6.4 s at worst, half that on average): SES's send
// rate is counted per second, so a burst of check-ins clears within a few
// seconds, and a Lambda invocation can afford the wait.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 6, BaseDelay: 200 * time.Millisecond, MaxBackoff: 10 * time.Second}

// RetryOptions configures an SES client with DefaultRetryPolicy:
//
//	client := sesv2.NewFromConfig(cfg, mailer.RetryOptions)
func RetryOptions(o *sesv2.Options) { WithRetry(DefaultRetryPolicy)(o) }

// WithRetry configures an SES client with p. The SDK's standard retryer
// already counts "Throttling" as retryable, but with at most 3 attempts and
// a backoff that starts at up to 2 s; WithRetry keeps its retryable checks
// (5xx, connection errors, throttling) and its retry-quota token bucket,
// which stops a client from retrying forever when SES throttles steadily, and
// changes the attempts and the backoff. It also overrides AWS_MAX_ATTEMPTS,
// so the policy in code is the one that runs.
func WithRetry(p RetryPolicy) func(*sesv2.Options) {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultRetryPolicy.MaxBackoff
	}
	return func(o *sesv2.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = p.MaxAttempts
			so.MaxBackoff = p.MaxBackoff
			so.Backoff = jitterBackoff{base: p.BaseDelay, max: p.MaxBackoff}
			// The checks run in order and the first definite answer wins, so
			// the daily-quota refusal goes before everything. The explicit
			// Throttling code keeps rate throttling retried even if a future
			// SDK trims its default throttle codes. (retry.AddWithErrorCodes
			// is not used: its wrapper is consulted before these checks and
			// would retry the daily quota too.)
			so.Retryables = append([]retry.IsErrorRetryable{
				retry.IsErrorRetryableFunc(noRetryDailyQuota),
				retry.RetryableErrorCode{Codes: map[string]struct{}{throttlingCode: {}, throttlingCodeV1: {}}},
			}, so.Retryables...)
		})
		// Options.RetryMaxAttempts (set from AWS_MAX_ATTEMPTS) would
		// otherwise wrap the retryer with a different attempt count.
		o.RetryMaxAttempts = p.MaxAttempts
	}
}

func noRetryDailyQuota(err error) aws.Ternary {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && strings.Contains(apiErr.ErrorMessage(), dailyQuotaNotice) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// jitterBackoff is exponential backoff with full jitter. The SDK's own
// ExponentialJitterBackoff starts at one second and, for a cap under one
// second, stops jittering altogether; this one takes a base delay, so tests
// can retry in milliseconds and production in a fraction of a second.
type jitterBackoff struct{ base, max time.Duration }

// BackoffDelay counts attempt from 1 for the first retry (the SDK's legacy
// numbering); with AWS_NEW_RETRIES_2026 the SDK counts from 0, which this
// treats as 1, so the delays never go below the base.
func (j jitterBackoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	d := j.base
	for i := 1; i < attempt && d < j.max; i++ {
		d *= 2
	}
	d = min(d, j.max)
	return time.Duration(rand.Int64N(int64(d) + 1)), nil
}

// IsThrottled reports whether err is SES refusing a send over the account's
// per-second rate (after every retry): the email was not sent and can be
// tried again in a moment. The daily quota is not throttling: it lasts until
// the quota's window moves on.
func IsThrottled(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || strings.Contains(apiErr.ErrorMessage(), dailyQuotaNotice) {
		return false
	}
	switch apiErr.ErrorCode() {
	case throttlingCode, throttlingCodeV1:
		return true
	}
	return false
}

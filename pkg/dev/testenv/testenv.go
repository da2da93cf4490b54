// Package testenv is the integration-test harness: it starts the local
// emulators (pkg/dev/emulator) once per test binary and hands tests AWS SDK
// clients pointed at them.
//
// Production code learns its endpoints only from the SDK's own
// AWS_ENDPOINT_URL_<SERVICE> environment variables, so the harness sets those
// variables (process-wide) and builds configs with config.LoadDefaultConfig,
// exactly as production does: code under test that loads its own config talks
// to the emulators too.
//
// Every package that uses testenv must call Main from its TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// Main makes the AWS environment hermetic before any test runs, and stops the
// emulators when the tests end. Integration helpers skip under -short.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/sqslocal"
)

// Region is the region every test config uses.
const Region = "eu-west-2"

// AccessKey is the static access key id and secret set for tests. It is
// s3rver's built-in key, the only one s3rver accepts; DynamoDB Local (with
// -sharedDb) and aws-ses-v2-local accept any key.
const AccessKey = "S3RVER"

// deadEndpoint is the fallback AWS_ENDPOINT_URL for services without an
// emulator (or whose emulator the test did not start): nothing listens on
// port 1, so a stray call fails at once with "connection refused" instead of
// reaching real AWS with a developer's credentials.
const deadEndpoint = "http://127.0.0.1:1"

var mainCalled atomic.Bool

// SharedDynamoDBVar names the variable that hands every test binary of a run
// one DynamoDB Local already running (cmd/withdynamodb sets it for make
// test): one JVM for the run instead of one per package.
const SharedDynamoDBVar = "TESTENV_DYNAMODB_ENDPOINT"

// JavaOptions run DynamoDB Local for tests with one garbage-collector
// thread. The optimising compiler stays on: for one package's tests alone
// the quick compiler was cheaper (pkg/dynamo: 68.7 s to 48.7 s of CPU), but
// make test shares one JVM for six minutes, and there the optimised code
// pays back (the suite's CPU 9 min 57 s with the quick compiler only,
// 8 min 55 s without it; wall 7 min 1 s to 6 min 8 s).
var JavaOptions = []string{"-XX:+UseSerialGC"}

// Main runs the package's tests with a hermetic AWS environment and stops
// every emulator afterwards, then exits with the tests' status. Call it from
// TestMain. (If the test binary is killed or panics, the emulators still die
// with it on Linux: they carry a parent-death signal.)
func Main(m *testing.M, opts ...Option) {
	for _, o := range opts {
		if o.withoutDynamoDB != "" {
			dynamoDB.refused = o.withoutDynamoDB
		}
	}
	setEnv()
	mainCalled.Store(true)
	code := m.Run()
	stopAll()
	os.Exit(code)
}

// Option changes which emulators Main lets the package's tests start.
type Option struct{ withoutDynamoDB string }

// WithoutDynamoDB makes DynamoDB Local off limits to the package's tests: a
// test that asks for it (DynamoDB, AppTable) fails, saying why, instead of
// starting Java. For packages whose tests promise to run without it, as
// pkg/service's do on pkg/memstore.
func WithoutDynamoDB(why string) Option {
	return Option{withoutDynamoDB: why}
}

// setEnv makes LoadDefaultConfig ignore whatever AWS setup the developer's
// shell or ~/.aws has: static fake credentials, a fixed region, no shared
// config files, no instance metadata, and a dead default endpoint. The
// per-service AWS_ENDPOINT_URL_* variables are set as emulators start.
func setEnv() {
	for _, k := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SES", "AWS_ENDPOINT_URL_S3",
	} {
		os.Unsetenv(k)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           AccessKey,
		"AWS_SECRET_ACCESS_KEY":       AccessKey,
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            deadEndpoint,
	} {
		os.Setenv(k, v)
	}
}

// AWSConfig loads an aws.Config the way production code does
// (config.LoadDefaultConfig), from the environment Main set up. It carries
// the endpoints of the emulators started so far in this test binary, so call
// DynamoDB, SES or S3 first for the services the test needs.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	requireMain(t)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("testenv: load AWS config: %v", err)
	}
	return cfg
}

// DynamoDB starts DynamoDB Local (once per test binary, in memory) and
// returns a client for it. Tables persist for the life of the test binary
// and are shared by its tests; create your own with TableName.
func DynamoDB(t testing.TB, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	t.Helper()
	need(t, &dynamoDB)
	// DynamoDB Local sends no X-Amz-Crc32 header on error responses, so the
	// SDK logs a checksum WARN on every failed condition; skip that check.
	opts := append([]func(*dynamodb.Options){func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true }}, optFns...)
	return dynamodb.NewFromConfig(AWSConfig(t), opts...)
}

// SES starts aws-ses-v2-local (once per test binary) and returns a client
// for it and its endpoint; read what was sent with
// emulator.SESMessages(ctx, endpoint), filtering by a recipient unique to
// the test because parallel tests share the store.
func SES(t testing.TB, optFns ...func(*ses.Options)) (*ses.Client, string) {
	t.Helper()
	endpoint := need(t, &sesSvc)
	return ses.NewFromConfig(AWSConfig(t), optFns...), endpoint
}

// SESv2 is SES with a client of the v2 API (the one pkg/mailer sends
// with), on the same emulator.
func SESv2(t testing.TB, optFns ...func(*sesv2.Options)) (*sesv2.Client, string) {
	t.Helper()
	endpoint := need(t, &sesSvc)
	return sesv2.NewFromConfig(AWSConfig(t), append([]func(*sesv2.Options){func(o *sesv2.Options) { o.BaseEndpoint = &endpoint }}, optFns...)...), endpoint
}

// S3 starts s3rver (once per test binary, data in a temp dir) and returns a
// client for it with path-style addressing, which s3rver needs. The SDK has
// no environment variable for path style, so production code must take it as
// an option from its own configuration and set s3.Options.UsePathStyle.
// Create buckets with BucketName.
func S3(t testing.TB, optFns ...func(*s3.Options)) *s3.Client {
	t.Helper()
	need(t, &s3Svc)
	opts := append([]func(*s3.Options){func(o *s3.Options) {
		o.UsePathStyle = true
		// s3rver returns no checksums; don't log that on every GetObject.
		o.DisableLogOutputChecksumValidationSkipped = true
	}}, optFns...)
	return s3.NewFromConfig(AWSConfig(t), opts...)
}

// S3Endpoint starts s3rver (once per test binary) and returns its
// endpoint, for what signs its own requests to it (pkg/objects/links).
func S3Endpoint(t testing.TB) string {
	t.Helper()
	return need(t, &s3Svc)
}

// SQS starts the local SQS (goaws, once per test binary) and returns a
// client for it; create queues with sqslocal.CreateQueue and names from
// QueueName.
func SQS(t testing.TB, optFns ...func(*sqs.Options)) *sqs.Client {
	t.Helper()
	need(t, &sqsSvc)
	return sqs.NewFromConfig(AWSConfig(t), optFns...)
}

// QueueName returns an SQS queue name unique to this call.
func QueueName(t testing.TB) string {
	return uniqueName(t, 50, regexp.MustCompile(`[^A-Za-z0-9_-]+`), false)
}

// TableName returns a DynamoDB table name unique to this call, derived from
// the test name so leftover tables are easy to trace.
func TableName(t testing.TB) string {
	return uniqueName(t, 60, regexp.MustCompile(`[^A-Za-z0-9_.-]+`), false)
}

// BucketName returns an S3 bucket name (lower case, at most 63 characters)
// unique to this call, derived from the test name.
func BucketName(t testing.TB) string {
	return uniqueName(t, 40, regexp.MustCompile(`[^a-z0-9-]+`), true)
}

func uniqueName(t testing.TB, maxBase int, bad *regexp.Regexp, lower bool) string {
	base := t.Name()
	if lower {
		base = strings.ToLower(base)
	}
	base = strings.Trim(bad.ReplaceAllString(base, "-"), "-.")
	if len(base) > maxBase {
		base = strings.TrimRight(base[:maxBase], "-.")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "test-" + base + "-" + hex.EncodeToString(b[:])
}

// DynamoDBEndpoint starts DynamoDB Local as DynamoDB does (once per test
// binary, in memory) and returns its endpoint, for what is given an
// endpoint rather than a client: the local stacks a test binary starts
// share it, each with its own table (TableName).
func DynamoDBEndpoint(t testing.TB) string {
	t.Helper()
	return need(t, &dynamoDB)
}

func requireMain(t testing.TB) {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("testenv: add `func TestMain(m *testing.M) { testenv.Main(m) }` to this package's tests; " +
			"it isolates the AWS environment and stops the emulators when the tests end")
	}
}

// service is one emulator, started at most once per test binary.
type service struct {
	label  string // for messages
	envVar string // AWS_ENDPOINT_URL_<SERVICE>
	start  func(ctx context.Context) (*emulator.Process, string, error)

	refused  string // why this package's tests may not start it (WithoutDynamoDB)
	once     sync.Once
	proc     *emulator.Process
	endpoint string
	err      error
}

var (
	dynamoDB = service{label: "DynamoDB Local", envVar: "AWS_ENDPOINT_URL_DYNAMODB",
		start: func(ctx context.Context) (*emulator.Process, string, error) {
			if endpoint := os.Getenv(SharedDynamoDBVar); endpoint != "" {
				return nil, endpoint, nil
			}
			return emulator.StartDynamoDB(ctx, emulator.Options{JavaOptions: JavaOptions})
		}}
	sesSvc = service{label: "aws-ses-v2-local", envVar: "AWS_ENDPOINT_URL_SES",
		start: func(ctx context.Context) (*emulator.Process, string, error) {
			return emulator.StartSES(ctx, 0)
		}}
	s3Svc = service{label: "s3rver", envVar: "AWS_ENDPOINT_URL_S3",
		start: func(ctx context.Context) (*emulator.Process, string, error) {
			dir, err := os.MkdirTemp("", "testenv-s3-")
			if err != nil {
				return nil, "", err
			}
			addCleanup(func() { os.RemoveAll(dir) })
			return emulator.StartS3(ctx, 0, dir)
		}}
	// goaws runs in this process (pkg/dev/sqslocal): no process to stop.
	sqsSvc = service{label: "goaws (SQS)", envVar: "AWS_ENDPOINT_URL_SQS",
		start: func(ctx context.Context) (*emulator.Process, string, error) {
			url, stop, err := sqslocal.Start(Region, "127.0.0.1:0")
			if err == nil {
				addCleanup(stop)
			}
			return nil, url, err
		}}
	services = []*service{&dynamoDB, &sesSvc, &s3Svc, &sqsSvc}

	npmOnce sync.Once
	npmErr  error

	cleanupMu sync.Mutex
	cleanups  []func()
)

// need skips under -short, otherwise starts s (once) and returns its
// endpoint, failing the test if it cannot start.
func need(t testing.TB, s *service) string {
	t.Helper()
	// Refused before the -short skip, so that a quick run catches it too.
	if s.refused != "" {
		t.Fatalf("testenv: this package's tests do not start %s: %s", s.label, s.refused)
	}
	if testing.Short() {
		t.Skipf("integration test: needs %s; skipped with -short", s.label)
	}
	requireMain(t)
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		npmOnce.Do(func() {
			root, err := emulator.RepoRoot()
			if err == nil {
				err = emulator.EnsureNodeModules(ctx, root)
			}
			npmErr = err
		})
		if npmErr != nil {
			s.err = npmErr
			return
		}
		began := time.Now()
		s.proc, s.endpoint, s.err = s.start(ctx)
		if s.err != nil {
			return
		}
		os.Setenv(s.envVar, s.endpoint)
		t.Logf("testenv: %s at %s (started in %v)", s.label, s.endpoint, time.Since(began).Round(time.Millisecond))
	})
	if s.err != nil {
		t.Fatalf("testenv: start %s: %v", s.label, s.err)
	}
	return s.endpoint
}

func addCleanup(f func()) {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	cleanups = append(cleanups, f)
}

// stopAll stops every started emulator, then runs the cleanups.
func stopAll() {
	var wg sync.WaitGroup
	for _, s := range services {
		if s.proc != nil {
			wg.Add(1)
			go func(p *emulator.Process) { defer wg.Done(); _ = p.Stop() }(s.proc)
		}
	}
	wg.Wait()
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	for _, f := range cleanups {
		f()
	}
}

// Package replyworld is the world tests of partners' replies run in: a
// table of their own in DynamoDB Local and a bucket in s3rver, the shared
// aws-ses-v2-local, the real automation as the outbox, and a Receiver wired
// as the InboundFunction wires it. Messages come from the inbound corpus
// (pkg/reply/testdata/corpus), readdressed to each world's own partner.
package replyworld

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/objects/links"
	"github.com/partnership-grants/backend/pkg/reply/receive"
	token "github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/service"
)

const (
	// ReplyDomain is the corpus's reply domain, used as the check-in
	// emails' Reply-To domain so the corpus addresses are what we sent.
	ReplyDomain = "reply.riverside-fund.org.uk"
	RawPrefix   = "raw/"
	// EnquiryAddress is where organisations write to get in touch (issue
	// 24, item 6).
	EnquiryAddress = "enquiries@" + ReplyDomain
	// The corpus's partner contact and stranger; each world swaps in
	// addresses of its own, because the SES store is shared by parallel tests.
	corpusSender   = "sarah.jenkins@hopehouse.org.uk"
	corpusStranger = "jo.bloggs@gmail.com"
	// Creator is who creates and activates the world's agreements.
	Creator = "officer@riverside-fund.org.uk"
)

// Store is what the world's use cases, its receiver and its tests read and
// write: pkg/dynamo's store (New) or pkg/memstore's (NewInMemory).
type Store interface {
	service.AutomationStore
	service.ReplyStore
	service.CourierStore
	receive.Store
	CreateAgreement(ctx context.Context, a *grants.Agreement, fx grants.Effects, once *idempotency.Once[*grants.Agreement]) (*idempotency.Response, error)
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
	PutProgrammeSettings(ctx context.Context, programme string, p grants.ProgrammeSettings) error
	ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error)
	GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error)
	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
	service.EnquiryStore
}

var (
	_ Store = (*dynamo.Store)(nil)
	_ Store = (*memstore.Store)(nil)
)

// World is one test's set of real parts.
type World struct {
	DB         *dynamodb.Client // the client Store writes through, for tests that break it (New only)
	Store      Store
	Automation *service.Automation
	ReplyUses  *service.Replies // the Receiver's, and the CheckInsFunction's
	Receiver   *receive.Receiver
	Bucket     *objects.Bucket
	// Links are the bucket's download links, as the web app and the
	// check-ins API hand them out.
	Links       *links.Bucket
	SESEndpoint string
	Now         func() time.Time
	Partner     string // the agreement's contact
	Stranger    string // someone who is not a contact
	Officer     string
	Finance     string

	letters service.Letters
	signer  *token.Signer

	// Enquiries are the receiver's for mail to EnquiryAddress.
	Enquiries *service.Enquiries
}

// New builds a world reading time from now, on its own table in DynamoDB
// Local.
func New(t testing.TB, now func() time.Time) *World {
	t.Helper()
	// Every client counts its calls on the meter of a call's context, as the
	// functions' clients do (pkg/callmeter), so tests can read a use case's cost.
	db, table := testenv.AppTable(t, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, callmeter.Middleware) })
	w := newOn(t, now, dynamo.New(db, table))
	w.DB = db
	return w
}

// NewInMemory builds a world reading time from now on the in-memory store
// (pkg/memstore, held to pkg/dynamo's contract by pkg/dynamo/storetest):
// for tests of what the use cases and routes do, which need no Java. It
// has no DB, and its store's calls are not metered.
func NewInMemory(t testing.TB, now func() time.Time) *World {
	t.Helper()
	return newOn(t, now, memstore.New())
}

func newOn(t testing.TB, now func() time.Time, store Store) *World {
	t.Helper()
	ctx := context.Background()
	sesClient, endpoint := testenv.SESv2(t, mailer.WithRetry(mailer.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
		func(o *sesv2.Options) { o.APIOptions = append(o.APIOptions, callmeter.Middleware) })
	s3c := testenv.S3(t, func(o *s3.Options) { o.APIOptions = append(o.APIOptions, callmeter.Middleware) })
	name := testenv.BucketName(t)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	sender, err := mailer.NewSender(sesClient, "Riverside Community Fund <grants@riverside-fund.org.uk>", "")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, err := token.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	suffix := randomHex(4)
	w := &World{
		Store: store, Bucket: objects.New(s3c, name), SESEndpoint: endpoint, Now: now,
		Links:    links.New(testenv.AWSConfig(t), name, testenv.S3Endpoint(t), true),
		Partner:  "sarah-" + suffix + "@hopehouse.org.uk",
		Stranger: "jo-" + suffix + "@gmail.com",
		Officer:  "officer-" + suffix + "@riverside-fund.org.uk",
		Finance:  "finance-" + suffix + "@riverside-fund.org.uk",
	}
	w.letters, w.signer = mailer.Letters{Sender: sender}, signer
	w.SetAutoMailCap(0)
	return w
}

// SetAutoMailCap (re)builds the world's use cases and receiver with a cap
// on the automatic emails inbound mail may cause in a day (0: the default).
func (w *World) SetAutoMailCap(n int) {
	env := service.Env{Now: w.Now, NewID: dynamo.NewID, Location: time.UTC,
		Defaults: grants.ProgrammeSettings{Name: "Riverside Community Fund", OfficerEmails: []string{w.Officer},
			FinanceEmails: []string{w.Finance}, ReminderDays: 7, MaxReminders: 2}}
	courier := service.NewCourier(w.Store, w.letters, service.NoEvents, w.signer, service.NoMetrics, env,
		service.CourierOptions{ReplyDomain: ReplyDomain, Lease: time.Minute, AutoMailCap: n, EnquiryAddress: EnquiryAddress})
	w.Automation = service.NewAutomation(w.Store, courier, service.NoSchedules, service.NoMetrics, env, service.AutomationOptions{})
	w.ReplyUses = service.NewReplies(w.Store, courier, service.NoMetrics, env)
	w.Enquiries = service.NewEnquiries(w.Store, courier, env, service.EnquiryOptions{Programme: "riverside"})
	w.Receiver = &receive.Receiver{Store: w.Store, Objects: w.Bucket, Tokens: w.signer, Replies: w.ReplyUses, RawPrefix: RawPrefix, Now: w.Now,
		EnquiryAddress: EnquiryAddress, Enquiries: w.Enquiries}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ActiveAgreement creates and activates an agreement whose one contact is
// the world's partner, as the API does, and sends check-in 1 as its
// schedule would. It returns the agreement and the Reply-To address the
// partner got.
func (w *World) ActiveAgreement(t testing.TB) (*grants.Agreement, string) {
	t.Helper()
	ctx := context.Background()
	now := w.Now()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Hope House", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Sarah Jenkins", Email: w.Partner, Role: "lead"}},
		Amount:    1_000_000, Currency: new("GBP"), StartDate: "2026-01-31", DurationMonths: new(12), InstalmentCount: new(4),
		Terms: []string{"Run the community garden"},
		// Under the check-in rule: the replies' tests are about what a
		// reply releases.
		PaymentPolicy: new(grants.PolicyAfterCheckIn),
	}, now, Creator)
	if err != nil {
		t.Fatal(err)
	}
	a.ID = dynamo.NewID()
	if _, err := w.Store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: Creator, Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, err := a.Activate(w.Now(), Creator)
		return []grants.AuditEntry{en}, err
	})); err != nil {
		t.Fatal(err)
	}
	if err := w.Automation.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatalf("SendCheckIn: %v", err)
	}
	a = w.Get(t, a.ID)
	if c := a.CheckIn(1); c.Status != grants.CheckInSent {
		t.Fatalf("check-in 1 is %s after sending", c.Status)
	}
	sent := w.MailTo(t, w.Partner)
	if len(sent) != 1 || len(sent[0].ReplyTo) != 1 {
		t.Fatalf("partner has %d emails after check-in 1 went out: %+v", len(sent), sent)
	}
	return a, sent[0].ReplyTo[0]
}

// Get reads an agreement.
func (w *World) Get(t testing.TB, id string) *grants.Agreement {
	t.Helper()
	a, err := w.Store.GetAgreement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Corpus reads a message from the reply corpus, addressed with tok and
// sent from the world's own partner and stranger addresses.
func (w *World) Corpus(t testing.TB, name, tok string) []byte {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "pkg", "reply", "testdata", "corpus", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("{{TOKEN}}"), []byte(tok))
	raw = bytes.ReplaceAll(raw, []byte(corpusSender), []byte(w.Partner))
	return bytes.ReplaceAll(raw, []byte(corpusStranger), []byte(w.Stranger))
}

// Put puts a raw message where the receipt rule's S3 action would, under a
// new SES-shaped message ID, and returns the ID.
func (w *World) Put(t testing.TB, raw []byte) string {
	t.Helper()
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	id := strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="))
	if err := w.Bucket.Put(context.Background(), RawPrefix+id, "message/rfc822", raw); err != nil {
		t.Fatal(err)
	}
	return id
}

// Verdicts are SES's receipt verdicts.
type Verdicts struct{ Spam, Virus, SPF, DKIM, DMARC string }

// Pass is what SES says of an unremarkable message.
var Pass = Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}

// Event is the event SES's Lambda action sends for a stored message, in
// the shape pkg/dev/stack's SMTP listener builds.
func Event(id, mailFrom, rcpt string, v Verdicts, now time.Time) events.SimpleEmailEvent {
	status := func(s string) events.SimpleEmailVerdict { return events.SimpleEmailVerdict{Status: s} }
	return events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{{
		EventVersion: "1.0",
		EventSource:  "aws:ses",
		SES: events.SimpleEmailService{
			Mail: events.SimpleEmailMessage{Timestamp: now.UTC(), Source: mailFrom, MessageID: id, Destination: []string{rcpt}},
			Receipt: events.SimpleEmailReceipt{
				Timestamp: now.UTC(), Recipients: []string{rcpt}, ProcessingTimeMillis: 1,
				SpamVerdict: status(v.Spam), VirusVerdict: status(v.Virus), SPFVerdict: status(v.SPF), DKIMVerdict: status(v.DKIM), DMARCVerdict: status(v.DMARC),
				Action: events.SimpleEmailReceiptAction{Type: "Lambda", InvocationType: "Event",
					FunctionARN: "arn:aws:lambda:eu-west-2:000000000000:function:InboundFunction"},
			},
		},
	}}}
}

// Receive stores raw and delivers its event once, which must succeed; it
// returns the message ID.
func (w *World) Receive(t testing.TB, raw []byte, mailFrom, rcpt string, v Verdicts) string {
	t.Helper()
	return w.ReceiveIn(context.Background(), t, raw, mailFrom, rcpt, v)
}

// ReceiveIn is Receive with the handler running in ctx (a meter's, say).
func (w *World) ReceiveIn(ctx context.Context, t testing.TB, raw []byte, mailFrom, rcpt string, v Verdicts) string {
	t.Helper()
	id := w.Put(t, raw)
	if err := w.Receiver.Handle(ctx, Event(id, mailFrom, rcpt, v, w.Now())); err != nil {
		t.Fatalf("Handle %s: %v", id, err)
	}
	return id
}

// TokenOf is the check-in token in a reply address.
func TokenOf(t testing.TB, addr string) string {
	t.Helper()
	tok, ok := token.FromAddress(addr)
	if !ok {
		t.Fatalf("no token in %q", addr)
	}
	return tok
}

// Forge changes the last MAC character: well-formed, but not our signature.
func Forge(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	c := byte('a')
	if addr[at-1] == 'a' {
		c = 'b'
	}
	return addr[:at-1] + string(c) + addr[at:]
}

// MailTo lists what the SES emulator holds for addr (in To).
func (w *World) MailTo(t testing.TB, addr string) []emulator.SESMessage {
	t.Helper()
	out, err := emulator.SESMessagesTo(context.Background(), w.SESEndpoint, addr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// History is the agreement's whole history, oldest first.
func (w *World) History(t testing.TB, id string) []grants.AuditEntry {
	t.Helper()
	all, err := w.Store.AllHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// Replies lists the replies to check-in n.
func (w *World) Replies(t testing.TB, id string, n int) []grants.Reply {
	t.Helper()
	rs, err := w.Store.Replies(context.Background(), id, n)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// StoredBySES is raw as SES's S3 action stores it, with SES's headers
// (verdicts v for a message from mailFrom to rcpt) on top.
func StoredBySES(raw []byte, mailFrom, rcpt string, v Verdicts) []byte {
	return emulator.StoredBySES(raw, "", emulator.SESReceipt{MailFrom: mailFrom, Recipient: rcpt,
		Spam: v.Spam, Virus: v.Virus, SPF: v.SPF, DKIM: v.DKIM, DMARC: v.DMARC}, time.Now())
}

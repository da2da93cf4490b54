// Package storetest is the store contract: what pkg/service, the inbound
// mail receiver and the web app rely on of their store, checked the same
// way on every store. pkg/dynamo runs it against DynamoDB Local and
// pkg/memstore against memory, so a use case tested on the in-memory store
// meets the same transactions, conditions, idempotent answers, pages and
// index orders as it does on DynamoDB.
//
// It checks what a caller can see through the store's methods, never how
// items are laid out or what a read costs: those are pkg/dynamo's own tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// Store is every method of pkg/dynamo's Store that the use cases, the
// receiver, the web app's sign-in and the monitoring routes call.
type Store interface {
	CreateAgreement(ctx context.Context, a *grants.Agreement, fx grants.Effects, once *idempotency.Once[*grants.Agreement]) (*idempotency.Response, error)
	CreatePlanned(ctx context.Context, programme string, year int, now time.Time, once *idempotency.Once[*grants.Agreement],
		plan func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error)) (*grants.Agreement, *idempotency.Response, error)
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	AgreementProgramme(ctx context.Context, id string) (string, error)
	UpdateAgreement(ctx context.Context, id string, expectVersion int, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	UpdateRead(ctx context.Context, a *grants.Agreement, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	Apply(ctx context.Context, agreementID string, fx grants.Effects) error

	Claim(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (bool, error)
	ClaimOnce(ctx context.Context, partition, key, token string, now time.Time, lease time.Duration) (claimed, done bool, err error)
	Release(ctx context.Context, agreementID, key, token string, cause error) error
	Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error)
	StoredMessages(ctx context.Context, partition string) (map[string]bool, error)
	DueWork(ctx context.Context, today grants.Date) ([]grants.Work, error)

	ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error)
	History(ctx context.Context, id, cursor string, limit int) (grants.Page[grants.AuditEntry], error)
	AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
	ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error)
	ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error)
	ProgrammeTally(ctx context.Context, programme string, today grants.Date) (reports.Tally, reports.Marks, readcost.Cost, error)
	RebuildAggregate(ctx context.Context, programme string) error
	AgreementsWithPlans(ctx context.Context, ids []string) ([]grants.Agreement, error)
	ProgrammePlans(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error)

	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
	ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error)
	ListQuarantineOf(ctx context.Context, programme, status string) ([]grants.Quarantined, error)
	GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error)
	HeldCounts(ctx context.Context) (map[string]int, error)
	FirstCopyAndSettings(ctx context.Context, identity, programme string) (*grants.FirstCopy, *grants.ProgrammeSettings, error)

	ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error)
	PutProgrammeSettings(ctx context.Context, programme string, p grants.ProgrammeSettings) error
	SettingsAndAnswer(ctx context.Context, programme string, req *idempotency.Request, now time.Time) (grants.ProgrammeSettings, *idempotency.Response, error)
	Answered(ctx context.Context, req idempotency.Request, now time.Time) (*idempotency.Response, error)

	TakeAutoMail(ctx context.Context, m grants.AutoMail) (grants.Withheld, error)
	EndSessions(ctx context.Context, actorID string, at time.Time) error
	SessionsEnded(ctx context.Context, actorID string) (time.Time, error)

	StartRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, error)
	FinishRun(ctx context.Context, r *grants.PayRun, answer *idempotency.Answer, now time.Time) error
	ApproveRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, bool, error)
	GetRun(ctx context.Context, id string) (*grants.PayRun, error)
	RecentRuns(ctx context.Context, limit int) ([]grants.PayRunLine, error)

	// Partner records (issue 23; partners.go).
	CreatePartner(ctx context.Context, r *grants.PartnerRecord) error
	GetPartner(ctx context.Context, id string) (*grants.PartnerRecord, error)
	UpdatePartner(ctx context.Context, id string, expectVersion int, change func(*grants.PartnerRecord) (grants.AuditEntry, error)) (*grants.PartnerRecord, error)
	ListPartners(ctx context.Context, prefix, cursor string, limit int) (grants.Page[grants.PartnerRecord], error)
	PartnerAgreements(ctx context.Context, id string) ([]grants.Agreement, error)
	PartnerHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)

	// Themes and actions (issue 24, item 3; themes.go).
	Themes(ctx context.Context, programme string) ([]grants.ThemeTag, []grants.ThemeAction, error)
	AddThemeTag(ctx context.Context, programme string, t grants.ThemeTag) error
	AddThemeAction(ctx context.Context, programme string, a grants.ThemeAction) error

	// Confidential feedback (issue 24, item 2; confidential.go), written by
	// Apply (grants.Effects.Confidential, ConfidentialSenders).
	ConfidentialFeedback(ctx context.Context, programme string) ([]grants.ConfidentialFeedback, error)
	ConfidentialSender(ctx context.Context, id string) (*grants.ConfidentialSender, error)
	// "You said, we did" (issue 24, item 4; reflections.go).
	StartReflection(ctx context.Context, r grants.Reflection) (*grants.Reflection, error)
	FinishReflection(ctx context.Context, r grants.Reflection, answer *idempotency.Answer, now time.Time) error
	Reflection(ctx context.Context, programme string, round int) (*grants.Reflection, error)
	Reflections(ctx context.Context, programme string) ([]grants.Reflection, error)
	// Enquiries (issue 24, item 6; enquiries.go).
	GetEnquiry(ctx context.Context, id string) (*grants.Enquiry, error)
	ListEnquiries(ctx context.Context, programme string) ([]grants.Enquiry, error)

	// Programmes (issue 25, item 2; programmes.go).
	CreateProgramme(ctx context.Context, p grants.Programme) error
	Programmes(ctx context.Context) ([]grants.Programme, error)
	Programme(ctx context.Context, code string) (grants.Programme, bool, error)
	ArchiveProgramme(ctx context.Context, p grants.Programme) error
	// A programme's settings as the settings page changes them, and their
	// history (issue 25, item 3; settings.go).
	ChangeProgrammeSettings(ctx context.Context, programme string, from int, next grants.ProgrammeSettings, change grants.SettingsChange) error
	SettingsHistory(ctx context.Context, programme string) ([]grants.SettingsChange, error)

	// Notes and documents (issue 26, item 16; notes.go).
	AddNote(ctx context.Context, n grants.Note) error
	Notes(ctx context.Context, agreementID string) ([]grants.Note, error)
	MarkUploaded(ctx context.Context, agreementID, documentID string, size int64, at time.Time) (grants.Document, error)
	// An agreement by the reference staff see (issue 26, item 3; references.go).
	AgreementIDByReference(ctx context.Context, reference string) (string, error)

	DeleteDraft(ctx context.Context, id string) error
}

// Run runs the contract, each test on a fresh, empty store from open, one
// after another (on DynamoDB Local each opens a table of its own).
func Run(t *testing.T, open func(t *testing.T) Store) {
	for _, c := range []struct {
		name string
		test func(t *testing.T, st Store)
	}{
		{"TransactionWritesEffectsWithTheAgreement", transactionWritesEffectsWithTheAgreement},
		{"TransactionFailingAnEffectWritesNothing", transactionFailingAnEffectWritesNothing},
		{"ApplyIsAllOrNothing", applyIsAllOrNothing},
		{"InvalidTransactions", invalidTransactions},
		{"VersionConflicts", versionConflicts},
		{"PlansGrow", plansGrow},
		{"MissingAgreements", missingAgreements},
		{"UniqueReferences", uniqueReferences},
		{"IdempotentAnswers", idempotentAnswers},
		{"CreatePlanned", createPlanned},
		{"PagingAgreements", pagingAgreements},
		{"PagingHistory", pagingHistory},
		{"InstalmentsByProgrammeStatusAndDate", instalmentsByProgrammeStatusAndDate},
		{"DueWork", dueWork},
		{"HeldMessages", heldMessages},
		{"RepliesByCheckIn", repliesByCheckIn},
		{"OutboxClaimLeaseRelease", outboxClaimLeaseRelease},
		{"ClaimOnceAndStoredMessages", claimOnceAndStoredMessages},
		{"PayRuns", payRuns},
		{"AutoMailLimits", autoMailLimits},
		{"SignOuts", signOuts},
		{"SettingsAndFirstCopies", settingsAndFirstCopies},
		{"PlansInProgrammeOrder", plansInProgrammeOrder},
		{"TallyEqualsRecount", tallyEqualsRecount},
		{"CallersHoldCopies", callersHoldCopies},
		{"PartnerRecords", partnerRecords},
		{"PartnerLinks", partnerLinks},
		{"ThemesOnce", themesOnce},
		{"ConfidentialFeedbackOnce", confidentialFeedbackOnce},
		{"ReflectionsOnceARound", reflectionsOnceARound},
		{"MessagesKeptApart", messagesKeptApart},
		{"EnquiriesOnce", enquiriesOnce},
		{"FeedbackMarks", feedbackMarks}, // feedbackmark.go
		{"StoriesKept", storiesKept},
		{"ProgrammesOnce", programmesOnce},                     // programmes.go
		{"SettingsHistory", settingsHistory},                   // settings.go
		{"NotesKept", notesKept},                               // notes.go
		{"ReferencesFindAgreements", referencesFindAgreements}, // references.go
		{"FindingAgreements", findingAgreements},               // find.go
		{"AttentionKept", attentionKept},                       // find.go
		{"PagingAgreementsBothWays", pagingAgreementsBothWays}, // find.go
		{"DraftsDeleted", draftsDeleted},                       // drafts.go
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, open(t)) })
	}
}

// Now is the instant the suite's changes happen at.
var Now = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

const officer = "officer@funder.example"

// NewID returns an ID of the shape pkg/dynamo gives agreements.
func NewID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

// draft is a valid draft agreement of programme p: four quarterly
// instalments and check-ins from its start date.
func draft(t testing.TB, p string, i int, start string) *grants.Agreement {
	t.Helper()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: p,
		Partner:   grants.Partner{Name: "Community Partner " + string(rune('A'+i%26)), RegistrationNumber: "1100000", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts: []grants.Contact{
			{Name: "Amina Khan", Email: "lead@partner.example", Role: "lead"},
			{Name: "Joe Bloggs", Email: "finance@partner.example", Role: "finance"},
		},
		Amount:    int64(500_000 + i),
		StartDate: start,
		Terms:     []string{"Co-host four community meals"},
		Support:   []string{"Evaluation mentoring"},
	}, Now.Add(time.Duration(i)*time.Second), officer)
	if err != nil {
		t.Fatal(err)
	}
	a.ID = NewID()
	return a
}

// create stores a as a use case would, with its created entry.
func create(t testing.TB, st Store, a *grants.Agreement) *grants.Agreement {
	t.Helper()
	if _, err := st.CreateAgreement(context.Background(), a, created(), nil); err != nil {
		t.Fatal(err)
	}
	return a
}

func created() grants.Effects {
	return grants.Effects{At: Now, Audit: []grants.AuditEntry{{At: Now, Actor: officer, Action: "agreement.created"}}}
}

// activate activates a's agreement, its schedules made or not.
func activate(t testing.TB, st Store, id string, scheduled bool) *grants.Agreement {
	t.Helper()
	a, err := st.UpdateAgreement(context.Background(), id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := a.Activate(Now, officer)
		for i := range a.Instalments {
			a.Instalments[i].ScheduleCreated = scheduled
		}
		for i := range a.CheckIns {
			a.CheckIns[i].ScheduleCreated = scheduled
		}
		return grants.Audited(e), err
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func code(err error) grants.Code { return grants.ErrorCode(err) }

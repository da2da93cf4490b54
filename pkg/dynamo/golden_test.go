package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenNow has nanoseconds, so the stored form of every instant shows.
var goldenNow = time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)

func at(hours int) time.Time { return goldenNow.Add(time.Duration(hours) * time.Hour) }

func day(s string) grants.Date {
	d, err := grants.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

const (
	goldenID      = "goldenagreementa" // every field set
	minimalID     = "minimalagreement" // as grants.NewAgreement makes a draft: the zero fields' stored form
	goldenProg    = "golden"
	goldenActor   = "officer@funder.example"
	goldenActorID = "actor-0001"
)

// goldenAgreement has every field set, nested ones too, storage-only ones
// (Rev, UpdatedAt, ScheduleCreated, RequestedByID) included.
func goldenAgreement() *grants.Agreement {
	payment := func(n int) *grants.Payment {
		return &grants.Payment{ID: fmt.Sprintf("pay-%d", n), Status: grants.PaymentApproved, PaymentReference: fmt.Sprintf("BACS-%d", n),
			PaidOn: day("2026-07-08"), Amount: 600_000, Currency: "GBP", OverrideReason: "check-in came by phone", Run: "run-1",
			RequestedBy: "Fin One", RequestedByID: "actor-fin-1", RequestedAt: at(1), ApprovedBy: "Fin Two", ApprovedAt: at(2),
			PartnerMessage: "words for the remittance"}
	}
	instalment := func(n int, amount int64, status grants.InstalmentStatus) grants.Instalment {
		p := payment(n)
		p.Amount = amount
		return grants.Instalment{Number: n, Amount: amount, DueDate: day("2026-07-01").AddMonths(6 * (n - 1)), Status: status,
			AwaitingCheckIn: true, HoldReason: "waiting for the report", PaymentReference: fmt.Sprintf("BACS-%d", n), PaidOn: day("2026-07-08"),
			PaidBy: "Fin Two", DaysLate: 5, DaysWithPartner: 3, PayableOn: day("2026-07-06"), DaysOnHold: 2, HeldOn: day("2026-07-02"), Payment: p, ScheduleCreated: true, Rev: 3, UpdatedAt: at(3),
			Extra: &grants.Extra{Purpose: grants.ExtraHardship, Reason: "boiler broke", FromLaterInstalments: true,
				TakenFrom: []grants.Taken{{Instalment: 2, Amount: 5_000}}, AddedBy: "Officer One", AddedAt: at(3)}}
	}
	checkIn := func(n int, final bool, status grants.CheckInStatus) grants.CheckIn {
		return grants.CheckIn{Number: n, DueDate: day("2026-06-17").AddMonths(6 * (n - 1)), Status: status, Final: final,
			SentAt: at(4), MessageID: fmt.Sprintf("ses-out-%d", n), Reminders: 2, LastReminderAt: at(5), RemindOn: day("2026-06-24"),
			ReceivedAt: at(6), ReceivedBy: grants.ChannelCall, WaivedReason: "not needed", ScheduleCreated: true, Rev: 4, UpdatedAt: at(7), QueuedOn: day("2026-06-10")}
	}
	return &grants.Agreement{
		ID: goldenID, Reference: "PG-2026-GOLDEN", Programme: goldenProg,
		Partner: grants.Partner{Name: "Levenshulme Food Club", RegistrationNumber: "1100001", Address: "1 Stockport Road, Manchester M19 3AB", Type: grants.PartnerRegisteredCharity},
		Contacts: []grants.Contact{
			{Name: "Amina Khan", Email: "lead@partner.example", Role: "lead", Bounced: "hard bounce 2026-03-01", Phone: "0161 496 0000"},
			{Name: "Joe Bloggs", Email: "finance@partner.example", Role: "finance", Bounced: "complaint", Phone: "+44 161 496 0001"},
		},
		Amount: 1_000_000, Currency: "GBP", StartDate: day("2026-01-05"), EndDate: day("2027-01-04"),
		DurationMonths: 12, InstalmentCount: 2, Cadence: grants.CadenceHalfYearly, TimeZone: "Europe/London",
		CheckInLeadDays: 14, FinalReportDays: 30,
		Timing:     &grants.Timing{SendTime: "09:30", Region: "scotland", QuietPeriod: "12-20/01-03", ExtraBankHolidays: []grants.Date{day("2026-05-06")}},
		Activation: &grants.Activation{On: day("2026-01-06"), Welcome: true, CheckInsPassed: []int{1}, InstalmentsDue: []int{1}, NextCheckIn: 2, NextCheckInOn: day("2026-12-21")},
		Terms:      []string{"Co-host four community meals", "Report each quarter"},
		Support: []grants.SupportItem{{Item: "Evaluation mentoring", Status: grants.SupportInProgress,
			Notes: []grants.SupportNote{{On: day("2026-02-03"), By: "Officer One", Text: "First session held"}}, UpdatedOn: day("2026-02-03")}},
		Status: grants.AgreementActive, TerminationReason: "not terminated, but set", TerminationMessage: "a message, set",
		Owner: grants.Officer{Name: "Officer One", Email: goldenActor},
		Closure: &grants.Closure{On: day("2027-01-10"), By: "Officer Two", Early: true, Reason: "project ended", InstalmentsCancelled: []int{2},
			Unpaid: 400_000, CheckInsClosed: []int{2}, FinalReportMissing: true, Message: "thank you, in the officer's words"},
		HelpRequests: []grants.HelpRequest{{CheckIn: 1, MessageID: "ses-in-1", At: at(8), Phrase: "need help", FollowedUpAt: at(9), FollowedUpBy: "Officer One", Note: "called back"}},
		Stats: grants.Stats{Paid: 1, Outstanding: 1, InstalmentsDue: 1, InstalmentsHeld: 1, InstalmentsPaid: 1, CheckInsReceived: 1,
			CheckInsByConversation: 1, CheckInsLate: 1, CheckInsOverdue: 1, BouncingContacts: 1, SupportDelivered: 1, RepliesAskingForHelp: 1,
			HelpToFollowUp: 1, PaidDaysLate: map[string]int{"1": 1}, NextDate: day("2026-09-30"), ChangesAsked: 1, NeedsAttention: 1}, // the store computes its own (ComputeStats)
		Instalments: []grants.Instalment{instalment(1, 600_000, grants.InstalmentPaid), instalment(2, 400_000, grants.InstalmentScheduled)},
		CheckIns:    []grants.CheckIn{checkIn(1, true, grants.CheckInReceived), checkIn(2, true, grants.CheckInSent)},
		Version:     7, CreatedAt: at(-100), CreatedBy: "creator@funder.example", UpdatedAt: at(-50), UpdatedBy: "updater@funder.example", PartnerID: "goldenpartnera01",
		Notices: []grants.Notice{{Number: 1, Kind: grants.NoticeHeld, Instalment: 2, CheckIn: 1, Message: "on hold, in the officer's words",
			At: at(-49), By: "Officer One"}},
		// Issue 23.
		PaymentPolicy: grants.PolicyAfterCheckIn, CheckInCount: 2,
		PartnerAcceptance: &grants.PartnerAcceptance{Status: grants.AcceptanceChangesAsked, At: at(-40), By: "Amina Khan", MessageID: "ses-in-acc",
			Words: "Can we move the second date?", Channel: grants.AcceptedOnPaper, Note: "signed copy", RecordedBy: "Officer One",
			Proposed: []grants.Change{{Field: "instalments[2].dueDate", Before: []string{"2027-01-01"}, After: []string{"2027-01-08"}}}, Round: 2,
			FirstInstalmentWaits: true},
		// Issue 24, item 5.
		Stories: []grants.Story{{Number: 1, CheckIn: 1, Passage: "We cooked with the young people every Friday.", MarkedBy: "Officer One",
			MarkedAt: at(-30), Status: grants.StoryConsented, Answers: []grants.StoryAnswer{{At: at(-29), How: grants.StoryByReply, By: "Amina Khan",
				RecordedBy: "Officer One", MessageID: "ses-in-story", Words: "Yes, with our name on your website", Note: "and said so on the phone",
				Answer: grants.StoryYes, Name: grants.StoryOrganisation, Where: []string{grants.StoryOnWebsite}}}}},
	}
}

func goldenReply() grants.Reply {
	return grants.Reply{AgreementID: goldenID, CheckIn: 1, MessageID: "ses-in-1", From: "lead@partner.example", Subject: "Re: check-in 1",
		ReceivedAt: at(10), Text: "We ran four meals.", FullText: "We ran four meals.\n> quoted",
		Verdicts: grants.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "FAIL"},
		Attachments: []grants.Attachment{{Name: "photo.jpg", ContentType: "image/jpeg", Size: 12345, Key: "attachments/ses-in-1/0-photo.jpg",
			Inline: true, URL: "https://not.stored/photo"}},
		MoreAttachments: 3, RawKey: "inbound/ses-in-1", TextKey: "texts/ses-in-1", TextSize: 99999, TextURL: "https://not.stored/text",
		Feedback: "not stored: read for the programme role", FeedbackWithheld: true,
		AcceptedBy: "Officer One",
		Conversation: &grants.Conversation{Channel: grants.ChannelVisit, HappenedOn: day("2026-06-20"), Participants: []string{"Amina Khan", "Officer One"},
			Summary: "Visited the kitchen", RecordedBy: "Officer One"},
		AfterTermination: true, AsksForHelp: "need help"}
}

// markedReply is goldenReply with an officer's mark of its feedback
// (issue 24), stored as another message.
func markedReply() grants.Reply {
	r := goldenReply()
	r.MessageID, r.RawKey, r.TextKey = "ses-in-2", "inbound/ses-in-2", "texts/ses-in-2"
	r.Attachments[0].Key = "attachments/ses-in-2/0-photo.jpg"
	r.FeedbackMark = &grants.FeedbackMark{Passage: "four meals", By: "Officer One", At: at(17)}
	return r
}

func goldenHeld(id string) grants.Quarantined {
	r := goldenReply()
	r.MessageID = id
	return grants.Quarantined{ID: id, Status: grants.QuarantinePending, Reason: grants.QuarantineSpam, Detail: "spam verdict FAIL",
		AgreementID: goldenID, Reference: "PG-2026-GOLDEN", Programme: goldenProg, CheckIn: 1, Reply: r,
		ResolvedBy: "Officer Two", ResolvedAt: at(11), Note: "looked at it"}
}

func goldenAudit() grants.AuditEntry {
	return grants.AuditEntry{At: at(12), Actor: goldenActor, Action: "agreement.amended", Subject: "instalment 2", Detail: "moved",
		Changes: []grants.Change{{Field: "instalments[2].dueDate", Before: []string{"2027-01-01"}, After: []string{"2027-01-08"}}},
		Body:    "Dear Amina,\n\nYour check-in is due."}
}

func goldenRun() *grants.PayRun {
	return &grants.PayRun{ID: "run-1", Status: grants.PayRunRequesting, PaidOn: day("2026-07-08"), RequestedBy: "Fin One", RequestedAt: at(13),
		ApprovedBy: "Fin Two", ApprovedAt: at(14),
		Items: []grants.PayRunItem{
			{AgreementID: goldenID, Instalment: 1, PaymentReference: "BACS-1", OverrideReason: "not stored in the run", Outcome: grants.OutcomeRequested,
				Reason: "a_reason", Detail: "a detail", PaymentID: "pay-1", Reference: "PG-2026-GOLDEN", PartnerName: "Levenshulme Food Club", Amount: 600_000, Currency: "GBP"},
			{AgreementID: minimalID, Instalment: 2, PaymentReference: "BACS-2", OverrideReason: "not stored either", Outcome: grants.OutcomeNotDue,
				Reason: "not_due", Detail: "scheduled", PaymentID: "pay-2", Reference: "PG-2026-OTHER", PartnerName: "Other", Amount: 1, Currency: "EUR"},
		},
		RequestedByID: "actor-fin-1", RequestHash: "hash-of-the-request"}
}

func goldenSettings() grants.ProgrammeSettings {
	return grants.ProgrammeSettings{Name: "Golden Programme", OfficerEmails: []string{goldenActor}, FinanceEmails: []string{"finance@funder.example"},
		ReminderDays: 7, MaxReminders: 3, TwoPersonRule: ptr(true), SendTime: "10:00", Region: "northern-ireland", QuietPeriod: "none",
		ExtraBankHolidays: []grants.Date{day("2026-08-03")}, CheckInLeadDays: ptr(10), FinalReportDays: ptr(20), OnTimeWorkingDays: ptr(4),
		Owner: grants.Officer{Name: "Officer One", Email: goldenActor},
		// Issue 23 (a question with both key and text only to pin both attributes).
		PaymentPolicy: grants.PolicyAfterCheckIn, CheckInQuestions: []grants.CheckInQuestion{{Key: "progress", Text: "In your own words", Optional: true}}, FirstInstalmentAwaitsAcceptance: true,
		// Issue 25, item 3.
		LateDigest: "weekly-tuesday", SenderName: "Golden Programme Team", TimeZone: "Europe/Belfast"}
}

func goldenRequest() idempotency.Request {
	return idempotency.Request{Scope: "agreements", Caller: goldenActorID, Key: "idem-key-1", Payload: []byte(`{"a":1}`)}
}

// TestStoredItemsGolden pins the items the store writes for every domain
// type it stores, attribute by attribute (testdata/stored-items.golden.json;
// -update rewrites it), and that reading them back gives the values
// written: tables already deployed hold items of this shape, so a change to
// how the store maps domain types to items must leave both as they are.
// The values have every field set, nested and storage-only ones (json:"-")
// included; a draft from grants.NewAgreement and empty settings pin how
// unset fields are stored.
func TestStoredItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)

	// What the fixtures leave unset, deliberately.
	checkAllSet(t, "Agreement", goldenAgreement())
	// A reply's answersMessage is pinned by TestReflectionItemsGolden.
	checkAllSet(t, "Reply", func() grants.Reply { r := markedReply(); r.AnswersMessage, r.AnswersStory = true, true; return r }())
	// A held message is never marked (marks are of stored replies): its
	// reply's fields are the Reply's, checked above.
	heldFields := goldenHeld("x")
	heldFields.Reply = markedReply()
	heldFields.Reply.AnswersMessage, heldFields.Reply.AnswersStory = true, true
	checkAllSet(t, "Quarantined", heldFields)
	checkAllSet(t, "AuditEntry", goldenAudit())
	checkAllSet(t, "PayRun", goldenRun())
	// The settings' version is pinned by TestSettingsItemsGolden;
	// ProgrammeArchived is the programme's record's, never stored with the
	// settings (TestProgrammeItemsGolden).
	checkAllSet(t, "ProgrammeSettings", func() grants.ProgrammeSettings {
		p := goldenSettings()
		p.Version, p.ProgrammeArchived = 3, true
		return p
	}())

	// An agreement with every field set, its plans and an imported entry.
	if err := Import(ctx, db, table, []*grants.Agreement{goldenAgreement()}); err != nil {
		t.Fatal(err)
	}
	claim := &grants.Claim{Token: "token-1", Until: at(15)}
	// A change: the agreement, a changed instalment and check-in, the
	// aggregate and markers, an audit entry and an outbox entry claimed.
	updated, err := st.UpdateAgreement(ctx, goldenID, 7, func(a *grants.Agreement) (grants.Effects, error) {
		a.Instalments[1].HoldReason = "still waiting"
		a.CheckIns[1].Reminders = 3
		a.Support[0].Status = grants.SupportDelivered // the tally gains
		a.Contacts[1].Bounced = ""                    // and loses
		a.UpdatedAt, a.UpdatedBy = at(16), goldenActor
		return grants.Effects{At: at(16), Audit: []grants.AuditEntry{goldenAudit()}, Outbox: []outbox.Key{outbox.CheckInKey(2)}, ClaimedBy: claim}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Effects that change no agreement.
	fx := grants.Effects{
		At:          at(17),
		Audit:       []grants.AuditEntry{{At: at(17), Actor: goldenActor, Action: "email.sent"}},
		Outbox:      []outbox.Key{outbox.RemittanceKey(1)},
		Sent:        []grants.Sent{{Key: outbox.CheckInKey(2).String(), Token: "token-1", MessageID: "ses-out-2b"}},
		Replies:     []grants.Reply{goldenReply()},
		Held:        []grants.Quarantined{goldenHeld("ses-held-1"), goldenHeld("ses-held-2")},
		FirstCopies: []grants.FirstCopy{{Identity: "identity-1", MessageID: "ses-in-1", Held: true}},
		Answer: &idempotency.Answer{Request: goldenRequest(),
			Response: idempotency.Response{StatusCode: 201, Headers: map[string]string{"ETag": `"8"`, "Location": "/agreements/" + goldenID}, Body: []byte(`{"id":"x"}`)}},
	}
	if err := st.Apply(ctx, goldenID, fx); err != nil {
		t.Fatal(err)
	}
	// Issue 24: a reply stored unmarked (as every reply before marks
	// were kept), then marked by an officer.
	marked := markedReply()
	unmarked := marked
	unmarked.FeedbackMark = nil
	if err := st.Apply(ctx, goldenID, grants.Effects{At: at(17), Replies: []grants.Reply{unmarked}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, goldenID, grants.Effects{At: at(17), FeedbackMarks: []grants.MarkedFeedback{
		{AgreementID: goldenID, CheckIn: marked.CheckIn, MessageID: marked.MessageID, Mark: *marked.FeedbackMark}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, goldenID, grants.Effects{At: at(18), Decisions: []grants.Decision{{MessageID: "ses-held-2", Status: grants.QuarantineAccepted, Actor: "Officer Two", Note: "a real reply"}}}); err != nil {
		t.Fatal(err)
	}
	remittance := outbox.RemittanceKey(1).String()
	if ok, err := st.Claim(ctx, goldenID, remittance, "token-2", at(19), time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := st.Release(ctx, goldenID, remittance, "token-2", fmt.Errorf("SES said no")); err != nil {
		t.Fatal(err)
	}

	// A draft as grants.NewAgreement makes it, created (reference, aggregate).
	minimal, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: goldenProg, Partner: grants.Partner{Name: "Minimal Partner", RegistrationNumber: "1100002", Address: "2 Stockport Road"},
		Contacts: []grants.Contact{{Name: "Min", Email: "min@partner.example"}},
		Amount:   200_000, StartDate: "2026-04-01",
	}, at(20), goldenActor)
	if err != nil {
		t.Fatal(err)
	}
	minimal.ID = minimalID
	if _, err := st.CreateAgreement(ctx, minimal, grants.Effects{At: at(20), Audit: []grants.AuditEntry{{At: at(20), Actor: goldenActor, Action: "agreement.created"}}}, nil); err != nil {
		t.Fatal(err)
	}

	// A pay run through its states, with the answer to its request.
	run := goldenRun()
	if _, err := st.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	run.Status = grants.PayRunAwaitingApproval
	if err := st.FinishRun(ctx, run, &idempotency.Answer{Request: idempotency.Request{Scope: "payruns", Caller: "actor-fin-1", Key: "run-key"},
		Response: idempotency.Response{StatusCode: 202, Body: []byte("{}")}}, at(21)); err != nil {
		t.Fatal(err)
	}
	run.Status = grants.PayRunApproved
	if _, ok, err := st.ApproveRun(ctx, run); err != nil || !ok {
		t.Fatal(ok, err)
	}

	if err := st.PutProgrammeSettings(ctx, goldenProg, goldenSettings()); err != nil {
		t.Fatal(err)
	}
	if err := st.PutProgrammeSettings(ctx, "empty", grants.ProgrammeSettings{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeAutoMail(ctx, grants.AutoMail{Key: "ack#01#ses-in-1", Sender: "lead@partner.example", Day: day("2026-06-20"), Cap: 50}); err != nil {
		t.Fatal(err)
	}
	if err := st.EndSessions(ctx, goldenActorID, at(22)); err != nil {
		t.Fatal(err)
	}
	// Confidential feedback and where it came from (issue 24, item 2).
	conf, confSender := goldenConfidential()
	checkAllSet(t, "ConfidentialFeedback", conf)
	checkAllSet(t, "ConfidentialSender", confSender)
	if err := st.Apply(ctx, "", grants.Effects{At: at(23), Confidential: []grants.ConfidentialFeedback{conf}, ConfidentialSenders: []grants.ConfidentialSender{confSender}}); err != nil {
		t.Fatal(err)
	}

	// The items, as stored.
	checkGolden(t, filepath.Join("testdata", "stored-items.golden.json"), dumpTable(t, db, table, minimal.Reference))

	// Read back, each as written.
	gotConf, err := st.ConfidentialFeedback(ctx, goldenProg)
	same(t, "confidential feedback", gotConf, []grants.ConfidentialFeedback{conf}, err)
	gotSender, err := st.ConfidentialSender(ctx, conf.ID)
	same(t, "confidential sender", gotSender, &confSender, err)
	want := goldenAgreement()
	want.Version = 8
	want.Instalments[1].HoldReason = "still waiting"
	want.Instalments[1].Rev = 4
	want.CheckIns[1].Reminders = 3
	want.CheckIns[1].Rev = 5
	want.Support[0].Status = grants.SupportDelivered
	want.Contacts[1].Bounced = ""
	want.UpdatedAt, want.UpdatedBy = at(16), goldenActor
	want.Stats = want.ComputeStats()
	got, err := st.GetAgreement(ctx, goldenID)
	same(t, "agreement", got, want, err)
	same(t, "updated agreement", updated, want, nil)
	got, err = st.GetAgreement(ctx, minimalID)
	minimal.Stats = minimal.ComputeStats()
	same(t, "minimal agreement", got, minimal, err)
	listed, err := st.ListAgreements(ctx, goldenProg, grants.AgreementActive, "", 10)
	wantListed := *want
	wantListed.Instalments, wantListed.CheckIns = nil, nil
	same(t, "listed agreements", listed.Items, []grants.Agreement{wantListed}, err)

	history, err := st.AllHistory(ctx, goldenID)
	same(t, "history", history, []grants.AuditEntry{
		{At: at(-100), Actor: "creator@funder.example", Action: "agreement.imported"},
		goldenAudit(),
		{At: at(17), Actor: goldenActor, Action: "email.sent"},
	}, err)

	wantReply := goldenReply()
	wantReply.TextURL, wantReply.Attachments[0].URL = "", ""
	wantReply.Feedback, wantReply.FeedbackWithheld = "", false
	wantMarked := markedReply()
	wantMarked.TextURL, wantMarked.Attachments[0].URL = "", ""
	wantMarked.Feedback, wantMarked.FeedbackWithheld = "", false
	replies, err := st.Replies(ctx, goldenID, 0)
	same(t, "replies", replies, []grants.Reply{wantReply, wantMarked}, err)

	held1, held2 := goldenHeld("ses-held-1"), goldenHeld("ses-held-2")
	held1.Reply.TextURL, held1.Reply.Attachments[0].URL = "", ""
	held2.Reply.TextURL, held2.Reply.Attachments[0].URL = "", ""
	held1.Reply.Feedback, held1.Reply.FeedbackWithheld = "", false
	held2.Reply.Feedback, held2.Reply.FeedbackWithheld = "", false
	held2.Status, held2.ResolvedBy, held2.ResolvedAt, held2.Note = grants.QuarantineAccepted, "Officer Two", at(18), "a real reply"
	q, err := st.GetQuarantined(ctx, "ses-held-1")
	same(t, "held message", q, &held1, err)
	q, err = st.GetQuarantined(ctx, "ses-held-2")
	same(t, "decided message", q, &held2, err)
	list, err := st.ListQuarantineOf(ctx, goldenProg, grants.QuarantinePending)
	same(t, "held list", list, []grants.Quarantined{held1}, err)

	first, settings, err := st.FirstCopyAndSettings(ctx, "identity-1", goldenProg)
	same(t, "first copy", first, &grants.FirstCopy{Identity: "identity-1", MessageID: "ses-in-1", Held: true}, err)
	same(t, "settings", settings, ptr(goldenSettings()), nil)
	empty, err := st.ProgrammeSettings(ctx, "empty")
	same(t, "empty settings", empty, grants.ProgrammeSettings{}, err)

	entry, err := st.Outbox(ctx, goldenID, outbox.CheckInKey(2).String())
	same(t, "outbox entry sent", entry, &outbox.Entry{AgreementID: goldenID, Key: "checkin#02", Status: outbox.StatusDone, Attempts: 1,
		MessageID: "ses-out-2b", CreatedAt: at(16), DoneAt: at(17)}, err)
	entry, err = st.Outbox(ctx, goldenID, remittance)
	same(t, "outbox entry released", entry, &outbox.Entry{AgreementID: goldenID, Key: remittance, Status: outbox.StatusPending, Attempts: 1,
		CreatedAt: at(17), LastError: "SES said no"}, err)

	answer, err := st.Answered(ctx, goldenRequest(), at(17))
	same(t, "answer", answer, &fx.Answer.Response, err)

	wantRun := goldenRun()
	wantRun.Status = grants.PayRunApproved
	for i := range wantRun.Items {
		wantRun.Items[i].OverrideReason = ""
	}
	gotRun, err := st.GetRun(ctx, "run-1")
	same(t, "pay run", gotRun, wantRun, err)
	lines, err := st.RecentRuns(ctx, 5)
	same(t, "pay run lines", lines, []grants.PayRunLine{wantRun.Line()}, err)

	rows, err := st.ListInstalments(ctx, grants.InstalmentFilter{Status: grants.InstalmentPaid, Programme: goldenProg}, "", 10)
	in := want.Instalments[0]
	same(t, "instalment rows", rows.Items, []grants.InstalmentRow{{AgreementID: goldenID, Reference: want.Reference, Programme: goldenProg,
		PartnerName: want.Partner.Name, Number: 1, Amount: in.Amount, Currency: "GBP", DueDate: in.DueDate, Status: in.Status,
		PreviousCheckInIn: want.PreviousCheckInIn(1), AwaitingCheckIn: true, HoldReason: in.HoldReason, PaymentReference: in.PaymentReference, PaidOn: in.PaidOn,
		Payment: in.Payment, DaysLate: in.DaysLate, DaysWithPartner: in.DaysWithPartner, DaysOnHold: in.DaysOnHold, PayableOn: in.PayableOn, HeldOn: in.HeldOn}}, err)

	work, err := st.DueWork(ctx, day("2030-01-01"))
	var wantWork []grants.Work
	for _, it := range dumpTable(t, db, table, minimal.Reference) {
		if nask, ok := it["nask"]; ok {
			parts := strings.SplitN(nask.(map[string]any)["S"].(string), "#", 4)
			kinds := map[string]grants.WorkKind{"I": grants.WorkInstalmentDue, "C": grants.WorkCheckInDue, "O": grants.WorkOutbox} // as stored
			w := grants.Work{On: grants.Immediately, AgreementID: parts[1], Kind: kinds[parts[2]], Key: parts[3]}
			if parts[0] != grants.Immediately.String() {
				w.On, w.Key = day(parts[0]), ""
				fmt.Sscan(parts[3], &w.Number)
			}
			wantWork = append(wantWork, w)
		}
	}
	if len(wantWork) < 3 {
		t.Fatalf("only %d items of work in the index: the fixture should put instalments, check-ins and outbox entries there", len(wantWork))
	}
	slices.SortFunc(wantWork, func(a, b grants.Work) int {
		letter := map[grants.WorkKind]string{grants.WorkInstalmentDue: "I", grants.WorkCheckInDue: "C", grants.WorkOutbox: "O"} // the index's order
		return strings.Compare(fmt.Sprintf("%s#%s#%s#%02d%s", a.On, a.AgreementID, letter[a.Kind], a.Number, a.Key), fmt.Sprintf("%s#%s#%s#%02d%s", b.On, b.AgreementID, letter[b.Kind], b.Number, b.Key))
	})
	same(t, "due work", work, wantWork, err)
}

// same fails the test when got is not want (or err is set).
func same(t *testing.T, what string, got, want any, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want)
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		from := max(0, i-80)
		t.Errorf("%s read back differs at %d:\n got  …%s\n want …%s", what, i, g[from:min(len(g), i+120)], w[from:min(len(w), i+120)])
	}
}

// notStored are the fields an answer derives when it is read and the store
// never keeps: an instalment's days with finance are the rest of its days
// late (grants.Agreement.MeasureLateness).
var notStored = map[string]bool{"grants.Instalment.DaysWithFinance": true}

// checkAllSet fails if a fixture leaves a field zero: every field, at every
// depth, must show in the golden items (but those notStored).
func checkAllSet(t *testing.T, path string, v any) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.IsZero() {
			t.Errorf("fixture leaves %s unset", path)
			return
		}
		switch v.Kind() {
		case reflect.Pointer:
			walk(path, v.Elem())
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() || v.Type() == reflect.TypeFor[grants.Date]() {
				return
			}
			for i := range v.NumField() {
				if f := v.Type().Field(i); !notStored[v.Type().String()+"."+f.Name] {
					walk(path+"."+f.Name, v.Field(i))
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		}
	}
	walk(path, reflect.ValueOf(v))
}

// dumpTable scans the whole table into plain values (DynamoDB's JSON
// form), sorted by key, with what is random per run replaced: a created
// agreement's reference and the random tail of an audit entry's key.
func dumpTable(t *testing.T, db *dynamodb.Client, table, reference string) []map[string]any {
	t.Helper()
	var items []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	for {
		out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &table, ExclusiveStartKey: start, ConsistentRead: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	auditTail := regexp.MustCompile(`^(H#.*#\d\d#)[a-z2-7]{6}$`)
	// The reference's random part is a search term too (its term item's key).
	words := grants.SearchWords(reference)
	term := regexp.MustCompile(`^` + regexp.QuoteMeta(words[len(words)-1]) + `#`)
	var plain []map[string]any
	for _, it := range items {
		p := map[string]any{}
		for k, v := range it {
			p[k] = plainAV(v, func(s string) string {
				s = strings.ReplaceAll(s, reference, "<reference>")
				s = term.ReplaceAllString(s, "<reference term>#")
				return auditTail.ReplaceAllString(s, "${1}<random>")
			})
		}
		plain = append(plain, p)
	}
	key := func(p map[string]any) string {
		return p["PK"].(map[string]any)["S"].(string) + "\x00" + p["SK"].(map[string]any)["S"].(string)
	}
	slices.SortFunc(plain, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
	return plain
}

func plainAV(v types.AttributeValue, fix func(string) string) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": fix(v.Value)}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberL:
		l := []any{}
		for _, e := range v.Value {
			l = append(l, plainAV(e, fix))
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range v.Value {
			m[k] = plainAV(e, fix)
		}
		return map[string]any{"M": m}
	}
	panic(fmt.Sprintf("attribute value %T", v))
}

// checkGolden compares got, as indented JSON, with the golden file (or
// rewrites the file with -update).
func checkGolden(t *testing.T, path string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(b) == string(want) {
		return
	}
	gl, wl := strings.Split(string(b), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		g, w := "", ""
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs from the items stored, first at line %d:\n stored: %s\n golden: %s", path, i+1, g, w)
		}
	}
}

// goldenConfidential is confidential feedback with every field set (a
// message both set aside and with words never is: the pin is of the item)
// and where it came from.
func goldenConfidential() (grants.ConfidentialFeedback, grants.ConfidentialSender) {
	id := grants.ConfidentialID("ses-conf-1")
	return grants.ConfidentialFeedback{ID: id, Programme: goldenProg, Round: 2, On: day("2026-06-21"), Words: "The visits feel like inspections.",
			Cut: true, Files: 1, Unverified: true, SetAside: "spam"},
		grants.ConfidentialSender{ID: id, AgreementID: goldenID, Round: 2, MessageID: "ses-conf-1", ReceivedAt: at(23), Reason: "spam"}
}

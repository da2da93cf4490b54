package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// illegalAddresses stands in for what SES does with a message one of whose
// recipients it cannot send to (a non-ASCII local part, an address
// literal, an invisible character): it refuses the whole message, 400
// BadRequestException "Illegal address", and sends to nobody. The emulator
// accepts anything, so without this a test could not tell.
type illegalAddresses struct{}

func (illegalAddresses) ID() string { return "TestIllegalAddresses" }

func (illegalAddresses) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	if p, ok := in.Parameters.(*sesv2.SendEmailInput); ok && p.Destination != nil && slices.ContainsFunc(p.Destination.ToAddresses, illegal) {
		return middleware.InitializeOutput{}, middleware.Metadata{}, &types.BadRequestException{Message: aws.String("Illegal address")}
	}
	return next.HandleInitialize(ctx, in)
}

// illegal is the stand-in's rule, simpler than SES's and independent of the
// domain's: anything outside printable ASCII, a space or a bracket.
func illegal(addr string) bool {
	return strings.ContainsAny(addr, "[] ") || strings.ContainsFunc(addr, func(r rune) bool { return r < 0x21 || r > 0x7e })
}

func refuseIllegalAddresses(o *sesv2.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(illegalAddresses{}, middleware.After)
	})
}

// Issue item 7: one contact mail cannot reach never stops the email to the
// agreement's other contacts. A contact stored before the address rules
// with an address SES refuses is left out (and named in the history), as
// it would make SES refuse the message to everyone; a contact whose mail
// bounced is left out of the next one.
func TestOneUndeliverableContactDoesNotStopTheOthers(t *testing.T) {
	e := newEnv(t, activatedAt, options{ses: []func(*sesv2.Options){refuseIllegalAddresses}})
	ctx := context.Background()
	amina, jo := e.contact("amina"), e.contact("jo")
	legacy := []string{"legacy-" + e.suffix + "@[127.0.0.1]", "\u00e9lise-" + e.suffix + "@partner.example.org", e.contact("zwsp") + "\u200b"}
	a := e.agreement(t, start, false, amina, jo)
	a, err := e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		// Written as an agreement stored before the rules would read.
		for _, addr := range legacy {
			a.Contacts = append(a.Contacts, grants.Contact{Name: "Legacy", Email: addr, Role: "lead"})
		}
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range legacy {
		if !illegal(addr) {
			t.Fatalf("the SES stand-in accepts %q: the test would prove nothing", addr)
		}
	}

	e.clock.Set(at9(a.CheckIn(1).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatalf("SendCheckIn 1: %v", err)
	}
	got := e.mailTo(t, amina)
	if len(got) != 1 || !slices.Equal(got[0].Destination.To, []string{amina, jo}) {
		t.Fatalf("check-in 1: %d emails to %v, want one to both deliverable contacts", len(got), destinations(got))
	}
	if c := e.get(t, a.ID).CheckIn(1); c.Status != grants.CheckInSent {
		t.Errorf("check-in 1 is %s, want sent", c.Status)
	}
	var recorded bool
	for _, en := range e.history(t, a.ID) {
		if en.Action == "email.sent" && en.Subject == "checkin#01" {
			recorded = true
			for _, addr := range legacy {
				if !strings.Contains(en.Detail, addr) {
					t.Errorf("the history does not name %q, left out: %s", addr, en.Detail)
				}
			}
		}
	}
	if !recorded {
		t.Fatal("no email.sent entry for check-in 1")
	}

	// Jo's mailbox bounces: the next check-in still reaches Amina.
	sent := e.get(t, a.ID).CheckIn(1).MessageID
	if err := e.x.RecordSESEvent(ctx, sesEvent(t, "Bounce", "Permanent", jo, sent, a.ID)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(a.CheckIn(2).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 2); err != nil {
		t.Fatalf("SendCheckIn 2: %v", err)
	}
	if got := e.mailTo(t, amina); len(got) != 2 || !slices.Equal(got[1].Destination.To, []string{amina}) {
		t.Fatalf("check-in 2: %d emails to %v, want the second to Amina alone", len(got), destinations(got))
	}
}

// Issue item 7: no contact may be at the service's own mail domains (the
// reply domain, the sender's), on create or on amend: the service gives
// the domain rule the domains it is configured with.
func TestContactsAtTheServicesOwnDomainsAreRefused(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.OwnDomains = []string{"replies.funder.test", "funder.test"}
	e.x.NewID = func() string { return "own-" + e.suffix }
	ctx := context.Background()
	for _, addr := range []string{"checkin+abc@replies.funder.test", "partnerships@funder.test"} {
		_, _, err := e.x.CreateAgreement(ctx, "officer@funder.test", grants.NewAgreementInput{
			Programme: "community-2026",
			Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
			Contacts:  []grants.Contact{{Name: "Amina", Email: addr}},
			Amount:    1_000_000, StartDate: start,
		}, nil)
		wantEmailRefused(t, "create with "+addr, err)
	}
	a := e.agreement(t, start, false, e.contact("amina"))
	contacts := []grants.Contact{{Name: "Amina", Email: e.contact("amina")}, {Name: "Loop", Email: "checkin+abc@replies.funder.test"}}
	_, err := e.x.Amend(ctx, "officer@funder.test", a.ID, a.Version, grants.Amendment{Contacts: &contacts})
	wantEmailRefused(t, "amend", err)
}

func wantEmailRefused(t *testing.T, what string, err error) {
	t.Helper()
	var e *grants.Error
	if !errors.As(err, &e) || e.Code != grants.Invalid {
		t.Fatalf("%s: err = %v, want Invalid", what, err)
	}
	for _, f := range e.Fields {
		if strings.HasSuffix(f.Field, ".email") && strings.Contains(f.Reason, "own mail domain") {
			return
		}
	}
	t.Fatalf("%s: fields %v do not refuse the address as the service's own", what, e.Fields)
}

func destinations(ms []emulator.SESMessage) [][]string {
	var out [][]string
	for _, m := range ms {
		out = append(out, m.Destination.To)
	}
	return out
}

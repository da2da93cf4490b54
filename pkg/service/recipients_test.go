package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

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

package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// errStoreReached is what the store answers once a use case gets past asking
// the pool: the tests stop there.
var errStoreReached = errors.New("store reached")

// firstReads is a store whose first read of each finance use case answers
// errStoreReached; nothing else is called before it.
type firstReads struct{ stores }

func (firstReads) GetAgreement(context.Context, string) (*grants.Agreement, error) {
	return nil, errStoreReached
}
func (firstReads) GetRun(context.Context, string) (*grants.PayRun, error) {
	return nil, errStoreReached
}
func (firstReads) Answered(context.Context, idempotency.Request, time.Time) (*idempotency.Response, error) {
	return nil, errStoreReached
}

// brokenPool cannot be reached.
type brokenPool struct{}

func (brokenPool) StillIn(context.Context, grants.Actor, grants.Role) (bool, error) {
	return false, errors.New("user pool unreachable")
}

// Every use case that pays or asks to pay asks the user pool first whether
// the person is still in finance, whatever their token says: a person taken
// out of finance is refused (403 role_removed) before anything is read; a
// pool that cannot be asked, or a function given none, refuses too, as an
// internal error (never a silent pass).
func TestFinanceActsAskThePoolFirst(t *testing.T) {
	alice := grants.StaffActor("https://pool", "sub-alice", "alice@funder.example", "", []grants.Role{grants.RoleFinance})
	acts := map[string]func(context.Context, *uses) error{
		"request a payment": func(ctx context.Context, x *uses) error {
			once := &idempotency.Once[*grants.Agreement]{Request: idempotency.Request{Scope: "pay", Caller: alice.ID, Key: "k"}}
			_, _, err := x.RequestPayment(ctx, alice, "agr1", 1, grants.PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-12-01"}, once)
			return err
		},
		"approve a payment": func(ctx context.Context, x *uses) error {
			_, err := x.ApprovePayment(ctx, alice, "agr1", 1, "p1")
			return err
		},
		"request a pay run": func(ctx context.Context, x *uses) error {
			once := &idempotency.Once[*grants.PayRun]{Request: idempotency.Request{Scope: "run", Caller: alice.ID, Key: "k"}}
			req := grants.PayRunRequest{PaidOn: "2026-12-01", Items: []grants.PayRunItemRequest{{AgreementID: "agr1", Instalment: 1, PaymentReference: "BACS-1"}}}
			_, _, err := x.RequestPayRun(ctx, alice, req, once)
			return err
		},
		"approve a pay run": func(ctx context.Context, x *uses) error {
			_, err := x.ApprovePayRun(ctx, alice, "run1")
			return err
		},
	}
	removed := &testenv.Pool{}
	removed.Remove(alice.ID, grants.RoleFinance)
	removedElsewhere := &testenv.Pool{}
	removedElsewhere.Remove(alice.ID, grants.RoleProgramme)
	for _, tt := range []struct {
		name      string
		directory service.Directory
		reason    string // of the refusal; "" for an internal error
		reached   bool   // the store was read: the act went on
	}{
		{"still in finance", &testenv.Pool{}, "", true},
		{"removed from another group", removedElsewhere, "", true},
		{"removed from finance", removed, service.ReasonRoleRemoved, false},
		{"the pool cannot be asked", brokenPool{}, "", false},
		{"no pool wired", nil, "", false},
	} {
		for act, do := range acts {
			t.Run(tt.name+"/"+act, func(t *testing.T) {
				x := &uses{Store: firstReads{}, Now: func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) },
					NewID: func() string { return "id1" }, Location: time.UTC}
				if tt.directory != nil {
					x.Directory = tt.directory
				}
				err := do(context.Background(), x)
				if reached := errors.Is(err, errStoreReached); reached != tt.reached {
					t.Fatalf("went on to the store: %v, want %v (%v)", reached, tt.reached, err)
				}
				if tt.reached {
					return
				}
				var e *grants.Error
				switch {
				case tt.reason == "" && grants.ErrorCode(err) != "":
					t.Errorf("refused as %v; want an internal error, shown to no one", err)
				case tt.reason != "" && (!errors.As(err, &e) || e.Code != grants.Forbidden || e.Reason != tt.reason):
					t.Errorf("refused with %v; want forbidden, %s", err, tt.reason)
				}
			})
		}
	}
}

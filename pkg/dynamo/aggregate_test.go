package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/monitoring"
)

// aggregateToday is after every test agreement's end date, so every active
// one is past it unless extended.
var aggregateToday = grants.Date{Year: 2027, Month: 3, Day: 1}

// ops are the changes the aggregate must follow, each a store mutation as
// the use cases make them. An illegal one (the domain refuses) changes nothing.
var ops = map[string]func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error){
	"activate": func(*rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		return audited(func(a *grants.Agreement) (grants.AuditEntry, error) {
			return a.Activate(benchNow, "officer@funder.example")
		})
	},
	"pay": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4)
		return func(a *grants.Agreement) (grants.Effects, error) {
			in := &a.Instalments[n]
			if a.Status != grants.AgreementActive || (in.Status != grants.InstalmentDue && in.Status != grants.InstalmentScheduled) {
				return grants.Effects{}, grants.ErrNoChange
			}
			in.Status, in.PaidOn, in.PaymentReference = grants.InstalmentPaid, benchDate, fmt.Sprintf("BACS-%d", n)
			return grants.Effects{}, nil
		}
	},
	"due": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4)
		return func(a *grants.Agreement) (grants.Effects, error) {
			if a.Instalments[n].Status != grants.InstalmentScheduled {
				return grants.Effects{}, grants.ErrNoChange
			}
			a.Instalments[n].Status = grants.InstalmentDue
			return grants.Effects{}, nil
		}
	},
	"hold": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4) + 1
		return audited(func(a *grants.Agreement) (grants.AuditEntry, error) {
			return a.Hold(n, "waiting for the report", benchNow, "finance@funder.example")
		})
	},
	"receive check-in": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4)
		return func(a *grants.Agreement) (grants.Effects, error) {
			if a.CheckIns[n].Status == grants.CheckInReceived {
				return grants.Effects{}, grants.ErrNoChange
			}
			a.CheckIns[n].Status = grants.CheckInReceived
			return grants.Effects{}, nil
		}
	},
	"terminate": func(*rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		return audited(func(a *grants.Agreement) (grants.AuditEntry, error) {
			return a.Terminate("the partner closed", benchNow, "officer@funder.example")
		})
	},
	"bounce": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(2)
		return func(a *grants.Agreement) (grants.Effects, error) {
			if a.Contacts[n].Bounced != "" {
				a.Contacts[n].Bounced = "" // the partner gave a new address
			} else {
				a.Contacts[n].Bounced = "2026-06-01T10:00:00Z"
			}
			return grants.Effects{}, nil
		}
	},
	"amend end date": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		later := r.IntN(2) == 0
		return func(a *grants.Agreement) (grants.Effects, error) {
			a.EndDate = grants.Date{Year: 2027, Month: 1, Day: 30}
			if later {
				a.EndDate = grants.Date{Year: 2027, Month: 6, Day: 30}
			}
			return grants.Effects{}, nil
		}
	},
	"amend award": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		extra := int64(r.IntN(1000) + 1)
		return func(a *grants.Agreement) (grants.Effects, error) {
			last := &a.Instalments[len(a.Instalments)-1]
			if last.Status != grants.InstalmentScheduled {
				return grants.Effects{}, grants.ErrNoChange
			}
			a.Amount += extra
			last.Amount += extra
			return grants.Effects{}, nil
		}
	},
}

var benchDate = grants.Date{Year: 2026, Month: 6, Day: 15}

func audited(change func(*grants.Agreement) (grants.AuditEntry, error)) func(*grants.Agreement) (grants.Effects, error) {
	return func(a *grants.Agreement) (grants.Effects, error) {
		e, err := change(a)
		if grants.ErrorCode(err) != "" {
			return grants.Effects{}, grants.ErrNoChange // the domain refused: nothing changes
		}
		return grants.Audited(e), err
	}
}

// The aggregate always equals a full recount of the programme's
// agreements, after a random mix of creates and changes made by concurrent
// writers, some of them to the same agreements; and a rebuild changes nothing.
func TestAggregateEqualsRecountAfterConcurrentChanges(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	const programme = "alpha"
	if err := st.RebuildAggregate(ctx, programme); err != nil { // an empty programme: built, all zero
		t.Fatal(err)
	}
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	var (
		mu  sync.Mutex
		ids []string
		wg  sync.WaitGroup
	)
	for w := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := range 25 {
				mu.Lock()
				have := len(ids)
				mu.Unlock()
				if have < 4 || r.IntN(4) == 0 {
					a := benchAgreement(t, programme, w*100+i)
					a.Currency = []string{"GBP", "EUR"}[r.IntN(2)]
					if _, err := st.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: benchNow, Actor: "officer@funder.example", Action: "agreement.created"}), nil); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					ids = append(ids, a.ID)
					mu.Unlock()
					continue
				}
				mu.Lock()
				id := ids[r.IntN(len(ids))]
				mu.Unlock()
				name := names[r.IntN(len(names))]
				if _, err := st.UpdateAgreement(ctx, id, 0, ops[name](r)); err != nil && !errors.Is(err, grants.ErrNoChange) {
					t.Errorf("%s on %s: %v", name, id, err)
				}
			}
		})
	}
	wg.Wait()

	kept, keptMarks, cost, err := st.ProgrammeTally(ctx, programme, aggregateToday)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := st.ProgrammeAgreements(ctx, programme)
	if err != nil {
		t.Fatal(err)
	}
	want, wantMarks, err := monitoring.Recount(list, aggregateToday)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept, want) || !reflect.DeepEqual(keptMarks, wantMarks) {
		t.Errorf("aggregate differs from a recount of %d agreements:\n kept %v %+v\nwant %v %+v", len(list), kept, keptMarks, want, wantMarks)
	}
	if want["status.active"] == 0 || want["status.terminated"] == 0 || wantMarks.PastEndDate == 0 || len(wantMarks.Bouncing) == 0 {
		t.Errorf("the mix did not reach every kind of change: %v %+v", want, wantMarks)
	}
	if cost.Requests > 3 {
		t.Errorf("summary read took %d requests: %+v", cost.Requests, cost)
	}

	if err := st.RebuildAggregate(ctx, programme); err != nil {
		t.Fatal(err)
	}
	rebuilt, rebuiltMarks, _, err := st.ProgrammeTally(ctx, programme, aggregateToday)
	if err != nil || !reflect.DeepEqual(rebuilt, want) || !reflect.DeepEqual(rebuiltMarks, wantMarks) {
		t.Errorf("rebuilt aggregate %v %+v (%v), want %v %+v", rebuilt, rebuiltMarks, err, want, wantMarks)
	}
}

// A table from before aggregates (agreements, no aggregate) is summed
// right on its first summary, which builds the aggregate once.
func TestAggregateBuildsItselfOnATableFromBefore(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	seed(t, db, table, "old", 12)
	list, _, err := st.ProgrammeAgreements(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	want, wantMarks, err := monitoring.Recount(list, benchDate)
	if err != nil {
		t.Fatal(err)
	}
	got, marks, _, err := st.ProgrammeTally(ctx, "old", benchDate)
	if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(marks, wantMarks) {
		t.Fatalf("first summary %v %+v (%v), want %v %+v", got, marks, err, want, wantMarks)
	}
	if want["status.draft"] != 4 || want["status.active"] != 8 {
		t.Errorf("recount %v", want)
	}
}

// A shard whose counter has grown past int64 makes the summary fail, never
// wrap to a negative total.
func TestAggregateRefusesToOverflow(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	if err := st.RebuildAggregate(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	for shard, v := range map[int]string{0: "9223372036854775807", 1: "1"} {
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: aggregateKey("p", shard),
			UpdateExpression:          aws.String("ADD #n :v"),
			ExpressionAttributeNames:  map[string]string{"#n": "money.GBP.committed"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: v}}}); err != nil {
			t.Fatal(err)
		}
	}
	if tally, _, _, err := st.ProgrammeTally(ctx, "p", benchDate); err == nil {
		t.Fatalf("summed past int64: %v", tally)
	}
}

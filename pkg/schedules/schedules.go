// Package schedules keeps each active agreement's one-time EventBridge
// Scheduler schedules in step with it: one per instalment (to the
// instalment-due function) and one per check-in (to the check-in sender).
package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// API is the part of the Scheduler client used here.
type API interface {
	CreateSchedule(context.Context, *scheduler.CreateScheduleInput, ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	DeleteSchedule(context.Context, *scheduler.DeleteScheduleInput, ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
	GetSchedule(context.Context, *scheduler.GetScheduleInput, ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
}

// Config names the deployment's scheduler resources.
type Config struct {
	Group            string // one schedule group per deployment
	RoleArn          string // the role Scheduler assumes to invoke the targets
	DeadLetterArn    string // SQS queue for invocations that ran out of retries
	InstalmentTarget string // ARN of the instalment-due function
	CheckInTarget    string // ARN of the check-in queue (Scheduler sends the event to it as the message)
}

// Store records on an agreement which of its schedules exist.
type Store interface {
	UpdateRead(ctx context.Context, a *grants.Agreement, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
}

// Schedules creates and deletes schedules and records which exist.
type Schedules struct {
	API   API
	Store Store
	Cfg   Config
	Now   func() time.Time
}

// Event is the payload a schedule delivers to its target.
type Event struct {
	AgreementID string `json:"agreementId"`
	Number      int    `json:"number"`
}

// Name is a schedule's deterministic name, so a retried creation collides
// with the first instead of duplicating it ("agr-<id>-i2", "agr-<id>-c2").
func Name(agreementID, kind string, n int) string {
	return fmt.Sprintf("agr-%s-%s%d", agreementID, kind, n)
}

// Sync creates the missing schedules of an active agreement, or deletes all
// of them once it is no longer active, and records on each item that its
// schedule exists. Failures leave the item marked missing for the sweep. It
// returns the agreement as it then stands.
func (s *Schedules) Sync(ctx context.Context, a *grants.Agreement) (*grants.Agreement, error) {
	if a.Status != grants.AgreementActive {
		return a, s.deleteAll(ctx, a)
	}
	var created []string
	var errs []error
	for _, in := range a.Instalments {
		if in.Status == grants.InstalmentScheduled && !in.ScheduleCreated {
			if err := s.create(ctx, a, "i", in.Number, in.DueDate, s.Cfg.InstalmentTarget); err != nil {
				errs = append(errs, err)
				continue
			}
			created = append(created, Name(a.ID, "i", in.Number))
		}
	}
	for _, c := range a.CheckIns {
		// One the sweep has queued (its schedule was missing) is the
		// sweep's: a schedule now would queue it twice.
		if c.Status == grants.CheckInScheduled && !c.ScheduleCreated && !a.QueuedByTheSweep(c) {
			if err := s.create(ctx, a, "c", c.Number, c.DueDate, s.Cfg.CheckInTarget); err != nil {
				errs = append(errs, err)
				continue
			}
			created = append(created, Name(a.ID, "c", c.Number))
		}
	}
	if len(created) > 0 {
		marked, err := s.markCreated(ctx, a, created)
		if err != nil {
			errs = append(errs, err)
		} else {
			a = marked
		}
	}
	return a, errors.Join(errs...)
}

// when is the instant a schedule fires: the programme's send time on the
// working day the item goes out (grants.Agreement.SendAfter), never before
// the send time nor on a day off, and a minute from now if that has passed
// on a working day.
func (s *Schedules) when(a *grants.Agreement, d grants.Date) time.Time {
	return a.SendAfter(d, s.Now()).In(a.Location())
}

// create makes the item's schedule. The name is deterministic, so a retry
// finds its own schedule there; one at another time is what an earlier date
// left behind (the date was amended) and is replaced.
func (s *Schedules) create(ctx context.Context, a *grants.Agreement, kind string, n int, d grants.Date, target string) error {
	name := Name(a.ID, kind, n)
	expression := "at(" + s.when(a, d).Format("2006-01-02T15:04:05") + ")"
	err := s.put(ctx, a, kind, n, name, expression, target)
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		return err
	}
	old, err := s.API.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String(s.Cfg.Group)})
	if err != nil {
		return fmt.Errorf("read schedule %s: %w", name, err)
	}
	if aws.ToString(old.ScheduleExpression) == expression && aws.ToString(old.ScheduleExpressionTimezone) == a.TimeZone {
		return nil
	}
	var nf *types.ResourceNotFoundException
	if _, err := s.API.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(s.Cfg.Group)}); err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("replace schedule %s: %w", name, err)
	}
	if err := s.put(ctx, a, kind, n, name, expression, target); err != nil && !errors.As(err, &conflict) {
		return err
	}
	return nil
}

func (s *Schedules) put(ctx context.Context, a *grants.Agreement, kind string, n int, name, expression, target string) error {
	input, _ := json.Marshal(Event{AgreementID: a.ID, Number: n})
	_, err := s.API.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		GroupName:                  aws.String(s.Cfg.Group),
		ScheduleExpression:         aws.String(expression),
		ScheduleExpressionTimezone: aws.String(a.TimeZone),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		Description:                aws.String(fmt.Sprintf("%s %s %d", a.Reference, map[string]string{"i": "instalment", "c": "check-in"}[kind], n)),
		Target: &types.Target{
			Arn:              aws.String(target),
			RoleArn:          aws.String(s.Cfg.RoleArn),
			Input:            aws.String(string(input)),
			RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(20), MaximumEventAgeInSeconds: aws.Int32(86400)},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(s.Cfg.DeadLetterArn)},
		},
	})
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", name, err)
	}
	return nil
}

// markCreated records the schedules made; a is the agreement they were made
// from, read just before, so the write does not read it again.
func (s *Schedules) markCreated(ctx context.Context, a *grants.Agreement, names []string) (*grants.Agreement, error) {
	id := a.ID
	done := map[string]bool{}
	for _, n := range names {
		done[n] = true
	}
	return s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		changed := false
		for i := range a.Instalments {
			if in := &a.Instalments[i]; done[Name(id, "i", in.Number)] && !in.ScheduleCreated {
				in.ScheduleCreated, changed = true, true
			}
		}
		for i := range a.CheckIns {
			if c := &a.CheckIns[i]; done[Name(id, "c", c.Number)] && !c.ScheduleCreated {
				c.ScheduleCreated, changed = true, true
			}
		}
		if !changed {
			return grants.Effects{}, grants.ErrNoChange
		}
		return grants.Effects{}, nil
	})
}

// deleteAll removes every schedule the agreement may still have; a schedule
// that already ran (and deleted itself) or never existed is fine.
func (s *Schedules) deleteAll(ctx context.Context, a *grants.Agreement) error {
	var errs []error
	del := func(name string) {
		_, err := s.API.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(s.Cfg.Group)})
		var nf *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &nf) {
			errs = append(errs, fmt.Errorf("delete schedule %s: %w", name, err))
		}
	}
	for _, in := range a.Instalments {
		if in.ScheduleCreated {
			del(Name(a.ID, "i", in.Number))
		}
	}
	for _, c := range a.CheckIns {
		if c.ScheduleCreated {
			del(Name(a.ID, "c", c.Number))
		}
	}
	return errors.Join(errs...)
}

package memstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// The programmes' "you said, we did" (issue 24, item 4), one a round, as
// pkg/dynamo keeps them in the programme's REFLECTIONS partition.

func reflectionItem(programme string, round int) string {
	return fmt.Sprintf("PROG#%s#REFLECTIONS\x00R#%02d", programme, round)
}

// StartReflection records a round's reflection unless one is recorded, and
// returns the one stored.
func (st *Store) StartReflection(ctx context.Context, r grants.Reflection) (*grants.Reflection, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.reflections == nil {
		st.reflections = map[string]grants.Reflection{}
	}
	k := reflectionItem(r.Programme, r.Round)
	if _, ok := st.reflections[k]; !ok {
		st.reflections[k] = clone(r)
	}
	out := clone(st.reflections[k])
	return &out, nil
}

// FinishReflection stores the reflection queued with the request's answer,
// in one transaction; idempotency.ErrAnswered if it was finished first.
func (st *Store) FinishReflection(ctx context.Context, r grants.Reflection, answer *idempotency.Answer, now time.Time) error {
	if err := live(ctx); err != nil {
		return err
	}
	k := reflectionItem(r.Programme, r.Round)
	ops := []op{{item: k,
		cond: func() bool {
			stored, ok := st.reflections[k]
			return ok && stored.Status == grants.ReflectionQueueing && stored.Request == r.Request
		},
		apply: func() { st.reflections[k] = clone(r) }}}
	if answer != nil {
		ops = append(ops, st.answerOp(*answer, now))
	}
	st.mu.Lock()
	failed, err := st.commit(ops)
	st.mu.Unlock()
	if err != nil {
		return fmt.Errorf("finish reflection %d of %s: %w", r.Round, r.Programme, err)
	}
	if len(failed) > 0 {
		return idempotency.ErrAnswered
	}
	return nil
}

// Reflection reads a programme's reflection of a round.
func (st *Store) Reflection(ctx context.Context, programme string, round int) (*grants.Reflection, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.reflections[reflectionItem(programme, round)]
	if !ok {
		return nil, &grants.Error{Code: grants.NotFound, Message: "There is no such \"you said, we did\".", Reason: "reflection_not_found"}
	}
	out := clone(r)
	return &out, nil
}

// Reflections reads a programme's reflections, by round.
func (st *Store) Reflections(ctx context.Context, programme string) ([]grants.Reflection, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []grants.Reflection{}
	for _, r := range st.reflections {
		if r.Programme == programme {
			out = append(out, clone(r))
		}
	}
	slices.SortFunc(out, func(a, b grants.Reflection) int { return a.Round - b.Round })
	return out, nil
}

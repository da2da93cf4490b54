package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

func replySK(n int, messageID string) string { return fmt.Sprintf("R#%02d#%s", n, messageID) }

// replyOp stores a reply, once per SES message.
func (st *Store) replyOp(r grants.Reply) op {
	r = clone(r)
	sk := replySK(r.CheckIn, r.MessageID)
	return op{
		item: "AGR#" + r.AgreementID + "\x00" + sk,
		cond: func() bool { _, ok := st.replies[r.AgreementID][sk]; return !ok },
		apply: func() {
			if st.replies[r.AgreementID] == nil {
				st.replies[r.AgreementID] = map[string]grants.Reply{}
			}
			st.replies[r.AgreementID][sk] = r
		},
	}
}

// Replies lists the replies to check-in n (every check-in's when n is 0),
// by check-in and oldest first.
func (st *Store) Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	prefix := "R#"
	if n > 0 {
		prefix = fmt.Sprintf("R#%02d#", n)
	}
	st.mu.Lock()
	var items []keyed[grants.Reply]
	for sk, r := range st.replies[agreementID] {
		if strings.HasPrefix(sk, prefix) {
			items = append(items, keyed[grants.Reply]{sk, clone(r)})
		}
	}
	st.mu.Unlock()
	sortKeyed(items)
	out := make([]grants.Reply, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out, nil
}

// heldOp holds a message, once per SES message.
func (st *Store) heldOp(q grants.Quarantined) op {
	q = clone(q)
	return op{
		item:  "QUARANTINE\x00Q#" + q.ID,
		cond:  func() bool { _, ok := st.held[q.ID]; return !ok },
		apply: func() { st.held[q.ID] = q },
	}
}

// decisionOp settles a held message; it fails if someone settled it first
// (or there is no such message).
func (st *Store) decisionOp(d grants.Decision, now time.Time) op {
	return op{
		item: "QUARANTINE\x00Q#" + d.MessageID,
		cond: func() bool { q, ok := st.held[d.MessageID]; return ok && q.Status == grants.QuarantinePending },
		apply: func() {
			q := st.held[d.MessageID]
			q.Status, q.ResolvedBy, q.ResolvedAt, q.Note = d.Status, d.Actor, now.UTC().Round(0), d.Note
			st.held[d.MessageID] = q
		},
	}
}

// ListQuarantine lists held messages of a status (pending by default),
// every programme's, in message ID order.
func (st *Store) ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error) {
	return st.listHeld(ctx, status, func(grants.Quarantined) bool { return true })
}

// ListQuarantineOf lists one programme's held messages of a status
// (pending by default), in message ID order; programme "" lists those
// naming no programme.
func (st *Store) ListQuarantineOf(ctx context.Context, programme, status string) ([]grants.Quarantined, error) {
	return st.listHeld(ctx, status, func(q grants.Quarantined) bool { return q.Programme == programme })
}

func (st *Store) listHeld(ctx context.Context, status string, keep func(grants.Quarantined) bool) ([]grants.Quarantined, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	if status == "" {
		status = grants.QuarantinePending
	}
	st.mu.Lock()
	var list []grants.Quarantined
	for _, q := range st.held {
		if q.Status == status && keep(q) {
			list = append(list, clone(q))
		}
	}
	st.mu.Unlock()
	slices.SortFunc(list, func(x, y grants.Quarantined) int { return strings.Compare(x.ID, y.ID) })
	return list, nil
}

// GetQuarantined reads one held message.
func (st *Store) GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	q, ok := st.held[id]
	st.mu.Unlock()
	if !ok {
		return nil, &grants.Error{Code: grants.NotFound, Message: "No quarantined message " + id + ".", Reason: "quarantine_not_found"}
	}
	q = clone(q)
	return &q, nil
}

// HeldCounts counts the messages pending in quarantine by programme (""
// for those naming none).
func (st *Store) HeldCounts(ctx context.Context) (map[string]int, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	counts := map[string]int{}
	for _, q := range st.held {
		if q.Status == grants.QuarantinePending {
			counts[q.Programme]++
		}
	}
	return counts, nil
}

// firstCopyOp records c as the first copy of its email; it fails if
// another copy was first.
func (st *Store) firstCopyOp(c grants.FirstCopy) op {
	c = clone(c)
	return op{
		item:  "EMAIL#" + c.Identity,
		cond:  func() bool { _, ok := st.firstCopy[c.Identity]; return !ok },
		apply: func() { st.firstCopy[c.Identity] = c },
	}
}

// FirstCopyAndSettings reads the first copy stored of the email with this
// identity (nil if none, or no identity) and the named programme's
// settings (nil if no programme).
func (st *Store) FirstCopyAndSettings(ctx context.Context, identity, programme string) (*grants.FirstCopy, *grants.ProgrammeSettings, error) {
	if identity == "" && programme == "" {
		return nil, nil, nil
	}
	if err := live(ctx); err != nil {
		return nil, nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	var first *grants.FirstCopy
	if c, ok := st.firstCopy[identity]; identity != "" && ok {
		c = clone(c)
		c.Identity = identity
		first = &c
	}
	if programme == "" {
		return first, nil, nil
	}
	settings := clone(st.settings[programme])
	return first, &settings, nil
}

// ProgrammeSettings reads a programme's settings (zero if it has none).
func (st *Store) ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error) {
	if err := live(ctx); err != nil {
		return grants.ProgrammeSettings{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return clone(st.settings[programme]), nil
}

// PutProgrammeSettings stores a programme's settings.
func (st *Store) PutProgrammeSettings(ctx context.Context, programme string, p grants.ProgrammeSettings) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.settings[programme] = clone(p)
	return nil
}

// SettingsAndAnswer reads a programme's settings and, when req is given,
// the stored answer to it, in one call.
func (st *Store) SettingsAndAnswer(ctx context.Context, programme string, req *idempotency.Request, now time.Time) (grants.ProgrammeSettings, *idempotency.Response, error) {
	if err := live(ctx); err != nil {
		return grants.ProgrammeSettings{}, nil, err
	}
	st.mu.Lock()
	p := clone(st.settings[programme])
	var rec *answerRec
	if req != nil {
		rec = st.storedAnswer(*req)
	}
	st.mu.Unlock()
	if req == nil {
		return p, nil, nil
	}
	answer, err := answerOf(rec, *req, now)
	return p, answer, err
}

// autoMailDay is one day's limits on automatic emails: the count taken
// (counted once the first is) and the email each sender's place went to.
type autoMailDay struct {
	counted bool
	count   int
	senders map[string]string // grants.AddressKey → the email's key
}

// TakeAutoMail takes m's place in its day's limits: with a Sender, the
// sender's one email of the day (unless another email has it), then one
// of the day's Cap. It returns why not when there is no place. A retry of
// the same email (m.Key) takes its sender's place again, and counts again.
func (st *Store) TakeAutoMail(ctx context.Context, m grants.AutoMail) (grants.Withheld, error) {
	if err := live(ctx); err != nil {
		return "", err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	day := st.autoMail[m.Day]
	if day == nil {
		day = &autoMailDay{senders: map[string]string{}}
		st.autoMail[m.Day] = day
	}
	if m.Sender != "" {
		k := grants.AddressKey(m.Sender)
		if key, taken := day.senders[k]; taken && key != m.Key {
			return grants.WithheldSender, nil
		}
		day.senders[k] = m.Key
	}
	// As pkg/dynamo's condition reads: the day's first always counts.
	if day.counted && day.count >= m.Cap {
		return grants.WithheldDailyCap, nil
	}
	day.counted = true
	day.count++
	return "", nil
}

// EndSessions records that the sessions of the person actorID names issued
// up to at (whole seconds) are over. The later of two sign-outs stands.
func (st *Store) EndSessions(ctx context.Context, actorID string, at time.Time) error {
	if err := live(ctx); err != nil {
		return err
	}
	at = at.UTC().Truncate(time.Second).Round(0)
	st.mu.Lock()
	defer st.mu.Unlock()
	if ended, ok := st.signOuts[actorID]; !ok || ended.Before(at) {
		st.signOuts[actorID] = at
	}
	return nil
}

// SessionsEnded is the instant up to which the sessions of the person
// actorID names are over, or the zero time.
func (st *Store) SessionsEnded(ctx context.Context, actorID string) (time.Time, error) {
	if err := live(ctx); err != nil {
		return time.Time{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.signOuts[actorID], nil
}

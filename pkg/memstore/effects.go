package memstore

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// outboxRec is an outbox entry with its claim, if any.
type outboxRec struct {
	e        outbox.Entry
	hasToken bool
	token    string
	until    int64 // the claim's end, Unix milliseconds
}

func effectCount(fx grants.Effects) int {
	n := len(fx.Audit) + len(fx.Outbox) + len(fx.Sent) + len(fx.Replies) + len(fx.Held) + len(fx.FirstCopies) + len(fx.Decisions)
	if fx.Answer != nil {
		n++
	}
	n += len(fx.Confidential) + len(fx.ConfidentialSenders)              // confidential.go
	return n + partnerLinkCount(fx.PartnerLinks) + len(fx.FeedbackMarks) // partners.go, feedbackmark.go
}

// effectOps turns a change's effects into transaction ops, each with
// pkg/dynamo's condition, the answer last.
func (st *Store) effectOps(partition string, fx grants.Effects) []op {
	at := fx.At
	if at.IsZero() {
		at = time.Now()
	}
	var ops []op
	for i, e := range fx.Audit {
		sk := fmt.Sprintf("H#%s#%02d#%s", e.At.UTC().Format("2006-01-02T15:04:05.000000000Z"), i, randomSuffix())
		e := clone(e)
		ops = append(ops, op{item: "AGR#" + partition + "\x00" + sk, apply: func() {
			h := append(st.history[partition], historyRec{sk, e})
			slices.SortFunc(h, func(x, y historyRec) int { return strings.Compare(x.sk, y.sk) })
			st.history[partition] = h
		}})
	}
	for _, key := range fx.Outbox {
		ops = append(ops, st.enqueueOp(partition, key.String(), at, fx.ClaimedBy))
	}
	for _, sent := range fx.Sent {
		p := partition
		if sent.Partition != "" {
			p = sent.Partition
		}
		ops = append(ops, st.sentOp(p, sent, at))
	}
	for _, r := range fx.Replies {
		ops = append(ops, st.replyOp(r))
	}
	for _, q := range fx.Held {
		ops = append(ops, st.heldOp(q))
	}
	for _, c := range fx.FirstCopies {
		ops = append(ops, st.firstCopyOp(c))
	}
	for _, d := range fx.Decisions {
		ops = append(ops, st.decisionOp(d, at))
	}
	ops = append(ops, st.partnerLinkOps(fx.PartnerLinks)...) // partners.go
	ops = append(ops, st.confidentialOps(fx)...)             // confidential.go
	for _, w := range fx.Enquiries {
		ops = append(ops, st.enquiryOp(w)) // enquiries.go
	}
	for _, m := range fx.FeedbackMarks {
		ops = append(ops, st.feedbackMarkOp(m)) // feedbackmark.go
	}
	if fx.Answer != nil {
		ops = append(ops, st.answerOp(*fx.Answer, at))
	}
	return ops
}

func randomSuffix() string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))[:6]
}

// Apply writes effects that change no agreement in one transaction; a
// failed condition (a claim lost, a message settled first) is a Conflict.
func (st *Store) Apply(ctx context.Context, agreementID string, fx grants.Effects) error {
	if err := live(ctx); err != nil {
		return err
	}
	ops := st.effectOps(agreementID, fx)
	if len(ops) == 0 {
		return nil
	}
	st.mu.Lock()
	failed, err := st.commit(ops)
	st.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write effects for %s: %w", agreementID, err)
	}
	if len(failed) > 0 {
		return errConflict()
	}
	return nil
}

func outboxItem(partition, key string) string { return "AGR#" + partition + "\x00O#" + key }

func (st *Store) outboxOf(partition, key string) *outboxRec {
	return st.outbox[partition][key]
}

func (st *Store) putOutbox(partition, key string, rec *outboxRec) {
	if st.outbox[partition] == nil {
		st.outbox[partition] = map[string]*outboxRec{}
	}
	st.outbox[partition][key] = rec
}

// enqueueOp adds a pending side effect; it fails if the key is there.
func (st *Store) enqueueOp(partition, key string, now time.Time, claim *grants.Claim) op {
	rec := &outboxRec{e: outbox.Entry{AgreementID: partition, Key: key, Status: outbox.StatusPending, CreatedAt: now.UTC()}}
	if claim != nil {
		rec.e.Status, rec.e.Attempts = outbox.StatusClaimed, 1
		rec.hasToken, rec.token, rec.until = true, claim.Token, claim.Until.UnixMilli()
	}
	rec.e = clone(rec.e)
	return op{
		item:  outboxItem(partition, key),
		cond:  func() bool { return st.outboxOf(partition, key) == nil },
		apply: func() { st.putOutbox(partition, key, rec) },
	}
}

// sentOp records a claimed side effect as done; it fails if the claim was lost.
func (st *Store) sentOp(partition string, sent grants.Sent, now time.Time) op {
	return op{
		item: outboxItem(partition, sent.Key),
		cond: func() bool {
			rec := st.outboxOf(partition, sent.Key)
			return rec != nil && rec.hasToken && rec.token == sent.Token
		},
		apply: func() {
			rec := st.outboxOf(partition, sent.Key)
			rec.e.Status, rec.e.MessageID, rec.e.DoneAt, rec.e.LastError = outbox.StatusDone, sent.MessageID, now.UTC().Round(0), ""
			rec.hasToken, rec.token, rec.until = false, "", 0
		},
	}
}

// Claim takes the side effect for this caller until now+lease: it creates
// the entry if there is none, or takes a pending one or one whose lease ran
// out. It reports false when the effect is done or someone else holds it.
func (st *Store) Claim(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (bool, error) {
	if err := live(ctx); err != nil {
		return false, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.outboxOf(agreementID, key)
	nowms := now.UnixMilli()
	if rec != nil && rec.e.Status != outbox.StatusPending && !(rec.e.Status == outbox.StatusClaimed && rec.until < nowms) {
		return false, nil
	}
	if rec == nil {
		rec = &outboxRec{e: outbox.Entry{CreatedAt: now.UTC().Round(0)}}
		st.putOutbox(agreementID, key, rec)
	}
	rec.e.AgreementID, rec.e.Key, rec.e.Status = agreementID, key, outbox.StatusClaimed
	rec.e.Attempts++
	rec.hasToken, rec.token, rec.until = true, token, now.Add(lease).UnixMilli()
	return true, nil
}

// Release gives a claimed side effect back (the send failed), so a retry
// or the sweep can take it. A claim no longer held is left alone.
func (st *Store) Release(ctx context.Context, agreementID, key, token string, cause error) error {
	if err := live(ctx); err != nil {
		return err
	}
	msg := "unknown"
	if cause != nil {
		msg = cause.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.outboxOf(agreementID, key)
	if rec == nil || !rec.hasToken || rec.token != token {
		return nil
	}
	rec.e.Status, rec.e.LastError = outbox.StatusPending, msg
	rec.hasToken, rec.token, rec.until = false, "", 0
	return nil
}

// Outbox reads one outbox entry, or nil.
func (st *Store) Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	rec := st.outboxOf(agreementID, key)
	if rec == nil {
		return nil, nil
	}
	e := clone(rec.e)
	return &e, nil
}

// ClaimOnce claims a one-time side effect like Claim, and also says
// whether it is already done (as opposed to held by another attempt).
func (st *Store) ClaimOnce(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (claimed, done bool, err error) {
	claimed, err = st.Claim(ctx, agreementID, key, token, now, lease)
	if err != nil || claimed {
		return claimed, false, err
	}
	e, err := st.Outbox(ctx, agreementID, key)
	if err != nil {
		return false, false, err
	}
	return false, e != nil && e.Status == outbox.StatusDone, nil
}

// StoredMessages lists the SES message IDs whose processing is done: the
// done once-only records ("msg#<id>") of the inbound partition.
func (st *Store) StoredMessages(ctx context.Context, inboundPartition string) (map[string]bool, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	done := map[string]bool{}
	for key, rec := range st.outbox[inboundPartition] {
		if id, ok := strings.CutPrefix(key, "msg#"); ok && rec.e.Status == outbox.StatusDone {
			done[id] = true
		}
	}
	return done, nil
}

// DueWork lists the work due on or before today in the next-action
// index's order (date, then agreement, kind and number): instalments and
// check-ins whose last write gave them a next action, and outbox entries
// not yet done (due at once).
func (st *Store) DueWork(ctx context.Context, today grants.Date) ([]grants.Work, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	upto := today.String() + "#~"
	var keys []string
	st.mu.Lock()
	for _, rec := range st.agreements {
		for _, in := range rec.ins {
			if in.next != "" && in.next <= upto {
				keys = append(keys, in.next)
			}
		}
		for _, c := range rec.cis {
			if c.next != "" && c.next <= upto {
				keys = append(keys, c.next)
			}
		}
	}
	for partition, entries := range st.outbox {
		for key, rec := range entries {
			if rec.e.Status != outbox.StatusDone {
				keys = append(keys, fmt.Sprintf("%s#%s#%s#%s", grants.Immediately, partition, workKeys[grants.WorkOutbox], key))
			}
		}
	}
	st.mu.Unlock()
	slices.Sort(keys)
	work := make([]grants.Work, 0, len(keys))
	for _, k := range keys {
		if w, ok := parseWork(k); ok {
			work = append(work, w)
		}
	}
	return work, nil
}

// parseWork reads a next-action sort key, as pkg/dynamo does.
func parseWork(key string) (grants.Work, bool) {
	parts := strings.SplitN(key, "#", 4)
	if len(parts) != 4 {
		return grants.Work{}, false
	}
	d, err := grants.ParseDate(parts[0])
	if err != nil && parts[0] != grants.Immediately.String() {
		return grants.Work{}, false
	}
	if err != nil {
		d = grants.Immediately
	}
	var w grants.Work
	for kind, k := range workKeys {
		if k == parts[2] {
			w.Kind = kind
		}
	}
	if w.Kind == "" {
		return grants.Work{}, false
	}
	w.On, w.AgreementID = d, parts[1]
	if w.Kind == grants.WorkOutbox {
		w.Key = parts[3]
	} else {
		w.Number, err = strconv.Atoi(parts[3])
		if err != nil {
			return grants.Work{}, false
		}
	}
	return w, true
}

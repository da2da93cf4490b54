package service

// "You said, we did" (issue 24, item 4): an officer writes, once a round,
// what partners said and what the programme did (drafted from the themes
// and their actions, themes.go), and it goes to every active agreement's
// lead contact, once each: one outbox key per agreement and round
// (outbox.ReflectionKey), sent by the courier at the programme's send time
// (the sweep waits for it). Partners' answers, to its message+ address,
// are kept as messages on their agreements (AcceptMessage), never as
// check-ins' replies.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
	token "github.com/partnership-grants/backend/pkg/replytoken"
)

// ReflectionStore keeps a programme's reflections, one a round, and queues
// their emails in the agreements' outboxes.
type ReflectionStore interface {
	SettingsReader
	EffectWriter
	answerReader
	Themes(ctx context.Context, programme string) ([]grants.ThemeTag, []grants.ThemeAction, error)
	ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error)
	// StartReflection records a round's reflection unless one is recorded,
	// and returns the one stored.
	StartReflection(ctx context.Context, r grants.Reflection) (*grants.Reflection, error)
	// FinishReflection stores the reflection queued with the request's
	// answer; idempotency.ErrAnswered if it was finished first.
	FinishReflection(ctx context.Context, r grants.Reflection, answer *idempotency.Answer, now time.Time) error
	// Reflection reads a round's (NotFound if none); Reflections all a
	// programme's, by round.
	Reflection(ctx context.Context, programme string, round int) (*grants.Reflection, error)
	Reflections(ctx context.Context, programme string) ([]grants.Reflection, error)
}

// Reflections are the "you said, we did" use cases, for the programme role.
type Reflections struct {
	store ReflectionStore
	env   Env
}

// NewReflections builds them.
func NewReflections(store ReflectionStore, env Env) *Reflections {
	return &Reflections{store: store, env: env}
}

// ReflectionInput is what an officer sends: the round and the words.
type ReflectionInput struct {
	Round   int    `json:"round"`
	Message string `json:"message"`
}

// reflectionRequest names the request that makes a reflection, from its
// idempotency key (not its body: a retry with the same key and another body
// is refused by the idempotency check).
func reflectionRequest(r idempotency.Request) string {
	h := sha256.Sum256([]byte(r.Scope + "\x00" + r.Caller + "\x00" + r.Key))
	return hex.EncodeToString(h[:10])
}

// Reflect records a programme's "you said, we did" for a round and queues
// one email to each active agreement's lead contact, sent at the send
// time. once is required. A second request for a round is refused
// (grants.ReflectionTaken); a retry of the one that made it gets its
// answer, or finishes the queueing it left halfway. Each agreement's email
// is one outbox key, so concurrent or repeated requests queue it once.
func (x *Reflections) Reflect(ctx context.Context, actor, programme string, in ReflectionInput, once *idempotency.Once[*grants.Reflection]) (*grants.Reflection, *idempotency.Response, error) {
	now := x.env.Now()
	r, err := grants.NewReflection(programme, in.Round, in.Message, now, actor)
	if err != nil {
		return nil, nil, err
	}
	if once == nil {
		return nil, nil, errors.New("reflect: an idempotent request is required")
	}
	if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
		return nil, replay, err
	}
	r.Request = reflectionRequest(once.Request)
	stored, err := x.store.StartReflection(ctx, r)
	switch {
	case err != nil:
		return nil, nil, err
	case stored.Request != r.Request:
		return nil, nil, grants.ReflectionTaken(*stored)
	case stored.Message != r.Message:
		return nil, nil, idempotency.ErrPayloadMismatch
	case stored.Status == grants.ReflectionQueued:
		if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
			return nil, replay, err
		}
		return stored, nil, nil
	}
	r = *stored
	n, err := x.queue(ctx, r, now)
	if err != nil {
		return nil, nil, err
	}
	r.Status, r.Agreements = grants.ReflectionQueued, n
	answer, err := once.Answer(&r)
	if err != nil {
		return nil, nil, err
	}
	if err := x.store.FinishReflection(ctx, r, answer, now); err != nil {
		replay, err := answeredMeanwhile(ctx, x.store, once, err, now)
		return nil, replay, err
	}
	return &r, nil, nil
}

// queue enqueues round r's email in every active agreement's outbox, with a
// line in its history; one queued already (a retry, a concurrent request)
// is left as it is. It returns how many agreements it is queued for.
func (x *Reflections) queue(ctx context.Context, r grants.Reflection, now time.Time) (int, error) {
	n, cursor := 0, ""
	for {
		page, err := x.store.ListAgreements(ctx, r.Programme, grants.AgreementActive, cursor, 100)
		if err != nil {
			return n, err
		}
		for _, a := range page.Items {
			fx := grants.Effects{At: now, Outbox: []outbox.Key{outbox.ReflectionKey(r.Round)},
				Audit: []grants.AuditEntry{{At: now.UTC(), Actor: r.By, Action: "reflection.queued",
					Subject: fmt.Sprintf("round %d", r.Round), Detail: "\"You said, we did\" to the lead contact, at the send time"}}}
			err := x.store.Apply(logs.WithAgreement(ctx, a.ID), a.ID, fx)
			if err != nil && grants.ErrorCode(err) != grants.Conflict {
				return n, err
			}
			n++
		}
		if cursor = page.NextCursor; cursor == "" {
			return n, nil
		}
	}
}

// List reads a programme's reflections, by round.
func (x *Reflections) List(ctx context.Context, programme string) ([]grants.Reflection, error) {
	return x.store.Reflections(ctx, programme)
}

// ReflectionDraft is what the page starts from: the next round, words
// drafted from the themes and their actions, whom it goes to, and the
// rounds already sent.
type ReflectionDraft struct {
	Programme string
	Round     int
	Message   string
	Themes    []grants.Theme
	// To are the active agreements it would go to; Sample is the first,
	// whose email the page previews.
	To     []grants.Agreement
	Sample *grants.Agreement
	Past   []grants.Reflection
	// Settings are the programme's, as emails are written from them.
	Settings grants.ProgrammeSettings
}

// Draft is the reflection the page offers for the next round.
func (x *Reflections) Draft(ctx context.Context, programme string) (ReflectionDraft, error) {
	d := ReflectionDraft{Programme: programme, Round: 1}
	p, err := x.env.settings(ctx, x.store, programme)
	if err != nil {
		return d, err
	}
	d.Settings = p
	tags, actions, err := x.store.Themes(ctx, programme)
	if err != nil {
		return d, err
	}
	d.Themes = grants.GatherThemes(tags, actions)
	d.Message = grants.DraftReflection(p.Name, d.Themes)
	if d.Past, err = x.store.Reflections(ctx, programme); err != nil {
		return d, err
	}
	for _, r := range d.Past {
		d.Round = max(d.Round, r.Round+1)
	}
	cursor := ""
	for {
		page, err := x.store.ListAgreements(ctx, programme, grants.AgreementActive, cursor, 100)
		if err != nil {
			return d, err
		}
		d.To = append(d.To, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(d.To) > 0 {
		d.Sample = &d.To[0]
	}
	return d, nil
}

// PreviewLetter is the letter the courier would send a's lead contact for
// r: what the page shows as the partner will get it (its reply address
// stands in: only the sending functions sign them).
func PreviewLetter(a *grants.Agreement, p grants.ProgrammeSettings, r grants.Reflection, replyDomain string) Letter {
	return Letter{Kind: outbox.KindReflection, Agreement: a, Programme: p.Name, Owner: p.OwnerOf(a), To: leadContact(a),
		ReplyTo: token.ForMessage.Prefix() + "…@" + replyDomain, Reflection: r, SenderName: p.SenderName}
}

// reflectionLetter fills in l, the email of a's round k.Round reflection:
// to the lead contact of an agreement still active (none otherwise: it is
// recorded as skipped), answered at its message+ address.
func (c *Courier) reflectionLetter(ctx context.Context, l *Letter, a *grants.Agreement, k outbox.Key) error {
	r, err := c.store.Reflection(ctx, a.Programme, k.Round)
	if err != nil {
		return err
	}
	l.Reflection = *r
	if l.To = leadContact(a); a.Status != grants.AgreementActive {
		l.To = nil
	}
	l.ReplyTo, err = c.messageReplyTo(a, k)
	return err
}

// messageReplyTo is the agreement's signed message+ address, which the
// emails a partner may answer with a message of their own carry ("you said,
// we did", an officer's message): their answer is kept on the agreement
// (AcceptMessage). Only a courier that signs every kind of address has it.
func (c *Courier) messageReplyTo(a *grants.Agreement, k outbox.Key) (string, error) {
	signer, ok := c.replies.(kindAddresses)
	if !ok {
		return "", fmt.Errorf("%s: %w", k, errNoReplyAddresses)
	}
	return signer.AddressFor(token.ForMessage, a.ID, 0, c.opts.ReplyDomain)
}

// leadContact is whom "you said, we did" goes to: the partner's lead
// contact (the role "lead", else the first contact) and nobody else; none
// when mail does not reach them (the email is then recorded as skipped).
func leadContact(a *grants.Agreement) []string {
	if len(a.Contacts) == 0 {
		return nil
	}
	lead := a.Contacts[0]
	for _, c := range a.Contacts {
		if strings.EqualFold(c.Role, "lead") {
			lead = c
			break
		}
	}
	for _, c := range a.DeliverableContacts() {
		if c.Email != "" && strings.EqualFold(c.Email, lead.Email) {
			return []string{c.Email}
		}
	}
	return nil
}

// AcceptMessage keeps a partner's answer to a message from the programme
// ("you said, we did", an officer's own message; at its message+ address) as a message on their
// agreement, in one write with what else records it (with: the delivery's
// once-only record, or a held message's decision). It is no check-in's
// reply: the check-ins, lateness and payments stay as they are, and the
// agreement itself is not written (its version does not move).
func (x *Replies) AcceptMessage(ctx context.Context, r grants.Reply, actor string, with grants.Effects, _ Read) error {
	ctx = logs.WithAgreement(ctx, r.AgreementID)
	if with.At.IsZero() {
		with.At = x.env.Now()
	}
	r.CheckIn, r.AnswersMessage = 0, true
	fx := with
	fx.Replies = append(append([]grants.Reply{}, with.Replies...), r)
	fx.Audit = append([]grants.AuditEntry{{At: with.At.UTC(), Actor: actor, Action: "message.received",
		Subject: "message", Detail: fmt.Sprintf("A reply to a message from the programme (SES message %s)", r.MessageID)}}, with.Audit...)
	err := x.store.Apply(ctx, r.AgreementID, fx)
	if grants.ErrorCode(err) != grants.Conflict {
		return err
	}
	// Kept already (another delivery of it): only with is written.
	kept, rerr := x.store.Replies(ctx, r.AgreementID, 0)
	if rerr != nil || !slices.ContainsFunc(kept, func(k grants.Reply) bool { return k.MessageID == r.MessageID && k.CheckIn == 0 }) {
		return err
	}
	return x.store.Apply(ctx, r.AgreementID, with)
}

// Messages are the partner's messages on an agreement (replies to the
// programme's messages, not to check-ins), oldest first, as actor may read
// them: their words are feedback, the programme role's only.
func (x *Replies) Messages(ctx context.Context, actor grants.Actor, id string) ([]grants.Reply, error) {
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := x.store.Replies(ctx, a.ID, 0)
	if err != nil {
		return nil, err
	}
	out := []grants.Reply{}
	for _, r := range all {
		if r.AnswersMessage {
			out = append(out, r.ReadBy(actor))
		}
	}
	return out, nil
}

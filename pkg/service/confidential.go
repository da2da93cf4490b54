package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	token "github.com/partnership-grants/backend/pkg/replytoken"
)

// Confidential feedback (issue 24, item 2): each check-in email and its
// reminders offer, besides the reply address, a feedback+ address for
// feedback about the funder only. What arrives there is stored without its
// sender in what staff read (grants.ConfidentialFeedback), and where it
// came from apart (grants.ConfidentialSender), which nothing here reads.
// Nobody is told of it by email (an acknowledgement or a notice would sit
// in the agreement's outbox and history, beside the partner's name), and
// nothing logged about it names the agreement.

// ConfidentialReader reads a programme's confidential feedback.
type ConfidentialReader interface {
	ConfidentialFeedback(ctx context.Context, programme string) ([]grants.ConfidentialFeedback, error)
}

// kindAddresses signs addresses of every kind (the *token.Signer): only
// the couriers that hold the reply-token key (the sweep's, the check-in
// sender's) have it; with it, a check-in offers the confidential address,
// and reflections and stories can be answered.
type kindAddresses interface {
	AddressFor(k token.Kind, agreementID string, n int, domain string) (string, error)
}

// feedbackAddress is the confidential feedback address offered with
// check-in n of agreement id ("" when c signs no such addresses).
func (c *Courier) feedbackAddress(id string, n int) (string, error) {
	k, ok := c.replies.(kindAddresses)
	if !ok {
		return "", nil
	}
	return k.AddressFor(token.ForFeedback, id, n, c.opts.ReplyDomain)
}

// ConfidentialMessage is what reached a confidential feedback address, as
// pkg/reply/receive read it: never who sent it.
type ConfidentialMessage struct {
	MessageID string // SES's
	// AgreementID is the token's agreement ("" when it did not verify):
	// kept in the sender's record only.
	AgreementID string
	ReceivedAt  time.Time
	// Round is the check-in the address was offered with.
	Round int
	// Words are the message's new text (quotes stripped), cut to
	// grants.MaxReplyText (Cut).
	Words string
	Cut   bool
	// Files is how many files came with it; they are not stored.
	Files int
	// Unverified: the token verified, but the sender was not a contact or
	// its domain did not vouch for it.
	Unverified bool
	// SetAside, when set, is why it is kept but not shown (spam, a virus,
	// unreadable, an automatic reply, a token that did not verify).
	SetAside string
}

// AcceptConfidentialFeedback stores what reached agreement a's confidential
// feedback address in one write with what else records it (with: the
// delivery's once-only record): the feedback as staff read it, under a's
// programme, with no sender, agreement or partner; and where it came from,
// apart, to stop abuse. A message with no agreement (a nil: its token did
// not verify, or names no agreement stored) is only set aside, with no
// programme to show it under.
func (x *Replies) AcceptConfidentialFeedback(ctx context.Context, m ConfidentialMessage, a *grants.Agreement, with grants.Effects) error {
	if m.MessageID == "" {
		return errors.New("confidential feedback without a message id")
	}
	if with.At.IsZero() {
		with.At = x.env.Now()
	}
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = with.At
	}
	id := grants.ConfidentialID(m.MessageID)
	sender := grants.ConfidentialSender{ID: id, AgreementID: m.AgreementID, Round: m.Round, MessageID: m.MessageID, ReceivedAt: m.ReceivedAt.UTC(), Reason: m.SetAside}
	programme := ""
	if a != nil {
		programme, sender.AgreementID = a.Programme, a.ID
		f := grants.ConfidentialFeedback{ID: id, Programme: a.Programme, Round: m.Round, On: grants.Today(m.ReceivedAt, a.Location()),
			Files: m.Files, Unverified: m.Unverified, SetAside: m.SetAside}
		if m.SetAside == "" {
			f.Words, f.Cut = m.Words, m.Cut
		}
		with.Confidential = append(with.Confidential, f)
	} else if sender.Reason == "" {
		sender.Reason = string(grants.QuarantineBadToken)
	}
	with.ConfidentialSenders = append(with.ConfidentialSenders, sender)
	if err := x.store.Apply(ctx, "", with); err != nil {
		return fmt.Errorf("store confidential feedback: %w", err)
	}
	// Logged by programme and round only: never the agreement or sender.
	slog.InfoContext(ctx, "confidential feedback received", "programme", programme, "round", m.Round, "setAside", m.SetAside)
	return nil
}

// withConfidential puts the programme's confidential feedback in f's
// rounds (as from "a partner in round N"), and counts those set aside.
func (v Views) withConfidential(ctx context.Context, f *Feedback) error {
	list, err := v.store.ConfidentialFeedback(ctx, f.Programme)
	if err != nil {
		return fmt.Errorf("read confidential feedback: %w", err)
	}
	f.Rounds, f.ConfidentialSetAside = grants.WithConfidential(f.Rounds, list)
	return nil
}

// Feedback is "What partners told us": what partners wrote across a
// programme's agreements, grouped by check-in round (repliesFeedback), with
// what reached its confidential feedback addresses among them as from "a
// partner in round N".
func (v Views) Feedback(ctx context.Context, programme string) (Feedback, error) {
	f, err := v.repliesFeedback(ctx, programme)
	if err != nil {
		return f, err
	}
	return f, v.withConfidential(ctx, &f)
}

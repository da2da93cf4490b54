package service

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// SESEvent is the part of an SES event (published by the configuration set
// to SNS) that matters here. See "Contents of event data that Amazon SES
// publishes to Amazon SNS".
type SESEvent struct {
	EventType string `json:"eventType"`
	Bounce    *struct {
		BounceType        string `json:"bounceType"` // Permanent, Transient, Undetermined
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Mail struct {
		MessageID string              `json:"messageId"`
		Tags      map[string][]string `json:"tags"`
	} `json:"mail"`
}

// ParseSESEvent reads an SES event from an SNS message body.
func ParseSESEvent(message string) (SESEvent, error) {
	var e SESEvent
	if err := json.Unmarshal([]byte(message), &e); err != nil {
		return e, fmt.Errorf("not an SES event: %w", err)
	}
	return e, nil
}

// RecordSESEvent records a hard bounce or a complaint on the contact of the
// agreement the message was about (from the message's tags), so no further
// check-ins go to that address, and tells the programme officer once.
// Transient bounces are left to SES's own retries.
func (x *Automation) RecordSESEvent(ctx context.Context, e SESEvent) error {
	var kind string
	var recipients []string
	switch {
	case e.EventType == "Bounce" && e.Bounce != nil && e.Bounce.BounceType == "Permanent":
		kind = "bounce"
		for _, r := range e.Bounce.BouncedRecipients {
			recipients = append(recipients, r.EmailAddress)
		}
	case e.EventType == "Complaint" && e.Complaint != nil:
		kind = "complaint"
		for _, r := range e.Complaint.ComplainedRecipients {
			recipients = append(recipients, r.EmailAddress)
		}
	default:
		return nil
	}
	ids := e.Mail.Tags["agreement-id"]
	if len(ids) == 0 {
		slog.WarnContext(ctx, "SES event without an agreement tag", "messageId", e.Mail.MessageID, "eventType", e.EventType)
		return nil
	}
	id := ids[0]
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	for _, addr := range recipients {
		key := outbox.BounceKey(addr, kind, e.Mail.MessageID)
		var marked bool
		a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
			entry, changed := a.MarkContactBounced(addr, kind, now)
			marked = changed
			if !changed {
				return grants.Effects{}, grants.ErrNoChange
			}
			entry.Detail += " (SES message " + e.Mail.MessageID + ")"
			return grants.Effects{At: now, Audit: []grants.AuditEntry{entry}, Outbox: []outbox.Key{key}}, nil
		})
		if err != nil {
			return err
		}
		// Only a partner contact's bounce is news: the officer's or finance's
		// own addresses bouncing must not start a loop of notices.
		if !marked {
			continue
		}
		count(ctx, x.metrics, a.Programme, MetricBounces, 1)
		if err := x.Deliver(ctx, id, key.String()); err != nil {
			return err
		}
	}
	return nil
}

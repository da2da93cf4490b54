package service

import (
	"context"
	"errors"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// PartnerReader reads a partner record: creating an agreement from one.
type PartnerReader interface {
	GetPartner(ctx context.Context, id string) (*grants.PartnerRecord, error)
}

// PartnerStore is the storage of partner records (issue 23, "a partner
// across agreements"): each record, its history, and the agreements linked
// to it (linked by grants.Effects.PartnerLinks with an agreement's change).
type PartnerStore interface {
	PartnerReader
	CreatePartner(ctx context.Context, r *grants.PartnerRecord) error
	UpdatePartner(ctx context.Context, id string, expectVersion int, change func(*grants.PartnerRecord) (grants.AuditEntry, error)) (*grants.PartnerRecord, error)
	ListPartners(ctx context.Context, prefix, cursor string, limit int) (grants.Page[grants.PartnerRecord], error)
	PartnerAgreements(ctx context.Context, id string) ([]grants.Agreement, error)
	PartnerHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
	// The agreements, to link those made before partner records.
	AgreementWriter
	ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error)
}

// Partners are the use cases of partner records: listed, read with their
// agreements, added, amended (history kept), and made for agreements from
// before partner records, one at a time as an officer opens one
// (OfAgreement) or a programme's at once (LinkProgramme).
type Partners struct {
	store PartnerStore
	env   Env
}

// NewPartners builds the partner records' use cases.
func NewPartners(store PartnerStore, env Env) *Partners { return &Partners{store: store, env: env} }

// Create adds a partner record from details as given (checked by field). A
// registered partner's record ID comes from its register's identifier
// (grants.PartnerKeyID), so adding one that has a record is a Conflict
// naming it, not a second record.
func (x *Partners) Create(ctx context.Context, actor string, p grants.Partner) (*grants.PartnerRecord, error) {
	p, err := grants.CheckPartner("", p)
	if err != nil {
		return nil, err
	}
	id := grants.PartnerKeyID(p)
	if id == "" {
		id = x.env.NewID()
	}
	r := grants.NewPartnerRecord(id, p, x.env.Now(), actor)
	if err := x.store.CreatePartner(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Partner reads a record with its agreements and history.
func (x *Partners) Partner(ctx context.Context, id string) (*grants.PartnerView, error) {
	r, err := x.store.GetPartner(ctx, id)
	if err != nil {
		return nil, err
	}
	as, err := x.store.PartnerAgreements(ctx, id)
	if err != nil {
		return nil, err
	}
	h, err := x.store.PartnerHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &grants.PartnerView{PartnerRecord: *r, Agreements: make([]grants.PartnerAgreement, 0, len(as)), History: h}
	for _, a := range as {
		v.Agreements = append(v.Agreements, grants.PartnerAgreementOf(a))
	}
	if v.History == nil {
		v.History = []grants.AuditEntry{}
	}
	return v, nil
}

// List lists partner records by name; with q, those whose name starts with it.
func (x *Partners) List(ctx context.Context, q, cursor string, limit int) (grants.Page[grants.PartnerRecord], error) {
	return x.store.ListPartners(ctx, strings.TrimSpace(q), cursor, limit)
}

// Amend changes a record's name, type, number or address at version (the
// caller's If-Match; 0: as it stands), keeping what changed in its
// history. Its agreements keep the partner as they were made with it.
func (x *Partners) Amend(ctx context.Context, actor, id string, version int, m grants.PartnerAmendment) (*grants.PartnerRecord, error) {
	now := x.env.Now()
	r, err := x.store.UpdatePartner(ctx, id, version, func(r *grants.PartnerRecord) (grants.AuditEntry, error) {
		return r.Amend(m, now, actor)
	})
	if errors.Is(err, grants.ErrNoChange) {
		return x.store.GetPartner(ctx, id)
	}
	return r, err
}

// OfAgreement is the partner record of an agreement, made and linked now
// for an agreement from before partner records (the lazy way: an officer
// opening it, or starting a new agreement from it). The record is the one
// its registered number names if there is one (grants.PartnerKeyID), else
// a new one with the agreement's partner as it was stored, made in the same
// write as the link.
func (x *Partners) OfAgreement(ctx context.Context, actor, agreementID string) (*grants.PartnerRecord, error) {
	a, err := x.store.GetAgreement(ctx, agreementID)
	if err != nil {
		return nil, err
	}
	if a.PartnerID != "" {
		return x.store.GetPartner(ctx, a.PartnerID)
	}
	now := x.env.Now()
	link, rec, err := x.linkFor(ctx, a.Partner, actor)
	if err != nil {
		return nil, err
	}
	_, err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := a.LinkPartner(*rec, now, actor)
		if err != nil {
			return grants.Effects{}, err
		}
		l := link
		l.AgreementID, l.CreatedAt = a.ID, a.CreatedAt
		return grants.Effects{At: now, Audit: []grants.AuditEntry{e}, PartnerLinks: []grants.PartnerLink{l}}, nil
	})
	if errors.Is(err, grants.ErrNoChange) {
		return x.OfAgreement(ctx, actor, agreementID) // linked meanwhile
	}
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// linkFor is the link to make for partner p: to its registered record if
// one is stored, else with a new record (New) for it.
func (x *Partners) linkFor(ctx context.Context, p grants.Partner, actor string) (grants.PartnerLink, *grants.PartnerRecord, error) {
	return partnerLinkFor(ctx, x.store, x.env, p, actor)
}

func partnerLinkFor(ctx context.Context, r PartnerReader, env Env, p grants.Partner, actor string) (grants.PartnerLink, *grants.PartnerRecord, error) {
	id := grants.PartnerKeyID(p)
	if id != "" {
		rec, err := r.GetPartner(ctx, id)
		if err == nil {
			return grants.PartnerLink{PartnerID: id}, rec, nil
		}
		if grants.ErrorCode(err) != grants.NotFound {
			return grants.PartnerLink{}, nil, err
		}
	} else {
		id = env.NewID()
	}
	rec := grants.NewPartnerRecord(id, p, env.Now(), actor)
	return grants.PartnerLink{PartnerID: id, New: rec}, rec, nil
}

// LinkProgramme links every agreement of a programme made before partner
// records to its record (the back-fill, for an officer who wants the
// partners' pages whole at once rather than as agreements are opened). It
// is safe to run again, and alongside officers: an agreement linked
// already is passed over. It returns how many it linked.
func (x *Partners) LinkProgramme(ctx context.Context, actor, programme string) (int, error) {
	linked, cursor := 0, ""
	for {
		page, err := x.store.ListAgreements(ctx, programme, "", cursor, 100)
		if err != nil {
			return linked, err
		}
		for _, a := range page.Items {
			if a.PartnerID != "" {
				continue
			}
			if _, err := x.OfAgreement(ctx, actor, a.ID); err != nil {
				return linked, err
			}
			linked++
		}
		if cursor = page.NextCursor; cursor == "" {
			return linked, nil
		}
	}
}

// agreementPartner decides the partner of a new agreement: the record
// in.PartnerID names (its details become the agreement's partner), or the
// partner given, linked to its registered record or to a new one made
// with the agreement. A partner given that is not valid is left for
// grants.NewAgreement to report with the rest.
func agreementPartner(ctx context.Context, r PartnerReader, env Env, in *grants.NewAgreementInput, actor string) (*grants.PartnerLink, error) {
	if in.PartnerID != "" {
		if in.Partner != (grants.Partner{}) {
			return nil, grants.Validation([]grants.FieldError{{Field: "partnerId", Reason: "give partnerId or partner, not both"}})
		}
		rec, err := r.GetPartner(ctx, in.PartnerID)
		if grants.ErrorCode(err) == grants.NotFound {
			return nil, grants.Validation([]grants.FieldError{{Field: "partnerId", Reason: "is not a partner record: pick one from GET /partners"}})
		}
		if err != nil {
			return nil, err
		}
		in.Partner = rec.Partner
		return &grants.PartnerLink{PartnerID: rec.ID}, nil
	}
	p, err := grants.CheckPartner("partner", in.Partner)
	if err != nil {
		return nil, nil
	}
	link, _, err := partnerLinkFor(ctx, r, env, p, actor)
	return &link, err
}

// newPartnerTaken reports whether a create that was to make a registered
// partner's record failed on that record's condition: another creator made
// it first (the stores report an effect's failed condition as
// idempotency.ErrAnswered). Its ID is the register's, so the next attempt
// reads it and links to it; a random ID never meets another.
func newPartnerTaken(link *grants.PartnerLink, err error) bool {
	return link != nil && link.New != nil && grants.PartnerKeyID(link.New.Partner) != "" && errors.Is(err, idempotency.ErrAnswered)
}

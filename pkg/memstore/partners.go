package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// partnerRec is a partner record with its links and history, as pkg/dynamo
// keeps them in the record's partition (pkg/dynamo/partners.go).
type partnerRec struct {
	r       grants.PartnerRecord
	links   map[string]grants.PartnerLink // by sort key "A#<createdAt>#<agreement ID>"
	history []historyRec
}

func partnerLinkKey(l grants.PartnerLink) string {
	return "A#" + l.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + l.AgreementID
}

func partnerListKey(r grants.PartnerRecord) string { return strings.ToLower(r.Name) + "#" + r.ID }

func errPartnerNotFound(id string) error {
	return &grants.Error{Code: grants.NotFound, Message: fmt.Sprintf("Partner %s does not exist.", id), Reason: "partner_not_found"}
}

func partnerCreated(r grants.PartnerRecord) grants.AuditEntry {
	return grants.AuditEntry{At: r.CreatedAt, Actor: r.CreatedBy, Action: "partner.created", Detail: r.Name}
}

// partnerLinkCount counts the items pkg/dynamo writes for links: a new
// record and its first history entry, and the link.
func partnerLinkCount(links []grants.PartnerLink) int {
	n := len(links)
	for _, l := range links {
		if l.New != nil {
			n += 2
		}
	}
	return n
}

// newPartnerOps create a record (only where none has its ID) and its first
// history entry. Called with st.mu held, as ops run.
func (st *Store) newPartnerOps(r grants.PartnerRecord) []op {
	r = clone(r)
	id := r.ID
	return []op{
		{item: "PARTNER#" + id + "\x00P", cond: func() bool { return st.partners[id] == nil }, apply: func() {
			st.partners[id] = &partnerRec{r: r, links: map[string]grants.PartnerLink{}}
		}},
		{item: "PARTNER#" + id + "\x00H#created", apply: func() {
			p := st.partners[id]
			p.history = append(p.history, historyRec{"H#" + r.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#00#" + randomSuffix(), partnerCreated(r)})
		}},
	}
}

func (st *Store) partnerLinkOps(links []grants.PartnerLink) []op {
	var ops []op
	for _, l := range links {
		if l.New != nil {
			ops = append(ops, st.newPartnerOps(*l.New)...)
		}
		l := grants.PartnerLink{PartnerID: l.PartnerID, AgreementID: l.AgreementID, CreatedAt: l.CreatedAt.UTC().Round(0)}
		key := partnerLinkKey(l)
		ops = append(ops, op{item: "PARTNER#" + l.PartnerID + "\x00" + key, apply: func() {
			p := st.partners[l.PartnerID]
			if p == nil {
				// pkg/dynamo writes a link whether or not its record is
				// there; the use cases write links to records they read.
				p = &partnerRec{links: map[string]grants.PartnerLink{}}
				st.partners[l.PartnerID] = p
			}
			p.links[key] = l
		}})
	}
	return ops
}

// CreatePartner stores a new partner record with its first history entry;
// a record with its ID already there is a Conflict (reason partner_exists).
func (st *Store) CreatePartner(ctx context.Context, r *grants.PartnerRecord) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	failed, err := st.commit(st.newPartnerOps(*r))
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return &grants.Error{Code: grants.Conflict, Message: fmt.Sprintf("Partner %s exists already.", r.ID), Reason: "partner_exists"}
	}
	return nil
}

// GetPartner reads a partner record.
func (st *Store) GetPartner(ctx context.Context, id string) (*grants.PartnerRecord, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.partners[id]
	if p == nil || p.r.ID == "" || !validID(id) {
		return nil, errPartnerNotFound(id)
	}
	r := clone(p.r)
	return &r, nil
}

// UpdatePartner applies change to the record and writes it with the
// history entry change returns; with expectVersion > 0 the record must be
// at it (PreconditionFailed if not).
func (st *Store) UpdatePartner(ctx context.Context, id string, expectVersion int, change func(*grants.PartnerRecord) (grants.AuditEntry, error)) (*grants.PartnerRecord, error) {
	for range maxAttempts {
		r, err := st.GetPartner(ctx, id)
		if err != nil {
			return nil, err
		}
		if expectVersion > 0 && r.Version != expectVersion {
			return nil, &grants.Error{Code: grants.PreconditionFailed, Reason: "version_mismatch",
				Message: fmt.Sprintf("Partner %s is at version %d, not %d: someone changed it; reload and try again.", id, r.Version, expectVersion)}
		}
		read := r.Version
		entry, err := change(r)
		if err != nil {
			return nil, err
		}
		next, e := clone(*r), clone(entry)
		st.mu.Lock()
		p := st.partners[id]
		if p != nil && p.r.Version == read {
			p.r = next
			p.history = append(p.history, historyRec{"H#" + e.At.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#00#" + randomSuffix(), e})
			slices.SortFunc(p.history, func(x, y historyRec) int { return strings.Compare(x.sk, y.sk) })
			st.mu.Unlock()
			return r, nil
		}
		st.mu.Unlock()
	}
	return nil, &grants.Error{Code: grants.Conflict, Message: "Someone else changed this partner first; reload and try again.", Reason: "conflict"}
}

// ListPartners lists partner records by name (case aside), optionally
// those whose name starts with prefix.
func (st *Store) ListPartners(ctx context.Context, prefix, cursor string, limit int) (grants.Page[grants.PartnerRecord], error) {
	if err := live(ctx); err != nil {
		return grants.Page[grants.PartnerRecord]{}, err
	}
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	st.mu.Lock()
	var items []keyed[grants.PartnerRecord]
	for _, p := range st.partners {
		if p.r.ID == "" {
			continue
		}
		if k := partnerListKey(p.r); strings.HasPrefix(k, prefix) {
			items = append(items, keyed[grants.PartnerRecord]{k, clone(p.r)})
		}
	}
	st.mu.Unlock()
	sortKeyed(items)
	return page(items, "PARTNERS", cursor, limit)
}

// PartnerAgreements reads the agreements linked to a partner record,
// oldest first, without their plans.
func (st *Store) PartnerAgreements(ctx context.Context, id string) ([]grants.Agreement, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	var out []grants.Agreement
	if p := st.partners[id]; p != nil {
		keys := make([]string, 0, len(p.links))
		for k := range p.links {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if rec := st.agreements[p.links[k].AgreementID]; rec != nil {
				out = append(out, *rec.agreement(false))
			}
		}
	}
	st.mu.Unlock()
	return readable(ctx, out), nil
}

// PartnerHistory reads a partner record's history, oldest first.
func (st *Store) PartnerHistory(ctx context.Context, id string) ([]grants.AuditEntry, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []grants.AuditEntry
	if p := st.partners[id]; p != nil {
		for _, h := range p.history {
			out = append(out, clone(h.e))
		}
	}
	return out, nil
}

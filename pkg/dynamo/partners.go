package dynamo

// Partner records (issue 23, "a partner across agreements"). Keys:
//
//	PARTNER#<id>   P                        the record (ByProgramme: PARTNERS / <name, lower case>#<id>)
//	PARTNER#<id>   A#<createdAt>#<agr id>   an agreement of the partner's, oldest first
//	PARTNER#<id>   H#<time>#<seq>#<r>       the record's history
//
// The record sits in the ByProgramme index under one partition, PARTNERS,
// sorted by name: the list of partners and the search by a name's start
// are one Query, and renaming a partner moves it in the list with no item
// of its own to keep. A partner's agreements are links written with the
// agreement's creation (or its linking) in the same transaction
// (grants.Effects.PartnerLinks); their states are read from the agreements
// themselves (one BatchGetItem), so the page never shows a stale status.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

const (
	typePartner     = "partner"
	typePartnerLink = "partnerlink"
	partnersListPK  = "PARTNERS"
)

func partnerPK(id string) string { return "PARTNER#" + id }

// partnerListSK orders partners by name, case aside, then ID.
func partnerListSK(name, id string) string { return strings.ToLower(name) + "#" + id }

// partnerFileRecord is a stored grants.PartnerRecord. Its partner's type is
// "partnerType": "type" is the item's kind.
type partnerFileRecord struct {
	ID                 string             `dynamodbav:"id"`
	Name               string             `dynamodbav:"name"`
	RegistrationNumber string             `dynamodbav:"registrationNumber"`
	Address            string             `dynamodbav:"address"`
	PartnerType        grants.PartnerType `dynamodbav:"partnerType"`
	Version            int                `dynamodbav:"version"`
	CreatedAt          time.Time          `dynamodbav:"createdAt"`
	CreatedBy          string             `dynamodbav:"createdBy"`
	UpdatedAt          time.Time          `dynamodbav:"updatedAt"`
	UpdatedBy          string             `dynamodbav:"updatedBy"`
}

func partnerFileRecordOf(v grants.PartnerRecord) partnerFileRecord {
	return partnerFileRecord{
		ID:                 v.ID,
		Name:               v.Name,
		RegistrationNumber: v.RegistrationNumber,
		Address:            v.Address,
		PartnerType:        v.Type,
		Version:            v.Version,
		CreatedAt:          v.CreatedAt,
		CreatedBy:          v.CreatedBy,
		UpdatedAt:          v.UpdatedAt,
		UpdatedBy:          v.UpdatedBy,
	}
}

func (r partnerFileRecord) domain() grants.PartnerRecord {
	return grants.PartnerRecord{
		ID:        r.ID,
		Partner:   grants.Partner{Name: r.Name, RegistrationNumber: r.RegistrationNumber, Address: r.Address, Type: r.PartnerType},
		Version:   r.Version,
		CreatedAt: r.CreatedAt,
		CreatedBy: r.CreatedBy,
		UpdatedAt: r.UpdatedAt,
		UpdatedBy: r.UpdatedBy,
	}
}

// partnerLinkRecord is a stored grants.PartnerLink (without New).
type partnerLinkRecord struct {
	PartnerID   string    `dynamodbav:"partnerId"`
	AgreementID string    `dynamodbav:"agreementId"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
}

func (r partnerLinkRecord) domain() grants.PartnerLink {
	return grants.PartnerLink{PartnerID: r.PartnerID, AgreementID: r.AgreementID, CreatedAt: r.CreatedAt}
}

func partnerItem(r grants.PartnerRecord) (item, error) {
	m, err := marshal(partnerFileRecordOf(r))
	if err != nil {
		return nil, err
	}
	m["PK"], m["SK"], m["type"] = s(partnerPK(r.ID)), s("P"), s(typePartner)
	m["gsi1pk"], m["gsi1sk"] = s(partnersListPK), s(partnerListSK(r.Name, r.ID))
	return m, nil
}

func partnerLinkItem(l grants.PartnerLink) (item, error) {
	m, err := marshal(partnerLinkRecord{PartnerID: l.PartnerID, AgreementID: l.AgreementID, CreatedAt: l.CreatedAt.UTC()})
	if err != nil {
		return nil, err
	}
	sk := "A#" + l.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + l.AgreementID
	m["PK"], m["SK"], m["type"] = s(partnerPK(l.PartnerID)), s(sk), s(typePartnerLink)
	return m, nil
}

func partnerAuditItem(id string, seq int, e grants.AuditEntry) (item, error) {
	m, err := auditItem(id, seq, e)
	if err != nil {
		return nil, err
	}
	m["PK"] = s(partnerPK(id))
	return m, nil
}

func errPartnerNotFound(id string) error {
	return &grants.Error{Code: grants.NotFound, Message: fmt.Sprintf("Partner %s does not exist.", id), Reason: "partner_not_found"}
}

func errPartnerExists(id string) error {
	return &grants.Error{Code: grants.Conflict, Message: fmt.Sprintf("Partner %s exists already.", id), Reason: "partner_exists"}
}

// partnerLinkItems are the transaction items of an effect's partner links:
// each link (its key is unique, so no condition), and a new record with its
// first history entry, put only where no record has its ID.
func (st *Store) partnerLinkItems(links []grants.PartnerLink) ([]types.TransactWriteItem, error) {
	var items []types.TransactWriteItem
	for _, l := range links {
		if l.New != nil {
			it, err := partnerItem(*l.New)
			if err != nil {
				return nil, err
			}
			items = append(items, st.putNew(it))
			h, err := partnerAuditItem(l.New.ID, 0, partnerCreated(*l.New))
			if err != nil {
				return nil, err
			}
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: h}})
		}
		it, err := partnerLinkItem(l)
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: it}})
	}
	return items, nil
}

func partnerCreated(r grants.PartnerRecord) grants.AuditEntry {
	return grants.AuditEntry{At: r.CreatedAt, Actor: r.CreatedBy, Action: "partner.created", Detail: r.Name}
}

// CreatePartner stores a new partner record with its first history entry;
// a record with its ID already there is a Conflict (reason partner_exists).
func (st *Store) CreatePartner(ctx context.Context, r *grants.PartnerRecord) error {
	it, err := partnerItem(*r)
	if err != nil {
		return err
	}
	h, err := partnerAuditItem(r.ID, 0, partnerCreated(*r))
	if err != nil {
		return err
	}
	err = st.transact(ctx, []types.TransactWriteItem{st.putNew(it), {Put: &types.Put{TableName: &st.table, Item: h}}})
	if isConditionFailure(err) {
		return errPartnerExists(r.ID)
	}
	if err != nil {
		return fmt.Errorf("create partner: %w", err)
	}
	return nil
}

// GetPartner reads a partner record (strongly consistent).
func (st *Store) GetPartner(ctx context.Context, id string) (*grants.PartnerRecord, error) {
	if !validID(id) {
		return nil, errPartnerNotFound(id)
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: keyOf(partnerPK(id), "P"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read partner: %w", err)
	}
	if out.Item == nil {
		return nil, errPartnerNotFound(id)
	}
	r, err := decode[partnerFileRecord](out.Item)
	if err != nil {
		return nil, unreadable(out.Item, err)
	}
	return &r, nil
}

// UpdatePartner applies change to the partner record and writes it with the
// history entry change returns, conditional on the version read; with
// expectVersion > 0 the record must be at it (PreconditionFailed if not).
// A record changed meanwhile is read again and change applied again.
func (st *Store) UpdatePartner(ctx context.Context, id string, expectVersion int, change func(*grants.PartnerRecord) (grants.AuditEntry, error)) (*grants.PartnerRecord, error) {
	for range maxAttempts {
		r, err := st.GetPartner(ctx, id)
		if err != nil {
			return nil, err
		}
		if expectVersion > 0 && r.Version != expectVersion {
			return nil, partnerVersionMismatch(id, r.Version, expectVersion)
		}
		read := r.Version
		entry, err := change(r)
		if err != nil {
			return nil, err
		}
		it, err := partnerItem(*r)
		if err != nil {
			return nil, err
		}
		h, err := partnerAuditItem(id, 0, entry)
		if err != nil {
			return nil, err
		}
		err = st.transact(ctx, []types.TransactWriteItem{
			{Put: &types.Put{TableName: &st.table, Item: it, ConditionExpression: aws.String("version = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(read)}}},
			{Put: &types.Put{TableName: &st.table, Item: h}},
		})
		if err == nil {
			return r, nil
		}
		if !isConditionFailure(err) {
			return nil, fmt.Errorf("update partner: %w", err)
		}
	}
	return nil, &grants.Error{Code: grants.Conflict, Message: "Someone else changed this partner first; reload and try again.", Reason: "conflict"}
}

func partnerVersionMismatch(id string, have, want int) error {
	return &grants.Error{Code: grants.PreconditionFailed, Reason: "version_mismatch",
		Message: fmt.Sprintf("Partner %s is at version %d, not %d: someone changed it; reload and try again.", id, have, want)}
}

// ListPartners lists partner records by name (case aside); with prefix,
// only those whose name starts with it.
func (st *Store) ListPartners(ctx context.Context, prefix, cursor string, limit int) (grants.Page[grants.PartnerRecord], error) {
	start, err := decodeCursor(cursor, "gsi1pk", partnersListPK)
	if err != nil {
		return grants.Page[grants.PartnerRecord]{}, err
	}
	in := &dynamodb.QueryInput{
		TableName:                 &st.table,
		IndexName:                 aws.String(IndexByProgramme),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(partnersListPK)},
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         start,
	}
	if prefix = strings.ToLower(strings.TrimSpace(prefix)); prefix != "" {
		in.KeyConditionExpression = aws.String("gsi1pk = :p AND begins_with(gsi1sk, :s)")
		in.ExpressionAttributeValues[":s"] = s(prefix)
	}
	out, err := st.db.Query(ctx, in)
	if err != nil {
		return grants.Page[grants.PartnerRecord]{}, fmt.Errorf("list partners: %w", err)
	}
	page := grants.Page[grants.PartnerRecord]{Items: decodeList[partnerFileRecord](ctx, out.Items, nil)}
	page.NextCursor, err = encodeCursor(out.LastEvaluatedKey)
	return page, err
}

// PartnerAgreements reads the agreements linked to a partner record, oldest
// first, without their plans (as listed): the links in one Query, the
// agreements in BatchGetItems of up to 100.
func (st *Store) PartnerAgreements(ctx context.Context, id string) ([]grants.Agreement, error) {
	links, err := st.partnerItems(ctx, partnerPK(id), "A#")
	if err != nil {
		return nil, fmt.Errorf("read partner's agreements: %w", err)
	}
	var out []grants.Agreement
	for from := 0; from < len(links); from += 100 {
		chunk := links[from:min(from+100, len(links))]
		keys := make([]item, 0, len(chunk))
		ids := make([]string, 0, len(chunk))
		for _, it := range chunk {
			l, err := decode[partnerLinkRecord](it)
			if err != nil {
				skipUnreadable(ctx, unreadable(it, err))
				continue
			}
			keys = append(keys, keyOf(agreementPK(l.AgreementID), "A"))
			ids = append(ids, l.AgreementID)
		}
		if len(keys) == 0 {
			continue
		}
		found, err := st.batchGet(ctx, keys...)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			it, ok := found[keyString(keys[i])]
			if !ok {
				continue // linked, then never written: nothing to show
			}
			a, err := decode[agreementRecord](it)
			if err == nil {
				err = a.CheckStored()
			}
			if err != nil {
				skipUnreadable(ctx, unreadable(it, fmt.Errorf("agreement %s: %w", id, err)))
				continue
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// PartnerHistory reads a partner record's history, oldest first.
func (st *Store) PartnerHistory(ctx context.Context, id string) ([]grants.AuditEntry, error) {
	items, err := st.partnerItems(ctx, partnerPK(id), "H#")
	if err != nil {
		return nil, fmt.Errorf("read partner's history: %w", err)
	}
	return decodeList[auditRecord](ctx, items, nil), nil
}

// partnerItems reads every item of partition pk whose sort key starts with
// prefix, in key order, strongly consistent.
func (st *Store) partnerItems(ctx context.Context, pk, prefix string) ([]item, error) {
	var all []item
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :p)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":p": s(prefix)},
			ExclusiveStartKey:         start,
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if start = out.LastEvaluatedKey; start == nil {
			return all, nil
		}
	}
}

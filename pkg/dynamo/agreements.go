package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/reports"
)

// maxAttempts bounds optimistic retries when a concurrent writer got there first.
const maxAttempts = 8

// CreateAgreement stores a new agreement with its plans and first audit entry
// in one TransactWriteItems, with a new reference (grants.NewReference) made
// unique by a conditional put of a REF#<reference> item in the same
// transaction, and its contribution added to its programme's aggregate.
// fx (its first audit entry) is written with it. With once, the request's
// answer is read first (and returned, nothing written, if it stands) and
// written with the agreement, rendered from it as stored, its reference
// assigned.
func (st *Store) CreateAgreement(ctx context.Context, a *grants.Agreement, fx grants.Effects, once *idempotency.Once[*grants.Agreement]) (*idempotency.Response, error) {
	now := fx.At
	if now.IsZero() {
		now = time.Now()
	}
	_, stored, err := st.CreatePlanned(ctx, a.Programme, a.StartDate.Year, now, once,
		func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) { return a, fx, nil })
	return stored, err
}

// CreatePlanned is CreateAgreement for an agreement planned from its
// programme's settings: the settings and any stored answer are read in one
// BatchGetItem, then plan makes the agreement and its effects from the
// settings, then it is written as CreateAgreement writes it. A plan that
// fails writes nothing.
//
// References hold no counter: concurrent creators in one programme touch no
// common item but an aggregate shard (ADD, retried on a transaction
// conflict), so they all succeed. The price is that references no longer
// count up: they say the year, not the order. A reference already taken
// (about one create in 230 once a year holds 100,000) is retried with fresh
// random bits.
func (st *Store) CreatePlanned(ctx context.Context, programme string, year int, now time.Time, once *idempotency.Once[*grants.Agreement],
	plan func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error),
) (*grants.Agreement, *idempotency.Response, error) {
	keys := []item{settingsKey(programme)}
	if once != nil {
		keys = append(keys, idemKey(once.Request))
	}
	// The programme's own record, in the same read: an archived programme
	// takes no new agreement (issue 25, item 2), and plan is told.
	keys = append(keys, programmeKey(programme))
	found, err := st.batchGet(ctx, keys...)
	if err != nil {
		return nil, nil, err
	}
	settings, err := settingsOf(found[keyString(keys[0])])
	if err != nil {
		return nil, nil, err
	}
	settings.ProgrammeArchived = programmeArchived(found[keyString(programmeKey(programme))])
	if once != nil {
		if stored, err := answerOf(found[keyString(keys[1])], once.Request, now); err != nil || stored != nil {
			return nil, stored, err
		}
	}
	a, fx, err := plan(settings)
	if err != nil {
		return nil, nil, err
	}
	if a.Programme != programme || a.StartDate.Year != year {
		return nil, nil, fmt.Errorf("create agreement: planned for %s in %d, read for %s in %d", a.Programme, a.StartDate.Year, programme, year)
	}
	for range maxAttempts {
		a.Reference = grants.NewReference(year, randomUint32())
		a.Stats = a.ComputeStats() // the answer shows a as stored
		if once != nil {
			if fx.Answer, err = once.Answer(a); err != nil {
				return nil, nil, err
			}
		}
		writes, effectsAt, err := st.agreementWrites(nil, a, fx)
		if err != nil {
			return nil, nil, err
		}
		items := append([]types.TransactWriteItem{st.putNew(referenceItem(a))}, writes...)
		own := 1 + effectsAt
		err = st.transact(ctx, items)
		if err == nil {
			return a, nil, nil
		}
		if !isConditionFailure(err) {
			return nil, nil, fmt.Errorf("create agreement: %w", err)
		}
		for _, i := range cancelledAt(err) {
			if i >= own {
				// An effect's condition failed: the request was answered meanwhile
				// (a concurrent duplicate committed first). Retrying cannot help.
				return nil, nil, fmt.Errorf("create agreement: %w", idempotency.ErrAnswered)
			}
		}
		// The reference was taken (or the transaction kept meeting others):
		// try again with a fresh one.
	}
	return nil, nil, &grants.Error{Code: grants.Conflict, Message: "Too many agreements are being created at once in this programme; try again.", Reason: grants.ReasonBusy}
}

// referenceItem reserves an agreement's reference: its conditional put
// fails if another agreement has it.
func referenceItem(a *grants.Agreement) item {
	it := keyOf("REF#"+a.Reference, "REF")
	it["type"], it["agreementId"], it["programme"] = s("reference"), s(a.ID), s(a.Programme)
	return it
}

func randomUint32() uint32 {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return binary.BigEndian.Uint32(b[:])
}

// transactRetries bounds the retries of a transaction that met another on
// a shared item (an aggregate shard): nothing of its own failed, so it is
// sent again as it is after a short, random wait.
const transactRetries = 10

// transact writes items in one transaction, retrying it while it fails only
// by meeting a concurrent transaction (TransactionConflict) and no
// condition of its own.
func (st *Store) transact(ctx context.Context, items []types.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil || attempt == transactRetries || !onlyConflicts(err) {
			return err
		}
		wait := time.Duration(mrand.Int64N(int64(5*time.Millisecond) << min(attempt, 5)))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// onlyConflicts reports whether a cancelled transaction met only other
// transactions: no condition of its own failed.
func onlyConflicts(err error) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		var tcf *types.TransactionConflictException
		return errors.As(err, &tcf)
	}
	conflict := false
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "TransactionConflict":
			conflict = true
		case "", "None":
		default:
			return false
		}
	}
	return conflict
}

func (st *Store) putNew(it item) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:           &st.table,
		Item:                it,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}
}

// GetAgreement reads an agreement with its instalments and check-ins in one
// strongly consistent Query.
func (st *Store) GetAgreement(ctx context.Context, id string) (*grants.Agreement, error) {
	a, err := st.readAgreement(ctx, id, true)
	if err == nil && a == nil {
		err = errNotFound(id)
	}
	return a, err
}

// readAgreement queries an agreement's items (every page) and decodes them;
// a missing agreement is nil. consistent asks for a strongly consistent
// read, at twice the price of an eventually consistent one.
func (st *Store) readAgreement(ctx context.Context, id string, consistent bool) (*grants.Agreement, error) {
	if !validID(id) {
		return nil, nil
	}
	var items []item
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :a)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(agreementPK(id)), ":a": s("A")},
			ConsistentRead:            aws.Bool(consistent),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, fmt.Errorf("query agreement %s: %w", id, err)
		}
		items = append(items, out.Items...)
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	return decodeAgreement(items)
}

func validID(id string) bool {
	if len(id) != 16 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// UpdateAgreement reads the agreement, applies mutate and writes back the
// agreement and the instalments and check-ins that changed, with the audit
// entries, in one transaction. The agreement's write is conditional on its
// version and each child's on its revision, so no concurrent update is lost.
// With expectVersion > 0 the caller's copy must be current (If-Match), or the
// update fails with PreconditionFailed; otherwise a lost race is retried.
//
// mutate changes the agreement in memory and describes the effects written
// with it. It must be a pure function of the agreement it is given: it may
// run again on a fresher copy if a concurrent writer got there first.
func (st *Store) UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	return st.update(ctx, id, nil, expectVersion, mutate)
}

// UpdateRead is UpdateAgreement starting from a, a copy the caller has just
// read with GetAgreement: the first attempt does not read it again.
func (st *Store) UpdateRead(ctx context.Context, a *grants.Agreement, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	return st.update(ctx, a.ID, a, 0, mutate)
}

func (st *Store) update(ctx context.Context, id string, known *grants.Agreement, expectVersion int, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	for range maxAttempts {
		before := known
		known = nil
		if before == nil {
			var err error
			if before, err = st.GetAgreement(ctx, id); err != nil {
				return nil, err
			}
		}
		if expectVersion > 0 && before.Version != expectVersion {
			return nil, versionMismatch(before.Version)
		}
		after := clone(before)
		fx, err := mutate(after)
		if errors.Is(err, grants.ErrNoChange) {
			return before, nil
		}
		if err != nil {
			return nil, err
		}
		err = st.write(ctx, before, after, fx)
		if err == nil {
			return after, nil
		}
		if !errors.Is(err, errRace) {
			return nil, err
		}
		if expectVersion > 0 {
			return nil, versionMismatch(0)
		}
	}
	return nil, &grants.Error{Code: grants.Conflict, Message: "The agreement is being changed by someone else; try again.", Reason: grants.ReasonBusy}
}

var errRace = errors.New("concurrent update")

func versionMismatch(current int) error {
	msg := "The agreement has changed since you read it; read it again and retry."
	if current > 0 {
		msg = fmt.Sprintf("The agreement is at version %d; read it again and retry.", current)
	}
	return &grants.Error{Code: grants.PreconditionFailed, Message: msg, Reason: "version_mismatch"}
}

func (st *Store) write(ctx context.Context, before, after *grants.Agreement, fx grants.Effects) error {
	after.Version = before.Version + 1
	items, _, err := st.agreementWrites(before, after, fx)
	if err != nil {
		return err
	}
	answerAt := -1 // effectItems puts the answer last
	if fx.Answer != nil {
		answerAt = len(items) - 1
	}
	if len(items) > 100 {
		return fmt.Errorf("update of %s needs %d writes, over DynamoDB's 100 per transaction", after.ID, len(items))
	}
	err = st.transact(ctx, items)
	if err != nil && slices.Contains(cancelledAt(err), answerAt) {
		// A concurrent duplicate answered the request first: no retry, the
		// caller answers with what it stored.
		return idempotency.ErrAnswered
	}
	if err != nil && isConditionFailure(err) {
		return fmt.Errorf("%w: %v", errRace, err)
	}
	if err != nil {
		return fmt.Errorf("update agreement %s: %w", after.ID, err)
	}
	return nil
}

// agreementWrites are the transaction items that write an agreement
// changed from before to after (before nil: a new agreement), in this
// order: the agreement; its instalments and check-ins that are new or
// changed; the change of its programme's summary (reports.ChangeOf,
// laid out by summaryItems); then fx's effects, from index effectsAt. A new
// item is written only if none is there, a changed one only at the version
// or revision before had, so no concurrent write is lost. Items past
// after's plans are left as they are.
func (st *Store) agreementWrites(before, after *grants.Agreement, fx grants.Effects) (items []types.TransactWriteItem, effectsAt int, err error) {
	ai, err := agreementItem(after) // also brings after's Stats up to date
	if err != nil {
		return nil, 0, err
	}
	if before == nil {
		items = append(items, st.putNew(ai))
	} else {
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName:                 &st.table,
			Item:                      ai,
			ConditionExpression:       aws.String("version = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(before.Version)},
		}})
	}
	for i := range after.Instalments {
		isNew := before == nil || i >= len(before.Instalments)
		if !isNew && !instalmentChanged(before, after, i) {
			continue
		}
		if !isNew {
			after.Instalments[i].Rev = before.Instalments[i].Rev + 1
		}
		it, err := instalmentItem(after, after.Instalments[i])
		if err != nil {
			return nil, 0, err
		}
		if isNew {
			items = append(items, st.putNew(it))
		} else {
			items = append(items, st.putAtRev(it, before.Instalments[i].Rev))
		}
	}
	for i := range after.CheckIns {
		isNew := before == nil || i >= len(before.CheckIns)
		if !isNew && !checkInChanged(before, after, i) {
			continue
		}
		if !isNew {
			after.CheckIns[i].Rev = before.CheckIns[i].Rev + 1
		}
		it, err := checkInItem(after, after.CheckIns[i])
		if err != nil {
			return nil, 0, err
		}
		if isNew {
			items = append(items, st.putNew(it))
		} else {
			items = append(items, st.putAtRev(it, before.CheckIns[i].Rev))
		}
	}
	change, err := reports.ChangeOf(before, after)
	if err != nil {
		return nil, 0, err
	}
	items = append(items, st.summaryItems(after.Programme, after.ID, change)...)
	items = append(items, st.findItems(before, after)...) // find.go
	effectsAt = len(items)
	more, err := st.effectItems(after.ID, fx)
	if err != nil {
		return nil, 0, err
	}
	return append(items, more...), effectsAt, nil
}

// instalmentChanged reports whether instalment i, which before has, is
// written again: when it changed, when the agreement's status did (its
// next-action key depends on it), or when the check-in before it did or is
// new (its row shows whether that check-in is in).
func instalmentChanged(before, after *grants.Agreement, i int) bool {
	prev := i - 1
	prevChanged := i > 0 && prev < len(after.CheckIns) && (prev >= len(before.CheckIns) || !reflect.DeepEqual(before.CheckIns[prev], after.CheckIns[prev]))
	return prevChanged || statusChanged(before, after) || !reflect.DeepEqual(before.Instalments[i], after.Instalments[i])
}

// checkInChanged reports whether check-in i, which before has, is written
// again: when it changed or the agreement's status did.
func checkInChanged(before, after *grants.Agreement, i int) bool {
	return statusChanged(before, after) || !reflect.DeepEqual(before.CheckIns[i], after.CheckIns[i])
}

// statusChanged: a child's next-action key depends on the agreement's status,
// so every child is rewritten when the agreement changes state.
func statusChanged(before, after *grants.Agreement) bool { return before.Status != after.Status }

func (st *Store) putAtRev(it item, rev int) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 &st.table,
		Item:                      it,
		ConditionExpression:       aws.String("rev = :rev"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":rev": n(rev)},
	}}
}

func clone(a *grants.Agreement) *grants.Agreement {
	c := *a
	c.Contacts = append([]grants.Contact(nil), a.Contacts...)
	c.Terms = append([]string(nil), a.Terms...)
	c.Support = append([]grants.SupportItem(nil), a.Support...)
	c.HelpRequests = append([]grants.HelpRequest(nil), a.HelpRequests...)
	c.Instalments = append([]grants.Instalment(nil), a.Instalments...)
	for i := range c.Instalments {
		if p := c.Instalments[i].Payment; p != nil {
			cp := *p
			c.Instalments[i].Payment = &cp
		}
	}
	c.CheckIns = append([]grants.CheckIn(nil), a.CheckIns...)
	c.Notices = append([]grants.Notice(nil), a.Notices...)
	if p := a.PartnerAcceptance; p != nil {
		cp := *p
		cp.Proposed = slices.Clone(p.Proposed) // empty stays empty, not nil
		c.PartnerAcceptance = &cp
	}
	return &c
}

// ListAgreements lists a programme's agreements, optionally of one status,
// from the ByProgramme index, newest last within a status. Instalments and
// check-ins are not read.
//
// A cursor starting "~" (a page's PrevCursor) reads the page before the
// agreement it names, the index read backwards.
func (st *Store) ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error) {
	back := strings.HasPrefix(cursor, "~")
	start, err := decodeCursor(strings.TrimPrefix(cursor, "~"), "gsi1pk", "PROG#"+programme)
	if err != nil {
		return grants.Page[grants.Agreement]{}, err
	}
	in := &dynamodb.QueryInput{
		TableName:                 &st.table,
		IndexName:                 aws.String(IndexByProgramme),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("PROG#" + programme)},
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         start,
		ScanIndexForward:          aws.Bool(!back),
	}
	if status != "" {
		in.KeyConditionExpression = aws.String("gsi1pk = :p AND begins_with(gsi1sk, :s)")
		in.ExpressionAttributeValues[":s"] = s(string(status) + "#")
	}
	out, err := st.db.Query(ctx, in)
	if err != nil {
		return grants.Page[grants.Agreement]{}, fmt.Errorf("list agreements: %w", err)
	}
	if back {
		slices.Reverse(out.Items)
	}
	page := grants.Page[grants.Agreement]{Items: decodeList[agreementRecord](ctx, out.Items, (*grants.Agreement).CheckStored)}
	if !back {
		page.NextCursor, err = encodeCursor(out.LastEvaluatedKey)
	}
	if err != nil || len(out.Items) == 0 {
		return page, err
	}
	// The index key of a listed item, to start from it either way.
	at := func(it item) (string, error) {
		return encodeCursor(item{"gsi1pk": it["gsi1pk"], "gsi1sk": it["gsi1sk"], "PK": it["PK"], "SK": it["SK"]})
	}
	if back {
		page.NextCursor, err = at(out.Items[len(out.Items)-1])
	}
	if err == nil && (back && out.LastEvaluatedKey != nil || !back && cursor != "") {
		page.PrevCursor, err = at(out.Items[0])
		page.PrevCursor = "~" + page.PrevCursor
	}
	return page, err
}

// History lists an agreement's audit entries, oldest first.
func (st *Store) History(ctx context.Context, id string, cursor string, limit int) (grants.Page[grants.AuditEntry], error) {
	start, err := decodeCursor(cursor, "PK", agreementPK(id))
	if err != nil {
		return grants.Page[grants.AuditEntry]{}, err
	}
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :h)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(agreementPK(id)), ":h": s("H#")},
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         start,
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return grants.Page[grants.AuditEntry]{}, fmt.Errorf("read history: %w", err)
	}
	page := grants.Page[grants.AuditEntry]{Items: decodeList[auditRecord](ctx, out.Items, nil)}
	page.NextCursor, err = encodeCursor(out.LastEvaluatedKey)
	return page, err
}

// AllHistory reads an agreement's whole history, oldest first, a page at a time.
func (st *Store) AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error) {
	var all []grants.AuditEntry
	cursor := ""
	for {
		page, err := st.History(ctx, id, cursor, 200)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return all, nil
		}
	}
}

// Apply writes effects that change no agreement (an email was sent, a held
// message was rejected) in one transaction: the agreement's version, and
// anyone's If-Match, stands. A failed condition (a claim lost, a message
// settled first) is a Conflict.
func (st *Store) Apply(ctx context.Context, agreementID string, fx grants.Effects) error {
	items, err := st.effectItems(agreementID, fx)
	if err != nil || len(items) == 0 {
		return err
	}
	if len(items) == 1 && items[0].Put != nil && items[0].Put.ConditionExpression == nil {
		_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: items[0].Put.Item})
	} else {
		_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	}
	if isConditionFailure(err) {
		return &grants.Error{Code: grants.Conflict, Message: "Someone else changed this first; reload and try again.", Reason: "conflict"}
	}
	if err != nil {
		return fmt.Errorf("write effects for %s: %w", agreementID, err)
	}
	return nil
}

// effectItems turns a change's effects into the transaction items that
// write them.
func (st *Store) effectItems(agreementID string, fx grants.Effects) ([]types.TransactWriteItem, error) {
	at := fx.At
	if at.IsZero() {
		at = time.Now()
	}
	var items []types.TransactWriteItem
	for i, e := range fx.Audit {
		it, err := auditItem(agreementID, i, e)
		if err != nil {
			return nil, err
		}
		// Audit keys are unique by construction: no condition needed.
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: it}})
	}
	for _, key := range fx.Outbox {
		items = append(items, st.enqueueItem(agreementID, key.String(), at, fx.ClaimedBy))
	}
	for _, sent := range fx.Sent {
		partition := agreementID
		if sent.Partition != "" {
			partition = sent.Partition
		}
		items = append(items, st.sentItem(partition, sent, at))
	}
	for _, r := range fx.Replies {
		it, err := st.replyItem(r)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	for _, q := range fx.Held {
		it, err := st.heldItem(q)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	for _, c := range fx.FirstCopies {
		it, err := st.firstCopyItem(c)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	for _, d := range fx.Decisions {
		items = append(items, st.decisionItem(d, at))
	}
	links, err := st.partnerLinkItems(fx.PartnerLinks) // partners.go
	if err != nil {
		return nil, err
	}
	items = append(items, links...)
	conf, err := st.confidentialItems(fx) // confidential.go
	if err != nil {
		return nil, err
	}
	items = append(items, conf...)
	for _, w := range fx.Enquiries { // enquiries.go
		it, err := st.enquiryItem(w)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	for _, m := range fx.FeedbackMarks {
		it, err := st.feedbackMarkItem(m) // feedbackmark.go
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if fx.Answer != nil {
		items = append(items, st.answerItem(*fx.Answer, at))
	}
	return items, nil
}

// Cursors are the index's LastEvaluatedKey (string attributes only) as
// base64url JSON: opaque to clients, and checked on the way back in.
func encodeCursor(key map[string]types.AttributeValue) (string, error) {
	if key == nil {
		return "", nil
	}
	plain := map[string]string{}
	for k, v := range key {
		sv, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("cursor key %s is not a string", k)
		}
		plain[k] = sv.Value
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeCursor checks that the cursor belongs to the same listing: its
// partition attribute must hold the listing's partition.
func decodeCursor(c, partitionAttr, partition string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	bad := &grants.Error{Code: grants.Invalid, Message: "The cursor is not one this API returned.",
		Fields: []grants.FieldError{{Field: "cursor", Reason: "is not a cursor this API returned"}}, Reason: "validation"}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil || len(plain) == 0 || len(plain) > 4 || plain[partitionAttr] != partition {
		return nil, bad
	}
	key := map[string]types.AttributeValue{}
	for k, v := range plain {
		switch k {
		case "PK", "SK", "gsi1pk", "gsi1sk", "ispk", "issk":
			key[k] = s(v)
		default:
			return nil, bad
		}
	}
	return key, nil
}

// AgreementProgramme is the programme agreement id belongs to, read from its
// one agreement item alone (an eventually consistent GetItem of one
// attribute: half a read unit): the HTTP layers place a request by it before
// they let a person whose roles hold in some programmes only act on it.
// An agreement that does not exist is NotFound.
func (st *Store) AgreementProgramme(ctx context.Context, id string) (string, error) {
	if !validID(id) {
		return "", errNotFound(id)
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: keyOf(agreementPK(id), "A"),
		ProjectionExpression: aws.String("programme")})
	if err != nil {
		return "", fmt.Errorf("read the programme of agreement %s: %w", id, err)
	}
	p, ok := out.Item["programme"].(*types.AttributeValueMemberS)
	if !ok {
		return "", errNotFound(id)
	}
	return p.Value, nil
}

package dynamo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

type item = map[string]types.AttributeValue

// Item types, stored in the "type" attribute so a partition reads back
// without guessing from keys.
const (
	typeAgreement  = "agreement"
	typeInstalment = "instalment"
	typeCheckIn    = "checkin"
	typeAudit      = "audit"
)

func marshal(v any) (item, error) {
	m, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) {
		// Dates and other TextMarshalers are stored as strings.
		o.UseEncodingMarshalers = true
	})
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	return m, nil
}

func unmarshal(m item, v any) error {
	if _, ok := v.(*agreementRecord); ok {
		m = withSupportItems(m)
	}
	return attributevalue.UnmarshalMapWithOptions(m, v, func(o *attributevalue.DecoderOptions) {
		o.UseEncodingUnmarshalers = true
	})
}

// withSupportItems reads support stored as a list of strings (as agreements
// were written before support was followed up) as support items offered.
// The item is copied, never changed in place; the next write stores the new shape.
func withSupportItems(m item) item {
	list, ok := m["support"].(*types.AttributeValueMemberL)
	if !ok {
		return m
	}
	var upgraded []types.AttributeValue
	for i, v := range list.Value {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			continue
		}
		if upgraded == nil {
			upgraded = append([]types.AttributeValue(nil), list.Value...)
		}
		upgraded[i] = &types.AttributeValueMemberM{Value: item{"item": s, "status": &types.AttributeValueMemberS{Value: string(grants.SupportOffered)}}}
	}
	if upgraded == nil {
		return m
	}
	c := make(item, len(m))
	for k, v := range m {
		c[k] = v
	}
	c["support"] = &types.AttributeValueMemberL{Value: upgraded}
	return c
}

// unreadableError is a stored item that cannot be decoded, or that breaks
// an invariant every reader relies on. Reading it alone fails; lists,
// summaries and exports log it by its key and carry on without it, so one bad
// item never takes a programme's reads down with it.
type unreadableError struct {
	pk, sk string
	err    error
}

func (e *unreadableError) Error() string {
	return fmt.Sprintf("unreadable item %s / %s: %v", e.pk, e.sk, e.err)
}

func (e *unreadableError) Unwrap() error { return e.err }

func unreadable(it item, err error) error {
	key := func(name string) string {
		v, _ := it[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	return &unreadableError{pk: key("PK"), sk: key("SK"), err: err}
}

// skipUnreadable logs an unreadable item and reports true, so a list can go
// on without it; any other error is the caller's.
func skipUnreadable(ctx context.Context, err error) bool {
	var u *unreadableError
	if !errors.As(err, &u) {
		return false
	}
	slog.ErrorContext(ctx, "skipped an unreadable item", "pk", u.pk, "sk", u.sk, "error", u.err.Error())
	return true
}

// decode reads an item as its record R and returns the domain value it
// stores: decode[replyRecord](it) is a grants.Reply.
func decode[R interface{ domain() T }, T any](it item) (T, error) {
	var r R
	if err := unmarshal(it, &r); err != nil {
		var zero T
		return zero, err
	}
	return r.domain(), nil
}

// decodeList decodes a page of listed items as records R, skipping
// unreadable ones. check, if given, holds each item to the invariants its
// readers rely on.
func decodeList[R interface{ domain() T }, T any](ctx context.Context, items []item, check func(*T) error) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		v, err := decode[R](it)
		if err == nil && check != nil {
			err = check(&v)
		}
		if err != nil {
			skipUnreadable(ctx, unreadable(it, err))
			continue
		}
		out = append(out, v)
	}
	return out
}

func agreementItem(a *grants.Agreement) (item, error) {
	a.Stats = a.ComputeStats()
	m, err := marshal(agreementRecordOf(*a))
	if err != nil {
		return nil, err
	}
	m["PK"], m["SK"], m["type"] = s(agreementPK(a.ID)), s("A"), s(typeAgreement)
	m["gsi1pk"] = s("PROG#" + a.Programme)
	m["gsi1sk"] = s(programmeOrder(a))
	setPlanKeys(m, a, "A")
	return m, nil
}

// programmeOrder is an agreement's sort key in its programme's ByProgramme
// partition: by status, then oldest first. Lists and exports give agreements
// in this order.
func programmeOrder(a *grants.Agreement) string {
	return string(a.Status) + "#" + a.CreatedAt.Format("2006-01-02T15:04:05.000000Z") + "#" + a.ID
}

// setPlanKeys puts an agreement's own items (the agreement, its instalments
// and check-ins) into the ByProgrammePlan index, keyed "<agreement ID>#<SK>":
// an export pages through a programme's agreements whole and one after the
// other, instead of one Query per agreement.
func setPlanKeys(m item, a *grants.Agreement, sk string) {
	m["plpk"] = s(planPK(a.Programme))
	m["plsk"] = s(a.ID + "#" + sk)
}

func planPK(programme string) string { return "PLAN#" + programme }

// instalmentStatusPK is an instalment's partition in the ByInstalmentStatus
// index: one programme's instalments of one status, so finance's list reads
// only the rows it shows.
func instalmentStatusPK(programme string, status grants.InstalmentStatus) string {
	return "INST#" + programme + "#" + string(status)
}

func instalmentStatusSK(due, id string, number int) string {
	return fmt.Sprintf("%s#%s#%02d", due, id, number)
}

func instalmentItem(a *grants.Agreement, in grants.Instalment) (item, error) {
	m, err := marshal(instalmentRecordOf(in))
	if err != nil {
		return nil, err
	}
	m["PK"], m["SK"], m["type"] = s(agreementPK(a.ID)), s(instalmentSK(in.Number)), s(typeInstalment)
	m["agreementId"], m["programme"] = s(a.ID), s(a.Programme)
	// Finance's list reads instalments from the ByInstalmentStatus index
	// alone, so each carries what a row shows.
	m["reference"], m["partnerName"], m["currency"] = s(a.Reference), s(a.Partner.Name), s(a.Currency)
	m["previousCheckInIn"] = &types.AttributeValueMemberBOOL{Value: a.PreviousCheckInIn(in.Number)}
	m["ispk"] = s(instalmentStatusPK(a.Programme, in.Status))
	m["issk"] = s(instalmentStatusSK(in.DueDate.String(), a.ID, in.Number))
	setPlanKeys(m, a, instalmentSK(in.Number))
	if d, ok := a.InstalmentNextAction(in); ok {
		setNextAction(m, d, a.ID, grants.WorkInstalmentDue, in.Number)
	}
	return m, nil
}

func checkInItem(a *grants.Agreement, c grants.CheckIn) (item, error) {
	m, err := marshal(checkInRecordOf(c))
	if err != nil {
		return nil, err
	}
	m["PK"], m["SK"], m["type"] = s(agreementPK(a.ID)), s(checkInSK(c.Number)), s(typeCheckIn)
	m["agreementId"], m["programme"] = s(a.ID), s(a.Programme)
	setPlanKeys(m, a, checkInSK(c.Number))
	if d, ok := a.CheckInNextAction(c); ok {
		setNextAction(m, d, a.ID, grants.WorkCheckInDue, c.Number)
	}
	return m, nil
}

// setNextAction puts an item into the sparse ByNextAction index, in its
// agreement's shard (nextActionShard). Its sort key starts with the date, so
// the sweep reads "everything due up to today" with one key condition a shard.
func setNextAction(m item, d grants.Date, id string, kind grants.WorkKind, number int) {
	m["napk"] = s(nextActionShard(id))
	m["nask"] = s(fmt.Sprintf("%s#%s#%s#%02d", d, id, workKeys[kind], number))
}

// workKeys are the kinds of work as the next-action index's sort keys spell
// them (stored: never change one); one agreement's work on a day is listed
// in their order.
var workKeys = map[grants.WorkKind]string{grants.WorkInstalmentDue: "I", grants.WorkCheckInDue: "C", grants.WorkOutbox: "O"}

// workKindOf is the kind of work a sort key spells.
func workKindOf(key string) (grants.WorkKind, bool) {
	for kind, k := range workKeys {
		if k == key {
			return kind, true
		}
	}
	return "", false
}

// decodeAgreement rebuilds an agreement from the items of its partition.
func decodeAgreement(items []item) (*grants.Agreement, error) {
	var a *grants.Agreement
	var ins []grants.Instalment
	var cis []grants.CheckIn
	for _, it := range items {
		typ, _ := it["type"].(*types.AttributeValueMemberS)
		if typ == nil {
			continue
		}
		var err error
		switch typ.Value {
		case typeAgreement:
			var v grants.Agreement
			v, err = decode[agreementRecord](it)
			a = &v
		case typeInstalment:
			var in grants.Instalment
			in, err = decode[instalmentRecord](it)
			ins = append(ins, in)
		case typeCheckIn:
			var c grants.CheckIn
			c, err = decode[checkInRecord](it)
			cis = append(cis, c)
		}
		if err != nil {
			return nil, unreadable(it, err)
		}
	}
	if a == nil {
		return nil, nil
	}
	// Sort keys are zero-padded, so Query returns instalments and check-ins in order.
	a.Instalments, a.CheckIns = ins, cis
	if err := a.CheckStored(); err != nil {
		return nil, unreadable(items[0], err)
	}
	return a, nil
}

// auditItem keys an entry by time, then by its position among the entries
// written together (so one write's entries list in the order they happened),
// then by a random suffix that keeps two writers in the same nanosecond apart.
func auditItem(id string, seq int, e grants.AuditEntry) (item, error) {
	m, err := marshal(auditRecordOf(e))
	if err != nil {
		return nil, err
	}
	sk := fmt.Sprintf("H#%s#%02d#%s", e.At.UTC().Format("2006-01-02T15:04:05.000000000Z"), seq, strings.ToLower(NewID()[:6]))
	m["PK"], m["SK"], m["type"] = s(agreementPK(id)), s(sk), s(typeAudit)
	return m, nil
}

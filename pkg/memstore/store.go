// Package memstore is the in-memory twin of pkg/dynamo: the same methods,
// with the same names, signatures, errors and orderings, held in maps behind
// one mutex. It is for use-case tests (milliseconds, no Java) and local
// tooling, never for production: nothing is persisted and nothing expires.
//
// It keeps pkg/dynamo's semantics where a caller can see them, and the
// contract suite (pkg/dynamo/storetest) holds both stores to them:
//
//   - a write is a transaction: an agreement with its changed instalments
//     and check-ins, its programme's tally and every effect (history,
//     outbox, replies, held messages, first copies, decisions, the
//     idempotent answer) is written whole or not at all; one item touched
//     twice in a transaction, or more than 100 items, is refused as
//     DynamoDB refuses it;
//   - each effect carries the condition pkg/dynamo gives it (a reply, held
//     message, first copy or outbox entry once; a decision on a pending
//     message; a send under the claim's token; an answer where none stands),
//     and a failed one fails the write with the error pkg/dynamo returns;
//   - the indexes' copies are made when pkg/dynamo writes the item they
//     copy: an instalment row and an item's next action are those of the
//     instalment's last write, not recomputed on read;
//   - lists come in the indexes' orders, paged with opaque cursors that a
//     page returns whenever it is full (as DynamoDB's LastEvaluatedKey is),
//     so the last page may be empty.
//
// Values are copied in and out: a caller never holds stored state. As with
// pkg/dynamo, an agreement is read back only if its ID has NewID's shape.
// What differs, on purpose: nothing expires (DynamoDB's TTL deletes a day's
// auto-mail limits and an old sign-out; reads never relied on that), a read
// reports a nominal cost (readcost.Cost: one request, one item per entry
// read), and Transact, which takes DynamoDB's own items, is not offered.
package memstore

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// maxTransactItems is DynamoDB's limit on one transaction.
const maxTransactItems = 100

// maxAttempts bounds optimistic retries, as in pkg/dynamo.
const maxAttempts = 8

// Store holds everything pkg/dynamo's table holds, in memory. The zero
// value is not ready: use New.
type Store struct {
	mu sync.Mutex

	agreements map[string]*agreementRec // by ID
	references map[string]string        // reference → agreement ID
	history    map[string][]historyRec  // partition → entries, in key order
	outbox     map[string]map[string]*outboxRec
	replies    map[string]map[string]grants.Reply // partition → "R#<nn>#<message ID>" →
	held       map[string]grants.Quarantined      // by SES message ID
	firstCopy  map[string]grants.FirstCopy        // by identity
	answers    map[string]answerRec               // by request key
	settings   map[string]grants.ProgrammeSettings
	tallies    map[string]map[string]*big.Int // by programme: its counters, unbounded
	built      map[string]bool                // programmes whose tally was built from their agreements
	runs       map[string]grants.PayRun
	runLines   map[string]grants.PayRunLine // "<requestedAt>#<id>" →
	autoMail   map[grants.Date]*autoMailDay
	signOuts   map[string]time.Time // actor ID → sessions ended up to

	// partners are the partner records, their links and history (partners.go).
	partners map[string]*partnerRec

	// themes are the programmes' themes (issue 24, item 3; themes.go),
	// made on first use.
	themes map[string]*themeBook

	// confidential is the programmes' confidential feedback and
	// confidentialSenders where each came from (issue 24, item 2;
	// confidential.go), made on first use.
	confidential        map[string][]grants.ConfidentialFeedback
	confidentialSenders map[string]grants.ConfidentialSender
	// reflections are the programmes' "you said, we did", by programme and
	// round (issue 24, item 4; reflections.go), made on first use.
	reflections map[string]grants.Reflection
	// enquiries are the organisations' enquiries by ID (issue 24, item 6;
	// enquiries.go), made on first use.
	enquiries map[string]grants.Enquiry
	// settingsLog is the programmes' settings history (issue 25, item 3;
	// settings.go), made on first use.
	settingsLog map[string][]grants.SettingsChange
	// programmes are the programmes created or archived, by code (issue
	// 25, item 2; programmes.go), made on first use.
	programmes map[string]grants.Programme
	// notes are the agreements' notes with their documents, by agreement
	// (issue 26, item 16; notes.go), made on first use.
	notes map[string][]grants.Note
}

// New returns an empty store.
func New() *Store {
	return &Store{
		agreements: map[string]*agreementRec{},
		references: map[string]string{},
		history:    map[string][]historyRec{},
		outbox:     map[string]map[string]*outboxRec{},
		replies:    map[string]map[string]grants.Reply{},
		held:       map[string]grants.Quarantined{},
		firstCopy:  map[string]grants.FirstCopy{},
		answers:    map[string]answerRec{},
		settings:   map[string]grants.ProgrammeSettings{},
		tallies:    map[string]map[string]*big.Int{},
		built:      map[string]bool{},
		runs:       map[string]grants.PayRun{},
		runLines:   map[string]grants.PayRunLine{},
		autoMail:   map[grants.Date]*autoMailDay{},
		signOuts:   map[string]time.Time{},
		partners:   map[string]*partnerRec{},
	}
}

// op is one item of a transaction: the item it touches (two ops on one item
// are refused, as DynamoDB refuses them), its condition (nil: none) and the
// write, run only once every op's condition holds. Both run under st.mu.
type op struct {
	item  string
	cond  func() bool
	apply func()
}

// errInvalidTransaction is a transaction DynamoDB would refuse outright.
type errInvalidTransaction struct{ why string }

func (e errInvalidTransaction) Error() string { return "invalid transaction: " + e.why }

// commit runs ops as one transaction, st.mu held: nothing is written unless
// every condition holds. failed lists the ops whose condition failed.
func (st *Store) commit(ops []op) (failed []int, err error) {
	if len(ops) > maxTransactItems {
		return nil, errInvalidTransaction{fmt.Sprintf("%d items, over DynamoDB's %d", len(ops), maxTransactItems)}
	}
	seen := make(map[string]bool, len(ops))
	for _, o := range ops {
		if seen[o.item] {
			return nil, errInvalidTransaction{"two operations on one item, " + o.item}
		}
		seen[o.item] = true
	}
	for i, o := range ops {
		if o.cond != nil && !o.cond() {
			failed = append(failed, i)
		}
	}
	if len(failed) > 0 {
		return failed, nil
	}
	for _, o := range ops {
		o.apply()
	}
	return nil, nil
}

// errConflict is Apply's and a settled decision's answer, as pkg/dynamo's.
func errConflict() error {
	return &grants.Error{Code: grants.Conflict, Message: "Someone else changed this first; reload and try again.", Reason: "conflict"}
}

func errNotFound(id string) error {
	return &grants.Error{Code: grants.NotFound, Message: fmt.Sprintf("Agreement %s does not exist.", id), Reason: "agreement_not_found"}
}

func errBusy(msg string) error {
	return &grants.Error{Code: grants.Conflict, Message: msg, Reason: grants.ReasonBusy}
}

func versionMismatch(current int) error {
	msg := "The agreement has changed since you read it; read it again and retry."
	if current > 0 {
		msg = fmt.Sprintf("The agreement is at version %d; read it again and retry.", current)
	}
	return &grants.Error{Code: grants.PreconditionFailed, Message: msg, Reason: "version_mismatch"}
}

func errBadCursor() error {
	return &grants.Error{Code: grants.Invalid, Message: "The cursor is not one this API returned.",
		Fields: []grants.FieldError{{Field: "cursor", Reason: "is not a cursor this API returned"}}, Reason: "validation"}
}

// errLimit is DynamoDB's answer to a Query with a Limit below 1.
func errLimit(limit int) error {
	return fmt.Errorf("query: limit %d: ValidationException: Limit must be at least 1", limit)
}

// cursor is the position after the last item of a page, in one listing
// (its partition): opaque to clients, checked on the way back in.
type cursor struct {
	Partition string `json:"p"`
	After     string `json:"k"`
}

func encodeCursor(partition, after string) string {
	b, _ := json.Marshal(cursor{partition, after})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the sort key a page starts after ("" for none).
func decodeCursor(c, partition string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", errBadCursor()
	}
	var k cursor
	if err := json.Unmarshal(b, &k); err != nil || k.Partition != partition || k.After == "" {
		return "", errBadCursor()
	}
	return k.After, nil
}

// keyed is a listed item with its index sort key.
type keyed[T any] struct {
	key string
	v   T
}

// page cuts a page of up to limit items after the cursor's key from items,
// which are in key order; a full page has a cursor, as DynamoDB gives one
// whenever it stops at the limit.
func page[T any](items []keyed[T], partition, cur string, limit int) (grants.Page[T], error) {
	if limit < 1 {
		return grants.Page[T]{}, errLimit(limit)
	}
	after, err := decodeCursor(cur, partition)
	if err != nil {
		return grants.Page[T]{}, err
	}
	out := grants.Page[T]{Items: []T{}}
	for _, it := range items {
		if after != "" && it.key <= after {
			continue
		}
		out.Items = append(out.Items, it.v)
		if len(out.Items) == limit {
			out.NextCursor = encodeCursor(partition, it.key)
			break
		}
	}
	return out, nil
}

// clone deep-copies v: pointers, slices and maps are new, so neither the
// caller nor the store can change what the other holds. Times lose their
// monotonic reading, as any store's do.
func clone[T any](v T) T {
	var out T
	rv := reflect.ValueOf(&v).Elem()
	reflect.ValueOf(&out).Elem().Set(deepCopy(rv))
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func deepCopy(v reflect.Value) reflect.Value {
	t := v.Type()
	if t == timeType {
		return reflect.ValueOf(v.Interface().(time.Time).Round(0))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		s := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		m := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(deepCopy(it.Key()), deepCopy(it.Value()))
		}
		return m
	case reflect.Array:
		a := reflect.New(t).Elem()
		for i := range v.Len() {
			a.Index(i).Set(deepCopy(v.Index(i)))
		}
		return a
	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		i := reflect.New(t).Elem()
		i.Set(deepCopy(v.Elem()))
		return i
	case reflect.Struct:
		s := reflect.New(t).Elem()
		s.Set(v) // unexported fields as they are
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				s.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return s
	default:
		return v
	}
}

// NewID returns a random agreement ID of pkg/dynamo's shape (16 lowercase
// base32 characters): the store reads no other, as pkg/dynamo does not.
func NewID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

// randomUint32 gives a reference its random bits, as pkg/dynamo's does.
func randomUint32() uint32 {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return binary.BigEndian.Uint32(b[:])
}

// live reports ctx's error, as an SDK call on a cancelled context fails.
func live(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	return nil
}

var errRace = errors.New("concurrent update")

// answer records.

type answerRec struct {
	hash      string
	expiresAt int64 // Unix seconds
	response  idempotency.Response
}

func answerKey(r idempotency.Request) string {
	return "IDEM#" + r.Scope + "#" + r.Key + "\x00IDEM#" + r.Caller
}

// answerOf is pkg/dynamo's answerOf: nil when there is none (or it
// expired), ErrPayloadMismatch when it answers another body.
func answerOf(rec *answerRec, req idempotency.Request, now time.Time) (*idempotency.Response, error) {
	switch {
	case rec == nil, rec.expiresAt < now.Unix():
		return nil, nil
	case rec.hash != req.Hash():
		return nil, idempotency.ErrPayloadMismatch
	}
	r := clone(rec.response)
	return &r, nil
}

func (st *Store) storedAnswer(req idempotency.Request) *answerRec {
	rec, ok := st.answers[answerKey(req)]
	if !ok {
		return nil
	}
	return &rec
}

// Answered reads the stored answer to req, or nil.
func (st *Store) Answered(ctx context.Context, req idempotency.Request, now time.Time) (*idempotency.Response, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return answerOf(st.storedAnswer(req), req, now)
}

// answerOp stores a request's answer where none stands (or one expired).
func (st *Store) answerOp(a idempotency.Answer, now time.Time) op {
	k := answerKey(a.Request)
	return op{
		item: k,
		cond: func() bool {
			rec, ok := st.answers[k]
			return !ok || rec.expiresAt < now.Unix()
		},
		apply: func() {
			resp := clone(a.Response)
			if len(resp.Headers) == 0 {
				resp.Headers = nil // DynamoDB stores no empty map
			}
			st.answers[k] = answerRec{hash: a.Request.Hash(), expiresAt: now.Add(idempotency.DefaultRetention).Unix(), response: resp}
		},
	}
}

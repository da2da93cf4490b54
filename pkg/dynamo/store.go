// Package dynamo stores agreements in one DynamoDB table. An agreement, its
// instalments, check-ins, replies and audit entries share one partition
// ("AGR#<id>"), so one Query reads a whole agreement; every write is
// conditional, so concurrent writers cannot lose each other's updates.
//
// Keys (PK, SK), every item kind, and the indexes each appears in:
//
//	AGR#<id>             A                    the agreement (ByProgramme: PROG#<programme> / <status>#<createdAt>#<id>;
//	                                          ByProgrammePlan: PLAN#<programme> / <id>#A)
//	AGR#<id>             A#I#<nn>             instalment nn (ByInstalmentStatus: INST#<programme>#<status> / <due>#<id>#<nn>;
//	                                          ByProgrammePlan: PLAN#<programme> / <id>#A#I#<nn>;
//	                                          ByNextAction: NA#<ss> / <date>#<id>#I#<nn> while automation has work on it)
//	AGR#<id>             A#C#<nn>             check-in nn (ByProgrammePlan: PLAN#<programme> / <id>#A#C#<nn>;
//	                                          ByNextAction: NA#<ss> / <date>#<id>#C#<nn>)
//	AGR#<id>             H#<time>#<seq>#<r>   audit entry
//	AGR#<id>             R#<nn>#<SES id>      a reply to check-in nn
//	AGR#<id>             O#<outbox key>       a side effect owed (ByNextAction while pending: NA#<ss> / 0001-01-01#<id>#O#<key>)
//	AGR#inbound          O#msg#<SES id>       a received message's once-only record; O#quarantine-notice#… likewise
//	AGR#inbound          O#held-digest#<day>  the officers' digest of held messages on that day
//	QUARANTINE           Q#<SES id>           a message held for a person (ByProgramme: HELD#<status> / <programme>#<SES id>,
//	                                          "" for a message naming no programme; a decision moves it)
//	EMAIL#<identity>     EMAIL                the first copy received of an email (reply.Identity)
//	AUTOMAIL#<day>       COUNT                automatic emails inbound mail caused that day (automail.go; TTL expiresAt)
//	AUTOMAIL#<day>       SENDER#<address>     the one automatic email a sender had that day (TTL expiresAt)
//	PROG#<programme>     SEQ#<year>           reference counter of a programme (before random references; no longer written)
//	REF#<reference>      REF                  an agreement's reference, reserved once (agreements.go)
//	PROG#<programme>     AGG#<nn>             shard nn of the programme's aggregate (aggregate.go); AGG#BUILT once built, with its tally version
//	PROG#<programme>#ENDS      <end>#<id>     an active agreement's end date
//	PROG#<programme>#BOUNCING  <id>           a running agreement whose partner's mail bounces
//	PROG#<programme>     SETTINGS             a programme's settings
//	PROGRAMMES           P#<programme>        a programme an administrator created, or archived (programmes.go)
//	IDEM#<scope>#<key>   IDEM#<caller>        an idempotency record (idempotency.go)
//	RUN#<id>             RUN                  a pay run: its items and their outcomes (payruns.go)
//	RUNS                 <requestedAt>#<id>   a pay run's line in the list of runs
//	STAFF#<actor ID>     SESSIONS             up to when a person's web sessions are over: their last sign-out
//	                                          (sessions.go; expiresAt, the table's TTL, a day later)
//	NOTES#<id>           N#<note ID>          an officer's note on agreement <id> (notes.go; issue 26, item 16)
//	NOTES#<id>           D#<document ID>      a document uploaded to one of its notes, pending until uploaded
//	PROG#<programme>#TERMS  <term>#<id>       a search term of an agreement (find.go)
//	PROG#<programme>#ATTN   <ref>#<id>        an agreement needing a person, with what (find.go)
//
// NA#<ss> is one of 16 shards of the next-action index (NA#00..NA#15), chosen
// by a hash of the agreement ID (outbox.go, nextActionShard), so a morning
// with 100,000 items due is spread over 16 partitions, and one agreement's
// items stay in one.
package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Index names, as in template.yaml.
const (
	IndexByProgramme  = "ByProgramme" // agreements by programme and status; held messages by status and programme
	IndexByNextAction = "ByNextAction"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store reads and writes agreements.
type Store struct {
	db    DB
	table string
}

// New returns a Store on the named table.
func New(db DB, table string) *Store { return &Store{db: db, table: table} }

// NewID returns a random agreement ID: 16 lowercase base32 characters (80
// bits), short enough to sit in a reply address and unguessable.
func NewID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

func agreementPK(id string) string { return "AGR#" + id }

func instalmentSK(n int) string { return fmt.Sprintf("A#I#%02d", n) }

func checkInSK(n int) string { return fmt.Sprintf("A#C#%02d", n) }

func keyOf(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk)}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// errNotFound is the store's answer for a missing agreement.
func errNotFound(id string) error {
	return &grants.Error{Code: grants.NotFound, Message: fmt.Sprintf("Agreement %s does not exist.", id), Reason: "agreement_not_found"}
}

// isConditionFailure reports whether err is a failed condition, alone or
// inside a cancelled transaction.
func isConditionFailure(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" || aws.ToString(r.Code) == "TransactionConflict" {
				return true
			}
		}
	}
	var tcf *types.TransactionConflictException
	return errors.As(err, &tcf)
}

// cancelledAt reports which transaction items failed their condition.
func cancelledAt(err error) []int {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	var idx []int
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			idx = append(idx, i)
		}
	}
	return idx
}

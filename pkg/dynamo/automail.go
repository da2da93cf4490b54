package dynamo

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

// The day's limits on automatic emails that inbound mail causes
// (grants.AutoMail) are items of one partition per day: a counter, and one
// item per sender answered. Each is taken with a conditional write, so
// concurrent deliveries never both get the last place; they expire (TTL)
// a few days after their day, which nothing reads again.

func autoMailPK(day grants.Date) string { return "AUTOMAIL#" + day.String() }

const autoMailCountSK = "COUNT"

func autoMailSenderSK(sender string) string {
	return "SENDER#" + grants.AddressKey(sender)
}

// autoMailRetention keeps a day's limits past any time zone's end of that day.
const autoMailRetention = 3 * 24 * time.Hour

// TakeAutoMail takes m's place in its day's limits: with a Sender, the
// sender's one email of the day (unless another email has it), then one of
// the day's Cap. It returns why not when there is no place. The two are
// separate writes, sender first: a sender refused takes nothing from the
// cap, and a sender's place taken when the cap then refuses is lost to no
// one, since the cap stays reached for the rest of the day. A retry of the
// same email (m.Key) takes its sender's place again, and counts again,
// which errs on the side of sending less.
func (st *Store) TakeAutoMail(ctx context.Context, m grants.AutoMail) (grants.Withheld, error) {
	pk := autoMailPK(m.Day)
	expires := epoch(m.Day.At(0, 0, time.UTC).Add(autoMailRetention))
	if m.Sender != "" {
		_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &st.table,
			Item: item{"PK": s(pk), "SK": s(autoMailSenderSK(m.Sender)), "type": s("automail-sender"),
				"key": s(m.Key), "expiresAt": expires},
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR #k = :key"),
			ExpressionAttributeNames:  map[string]string{"#k": "key"},
			ExpressionAttributeValues: item{":key": s(m.Key)},
		})
		if isConditionFailure(err) {
			return grants.WithheldSender, nil
		}
		if err != nil {
			return "", fmt.Errorf("take the sender's automatic email of %s: %w", m.Day, err)
		}
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.table,
		Key:                       keyOf(pk, autoMailCountSK),
		UpdateExpression:          aws.String("SET #t = :type, expiresAt = :exp ADD sent :one"),
		ConditionExpression:       aws.String("attribute_not_exists(sent) OR sent < :cap"),
		ExpressionAttributeNames:  map[string]string{"#t": "type"},
		ExpressionAttributeValues: item{":type": s("automail-count"), ":exp": expires, ":one": n(1), ":cap": n(m.Cap)},
	})
	if isConditionFailure(err) {
		return grants.WithheldDailyCap, nil
	}
	if err != nil {
		return "", fmt.Errorf("count an automatic email of %s: %w", m.Day, err)
	}
	return "", nil
}

// HeldCounts counts the messages pending in quarantine by programme (""
// for those naming none), from the held list's index keys alone: one Query
// of that status's partition, which returns no message's content.
func (st *Store) HeldCounts(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			IndexName:                 aws.String(IndexByProgramme),
			KeyConditionExpression:    aws.String("gsi1pk = :pk"),
			ProjectionExpression:      aws.String("gsi1sk"),
			ExpressionAttributeValues: item{":pk": s(heldListPK(grants.QuarantinePending))},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, fmt.Errorf("count held messages: %w", err)
		}
		for _, it := range out.Items {
			if sk, ok := it["gsi1sk"].(*types.AttributeValueMemberS); ok {
				// <programme>#<SES id>: an SES message ID holds no '#'.
				if i := strings.LastIndexByte(sk.Value, '#'); i >= 0 {
					counts[sk.Value[:i]]++
				}
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return counts, nil
		}
	}
}

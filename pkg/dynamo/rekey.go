package dynamo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// RekeyDB is what Rekey needs of DynamoDB.
type RekeyDB interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// RekeyReport is what Rekey did.
type RekeyReport struct {
	Scanned int `json:"scanned"`
	Rekeyed int `json:"rekeyed"`
	// Changed is how many items changed between the scan and their rekey:
	// their writer gave them the new keys, so Rekey leaves them alone.
	Changed int `json:"changedMeanwhile"`
}

// Rekey gives the items of a table written before the lists were keyed by
// programme the index keys they carry now: instalments their
// ByInstalmentStatus key by programme, agreements, instalments and check-ins
// their ByProgrammePlan keys, held messages their ByProgramme keys. It scans
// the table once (a one-off, run by an operator: never by the product) and
// updates only items whose keys differ, each on condition that what its keys
// derive from is unchanged, so it is safe while the product runs and safe to
// run twice (the second run rekeys nothing).
func Rekey(ctx context.Context, db RekeyDB, table string) (RekeyReport, error) {
	var rep RekeyReport
	var start map[string]types.AttributeValue
	for {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: &table, ExclusiveStartKey: start})
		if err != nil {
			return rep, fmt.Errorf("scan %s: %w", table, err)
		}
		for _, it := range out.Items {
			rep.Scanned++
			set, unchanged := newKeys(it)
			if len(set) == 0 {
				continue
			}
			err := rekeyItem(ctx, db, table, it, set, unchanged)
			switch {
			case isConditionFailure(err):
				rep.Changed++
			case err != nil:
				return rep, err
			default:
				rep.Rekeyed++
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return rep, nil
		}
	}
}

// newKeys is the index keys an item should carry and does not, and the
// attributes they are derived from, which must not change before the update.
func newKeys(it item) (set, unchanged map[string]string) {
	str := func(name string) string {
		v, _ := it[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	want := map[string]string{}
	unchanged = map[string]string{}
	switch str("type") {
	case typeAgreement:
		id := strings.TrimPrefix(str("PK"), "AGR#")
		want["plpk"], want["plsk"] = planPK(str("programme")), id+"#"+str("SK")
		unchanged["programme"] = str("programme")
	case typeInstalment:
		number, _ := it["number"].(*types.AttributeValueMemberN)
		if number == nil {
			return nil, nil
		}
		n, err := strconv.Atoi(number.Value)
		if err != nil {
			return nil, nil
		}
		id := str("agreementId")
		want["ispk"] = instalmentStatusPK(str("programme"), grants.InstalmentStatus(str("status")))
		want["issk"] = instalmentStatusSK(str("dueDate"), id, n)
		want["plpk"], want["plsk"] = planPK(str("programme")), id+"#"+str("SK")
		unchanged["status"], unchanged["dueDate"], unchanged["programme"] = str("status"), str("dueDate"), str("programme")
	case typeCheckIn:
		want["plpk"], want["plsk"] = planPK(str("programme")), str("agreementId")+"#"+str("SK")
		unchanged["programme"] = str("programme")
	case "quarantine":
		want["gsi1pk"], want["gsi1sk"] = heldListPK(str("status")), heldListSK(str("programme"), str("id"))
		unchanged["status"] = str("status")
	default:
		return nil, nil
	}
	set = map[string]string{}
	for k, v := range want {
		if str(k) != v {
			set[k] = v
		}
	}
	return set, unchanged
}

func rekeyItem(ctx context.Context, db RekeyDB, table string, it item, set, unchanged map[string]string) error {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var sets []string
	for i, k := range slices.Sorted(maps.Keys(set)) {
		names[fmt.Sprintf("#k%d", i)], values[fmt.Sprintf(":k%d", i)] = k, s(set[k])
		sets = append(sets, fmt.Sprintf("#k%d = :k%d", i, i))
	}
	conds := []string{"attribute_exists(PK)"}
	for i, k := range slices.Sorted(maps.Keys(unchanged)) {
		names[fmt.Sprintf("#u%d", i)] = k
		if unchanged[k] == "" {
			conds = append(conds, fmt.Sprintf("attribute_not_exists(#u%d)", i))
			continue
		}
		values[fmt.Sprintf(":u%d", i)] = s(unchanged[k])
		conds = append(conds, fmt.Sprintf("#u%d = :u%d", i, i))
	}
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &table,
		Key:                       item{"PK": it["PK"], "SK": it["SK"]},
		UpdateExpression:          aws.String("SET " + strings.Join(sets, ", ")),
		ConditionExpression:       aws.String(strings.Join(conds, " AND ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("rekey %s / %s: %w", it["PK"].(*types.AttributeValueMemberS).Value, it["SK"].(*types.AttributeValueMemberS).Value, err)
	}
	return err
}

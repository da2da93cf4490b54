package dynamo

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// The programmes an administrator created (issue 25, item 2) live in one
// partition, PK "PROGRAMMES", an item a programme, SK "P#<code>".
//
// Why one partition, and not the settings items (PROG#<code>/SETTINGS)
// under an index: listing the programmes is then one strongly consistent
// Query whose cost follows the number of programmes, never the
// agreements, with no index to build, pay for and wait on (a GSI is only
// eventually consistent: a programme just created could be missing from
// the list); a deployment runs a handful of programmes, far from what
// would make one partition hot. A create is a conditional put of the
// programme's own item, so two creates of one code make one. And the
// settings item stays the settings page's: it is put whole on every
// change, which would otherwise have to carry the programme's fields.

const (
	programmesPK  = "PROGRAMMES"
	typeProgramme = "programmeRecord"
)

func programmeKey(code string) item { return keyOf(programmesPK, "P#"+code) }

// programmeRecord is a stored grants.Programme.
type programmeRecord struct {
	Code             string `dynamodbav:"code"`
	Name             string `dynamodbav:"name"`
	Currency         string `dynamodbav:"currency,omitempty"`
	TimeZone         string `dynamodbav:"timeZone,omitempty"`
	Region           string `dynamodbav:"region,omitempty"`
	Archived         bool   `dynamodbav:"archived,omitempty"`
	FunderName       string `dynamodbav:"funderName,omitempty"`
	FunderOrgID      string `dynamodbav:"funderOrgId,omitempty"`
	Funder360GPrefix string `dynamodbav:"funder360GPrefix,omitempty"`
}

func (r programmeRecord) domain() grants.Programme { return grants.Programme(r) }

// ProgrammeTaken is the store's answer to a second create of a code.
func programmeTaken(code string) error {
	return &grants.Error{Code: grants.Conflict, Reason: "programme_exists",
		Message: fmt.Sprintf("A programme with code %s already exists.", code),
		Fields:  []grants.FieldError{{Field: "code", Reason: "is taken by another programme"}}}
}

// CreateProgramme stores a new programme, once: a code already stored is a
// Conflict naming "code". In the same transaction the programme's settings
// item gets its name, region and time zone where it has none (a settings item put
// before, by hand, keeps what it says), so its settings page reads them at
// once.
func (st *Store) CreateProgramme(ctx context.Context, p grants.Programme) error {
	it, err := marshal(programmeRecord(p))
	if err != nil {
		return err
	}
	for k, v := range programmeKey(p.Code) {
		it[k] = v
	}
	it["type"] = s(typeProgramme)
	settings := p.Settings()
	err = st.transact(ctx, []types.TransactWriteItem{
		st.putNew(it),
		{Update: &types.Update{
			TableName:                &st.table,
			Key:                      settingsKey(p.Code),
			UpdateExpression:         aws.String("SET #name = if_not_exists(#name, :name), #region = if_not_exists(#region, :region), #tz = if_not_exists(#tz, :tz), #type = :type"),
			ExpressionAttributeNames: map[string]string{"#name": "name", "#region": "region", "#tz": "timeZone", "#type": "type"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":name": s(settings.Name), ":region": s(settings.Region), ":tz": s(settings.TimeZone), ":type": s("programme"),
			},
		}},
	})
	if slices.Contains(cancelledAt(err), 0) {
		return programmeTaken(p.Code)
	}
	if isConditionFailure(err) {
		return &grants.Error{Code: grants.Conflict, Reason: grants.ReasonBusy, Message: "The programme's records were being changed at the same moment; try again."}
	}
	if err != nil {
		return fmt.Errorf("create programme %s: %w", p.Code, err)
	}
	return nil
}

// Programmes lists the programmes created, by code: one strongly
// consistent Query of their partition.
func (st *Store) Programmes(ctx context.Context) ([]grants.Programme, error) {
	out := []grants.Programme{}
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p AND begins_with(SK, :k)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(programmesPK), ":k": s("P#")},
		ConsistentRead:            aws.Bool(true),
	}, func(o *dynamodb.QueryOutput) {
		out = append(out, decodeList[programmeRecord](ctx, o.Items, nil)...)
	})
	if err != nil {
		return nil, fmt.Errorf("list programmes: %w", err)
	}
	return out, nil
}

// Programme reads one programme created; false if none was.
func (st *Store) Programme(ctx context.Context, code string) (grants.Programme, bool, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: programmeKey(code), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return grants.Programme{}, false, fmt.Errorf("read programme %s: %w", code, err)
	}
	if out.Item == nil {
		return grants.Programme{}, false, nil
	}
	p, err := decode[programmeRecord](out.Item)
	return p, err == nil, err
}

// ArchiveProgramme marks p archived, idempotently, in one write: a
// programme the store does not hold yet (the deployment's own, from its
// configuration) is stored as p, archived; one it holds keeps its fields.
func (st *Store) ArchiveProgramme(ctx context.Context, p grants.Programme) error {
	names := map[string]string{"#archived": "archived", "#type": "type"}
	values := map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}, ":type": s(typeProgramme)}
	expr := "SET #archived = :true, #type = :type"
	for attr, v := range map[string]string{"code": p.Code, "name": p.Name, "currency": p.Currency, "timeZone": p.TimeZone, "region": p.Region,
		"funderName": p.FunderName, "funderOrgId": p.FunderOrgID, "funder360GPrefix": p.Funder360GPrefix} {
		if v == "" {
			continue
		}
		names["#"+attr], values[":"+attr] = attr, s(v)
		expr += fmt.Sprintf(", #%s = if_not_exists(#%s, :%s)", attr, attr, attr)
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: programmeKey(p.Code), UpdateExpression: &expr,
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	if err != nil {
		return fmt.Errorf("archive programme %s: %w", p.Code, err)
	}
	return nil
}

// programmeArchived reads whether a programme item found says archived
// (none: not archived).
func programmeArchived(it item) bool {
	if it == nil {
		return false
	}
	p, err := decode[programmeRecord](it)
	return err == nil && p.Archived
}

package iam

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"dynamodb:getitem", "dynamodb:getitem", true},
		{"dynamodb:getitem", "dynamodb:getitems", false},
		{"dynamodb:*", "dynamodb:query", true},
		{"dynamodb:*", "ses:sendemail", false},
		{"sqs:sendmessage*", "sqs:sendmessagebatch", true},
		{"*", "anything", true},
		{"arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw/x/y", true},
		{"arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/attachments/x", false},
		{"arn:secret:web-client-??????", "arn:secret:web-client-AbC123", true},
		{"arn:secret:web-client-??????", "arn:secret:web-client-AbC12", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*/index/*", "table/t/index/ByProgramme", true},
		// Resources match case-sensitively.
		{"arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false},
	} {
		if got := Match(c.p, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

// testTemplate has what the real template's policies use: anchors and
// aliases, !Sub, !GetAtt and !Ref, an explicit Deny with a condition, a
// delete allowed only on some partition keys, an index, a schedule group
// and its role, a secret by name, a bucket prefix, a SAM policy template.
const testTemplate = `
Parameters:
  Stage: { Type: String, Default: dev }
  SesIdentity: { Type: String }
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub grants-${Stage}
      KeySchema: [{ AttributeName: PK, KeyType: HASH }, { AttributeName: SK, KeyType: RANGE }]
      GlobalSecondaryIndexes:
        - IndexName: ByProgramme
          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }]
        - IndexName: ByPlan
          KeySchema: [{ AttributeName: plpk, KeyType: HASH }]
  Group:
    Type: AWS::Scheduler::ScheduleGroup
    Properties:
      Name: !Sub grants-${Stage}
  Role: { Type: AWS::IAM::Role, Properties: {} }
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub grants-${Stage}-bus
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub grants-${Stage}-q
  Bucket: { Type: AWS::S3::Bucket, Properties: {} }
  Key: { Type: AWS::SecretsManager::Secret, Properties: {} }
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Environment: { Variables: { X: !Ref NoSuchParameterIsRead } }
      Policies:
        - Statement:
            - &Unread
              Effect: Deny
              Action: [dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query]
              Resource: !GetAtt Table.Arn
              Condition:
                ForAnyValue:StringLike:
                  dynamodb:LeadingKeys: ["SECRET#*"]
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:Query, dynamodb:ConditionCheckItem]
              Resource:
                - !GetAtt Table.Arn
                - !Sub ${Table.Arn}/index/ByProgramme
            - Effect: Allow
              Action: dynamodb:DeleteItem
              Resource: !GetAtt Table.Arn
              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys: ["PROG#*"]
            - Effect: Allow
              Action: [scheduler:CreateSchedule]
              Resource: !Sub arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${Group}/*
            - Effect: Allow
              Action: iam:PassRole
              Resource: !GetAtt Role.Arn
            - Effect: Allow
              Action: ses:SendEmail
              Resource: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}
            - Effect: Allow
              Action: events:PutEvents
              Resource: !GetAtt Bus.Arn
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Queue.Arn
            - Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${AWS::StackName}-web-??????
            - Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt Bucket.Arn
              Condition:
                StringLike: { "s3:prefix": "raw/*" }
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - *Unread
        - DynamoDBReadPolicy:
            TableName: !Ref Table
`

func testNames() Names {
	return Names{Region: "eu-west-2", Account: "000000000000",
		Params:   map[string]string{"Stage": "local", "SesIdentity": "funder.local", "AWS::StackName": "stack"},
		Physical: map[string]string{"Bucket": "mail"}}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s("x")}
}

func TestDecisions(t *testing.T) {
	tpl, err := Parse([]byte(testTemplate), testNames())
	if err != nil {
		t.Fatal(err)
	}
	table := aws.String("grants-local")
	enf := NewEnforcer(tpl, "eu-west-2", "000000000000", nil)
	for _, c := range []struct {
		name, fn, service, op string
		in                    any
		allowed               bool
	}{
		{"a get", "Writer", "DynamoDB", "GetItem", &dynamodb.GetItemInput{TableName: table, Key: key("AGR#1")}, true},
		{"a get by the table's ARN", "Writer", "DynamoDB", "GetItem", &dynamodb.GetItemInput{TableName: aws.String("arn:aws:dynamodb:eu-west-2:000000000000:table/grants-local"), Key: key("AGR#1")}, true},
		{"another table", "Writer", "DynamoDB", "GetItem", &dynamodb.GetItemInput{TableName: aws.String("other"), Key: key("AGR#1")}, false},
		{"the explicit Deny wins over the Allow", "Writer", "DynamoDB", "GetItem", &dynamodb.GetItemInput{TableName: table, Key: key("SECRET#1")}, false},
		{"a query of a denied partition", "Writer", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table,
			KeyConditionExpression: aws.String("#pk = :p AND begins_with(SK, :s)"), ExpressionAttributeNames: map[string]string{"#pk": "PK"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("SECRET#1"), ":s": s("A")}}, false},
		{"a query of the table", "Writer", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table,
			KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("AGR#1")}}, true},
		{"a query of an index listed", "Writer", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table, IndexName: aws.String("ByProgramme"),
			KeyConditionExpression: aws.String("gsi1pk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("PROG#x")}}, true},
		{"a query of an index not listed", "Writer", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table, IndexName: aws.String("ByPlan"),
			KeyConditionExpression: aws.String("plpk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("PROG#x")}}, false},
		{"BatchGetItem is an action of its own", "Writer", "DynamoDB", "BatchGetItem", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			"grants-local": {Keys: []map[string]types.AttributeValue{key("AGR#1")}}}}, false},
		{"a delete of programme items only", "Writer", "DynamoDB", "DeleteItem", &dynamodb.DeleteItemInput{TableName: table, Key: key("PROG#x")}, true},
		{"a delete of anything else", "Writer", "DynamoDB", "DeleteItem", &dynamodb.DeleteItemInput{TableName: table, Key: key("AGR#1")}, false},
		{"a transaction of allowed members", "Writer", "DynamoDB", "TransactWriteItems", &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: table, Item: key("AGR#1")}},
			{Update: &types.Update{TableName: table, Key: key("AGR#1")}},
			{ConditionCheck: &types.ConditionCheck{TableName: table, Key: key("AGR#2")}},
			{Delete: &types.Delete{TableName: table, Key: key("PROG#x")}},
		}}, true},
		{"a transaction whose delete is not allowed", "Writer", "DynamoDB", "TransactWriteItems", &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: table, Item: key("AGR#1")}},
			{Delete: &types.Delete{TableName: table, Key: key("AGR#1")}},
		}}, false},
		{"a schedule, passing its role", "Writer", "Scheduler", "CreateSchedule", &scheduler.CreateScheduleInput{Name: aws.String("s"), GroupName: aws.String("grants-local"),
			Target: &schedtypes.Target{RoleArn: aws.String("arn:aws:iam::000000000000:role/Role")}}, true},
		{"a schedule passing another role", "Writer", "Scheduler", "CreateSchedule", &scheduler.CreateScheduleInput{Name: aws.String("s"), GroupName: aws.String("grants-local"),
			Target: &schedtypes.Target{RoleArn: aws.String("arn:aws:iam::000000000000:role/Admin")}}, false},
		{"a schedule in the default group", "Writer", "Scheduler", "CreateSchedule", &scheduler.CreateScheduleInput{Name: aws.String("s")}, false},
		{"mail from the identity", "Writer", "SESv2", "SendEmail", &sesv2.SendEmailInput{FromEmailAddress: aws.String(`"Olu, The Funder" <olu@funder.local>`)}, true},
		{"mail from elsewhere", "Writer", "SESv2", "SendEmail", &sesv2.SendEmailInput{FromEmailAddress: aws.String("x@other.org")}, false},
		{"mail with a configuration set not listed", "Writer", "SESv2", "SendEmail", &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@funder.local"), ConfigurationSetName: aws.String("cs")}, false},
		{"an event on the bus", "Writer", "EventBridge", "PutEvents", &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("grants-local-bus")}}}, true},
		{"an event on the default bus", "Writer", "EventBridge", "PutEvents", &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{}}}, false},
		{"a batch on the queue", "Writer", "SQS", "SendMessageBatch", &sqs.SendMessageBatchInput{QueueUrl: aws.String("http://127.0.0.1:9/000000000000/grants-local-q")}, true},
		{"a receive from the queue", "Writer", "SQS", "ReceiveMessage", &sqs.ReceiveMessageInput{QueueUrl: aws.String("http://127.0.0.1:9/000000000000/grants-local-q")}, false},
		{"a secret by name", "Writer", "Secrets Manager", "GetSecretValue", &secretsmanager.GetSecretValueInput{SecretId: aws.String("stack-web")}, true},
		{"another secret", "Writer", "Secrets Manager", "GetSecretValue", &secretsmanager.GetSecretValueInput{SecretId: aws.String("stack-other")}, false},
		{"a listing of raw/", "Writer", "S3", "ListObjectsV2", &s3.ListObjectsV2Input{Bucket: aws.String("mail"), Prefix: aws.String("raw/")}, true},
		{"a listing of everything", "Writer", "S3", "ListObjectsV2", &s3.ListObjectsV2Input{Bucket: aws.String("mail")}, false},
		{"an operation never mapped", "Writer", "DynamoDB", "DescribeTable", &dynamodb.DescribeTableInput{TableName: table}, false},
		// The SAM policy template: reads of the table and any index, no writes.
		{"a template's read of an index", "Reader", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table, IndexName: aws.String("ByPlan"),
			KeyConditionExpression: aws.String("plpk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("PROG#x")}}, true},
		{"a template's batch read", "Reader", "DynamoDB", "BatchGetItem", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			"grants-local": {Keys: []map[string]types.AttributeValue{key("AGR#1"), key("AGR#2")}}}}, true},
		{"the Deny beside a template", "Reader", "DynamoDB", "BatchGetItem", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			"grants-local": {Keys: []map[string]types.AttributeValue{key("AGR#1"), key("SECRET#2")}}}}, false},
		{"no write in a read template", "Reader", "DynamoDB", "PutItem", &dynamodb.PutItemInput{TableName: table, Item: key("AGR#1")}, false},
		{"a function not in the template", "Nobody", "DynamoDB", "GetItem", &dynamodb.GetItemInput{TableName: table, Key: key("AGR#1")}, false},
	} {
		err := enf.Check(context.Background(), c.fn, c.service, c.op, c.in)
		if (err == nil) != c.allowed {
			t.Errorf("%s: %s.%s by %s: error %v, want allowed %v", c.name, c.service, c.op, c.fn, err, c.allowed)
		}
		var api smithy.APIError
		if err != nil && (!errors.As(err, &api) || !strings.HasPrefix(api.ErrorCode(), "AccessDenied")) {
			t.Errorf("%s: %v is not an AccessDenied API error", c.name, err)
		}
	}
}

// Taking an action out of a policy takes it out of every statement: the
// flows that need it are refused, the others not.
func TestWithout(t *testing.T) {
	tpl, err := Parse([]byte(testTemplate), testNames())
	if err != nil {
		t.Fatal(err)
	}
	p := tpl.Policies["Writer"]
	put := Request{Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:eu-west-2:000000000000:table/grants-local"}
	get := Request{Action: "dynamodb:GetItem", Resource: put.Resource}
	if !p.Allows(put) || !p.Without("dynamodb:getitem").Allows(put) {
		t.Error("a put is refused")
	}
	if p.Without("dynamodb:GetItem").Allows(get) {
		t.Error("a get is allowed without dynamodb:GetItem")
	}
}

// What the loader refuses, rather than read as an allow.
func TestUnreadablePolicies(t *testing.T) {
	for name, pol := range map[string]string{
		"a managed policy":       "- AWSLambdaExecute",
		"an unknown template":    "- KMSDecryptPolicy: { KeyId: k }",
		"NotAction":              "- Statement: [{ Effect: Allow, NotAction: s3:*, Resource: '*' }]",
		"an unknown operator":    "- Statement: [{ Effect: Allow, Action: s3:*, Resource: '*', Condition: { IpAddress: { aws:SourceIp: 1.2.3.4 } } }]",
		"an unknown resource":    "- Statement: [{ Effect: Allow, Action: s3:*, Resource: !GetAtt Nothing.Arn }]",
		"an unresolved function": "- Statement: [{ Effect: Allow, Action: s3:*, Resource: !If [C, a, b] }]",
	} {
		tpl := "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        " + pol + "\n"
		if _, err := Parse([]byte(tpl), testNames()); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// The real template's policies all load, each function has one, and a
// sample of what its functions do is decided as AWS would.
func TestTheTemplatesPolicies(t *testing.T) {
	tpl, err := Load("../../../template.yaml", Names{Region: "eu-west-2", Account: "000000000000",
		Params: map[string]string{"Stage": "local", "SesIdentity": "funder.local", "AWS::StackName": "partnership-grants-local"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Policies) < 10 {
		t.Fatalf("%d functions' policies", len(tpl.Policies))
	}
	for fn, p := range tpl.Policies {
		if len(p.Statements) == 0 {
			t.Errorf("%s has no statements", fn)
		}
	}
	if k := tpl.Tables["partnership-grants-local"]; k.Hash != "PK" || k.Indexes["ByProgramme"] != "gsi1pk" {
		t.Errorf("the table's keys: %+v", k)
	}
	table := aws.String("partnership-grants-local")
	enf := NewEnforcer(tpl, "eu-west-2", "000000000000", nil)
	// No function serving staff may read where confidential feedback came from.
	if err := enf.Check(context.Background(), "WebFunction", "DynamoDB", "GetItem", &dynamodb.GetItemInput{TableName: table, Key: key("CONFIDENTIAL#1")}); err == nil {
		t.Error("the web app read a CONFIDENTIAL# item")
	}
	// The exports' index is not Payments'.
	if err := enf.Check(context.Background(), "PaymentsFunction", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table, IndexName: aws.String("ByProgrammePlan")}); err == nil {
		t.Error("Payments queried ByProgrammePlan")
	}
	if err := enf.Check(context.Background(), "PaymentsFunction", "DynamoDB", "Query", &dynamodb.QueryInput{TableName: table, IndexName: aws.String("ByInstalmentStatus")}); err != nil {
		t.Error(err)
	}
}

// The check on each call: a TransactWriteItems of three members, as a
// payment writes, against the real template's Payments policy.
func BenchmarkCheck(b *testing.B) {
	tpl, err := Load("../../../template.yaml", Names{Region: "eu-west-2", Account: "000000000000",
		Params: map[string]string{"Stage": "local", "SesIdentity": "funder.local", "AWS::StackName": "partnership-grants-local"}})
	if err != nil {
		b.Fatal(err)
	}
	table := aws.String("partnership-grants-local")
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: table, Item: key("AGR#1")}},
		{Update: &types.Update{TableName: table, Key: key("AGR#1")}},
		{ConditionCheck: &types.ConditionCheck{TableName: table, Key: key("AGR#2")}},
	}}
	enf := NewEnforcer(tpl, "eu-west-2", "000000000000", nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := enf.Check(ctx, "PaymentsFunction", "DynamoDB", "TransactWriteItems", in); err != nil {
			b.Fatal(err)
		}
	}
}

// The middleware on a real client: a call under a function's context is
// checked (and a refused one never reaches the service); one outside any
// invocation is not.
func TestMiddleware(t *testing.T) {
	tpl, err := Parse([]byte(testTemplate), testNames())
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		_, _ = w.Write([]byte(`{"ScheduleArn":"arn"}`))
	}))
	defer srv.Close()
	enf := NewEnforcer(tpl, "eu-west-2", "000000000000", nil)
	client := scheduler.New(scheduler.Options{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), APIOptions: []func(*middleware.Stack) error{enf.Middleware}})
	in := func(group string) *scheduler.CreateScheduleInput {
		return &scheduler.CreateScheduleInput{Name: aws.String("s"), GroupName: aws.String(group), ScheduleExpression: aws.String("at(2027-01-01T00:00:00)"),
			FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
			Target:             &schedtypes.Target{Arn: aws.String("arn:aws:lambda:eu-west-2:000000000000:function:f"), RoleArn: aws.String("arn:aws:iam::000000000000:role/Role")}}
	}
	writer := WithFunction(context.Background(), "Writer")
	if _, err := client.CreateSchedule(writer, in("grants-local")); err != nil || hits != 1 {
		t.Fatalf("an allowed call: %v, %d hits", err, hits)
	}
	_, err = client.CreateSchedule(writer, in("other"))
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDeniedException" || !strings.Contains(err.Error(), "scheduler:CreateSchedule") || hits != 1 {
		t.Fatalf("a refused call: %v, %d hits", err, hits)
	}
	if _, err := client.CreateSchedule(context.Background(), in("other")); err != nil || hits != 2 {
		t.Fatalf("a call outside any invocation: %v, %d hits", err, hits)
	}
}

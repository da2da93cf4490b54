package iam

import (
	"fmt"
	"net/mail"
	"reflect"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// LeadingKeys is DynamoDB's condition key of the partition key values a
// call touches.
const LeadingKeys = "dynamodb:LeadingKeys"

// prefixes are IAM's service prefixes by SDK service ID.
var prefixes = map[string]string{
	"DynamoDB":                  "dynamodb",
	"SESv2":                     "ses",
	"SES":                       "ses",
	"S3":                        "s3",
	"SQS":                       "sqs",
	"Scheduler":                 "scheduler",
	"EventBridge":               "events",
	"Secrets Manager":           "secretsmanager",
	"Cognito Identity Provider": "cognito-idp",
	"CloudWatch":                "cloudwatch",
}

// Requests are the authorizations AWS makes for one SDK call of operation
// on service (its SDK service ID) with input params, as the Service
// Authorization Reference lists them: most calls are one action on one
// resource; a TransactWriteItems is each member's own action on its table;
// a CreateSchedule is also iam:PassRole on its target's role. A call this
// does not know maps to <prefix>:<operation> on "*", which no statement
// naming its resources allows: an unmapped call fails loudly, naming what
// to add here.
func (t *Template) Requests(region, account, service, operation string, params any) []Request {
	prefix := prefixes[service]
	if prefix == "" {
		prefix = strings.ToLower(strings.ReplaceAll(service, " ", ""))
	}
	one := func(action, resource string) []Request {
		return []Request{{Action: prefix + ":" + action, Resource: resource}}
	}
	switch in := params.(type) {
	// DynamoDB: the table (or index) ARN, and the partition keys touched.
	case *dynamodb.GetItemInput:
		return t.item("GetItem", region, account, in.TableName, in.Key)
	case *dynamodb.PutItemInput:
		return t.item("PutItem", region, account, in.TableName, in.Item)
	case *dynamodb.UpdateItemInput:
		return t.item("UpdateItem", region, account, in.TableName, in.Key)
	case *dynamodb.DeleteItemInput:
		return t.item("DeleteItem", region, account, in.TableName, in.Key)
	case *dynamodb.QueryInput:
		return []Request{t.query(region, account, in)}
	case *dynamodb.ScanInput:
		return []Request{{Action: "dynamodb:Scan", Resource: tableARN(region, account, aws.ToString(in.TableName), aws.ToString(in.IndexName))}}
	case *dynamodb.BatchGetItemInput:
		var out []Request
		for table, ka := range in.RequestItems {
			out = append(out, t.keysRequest("BatchGetItem", region, account, table, ka.Keys))
		}
		return out
	case *dynamodb.BatchWriteItemInput:
		var out []Request
		for table, ws := range in.RequestItems {
			var keys []map[string]ddbtypes.AttributeValue
			for _, w := range ws {
				switch {
				case w.PutRequest != nil:
					keys = append(keys, w.PutRequest.Item)
				case w.DeleteRequest != nil:
					keys = append(keys, w.DeleteRequest.Key)
				}
			}
			out = append(out, t.keysRequest("BatchWriteItem", region, account, table, keys))
		}
		return out
	case *dynamodb.TransactWriteItemsInput:
		// No action of its own: each member is authorized as the single-item
		// call it is.
		var out []Request
		for _, m := range in.TransactItems {
			switch {
			case m.Put != nil:
				out = append(out, t.item("PutItem", region, account, m.Put.TableName, m.Put.Item)...)
			case m.Update != nil:
				out = append(out, t.item("UpdateItem", region, account, m.Update.TableName, m.Update.Key)...)
			case m.Delete != nil:
				out = append(out, t.item("DeleteItem", region, account, m.Delete.TableName, m.Delete.Key)...)
			case m.ConditionCheck != nil:
				out = append(out, t.item("ConditionCheckItem", region, account, m.ConditionCheck.TableName, m.ConditionCheck.Key)...)
			}
		}
		return out
	case *dynamodb.TransactGetItemsInput:
		var out []Request
		for _, m := range in.TransactItems {
			if m.Get != nil {
				out = append(out, t.item("GetItem", region, account, m.Get.TableName, m.Get.Key)...)
			}
		}
		return out

	// SES: the sending identity (the From address's domain, the identity
	// the template verifies) and the configuration set, when one is named.
	case *sesv2.SendEmailInput:
		out := one("SendEmail", fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", region, account, identityOf(aws.ToString(in.FromEmailAddress))))
		if in.FromEmailAddressIdentityArn != nil {
			out[0].Resource = *in.FromEmailAddressIdentityArn
		}
		if cs := aws.ToString(in.ConfigurationSetName); cs != "" {
			out = append(out, one("SendEmail", fmt.Sprintf("arn:aws:ses:%s:%s:configuration-set/%s", region, account, cs))...)
		}
		return out

	// SQS: the queue, from its URL; the batch calls are their single actions.
	case *sqs.SendMessageInput:
		return one("SendMessage", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.SendMessageBatchInput:
		return one("SendMessage", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.ReceiveMessageInput:
		return one("ReceiveMessage", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.DeleteMessageInput:
		return one("DeleteMessage", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.DeleteMessageBatchInput:
		return one("DeleteMessage", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.ChangeMessageVisibilityInput:
		return one("ChangeMessageVisibility", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.ChangeMessageVisibilityBatchInput:
		return one("ChangeMessageVisibility", queueARN(region, account, aws.ToString(in.QueueUrl)))
	case *sqs.GetQueueAttributesInput:
		return one("GetQueueAttributes", queueARN(region, account, aws.ToString(in.QueueUrl)))

	// EventBridge Scheduler: the schedule in its group; creating one
	// passes its target's role.
	case *scheduler.CreateScheduleInput:
		out := one("CreateSchedule", scheduleARN(region, account, in.GroupName, in.Name))
		if in.Target != nil && in.Target.RoleArn != nil {
			out = append(out, Request{Action: "iam:PassRole", Resource: *in.Target.RoleArn})
		}
		return out
	case *scheduler.GetScheduleInput:
		return one("GetSchedule", scheduleARN(region, account, in.GroupName, in.Name))
	case *scheduler.DeleteScheduleInput:
		return one("DeleteSchedule", scheduleARN(region, account, in.GroupName, in.Name))
	case *scheduler.UpdateScheduleInput:
		out := one("UpdateSchedule", scheduleARN(region, account, in.GroupName, in.Name))
		if in.Target != nil && in.Target.RoleArn != nil {
			out = append(out, Request{Action: "iam:PassRole", Resource: *in.Target.RoleArn})
		}
		return out

	// EventBridge: each entry's bus.
	case *eventbridge.PutEventsInput:
		var out []Request
		seen := map[string]bool{}
		for _, e := range in.Entries {
			arn := busARN(region, account, aws.ToString(e.EventBusName))
			if !seen[arn] {
				seen[arn] = true
				out = append(out, one("PutEvents", arn)...)
			}
		}
		return out

	// Secrets Manager: the secret, by ARN or by name.
	case *secretsmanager.GetSecretValueInput:
		id := aws.ToString(in.SecretId)
		if !strings.HasPrefix(id, "arn:") {
			id = SecretARN(region, account, id)
		}
		return one("GetSecretValue", id)

	// S3: the object, or the bucket with the listed prefix.
	case *s3.GetObjectInput:
		return one("GetObject", "arn:aws:s3:::"+aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	case *s3.HeadObjectInput:
		return one("GetObject", "arn:aws:s3:::"+aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	case *s3.PutObjectInput:
		return one("PutObject", "arn:aws:s3:::"+aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	case *s3.DeleteObjectInput:
		return one("DeleteObject", "arn:aws:s3:::"+aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	case *s3.ListObjectsV2Input:
		r := one("ListBucket", "arn:aws:s3:::"+aws.ToString(in.Bucket))
		if in.Prefix != nil {
			r[0].Keys = map[string][]string{"s3:prefix": {*in.Prefix}}
		}
		return r
	case *s3.CreateBucketInput:
		return one("CreateBucket", "arn:aws:s3:::"+aws.ToString(in.Bucket))
	}
	// Cognito's user pool calls all name the pool.
	if prefix == "cognito-idp" {
		if id := userPoolID(params); id != "" {
			return one(operation, fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, account, id))
		}
	}
	// Anything else, and CloudWatch's PutMetricData (which has no resource).
	return one(operation, "*")
}

// item is a single-item call on a table: its action, with the item's
// partition key as dynamodb:LeadingKeys.
func (t *Template) item(action, region, account string, table *string, key map[string]ddbtypes.AttributeValue) []Request {
	return []Request{t.keysRequest(action, region, account, aws.ToString(table), []map[string]ddbtypes.AttributeValue{key})}
}

func (t *Template) keysRequest(action, region, account, table string, keys []map[string]ddbtypes.AttributeValue) Request {
	name := tableName(table)
	r := Request{Action: "dynamodb:" + action, Resource: tableARN(region, account, table, "")}
	hash := t.Tables[name].Hash
	if hash == "" {
		return r
	}
	var vals []string
	for _, k := range keys {
		if v, ok := scalar(k[hash]); ok {
			vals = append(vals, v)
		}
	}
	if len(vals) > 0 {
		r.Keys = map[string][]string{LeadingKeys: vals}
	}
	return r
}

// keyEquals finds "attr = :value" in a key condition.
var keyEquals = regexp.MustCompile(`(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)

// query is a Query: on the table, or on the index's own ARN
// (table/NAME/index/IDX), with the partition key value the key condition
// fixes.
func (t *Template) query(region, account string, in *dynamodb.QueryInput) Request {
	table, index := aws.ToString(in.TableName), aws.ToString(in.IndexName)
	r := Request{Action: "dynamodb:Query", Resource: tableARN(region, account, table, index)}
	keys := t.Tables[tableName(table)]
	hash := keys.Hash
	if index != "" {
		hash = keys.Indexes[index]
	}
	if hash == "" {
		return r
	}
	for _, m := range keyEquals.FindAllStringSubmatch(aws.ToString(in.KeyConditionExpression), -1) {
		attr := m[1]
		if strings.HasPrefix(attr, "#") {
			attr = in.ExpressionAttributeNames[attr]
		}
		if attr != hash {
			continue
		}
		if v, ok := scalar(in.ExpressionAttributeValues[m[2]]); ok {
			r.Keys = map[string][]string{LeadingKeys: {v}}
		}
	}
	return r
}

func scalar(v ddbtypes.AttributeValue) (string, bool) {
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return v.Value, true
	case *ddbtypes.AttributeValueMemberN:
		return v.Value, true
	}
	return "", false
}

// tableName is a TableName parameter's table: a name or an ARN.
func tableName(table string) string {
	if i := strings.Index(table, ":table/"); i >= 0 {
		return table[i+len(":table/"):]
	}
	return table
}

func tableARN(region, account, table, index string) string {
	arn := table
	if !strings.HasPrefix(table, "arn:") {
		arn = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, account, table)
	}
	if index != "" {
		arn += "/index/" + index
	}
	return arn
}

// queueARN is a queue's ARN from its URL (.../ACCOUNT/NAME).
func queueARN(region, account, url string) string {
	parts := strings.Split(strings.TrimRight(url, "/"), "/")
	name := parts[len(parts)-1]
	if len(parts) >= 2 && parts[len(parts)-2] != "" && !strings.Contains(parts[len(parts)-2], ".") && !strings.Contains(parts[len(parts)-2], ":") {
		account = parts[len(parts)-2]
	}
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, account, name)
}

func scheduleARN(region, account string, group, name *string) string {
	g := aws.ToString(group)
	if g == "" {
		g = "default"
	}
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", region, account, g, aws.ToString(name))
}

func busARN(region, account, bus string) string {
	if strings.HasPrefix(bus, "arn:") {
		return bus
	}
	if bus == "" {
		bus = "default"
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", region, account, bus)
}

// identityOf is the domain of a From address ("Name <a@example.org>").
func identityOf(from string) string {
	addr := from
	if a, err := mail.ParseAddress(from); err == nil {
		addr = a.Address
	} else if i := strings.LastIndex(from, "<"); i >= 0 {
		addr = strings.TrimSuffix(from[i+1:], ">")
	}
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// userPoolID is a Cognito input's UserPoolId (every user pool call has one).
func userPoolID(params any) string {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := v.Elem().FieldByName("UserPoolId")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
		return ""
	}
	return f.Elem().String()
}

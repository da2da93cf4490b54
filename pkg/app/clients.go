package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
)

// The adapters take SDK clients through small interfaces, and the wiring
// hands them these method-value wrappers rather than the clients. Why: a
// type converted to an interface is "used in an interface", and in a binary
// that links text/template (every function that sends email, and the web
// app) Go's linker keeps every exported method of such types, since a
// template may call any method by name. For an SDK client that is every
// operation of the service with its serializers: for DynamoDB, SES,
// EventBridge and Scheduler, up to 5 MB per bootstrap. A wrapper holds only
// the operations called, so only those are linked. (S3 cannot be helped:
// s3.New puts its client in an interface itself.)

// Op is one SDK operation held as a method value.
type Op[In, Out, Opts any] func(context.Context, *In, ...func(*Opts)) (*Out, error)

// dynamoOps is what the store and the idempotency records use of the client.
type dynamoOps struct {
	query              Op[dynamodb.QueryInput, dynamodb.QueryOutput, dynamodb.Options]
	getItem            Op[dynamodb.GetItemInput, dynamodb.GetItemOutput, dynamodb.Options]
	batchGetItem       Op[dynamodb.BatchGetItemInput, dynamodb.BatchGetItemOutput, dynamodb.Options]
	putItem            Op[dynamodb.PutItemInput, dynamodb.PutItemOutput, dynamodb.Options]
	updateItem         Op[dynamodb.UpdateItemInput, dynamodb.UpdateItemOutput, dynamodb.Options]
	deleteItem         Op[dynamodb.DeleteItemInput, dynamodb.DeleteItemOutput, dynamodb.Options]
	transactWriteItems Op[dynamodb.TransactWriteItemsInput, dynamodb.TransactWriteItemsOutput, dynamodb.Options]
}

// newDynamoOps wraps c.
func newDynamoOps(c *dynamodb.Client) dynamoOps {
	return dynamoOps{c.Query, c.GetItem, c.BatchGetItem, c.PutItem, c.UpdateItem, c.DeleteItem, c.TransactWriteItems}
}

func (d dynamoOps) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return d.query(ctx, in, o...)
}

func (d dynamoOps) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return d.getItem(ctx, in, o...)
}

func (d dynamoOps) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return d.batchGetItem(ctx, in, o...)
}

func (d dynamoOps) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return d.putItem(ctx, in, o...)
}

func (d dynamoOps) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return d.updateItem(ctx, in, o...)
}

func (d dynamoOps) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return d.deleteItem(ctx, in, o...)
}

func (d dynamoOps) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return d.transactWriteItems(ctx, in, o...)
}

// scheduleOps is what the schedules adapter uses of the Scheduler client.
type scheduleOps struct {
	create Op[scheduler.CreateScheduleInput, scheduler.CreateScheduleOutput, scheduler.Options]
	get    Op[scheduler.GetScheduleInput, scheduler.GetScheduleOutput, scheduler.Options]
	delete Op[scheduler.DeleteScheduleInput, scheduler.DeleteScheduleOutput, scheduler.Options]
}

func (s scheduleOps) CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, o ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error) {
	return s.create(ctx, in, o...)
}

func (s scheduleOps) GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, o ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error) {
	return s.get(ctx, in, o...)
}

func (s scheduleOps) DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, o ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error) {
	return s.delete(ctx, in, o...)
}

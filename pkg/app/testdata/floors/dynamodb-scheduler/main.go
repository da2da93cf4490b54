// Size floor: the SDK calls of the AgreementsFunction (DynamoDB, and
// EventBridge Scheduler to create, read and delete schedules).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
)

func main() {
	db := dynamodb.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	sched := scheduler.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	lambda.Start(func(ctx context.Context, key string) error {
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(key)}); err != nil {
			return err
		}
		if _, err := sched.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(key)}); err != nil {
			return err
		}
		if _, err := sched.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(key)}); err != nil {
			return err
		}
		_, err := sched.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(key)})
		return err
	})
}

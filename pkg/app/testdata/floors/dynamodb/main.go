// Size floor: one DynamoDB call, the client used directly.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	db := dynamodb.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	lambda.Start(func(ctx context.Context, key string) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(key)})
		return err
	})
}

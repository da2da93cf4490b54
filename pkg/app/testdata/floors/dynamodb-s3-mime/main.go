// Size floor: the InboundFunction's reading parts alone (the raw message
// from S3, parsed with enmime, recorded in DynamoDB), before it sends the
// acknowledgement.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jhillyerd/enmime/v2"
)

func main() {
	db := dynamodb.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	bucket := s3.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	lambda.Start(func(ctx context.Context, key string) error {
		obj, err := bucket.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mail"), Key: aws.String(key)})
		if err != nil {
			return err
		}
		defer obj.Body.Close()
		msg, err := enmime.ReadEnvelope(obj.Body)
		if err != nil {
			return err
		}
		_, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(msg.GetHeader("Subject"))})
		return err
	})
}

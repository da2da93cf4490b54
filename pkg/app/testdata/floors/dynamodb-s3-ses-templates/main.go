// Size floor: the CheckInsFunction's parts (DynamoDB, S3 for attachment
// links, and email rendered from templates).
package main

import (
	"context"
	htmltemplate "html/template"
	"os"
	"strings"
	texttemplate "text/template"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ses/types"
)

var (
	htmlBody = htmltemplate.Must(htmltemplate.New("html").Parse("<p>{{.Name}}</p>"))
	textBody = texttemplate.Must(texttemplate.New("text").Parse("{{.Name}}"))
)

func main() {
	db := dynamodb.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	bucket := s3.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	mail := ses.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	lambda.Start(func(ctx context.Context, key string) error {
		obj, err := bucket.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mail"), Key: aws.String(key)})
		if err != nil {
			return err
		}
		defer obj.Body.Close()
		from := aws.ToString(obj.ContentType)
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(from)}); err != nil {
			return err
		}
		var html, text strings.Builder
		data := struct{ Name string }{from}
		if err := htmlBody.Execute(&html, data); err != nil {
			return err
		}
		if err := textBody.Execute(&text, data); err != nil {
			return err
		}
		_, err = mail.SendEmail(ctx, &ses.SendEmailInput{Message: &types.Message{
			Subject: &types.Content{Data: aws.String(from)},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(html.String())},
				Text: &types.Content{Data: aws.String(text.String())},
			},
		}})
		return err
	})
}

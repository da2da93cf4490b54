// Size floor: the MonitoringFunction's parts (DynamoDB, and a page rendered
// with html/template, which issue 7 asks for).
package main

import (
	"context"
	"html/template"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

var page = template.Must(template.New("page").Parse("<p>{{.Name}}</p>"))

func main() {
	db := dynamodb.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION")})
	lambda.Start(func(ctx context.Context, key string) (string, error) {
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(key)}); err != nil {
			return "", err
		}
		var b strings.Builder
		err := page.Execute(&b, struct{ Name string }{key})
		return b.String(), err
	})
}

package testenv_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The SDK's own AWS_ENDPOINT_URL_<SERVICE> variables, read by
// config.LoadDefaultConfig, are what route production code to the
// emulators; services without an emulator get the dead fallback endpoint.
func TestLoadDefaultConfigUsesEndpointEnv(t *testing.T) {
	db := testenv.DynamoDB(t)
	_, sesEndpoint := testenv.SES(t)
	s3c := testenv.S3(t)

	if got, want := aws.ToString(db.Options().BaseEndpoint), os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"); got != want || want == "" {
		t.Errorf("dynamodb BaseEndpoint = %q, want %q", got, want)
	}
	if got := aws.ToString(ses.NewFromConfig(testenv.AWSConfig(t)).Options().BaseEndpoint); got != sesEndpoint {
		t.Errorf("ses BaseEndpoint = %q, want %q", got, sesEndpoint)
	}
	if got, want := aws.ToString(s3c.Options().BaseEndpoint), os.Getenv("AWS_ENDPOINT_URL_S3"); got != want || want == "" {
		t.Errorf("s3 BaseEndpoint = %q, want %q", got, want)
	}
	if !s3c.Options().UsePathStyle {
		t.Error("s3 client is not path-style")
	}
	sch := scheduler.NewFromConfig(testenv.AWSConfig(t))
	if got := aws.ToString(sch.Options().BaseEndpoint); got != "http://127.0.0.1:1" {
		t.Errorf("scheduler BaseEndpoint = %q, want the dead fallback", got)
	}
	if got := testenv.AWSConfig(t).Region; got != testenv.Region {
		t.Errorf("region = %q", got)
	}
}

func TestDynamoDBTransactWriteItems(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.TableName(t)
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &table,
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	put := func(pk string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{
			TableName:           &table,
			Item:                map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}}
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{put("a"), put("b")},
	}); err != nil {
		t.Fatalf("TransactWriteItems: %v", err)
	}
	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{put("c"), put("a")},
	})
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		t.Fatalf("second TransactWriteItems: got %v, want TransactionCanceledException", err)
	}
	if r := canceled.CancellationReasons; len(r) != 2 || aws.ToString(r[1].Code) != "ConditionalCheckFailed" {
		t.Errorf("CancellationReasons = %+v", r)
	}
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: &table})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if out.Count != 2 {
		t.Errorf("items = %d, want 2 (the cancelled transaction must write nothing)", out.Count)
	}
}

func TestSESSendAndReadBack(t *testing.T) {
	ctx := context.Background()
	client, endpoint := testenv.SES(t)
	to := strings.ToLower(testenv.BucketName(t)) + "@partner.example"
	out, err := client.SendEmail(ctx, &ses.SendEmailInput{
		Source:           aws.String("Grants <grants@example.org>"),
		ReplyToAddresses: []string{"checkin+tok@reply.example"},
		Destination:      &sestypes.Destination{ToAddresses: []string{to}, CcAddresses: []string{"cc@example.org"}},
		Message: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("Check-in due")},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: aws.String("plain body")},
				Html: &sestypes.Content{Data: aws.String("<p>html body</p>")},
			},
		},
	})
	if err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	msgs, err := emulator.SESMessages(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var got *emulator.SESMessage
	for i := range msgs {
		if msgs[i].MessageID == aws.ToString(out.MessageId) {
			got = &msgs[i]
		}
	}
	if got == nil {
		t.Fatalf("message %s not in store: %+v", aws.ToString(out.MessageId), msgs)
	}
	if got.From != "Grants <grants@example.org>" || got.Subject != "Check-in due" ||
		len(got.Destination.To) != 1 || got.Destination.To[0] != to ||
		len(got.Destination.CC) != 1 || len(got.ReplyTo) != 1 || got.ReplyTo[0] != "checkin+tok@reply.example" ||
		got.Body.Text != "plain body" || got.Body.HTML != "<p>html body</p>" || got.At == 0 {
		t.Errorf("stored message = %+v", *got)
	}
}

func TestS3PutGetPresigned(t *testing.T) {
	ctx := context.Background()
	client := testenv.S3(t)
	bucket := testenv.BucketName(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	body := []byte("hello, grants\n")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &bucket, Key: aws.String("dir/report.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"),
	}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("dir/report.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, body) {
		t.Errorf("GetObject body = %q, want %q", b, body)
	}

	req, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("dir/report.txt")})
	if err != nil {
		t.Fatalf("PresignGetObject: %v", err)
	}
	if !strings.HasPrefix(req.URL, os.Getenv("AWS_ENDPOINT_URL_S3")+"/"+bucket+"/") {
		t.Errorf("presigned URL %s is not path-style on the emulator", req.URL)
	}
	resp, err := http.Get(req.URL)
	if err != nil {
		t.Fatalf("GET presigned: %v", err)
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, body) {
		t.Errorf("GET presigned = %s %q, want 200 %q", resp.Status, b, body)
	}
}

func TestNames(t *testing.T) {
	t.Run("sub/test with spaces & UPPER", func(t *testing.T) {
		table, bucket := testenv.TableName(t), testenv.BucketName(t)
		if !regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`).MatchString(table) {
			t.Errorf("bad table name %q", table)
		}
		if !regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`).MatchString(bucket) {
			t.Errorf("bad bucket name %q", bucket)
		}
		if testenv.TableName(t) == table || testenv.BucketName(t) == bucket {
			t.Error("names are not unique")
		}
	})
}

package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// PrepareInvoke does on the stack what AWS has done by the time it invokes
// the function id with the event in eventPath, given the function's
// environment (FunctionEnvironment):
//
//   - the GrantsDataFunction's bucket exists (the template creates them
//     together; make run creates it only with PUBLISH_GRANTS_DATA=true);
//   - for an SES receipt event (events/inbound.json), the receipt rule's S3
//     action has stored the raw message in the mail bucket under RAW_PREFIX
//     and its message ID before its Lambda action runs: the message is the
//     .eml file beside the event (events/inbound.eml).
func PrepareInvoke(ctx context.Context, env map[string]string, id, eventPath string, event []byte) error {
	c := s3.New(s3.Options{
		Region:       env["AWS_REGION"],
		BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL_S3"]),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
	})
	if id == "GrantsDataFunction" {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(env["GRANTS_DATA_BUCKET"])})
		var owned *s3types.BucketAlreadyOwnedByYou
		var exists *s3types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			return fmt.Errorf("create bucket %s: %w", env["GRANTS_DATA_BUCKET"], err)
		}
	}
	var receipt struct {
		Records []struct {
			SES struct {
				Mail struct {
					MessageID string `json:"messageId"`
				} `json:"mail"`
			} `json:"ses"`
		} `json:"Records"`
	}
	if json.Unmarshal(event, &receipt) != nil || len(receipt.Records) == 0 || receipt.Records[0].SES.Mail.MessageID == "" {
		return nil
	}
	emlPath := strings.TrimSuffix(eventPath, ".json") + ".eml"
	raw, err := os.ReadFile(emlPath)
	if err != nil {
		return fmt.Errorf("an SES receipt event needs the raw message SES stored: %w", err)
	}
	for _, r := range receipt.Records {
		key := env["RAW_PREFIX"] + r.SES.Mail.MessageID
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(env["MAIL_BUCKET"]), Key: aws.String(key),
			Body: bytes.NewReader(raw), ContentType: aws.String("message/rfc822")}); err != nil {
			return fmt.Errorf("store %s as SES would: %w", key, err)
		}
	}
	return nil
}

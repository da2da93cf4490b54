package links_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/objects/links"
)

// Remove deletes an object through a presigned DELETE, and a key already
// gone (or never there) is no error (a deleted draft's documents, issue
// 26, item 16).
func TestRemoveDeletesAndForgivesAbsence(t *testing.T) {
	if testing.Short() {
		t.Skip("needs s3rver")
	}
	ctx := context.Background()
	client := testenv.S3(t)
	name := testenv.BucketName(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	key := "documents/a1/d1"
	if err := objects.New(client, name).Put(ctx, key, "application/pdf", []byte("%PDF-1.7")); err != nil {
		t.Fatal(err)
	}
	b := links.New(testenv.AWSConfig(t), name, testenv.S3Endpoint(t), true)
	if _, _, err := b.Stat(ctx, key); err != nil {
		t.Fatalf("before: %v", err)
	}
	if err := b.Remove(ctx, key); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String(key)}); err == nil {
		t.Error("the object is still there")
	}
	if err := b.Remove(ctx, key); err != nil {
		t.Errorf("removed again: %v", err)
	}
	if err := b.Remove(ctx, "documents/a1/never"); err != nil {
		t.Errorf("never uploaded: %v", err)
	}
}

func TestMain(m *testing.M) { testenv.Main(m) }

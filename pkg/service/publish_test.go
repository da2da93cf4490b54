package service_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/export/threesixtytest"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/service"
)

// The 360Giving file goes to its one key in a real S3 (s3rver), as JSON
// that validates; a programme with nothing to publish leaves the key alone
// without failing the run; a write that fails is an error, so the function
// fails and its alarm tells someone.
func TestGrantsFilePublish(t *testing.T) {
	e := newEnv(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), options{})
	ctx := context.Background()
	s3c := testenv.S3(t)
	bucket := testenv.BucketName(t)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	file := func(programme, bucket string) *service.GrantsFile {
		return &service.GrantsFile{
			Views:     service.NewViews(e.store, service.Env{Now: e.clock.Now, Location: london}),
			Programme: programme,
			Funder:    export.Funder{Prefix: "360G-testfunder", OrgID: "GB-CHC-1234567", OrgName: "Test Funder"},
			To:        objects.New(s3c, bucket),
			Key:       "360giving.json",
		}
	}
	head := func() error {
		_, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("360giving.json")})
		return err
	}

	// Nothing published yet: no file, and no error.
	if wrote, err := file("community-2026", bucket).Publish(ctx); wrote || err != nil {
		t.Fatalf("empty programme: wrote %v, err %v; want neither", wrote, err)
	}
	var missing *s3types.NotFound
	if err := head(); !errors.As(err, &missing) {
		t.Fatalf("empty programme: HeadObject err = %v, want NotFound", err)
	}

	e.agreement(t, "2026-03-01", false, e.contact("lead"))
	if wrote, err := file("community-2026", bucket).Publish(ctx); !wrote || err != nil {
		t.Fatalf("wrote %v, err %v; want the file written", wrote, err)
	}
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("360giving.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	body, _ := io.ReadAll(out.Body)
	if err := threesixtytest.Validate(body); err != nil {
		t.Errorf("published file fails the schema:\n%v", err)
	}
	if ct := aws.ToString(out.ContentType); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}

	if _, err := file("community-2026", bucket+"-gone").Publish(ctx); err == nil {
		t.Error("a write to a missing bucket reported no error")
	}
	var off *service.GrantsFile
	if wrote, err := off.Publish(ctx); wrote || err != nil {
		t.Errorf("publishing off: wrote %v, err %v", wrote, err)
	}
}

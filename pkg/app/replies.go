package app

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/replies"
)

// Bucket is the mail bucket: raw received messages and attachments.
// S3_USE_PATH_STYLE is for local S3 stand-ins; the SDK has no variable of
// its own for it.
func (d *Deps) Bucket() *objects.Bucket {
	client := s3.NewFromConfig(d.AWS, func(o *s3.Options) {
		o.BaseEndpoint = endpoint(d.AWSEnv, "S3")
		o.UsePathStyle = os.Getenv("S3_USE_PATH_STYLE") == "true"
	})
	return objects.New(client, os.Getenv("MAIL_BUCKET"))
}

// Receiver is the InboundFunction's handler core.
func (d *Deps) Receiver(ctx context.Context) (*replies.Receiver, error) {
	x, err := d.Automation(ctx, false)
	if err != nil {
		return nil, err
	}
	tokens, err := d.ReplyTokens(ctx)
	if err != nil {
		return nil, err
	}
	prefix := os.Getenv("RAW_PREFIX")
	if prefix == "" {
		prefix = "raw/"
	}
	return &replies.Receiver{Store: d.Store, Objects: d.Bucket(), Tokens: tokens, Outbox: x, RawPrefix: prefix, Now: d.Clock}, nil
}

// CheckInsAPI is the CheckInsFunction's handler.
func (d *Deps) CheckInsAPI(ctx context.Context) (httpapi.Router, error) {
	x, err := d.Automation(ctx, false)
	if err != nil {
		return nil, err
	}
	h := &httpapi.CheckIns{Store: d.Store, Links: d.Bucket(), Outbox: x, Now: d.Clock}
	return h.Routes(), nil
}

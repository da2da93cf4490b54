package senders

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/objects/links"
	"github.com/partnership-grants/backend/pkg/service"
)

// S3 is the S3 client. S3UsePathStyle (S3_USE_PATH_STYLE) is for local S3
// stand-ins; the SDK has no variable of its own for it.
func S3(d *app.Deps) *s3.Client {
	return s3.NewFromConfig(d.AWS, func(o *s3.Options) {
		o.BaseEndpoint = d.Endpoint("S3")
		o.UsePathStyle = d.Config.S3UsePathStyle
	})
}

// Bucket is the mail bucket: raw received messages and attachments.
func Bucket(d *app.Deps) *objects.Bucket {
	return objects.New(S3(d), d.Config.MailBucket)
}

// Replies is the replies' use cases, delivering the thanks and notices a
// reply queues (no accounting events: a reply pays nothing).
func Replies(d *app.Deps) (*service.Replies, error) {
	c, err := Courier(d, service.NoEvents, service.NoReplyAddresses)
	if err != nil {
		return nil, err
	}
	return service.NewReplies(d.Store, c, d.Metrics, d.Env()), nil
}

// CheckInsAPI is the CheckInsFunction's handler.
func CheckInsAPI(ctx context.Context, d *app.Deps) (httpapi.Placed, error) {
	replies, err := Replies(d)
	if err != nil {
		return httpapi.Placed{}, err
	}
	h := &httpapi.CheckIns{Replies: replies, Links: Links(d)}
	routes := h.Routes()
	// The partner's messages on an agreement (issue 24, item 4).
	for k, r := range (&httpapi.Messages{Replies: replies, Links: h.Links}).Routes() {
		routes[k] = r
	}
	// The enquiries' routes (issue 24, item 6) are the same function's:
	// they link attachments and send mail as the replies' do.
	c, err := Courier(d, service.NoEvents, service.NoReplyAddresses)
	if err != nil {
		return httpapi.Placed{}, err
	}
	for k, r := range (&httpapi.Enquiries{Enquiries: Enquiries(d, c), Links: h.Links}).Routes() {
		routes[k] = r
	}
	// And an agreement's notes and documents (issue 26, item 16), which
	// upload to and download from the mail bucket's documents/ prefix.
	for k, r := range (&httpapi.Notes{Record: Record(d)}).Routes() {
		routes[k] = r
	}
	return routes.Placing(d.Store), nil
}

// Links hands out short-lived links to the mail bucket's objects, without
// the S3 client (pkg/objects/links says why).
func Links(d *app.Deps) *links.Bucket { return d.Links() }

// Enquiries is the enquiries' use cases (issue 24, item 6), delivering
// their acknowledgements and answers through c; the deployment's
// enquiries are its default programme's (one enquiry address a
// deployment).
func Enquiries(d *app.Deps, c *service.Courier) *service.Enquiries {
	programme := d.Config.ProgrammeCode
	if len(d.Config.Programmes) > 0 {
		programme = d.Config.Programmes[0]
	}
	return service.NewEnquiries(d.Store, c, d.Env(), service.EnquiryOptions{Programme: programme})
}

// Record is the notes' and documents' use cases (issue 26, item 16), their
// files in the mail bucket's documents/ prefix.
func Record(d *app.Deps) *service.Record {
	return service.NewRecord(d.Store, Links(d), d.Env())
}

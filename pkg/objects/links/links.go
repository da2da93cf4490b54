// Package links hands people short-lived links to the mail bucket's
// objects: S3's presigned GET (query-string authentication), signed with
// the SDK's SigV4 signer. A function that only hands out links (the web
// app, the check-ins API) needs nothing else of S3, and the S3 client would
// add about 2 MB to its bootstrap (docs/decisions/bootstrap-budgets.md);
// pkg/objects, which reads and writes objects, keeps the client.
package links

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/partnership-grants/backend/pkg/objects"
)

// unsignedPayload is what a presigned S3 GET signs for its body.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Bucket presigns GETs of one bucket's objects.
type Bucket struct {
	Name        string
	Region      string
	Credentials aws.CredentialsProvider
	// Endpoint is a local S3 stand-in's base URL; empty for AWS.
	Endpoint string
	// PathStyle puts the bucket in the path (local stand-ins), not the host.
	PathStyle bool
	// Lifetime bounds a link (15 minutes by default).
	Lifetime time.Duration
	Now      func() time.Time

	signer *v4.Signer
}

// New is a Bucket signing with cfg's region and credentials.
func New(cfg aws.Config, name, endpoint string, pathStyle bool) *Bucket {
	return &Bucket{Name: name, Region: cfg.Region, Credentials: cfg.Credentials, Endpoint: endpoint, PathStyle: pathStyle,
		Lifetime: 15 * time.Minute, Now: time.Now,
		// S3 signs the path as sent, not escaped a second time.
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })}
}

// DownloadLink is a short-lived GET URL for an object that a browser saves
// as name rather than opens: the response says Content-Disposition:
// attachment with the name, and a type a browser could run as a page or a
// script (HTML, SVG, XML, anything not known to be passive) is served as
// application/octet-stream, whatever the sender called it. The overrides
// are part of the signed request (S3's response-* parameters), so they are
// the same for every object, however it was stored.
func (b *Bucket) DownloadLink(ctx context.Context, key, name, contentType string) (string, error) {
	u, err := b.objectURL(key)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("X-Amz-Expires", strconv.Itoa(int(b.Lifetime/time.Second)))
	q.Set("response-content-disposition", objects.ContentDisposition(name))
	q.Set("response-content-type", objects.DownloadType(contentType))
	q.Set("x-id", "GetObject") // as S3's own client marks the operation
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	creds, err := b.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("credentials to sign a link: %w", err)
	}
	signed, _, err := b.signer.PresignHTTP(ctx, creds, req, unsignedPayload, "s3", b.Region, b.Now())
	return signed, err
}

// objectURL is where S3 serves key: https://<bucket>.s3.<region>.amazonaws.com/<key>
// in AWS, <endpoint>/<bucket>/<key> on a path-style stand-in. The key is
// escaped as S3 signs it: every byte but unreserved ones and "/".
func (b *Bucket) objectURL(key string) (*url.URL, error) {
	base := &url.URL{Scheme: "https", Host: b.Name + ".s3." + b.Region + ".amazonaws.com"}
	prefix := ""
	if b.Endpoint != "" {
		var err error
		if base, err = url.Parse(strings.TrimSuffix(b.Endpoint, "/")); err != nil || base.Host == "" {
			return nil, fmt.Errorf("S3 endpoint %q is not a URL", b.Endpoint)
		}
		if b.PathStyle {
			prefix = "/" + b.Name
		} else {
			base.Host = b.Name + "." + base.Host
		}
	}
	base.Path += prefix + "/" + key
	base.RawPath = strings.TrimSuffix(base.RawPath, "/") + prefix + "/" + httpbinding.EscapePath(key, false)
	return base, nil
}

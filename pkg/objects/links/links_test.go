package links

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/partnership-grants/backend/pkg/objects"
)

// atFixedTime is the S3 client's presigner (its newDefaultV4Signer) with
// the clock pinned, so that the SDK's link and ours can be compared
// signature for signature.
type atFixedTime struct{ at time.Time }

func (f atFixedTime) PresignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).PresignHTTP(ctx, c, r, payloadHash, service, region, f.at, optFns...)
}

// A link is the one S3's own presign client makes for the same object,
// overrides and moment: same host, path, parameters and signature, in AWS
// (virtual-hosted, with a session token as a Lambda role has) and on a
// path-style stand-in; keys with spaces, non-ASCII and reserved characters.
func TestDownloadLinkIsTheSDKs(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 5, 0, time.UTC)
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session/token+=")
	cfg := aws.Config{Region: "eu-west-2", Credentials: creds}
	for _, tc := range []struct{ endpoint string }{{""}, {"http://127.0.0.1:4569"}} {
		for _, key := range []string{"attachments/abc/1-report.pdf", "replies/x y/été+(1)&=;.txt", "raw/a~b_c-d.e"} {
			client := s3.NewFromConfig(cfg, func(o *s3.Options) {
				if tc.endpoint != "" {
					o.BaseEndpoint, o.UsePathStyle = aws.String(tc.endpoint), true
				}
			})
			name, typ := "Annual report (final).html", "text/html"
			want, err := s3.NewPresignClient(client, func(o *s3.PresignOptions) { o.Presigner = atFixedTime{at} }).PresignGetObject(context.Background(), &s3.GetObjectInput{
				Bucket: aws.String("grants-mail"), Key: aws.String(key),
				ResponseContentDisposition: aws.String(objects.ContentDisposition(name)),
				ResponseContentType:        aws.String(objects.DownloadType(typ)),
			}, s3.WithPresignExpires(15*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			b := New(cfg, "grants-mail", tc.endpoint, tc.endpoint != "")
			b.Now = func() time.Time { return at }
			got, err := b.DownloadLink(context.Background(), key, name, typ)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := url.Parse(want.URL)
			g, _ := url.Parse(got)
			if g.Scheme != w.Scheme || g.Host != w.Host || g.EscapedPath() != w.EscapedPath() {
				t.Errorf("%s %q: link %s://%s%s, SDK's %s://%s%s", tc.endpoint, key, g.Scheme, g.Host, g.EscapedPath(), w.Scheme, w.Host, w.EscapedPath())
			}
			gq, wq := g.Query(), w.Query()
			if len(gq) != len(wq) {
				t.Errorf("%s %q: parameters %v, SDK's %v", tc.endpoint, key, gq, wq)
			}
			for k := range wq {
				if gq.Get(k) != wq.Get(k) {
					t.Errorf("%s %q: %s = %q, SDK's %q", tc.endpoint, key, k, gq.Get(k), wq.Get(k))
				}
			}
		}
	}
}

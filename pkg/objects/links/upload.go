package links

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Documents (issue 26, item 16) are uploaded by the browser straight to
// the bucket with S3's presigned POST: an HTML form whose signed policy
// names the one key it may write, the type the file must be stored as
// and the size range it must fall in, and expires with the link lifetime.
// The app never handles the bytes. Stat asks S3 afterwards (a presigned
// HEAD) what arrived, so no S3 client is linked here either.

// HTTP is the client Stat asks S3 with (http.DefaultClient when nil).
var HTTP *http.Client

// UploadForm is the form that uploads one file to key, as mediaType, of
// 1 to maxSize bytes, then sends the browser on to redirect (S3's
// success_action_redirect: it adds ?bucket=…&key=…&etag=…); with no
// redirect, S3 answers 201.
func (b *Bucket) UploadForm(ctx context.Context, key, mediaType string, maxSize int64, redirect string) (service.UploadForm, error) {
	u, err := b.objectURL("")
	if err != nil {
		return service.UploadForm{}, err
	}
	creds, err := b.Credentials.Retrieve(ctx)
	if err != nil {
		return service.UploadForm{}, fmt.Errorf("credentials to sign an upload: %w", err)
	}
	now := b.Now().UTC()
	day := now.Format("20060102")
	credential := creds.AccessKeyID + "/" + day + "/" + b.Region + "/s3/aws4_request"
	fields := []service.FormField{
		{Name: "key", Value: key},
		{Name: "Content-Type", Value: mediaType},
		{Name: "success_action_redirect", Value: redirect},
		{Name: "x-amz-algorithm", Value: "AWS4-HMAC-SHA256"},
		{Name: "x-amz-credential", Value: credential},
		{Name: "x-amz-date", Value: now.Format("20060102T150405Z")},
	}
	if redirect == "" {
		// An API client reads S3's answer itself.
		fields[2] = service.FormField{Name: "success_action_status", Value: "201"}
	}
	if creds.SessionToken != "" {
		fields = append(fields, service.FormField{Name: "x-amz-security-token", Value: creds.SessionToken})
	}
	conditions := []any{
		map[string]string{"bucket": b.Name},
		[]any{"content-length-range", 1, maxSize},
	}
	for _, f := range fields {
		// Each field exactly as given: the key, the type and where to go
		// next cannot be changed in the browser.
		conditions = append(conditions, []any{"eq", "$" + f.Name, f.Value})
	}
	policy, err := json.Marshal(map[string]any{"expiration": now.Add(b.Lifetime).Format("2006-01-02T15:04:05.000Z"), "conditions": conditions})
	if err != nil {
		return service.UploadForm{}, err
	}
	encoded := base64.StdEncoding.EncodeToString(policy)
	key4 := signingKey(creds.SecretAccessKey, day, b.Region, "s3")
	fields = append(fields,
		service.FormField{Name: "policy", Value: encoded},
		service.FormField{Name: "x-amz-signature", Value: hex.EncodeToString(hmacSHA256(key4, encoded))})
	// The form posts to the bucket itself: its URL without the trailing "/".
	return service.UploadForm{URL: strings.TrimSuffix(u.String(), "/"), Fields: fields}, nil
}

// signingKey is SigV4's key of a day, region and service.
func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	for _, part := range []string{region, service, "aws4_request"} {
		k = hmacSHA256(k, part)
	}
	return k
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// Stat is an object's size and type (a presigned HEAD); grants.NotFound
// when the bucket has no such object.
func (b *Bucket) Stat(ctx context.Context, key string) (int64, string, error) {
	u, err := b.objectURL(key)
	if err != nil {
		return 0, "", err
	}
	q := url.Values{}
	q.Set("X-Amz-Expires", "60")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u.String(), nil)
	if err != nil {
		return 0, "", err
	}
	creds, err := b.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, "", fmt.Errorf("credentials to sign a HEAD: %w", err)
	}
	signed, _, err := b.signer.PresignHTTP(ctx, creds, req, unsignedPayload, "s3", b.Region, b.Now())
	if err != nil {
		return 0, "", err
	}
	head, err := http.NewRequestWithContext(ctx, http.MethodHead, signed, nil)
	if err != nil {
		return 0, "", err
	}
	client := HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(head)
	if err != nil {
		return 0, "", fmt.Errorf("HEAD s3://%s/%s: %w", b.Name, key, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden:
		// S3 answers 403 for a missing key to a role without ListBucket.
		return 0, "", &grants.Error{Code: grants.NotFound, Message: "No file is stored there.", Reason: "object_not_found"}
	case resp.StatusCode != http.StatusOK:
		return 0, "", fmt.Errorf("HEAD s3://%s/%s: %s", b.Name, key, resp.Status)
	}
	size, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("HEAD s3://%s/%s: no length: %w", b.Name, key, err)
	}
	return size, resp.Header.Get("Content-Type"), nil
}

var _ service.DocumentFiles = (*Bucket)(nil)

// Origin is where upload forms post (scheme and host): what the pages'
// Content-Security-Policy must let forms lead to.
func (b *Bucket) Origin() string {
	u, err := b.objectURL("")
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Remove deletes an object (a presigned DELETE, signed with this role's
// rights, as Stat's HEAD is: the web app holds no S3 client). S3 answers a
// delete of a key it does not hold as one done, and so does Remove: a 404
// from a stand-in is no error either.
func (b *Bucket) Remove(ctx context.Context, key string) error {
	u, err := b.objectURL(key)
	if err != nil {
		return err
	}
	q := url.Values{}
	q.Set("X-Amz-Expires", "60")
	q.Set("x-id", "DeleteObject")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u.String(), nil)
	if err != nil {
		return err
	}
	creds, err := b.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials to sign a DELETE: %w", err)
	}
	signed, _, err := b.signer.PresignHTTP(ctx, creds, req, unsignedPayload, "s3", b.Region, b.Now())
	if err != nil {
		return err
	}
	del, err := http.NewRequestWithContext(ctx, http.MethodDelete, signed, nil)
	if err != nil {
		return err
	}
	client := HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(del)
	if err != nil {
		return fmt.Errorf("DELETE s3://%s/%s: %w", b.Name, key, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK, http.StatusNotFound:
		return nil
	}
	return fmt.Errorf("DELETE s3://%s/%s: %s", b.Name, key, resp.Status)
}

var _ service.DocumentRemover = (*Bucket)(nil)

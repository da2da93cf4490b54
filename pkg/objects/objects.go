// Package objects keeps raw received messages and their attachments in S3,
// and hands people short-lived links to them.
package objects

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Bucket is one S3 bucket.
type Bucket struct {
	Client  *s3.Client
	Presign *s3.PresignClient
	Name    string
	// LinkLifetime bounds presigned links (15 minutes by default).
	LinkLifetime time.Duration
}

// New returns a Bucket on client.
func New(client *s3.Client, name string) *Bucket {
	return &Bucket{Client: client, Presign: s3.NewPresignClient(client), Name: name, LinkLifetime: 15 * time.Minute}
}

// maxObject bounds what is read into memory: SES accepts messages up to 40 MB.
const maxObject = 45 << 20

// Get reads an object.
func (b *Bucket) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", b.Name, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxObject+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxObject {
		return nil, fmt.Errorf("s3://%s/%s is larger than %d bytes", b.Name, key, maxObject)
	}
	return data, nil
}

// Put writes an object (a seekable body, as plain-HTTP endpoints require).
func (b *Bucket) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Name), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", b.Name, key, err)
	}
	return nil
}

// Link is a short-lived GET URL for an object.
func (b *Bucket) Link(ctx context.Context, key string) (string, error) {
	req, err := b.Presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)},
		s3.WithPresignExpires(b.LinkLifetime))
	if err != nil {
		return "", err
	}
	return req.URL, nil
}

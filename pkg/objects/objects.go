// Package objects keeps raw received messages and their attachments in S3
// (pkg/objects/links hands people short-lived links to them), and says how
// a file is named and typed when it is downloaded.
package objects

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Bucket is one S3 bucket.
type Bucket struct {
	Client *s3.Client
	Name   string
}

// New returns a Bucket on client.
func New(client *s3.Client, name string) *Bucket {
	return &Bucket{Client: client, Name: name}
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

// PutFile writes an attachment, keeping its original name on the object
// as metadata (NameMetadata): its key holds only a short, safe form of it.
func (b *Bucket) PutFile(ctx context.Context, key, contentType, name string, body []byte) error {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Name), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(body))),
		Metadata: map[string]string{NameMetadata: EncodeName(name)},
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", b.Name, key, err)
	}
	return nil
}

// NameMetadata is the user metadata (x-amz-meta-original-name) that keeps
// a file's original name, as EncodeName writes it.
const NameMetadata = "original-name"

// maxEncodedName keeps the metadata under S3's 2 KB of user metadata
// (keys and values together).
const maxEncodedName = 2048 - 128

// EncodeName is name as metadata can carry it: S3 sends metadata as HTTP
// headers, so the name is written as filename* writes it (RFC 5987:
// UTF-8, every byte but attr-char percent-encoded); url.PathUnescape reads
// it back. A name that would encode to more than S3 keeps is cut, at a
// character, until it fits.
func EncodeName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	var b strings.Builder
	for _, r := range name {
		var enc string
		if c := byte(r); r < 0x80 && attrChar(c) {
			enc = string(c)
		} else {
			for _, c := range []byte(string(r)) {
				enc += fmt.Sprintf("%%%02X", c)
			}
		}
		if b.Len()+len(enc) > maxEncodedName {
			break
		}
		b.WriteString(enc)
	}
	return b.String()
}

// passive are the types a browser shows, if at all, without running
// anything from them; they keep their type so a saved file opens in the
// right application.
var passive = map[string]bool{
	"application/pdf":               true,
	"text/plain":                    true,
	"text/csv":                      true,
	"image/png":                     true,
	"image/jpeg":                    true,
	"image/gif":                     true,
	"image/webp":                    true,
	"image/heic":                    true,
	"audio/mpeg":                    true,
	"video/mp4":                     true,
	"application/zip":               true,
	"application/msword":            true,
	"application/vnd.ms-excel":      true,
	"application/vnd.ms-powerpoint": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         true,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
	"application/vnd.oasis.opendocument.text":                                   true,
	"application/vnd.oasis.opendocument.spreadsheet":                            true,
}

// DownloadType is the type an attachment is served with: its own media
// type (without parameters) when it is passive, application/octet-stream
// otherwise.
func DownloadType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || !passive[mt] {
		return "application/octet-stream"
	}
	return mt
}

// ContentDisposition is "attachment" with the file's name given twice, as
// RFC 6266 advises: filename* in UTF-8, percent-encoded (RFC 5987), which
// browsers use, and filename, an ASCII stand-in for the rest, in which any
// other character, a quote or a backslash becomes "_". Path separators
// become "_" in both, so the name is only ever a name.
func ContentDisposition(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '_'
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, name)
	if strings.Trim(name, ". ") == "" {
		name = "attachment"
	}
	var ascii, ext strings.Builder
	for _, r := range name {
		if r > 0x7e || r == '"' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, c := range []byte(name) {
		if attrChar(c) {
			ext.WriteByte(c)
		} else {
			fmt.Fprintf(&ext, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// attrChar is RFC 5987's attr-char: what filename* carries unencoded.
func attrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

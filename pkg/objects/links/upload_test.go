package links

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The signing key of AWS's own SigV4 example ("Deriving the signing key").
func TestSigningKeyAsAWSDerivesIt(t *testing.T) {
	got := hex.EncodeToString(signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	if want := "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"; got != want {
		t.Errorf("signing key %s, want %s", got, want)
	}
}

// An upload's policy (issue 26, item 16) pins every field the form sends
// (the key, the type, where the browser goes next, the credential), bounds
// the size from 1 byte, expires with the link lifetime, and is signed.
func TestUploadFormPolicy(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	cfg := aws.Config{Region: "eu-west-2", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "TOKEN")}
	b := New(cfg, "grants-mail", "", false)
	b.Now = func() time.Time { return at }
	f, err := b.UploadForm(context.Background(), "documents/a1/d1", "application/pdf", 10<<20, "https://app.example/app/agreements/a1/documents/d1/uploaded")
	if err != nil {
		t.Fatal(err)
	}
	if f.URL != "https://grants-mail.s3.eu-west-2.amazonaws.com" {
		t.Errorf("posts to %s", f.URL)
	}
	fields := map[string]string{}
	var names []string
	for _, x := range f.Fields {
		fields[x.Name] = x.Value
		names = append(names, x.Name)
	}
	if names[len(names)-1] != "x-amz-signature" || names[len(names)-2] != "policy" {
		t.Errorf("fields in the order %v", names)
	}
	raw, err := base64.StdEncoding.DecodeString(fields["policy"])
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Expiration string
		Conditions []json.RawMessage
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatal(err)
	}
	if policy.Expiration != "2026-05-01T10:15:00.000Z" {
		t.Errorf("expires %s", policy.Expiration)
	}
	var conds []string
	for _, c := range policy.Conditions {
		conds = append(conds, string(c))
	}
	for _, want := range []string{`{"bucket":"grants-mail"}`, `["content-length-range",1,10485760]`, `["eq","$key","documents/a1/d1"]`,
		`["eq","$Content-Type","application/pdf"]`, `["eq","$success_action_redirect","https://app.example/app/agreements/a1/documents/d1/uploaded"]`,
		`["eq","$x-amz-credential","AKID/20260501/eu-west-2/s3/aws4_request"]`, `["eq","$x-amz-security-token","TOKEN"]`} {
		if !slices.Contains(conds, want) {
			t.Errorf("the policy lacks %s: %v", want, conds)
		}
	}
	if want := hex.EncodeToString(hmacSHA256(signingKey("SECRET", "20260501", "eu-west-2", "s3"), fields["policy"])); fields["x-amz-signature"] != want {
		t.Errorf("signature %s, want %s", fields["x-amz-signature"], want)
	}
	if got := b.Origin(); got != "https://grants-mail.s3.eu-west-2.amazonaws.com" {
		t.Errorf("origin %s", got)
	}
}

package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/export/threesixtytest"
	"github.com/partnership-grants/backend/pkg/grants"
)

// publishedGrants reads the public 360Giving file from s3rver, as 360Giving
// would fetch it, and checks it against the standard's schema.
func publishedGrants(t *testing.T, st *Stack) (map[string]grantInFile, string) {
	t.Helper()
	out, err := senders.S3(st.Deps).GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(st.Deps.Config.GrantsDataBucket), Key: aws.String(GrantsDataKey)})
	if err != nil {
		t.Fatalf("the published file: %v", err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := threesixtytest.Validate(body); err != nil {
		t.Fatalf("the published file fails the 360Giving schema:\n%v", err)
	}
	var doc struct{ Grants []grantInFile }
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	byName := map[string]grantInFile{}
	for _, g := range doc.Grants {
		byName[g.RecipientOrganization[0].Name] = g
	}
	return byName, aws.ToString(out.ContentType)
}

type grantInFile struct {
	ID                    string
	RecipientOrganization []struct{ Name string }
	BeneficiaryLocation   []struct{ Name, CountryCode string }
	PlannedInstalments    []struct {
		Instalment int
		DueDate    string
		Amount     json.Number
	}
}

// With PublishGrantsData on, the GrantsDataFunction writes the programme's
// 360Giving file to the public bucket, and rewrites it each day: a grant
// made today is in tomorrow's file. It validates, and carries each
// partner's postcode district and the instalments still to pay.
func TestGrantsFilePublishedDaily(t *testing.T) {
	t.Parallel()
	st := startStackWith(t, func(o *Options) { o.PublishGrantsData = true })
	ctx := stackContext(st)
	s3c := senders.S3(st.Deps)

	// Nothing is written before the morning run: the file is its work.
	_, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(st.Deps.Config.GrantsDataBucket), Key: aws.String(GrantsDataKey)})
	var missing *s3types.NotFound
	if !errors.As(err, &missing) {
		t.Fatalf("before the first sweep: HeadObject err = %v, want NotFound", err)
	}
	if n, err := st.Runner.Advance(ctx, 1); err != nil || n == 0 {
		t.Fatalf("a day on: %d fired, %v", n, err)
	}
	grantsIn, contentType := publishedGrants(t, st)
	if contentType != "application/json" {
		t.Errorf("served as %q, want application/json", contentType)
	}
	for _, p := range demoPartners {
		g, ok := grantsIn[p.name]
		if !ok {
			t.Errorf("%s: not in the published file (%d grants)", p.name, len(grantsIn))
			continue
		}
		if len(g.BeneficiaryLocation) != 1 || g.BeneficiaryLocation[0].CountryCode != "GB" {
			t.Errorf("%s: beneficiaryLocation %+v, want one in GB", p.name, g.BeneficiaryLocation)
		}
		if len(g.PlannedInstalments) == 0 {
			t.Errorf("%s: no planned instalments in an active agreement's first months", p.name)
		}
	}
	if g := grantsIn["Moss Side Elders Forum"]; len(g.BeneficiaryLocation) == 1 && g.BeneficiaryLocation[0].Name != "M15" {
		t.Errorf("Moss Side Elders Forum (M15 5AS) located in %q, want M15", g.BeneficiaryLocation[0].Name)
	}

	// A partnership agreed today is published by tomorrow's run.
	officer := client{t, st.opts.APIAddr, func() string {
		tok, err := st.Auth.Issue("olu", "programme", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}()}
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Levenshulme Makers Collective", "registrationNumber": "1181234", "address": "19 Stockport Road\nlevenshulme\nm192aa"},
		"contacts": [{"name": "Ana Silva", "email": "ana@levenshulme-makers.example", "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Four open maker days"]}`,
		DemoProgramme, grants.Today(st.Clock.Now(), time.UTC).AddDays(14)), &a)
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	grantsIn, _ = publishedGrants(t, st)
	g, ok := grantsIn["Levenshulme Makers Collective"]
	if !ok {
		t.Fatal("the new partnership is not in the next day's file")
	}
	if len(g.BeneficiaryLocation) != 1 || g.BeneficiaryLocation[0].Name != "M19" {
		t.Errorf("new partnership located in %+v, want M19 (from \"m192aa\")", g.BeneficiaryLocation)
	}
	var due []string
	for _, p := range g.PlannedInstalments {
		due = append(due, fmt.Sprintf("%d %s %s", p.Instalment, p.DueDate, p.Amount))
	}
	var want []string
	for _, in := range a.Instalments {
		want = append(want, fmt.Sprintf("%d %s %s", in.Number, in.DueDate, "2500.00"))
	}
	if !slices.Equal(due, want) {
		t.Errorf("planned instalments %v, want the whole plan %v", due, want)
	}
}

// nothingPublic fails t if, with PublishGrantsData off (the default, as in
// the template), a test's stack ends with anything public: no bucket but the
// mail bucket may exist. Every stack test but the one above checks it when
// it ends, so it holds after whole years of daily runs.
func nothingPublic(t *testing.T, st *Stack) {
	t.Helper()
	out, err := senders.S3(st.Deps).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Errorf("list buckets: %v", err)
		return
	}
	// The test binary's stacks share one s3rver: besides each one's mail
	// bucket, only those of stacks that publish may exist (and those the
	// package's other tests make, named by testenv.BucketName).
	for _, b := range out.Buckets {
		name := aws.ToString(b.Name)
		if _, made := stackBuckets.Load(name); name == st.opts.GrantsBucket || !made && !strings.HasPrefix(name, "test-") {
			t.Errorf("bucket %s exists with PublishGrantsData off; only the mail bucket should", name)
		}
	}
}

// stackBuckets are the buckets the test binary's stacks may make in the
// s3rver they share: each one's mail bucket, and the 360Giving bucket of
// each that publishes (startStackWith).
var stackBuckets sync.Map

// stackBucket is a bucket name for one of a stack's buckets, unique to the
// call: testenv.BucketName's, but not beginning "test-" as the other
// tests' buckets do.
func stackBucket(t *testing.T) string {
	return "stack-" + strings.TrimPrefix(testenv.BucketName(t), "test-")
}

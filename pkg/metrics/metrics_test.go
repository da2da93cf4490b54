package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/partnership-grants/backend/pkg/logs"
)

func TestEMFLine(t *testing.T) {
	var b bytes.Buffer
	e := New(&b, "PartnershipGrants/test")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	before := time.Now().UnixMilli()
	e.Count(logs.WithAgreement(ctx, "agr-1"), "CP", "CheckInsSent", 1)
	e.Observe(context.Background(), "CP", "DaysLate", 3)

	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %s", len(lines), b.String())
	}
	var got struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Programme    string
		CheckInsSent *int
		DaysLate     *int
		RequestID    string `json:"requestId"`
		AgreementID  string `json:"agreementId"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	d := got.AWS.CloudWatchMetrics
	if got.AWS.Timestamp < before || len(d) != 1 || d[0].Namespace != "PartnershipGrants/test" || len(d[0].Dimensions) != 1 ||
		strings.Join(d[0].Dimensions[0], ",") != "Programme" || len(d[0].Metrics) != 1 || d[0].Metrics[0].Name != "CheckInsSent" ||
		d[0].Metrics[0].Unit != "Count" || got.Programme != "CP" || got.CheckInsSent == nil || *got.CheckInsSent != 1 ||
		got.RequestID != "req-1" || got.AgreementID != "agr-1" {
		t.Errorf("count line: %s", lines[0])
	}
	got.AWS.CloudWatchMetrics, got.RequestID, got.AgreementID = nil, "", ""
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil {
		t.Fatal(err)
	}
	if d := got.AWS.CloudWatchMetrics; len(d) != 1 || d[0].Metrics[0].Unit != "None" || got.DaysLate == nil || *got.DaysLate != 3 || got.RequestID != "" {
		t.Errorf("value line: %s", lines[1])
	}
}

func TestNamespace(t *testing.T) {
	if got := Namespace(""); got != "PartnershipGrants" {
		t.Errorf("unset: %q", got)
	}
	if got := Namespace("PartnershipGrants/prod"); got != "PartnershipGrants/prod" {
		t.Errorf("set: %q", got)
	}
}

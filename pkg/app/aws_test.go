package app

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestEndpointReadsTheSDKVariables(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://all:1")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb:2")
	t.Setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", "")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
	for sdkID, want := range map[string]string{
		"DynamoDB":    "http://dynamodb:2", // the service's own variable wins
		"EventBridge": "http://all:1",      // an empty one is unset
		"Scheduler":   "http://all:1",
	} {
		if got := aws.ToString(endpoint(sdkID)); got != want {
			t.Errorf("endpoint(%q) = %q, want %q", sdkID, got, want)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL_API_GATEWAY", "http://apigw:3")
	if got := aws.ToString(endpoint("API Gateway")); got != "http://apigw:3" {
		t.Errorf("a service ID with a space: got %q", got)
	}
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	if got := endpoint("DynamoDB"); got != nil {
		t.Errorf("ignored endpoints: got %q, want the AWS endpoint (nil)", *got)
	}
}

func TestAWSConfigFromTheLambdaEnvironment(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	cfg, err := awsConfig()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-2" || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Errorf("got region %q and credentials %+v", cfg.Region, creds)
	}

	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, err := awsConfig(); err == nil {
		t.Error("no secret key: want an error")
	}
	t.Setenv("AWS_REGION", "")
	if _, err := awsConfig(); err == nil {
		t.Error("no region: want an error")
	}
}

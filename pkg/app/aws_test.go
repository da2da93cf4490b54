package app

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// env is a process environment for Load.
type env map[string]string

func (e env) get(name string) string { return e[name] }

func TestEndpointReadsTheSDKVariables(t *testing.T) {
	e := env{
		"AWS_ENDPOINT_URL":                    "http://all:1",
		"AWS_ENDPOINT_URL_DYNAMODB":           "http://dynamodb:2",
		"AWS_ENDPOINT_URL_EVENTBRIDGE":        "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
	}
	c := Config{Endpoints: endpoints(e.get)}
	for sdkID, want := range map[string]string{
		"DynamoDB":    "http://dynamodb:2", // the service's own variable wins
		"EventBridge": "http://all:1",      // an empty one is unset
		"Scheduler":   "http://all:1",
	} {
		if got := aws.ToString(c.Endpoint(sdkID)); got != want {
			t.Errorf("Endpoint(%q) = %q, want %q", sdkID, got, want)
		}
	}
	defer func(services []string) { endpointServices = services }(endpointServices)
	endpointServices = append(endpointServices, "API Gateway")
	e["AWS_ENDPOINT_URL_API_GATEWAY"] = "http://apigw:3"
	c = Config{Endpoints: endpoints(e.get)}
	if got := aws.ToString(c.Endpoint("API Gateway")); got != "http://apigw:3" {
		t.Errorf("a service ID with a space: got %q", got)
	}
	e["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
	c = Config{Endpoints: endpoints(e.get)}
	if got := c.Endpoint("DynamoDB"); got != nil {
		t.Errorf("ignored endpoints: got %q, want the AWS endpoint (nil)", *got)
	}
}

func TestAWSConfigFromTheLambdaEnvironment(t *testing.T) {
	e := env{
		"AWS_REGION":            "eu-west-2",
		"AWS_ACCESS_KEY_ID":     "AKID",
		"AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN":     "token",
		"TABLE_NAME":            "t",
	}
	c, err := Load(e.get)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := awsConfig(c)
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

	e["AWS_SECRET_ACCESS_KEY"] = ""
	c, _ = Load(e.get)
	if _, err := awsConfig(c); err == nil {
		t.Error("no secret key: want an error")
	}
	e["AWS_REGION"] = ""
	c, _ = Load(e.get)
	if _, err := awsConfig(c); err == nil {
		t.Error("no region: want an error")
	}
}

package app

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// awsConfig builds the SDK configuration from what the Lambda runtime puts
// in the environment: the region and the execution role's credentials.
// Neither config.LoadDefaultConfig nor config.NewEnvConfig is used: merely
// importing package config links the SSO, SSO-OIDC, STS and sign-in clients
// (their package inits alone cost 0.4 MB of every bootstrap), for credential
// sources a Lambda never has.
func awsConfig() (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION is not set")
	}
	creds := aws.Credentials{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
		Source:          credentials.StaticCredentialsName,
	}
	if !creds.HasKeys() {
		return aws.Config{}, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds}),
	}, nil
}

// Endpoint is the configured endpoint of one service, by its SDK service ID
// (e.g. "DynamoDB"), or nil for the service's regional AWS endpoint.
func (d *Deps) Endpoint(sdkID string) *string { return endpoint(sdkID) }

// endpoint reads the SDK's own variables, as the SDK's shared config does:
// AWS_ENDPOINT_URL_<SERVICE ID> (upper case, spaces as underscores), then
// AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
// sam local and the local stack set them; in AWS none is set.
func endpoint(sdkID string) *string {
	if strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return nil
	}
	service := "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_"))
	for _, name := range []string{service, "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(name); v != "" {
			return &v
		}
	}
	return nil
}

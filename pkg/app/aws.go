package app

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// awsConfig builds the SDK configuration from c: the region and the
// execution role's credentials, which the Lambda runtime puts in the
// environment (and the local stack in its Config). Neither
// config.LoadDefaultConfig nor config.NewEnvConfig is used: merely importing
// package config links the SSO, SSO-OIDC, STS and sign-in clients (their
// package inits alone cost 0.4 MB of every bootstrap), for credential
// sources a Lambda never has.
func awsConfig(c Config) (aws.Config, error) {
	if c.Region == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION is not set")
	}
	creds := aws.Credentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Source:          credentials.StaticCredentialsName,
	}
	if !creds.HasKeys() {
		return aws.Config{}, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return aws.Config{
		Region:      c.Region,
		Credentials: aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds}),
	}, nil
}

// Endpoint is the configured endpoint of one service, by its SDK service ID
// (e.g. "DynamoDB"), or nil for the service's regional AWS endpoint.
func (d *Deps) Endpoint(sdkID string) *string { return d.Config.Endpoint(sdkID) }

// Endpoint is the service's own endpoint, else the one for every service,
// else nil: the service's regional AWS endpoint.
func (c Config) Endpoint(sdkID string) *string {
	for _, id := range []string{sdkID, ""} {
		if v, ok := c.Endpoints[id]; ok && v != "" {
			return &v
		}
	}
	return nil
}

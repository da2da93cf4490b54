package app

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// awsConfig builds the SDK configuration from the environment alone, with the
// SDK's own reader of it (config.NewEnvConfig): the Lambda runtime's region
// and credentials, and the standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>
// endpoints that sam local and the local stack set. config.LoadDefaultConfig
// would also link shared-file, SSO and STS providers a Lambda never uses,
// which cost 1.5 MB in every bootstrap and time at every cold start.
func awsConfig() (aws.Config, config.EnvConfig, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return aws.Config{}, env, fmt.Errorf("read AWS environment: %w", err)
	}
	if env.Region == "" {
		return aws.Config{}, env, fmt.Errorf("AWS_REGION is not set")
	}
	if !env.Credentials.HasKeys() {
		return aws.Config{}, env, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	creds := env.Credentials
	return aws.Config{
		Region: env.Region,
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		})),
		RetryMaxAttempts: 0, // the SDK's standard retryer defaults
	}, env, nil
}

// endpoint is the configured endpoint of one service (by its SDK ID, e.g.
// "DynamoDB"), or nil for the service's regional AWS endpoint.
func endpoint(env config.EnvConfig, sdkID string) *string {
	if aws.ToBool(env.IgnoreConfiguredEndpoints) {
		return nil
	}
	if ep, found, err := env.GetServiceBaseEndpoint(context.Background(), sdkID); err == nil && found && ep != "" {
		return &ep
	}
	if env.BaseEndpoint != "" {
		ep := env.BaseEndpoint
		return &ep
	}
	return nil
}

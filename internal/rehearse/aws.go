package rehearse

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWSConfig is the SDK configuration of the rehearsal: moto's endpoint, the test credentials
// the CLI uses, and region as the default region. It retries only a request that lost its
// connection (moto may close a keep-alive connection under a request), never an answer: moto
// answers an API it lacks with HTTP 500, which the SDK's standard retryer would repeat with
// backoff. It reads nothing from the environment or the user's files.
func AWSConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		Retryer:      connectionRetryer,
	}
}

// connectionRetryer makes up to three attempts, retrying connection errors only.
func connectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
	})
}

// LoadAWS is AWSConfig as a loader of named profiles (every profile is the same moto
// account), the shape verify.Env.LoadAWS takes.
func LoadAWS(endpoint string) func(ctx context.Context, profile, region string) (aws.Config, error) {
	return func(_ context.Context, _, region string) (aws.Config, error) {
		if region == "" {
			region = cliRegion
		}
		return AWSConfig(endpoint, region), nil
	}
}

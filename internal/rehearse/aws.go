package rehearse

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWSConfig is the SDK configuration of the rehearsal: moto's endpoint, the test credentials
// the CLI uses, one attempt per call (moto answers an API it lacks with HTTP 500, which the
// SDK would retry with backoff), and region as the default region. It reads nothing from the
// environment or the user's files.
func AWSConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:           region,
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		RetryMaxAttempts: 1,
	}
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

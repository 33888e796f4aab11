package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/acme-platform/ecr-replication/internal/mototest"
)

// The tests run the command in process against moto_server (a local AWS emulator, moto 5.2),
// started on 127.0.0.1 and a free port (internal/mototest), once for the package, reset before
// every test, and stopped by TestMain. The SDK reaches it through AWS_ENDPOINT_URL, as a user would point
// the command at an emulator. Where moto lacks an ECR API (DescribeImageReplicationStatus,
// DescribeRepositoryCreationTemplates; and it refuses a second replication rule), a test puts
// a replay proxy in front of it (see replay_test.go): it answers those operations with the
// response shapes the ECR API Reference documents and forwards every other request to moto.

const sourceAccount = "123456789012" // moto's default account

// motoServer is the package's moto_server.
type motoServer struct {
	endpoint string
}

// motoShared is started by the first test that needs it and stopped by TestMain.
var motoShared mototest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	motoShared.Stop()
	os.Exit(code)
}

// moto returns the shared moto_server, reset to an empty state. Without moto_server the test
// fails, naming it; with -short it is skipped, saying so.
func moto(t testing.TB) *motoServer {
	t.Helper()
	return &motoServer{endpoint: motoShared.Get(t).Endpoint}
}

// awsEnv points the SDK at endpoint with dummy static credentials, and an empty shared
// config so that nothing of the machine's leaks in. It returns the credentials file path.
func awsEnv(t testing.TB, endpoint string) string {
	t.Helper()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_DEFAULT_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("CDK_DEFAULT_ACCOUNT", "")
	// One attempt per call: moto answers an API it lacks with HTTP 500, which the SDK would
	// otherwise retry with backoff. The command's behaviour does not depend on it.
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	return creds
}

// addProfile writes a profile with static credentials to the credentials file.
func addProfile(t testing.TB, credsFile, name string, c aws.Credentials) {
	t.Helper()
	f, err := os.OpenFile(credsFile, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", name, c.AccessKeyID, c.SecretAccessKey)
	if c.SessionToken != "" {
		fmt.Fprintf(f, "aws_session_token = %s\n", c.SessionToken)
	}
}

// seedConfig is an SDK configuration for seeding moto directly (never through the proxy).
func seedConfig(t testing.TB, endpoint, region string, creds aws.Credentials) aws.Config {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(),
		awsconfig.WithRegion(region),
		awsconfig.WithCredentialsProvider(credentials.StaticCredentialsProvider{Value: creds}),
		awsconfig.WithBaseEndpoint(endpoint),
		// Seeding calls only APIs moto has, so it may retry (awsEnv's AWS_MAX_ATTEMPTS=1 is for
		// the command under test): the SDK's standard retryer repeats a request whose
		// keep-alive connection moto closed under it ("use of closed network connection",
		// seen once in `make unit`), which a single attempt turned into a failed test.
		awsconfig.WithRetryMaxAttempts(5))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var testingCreds = aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}

// assumeInto returns moto credentials of another account (moto maps the keys AssumeRole
// hands out to the role's account).
func assumeInto(t testing.TB, endpoint, account string) aws.Credentials {
	t.Helper()
	out, err := sts.NewFromConfig(seedConfig(t, endpoint, "us-east-1", testingCreds)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + account + ":role/verify-test"),
		RoleSessionName: aws.String("verify-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

// replayProxy answers the operations in answers (by X-Amz-Target operation name, or query
// Action) with a handler and forwards everything else to moto.
func replayProxy(t *testing.T, motoEndpoint string, answers map[string]answer) *proxy {
	t.Helper()
	return newProxy(t, motoEndpoint, nil, answers)
}

// ecrClient returns a seeding ECR client of one region.
func ecrClient(t testing.TB, endpoint, region string, creds aws.Credentials) *ecr.Client {
	return ecr.NewFromConfig(seedConfig(t, endpoint, region, creds))
}

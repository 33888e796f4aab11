package verify

import (
	"context"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ECRAPI is the part of the ECR API the checks use; *ecr.Client implements it. Only PutImage
// and BatchDeleteImage write, and only the canary calls them.
type ECRAPI interface {
	DescribeRegistry(context.Context, *ecr.DescribeRegistryInput, ...func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error)
	GetRegistryPolicy(context.Context, *ecr.GetRegistryPolicyInput, ...func(*ecr.Options)) (*ecr.GetRegistryPolicyOutput, error)
	DescribeRepositories(context.Context, *ecr.DescribeRepositoriesInput, ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
	GetLifecyclePolicy(context.Context, *ecr.GetLifecyclePolicyInput, ...func(*ecr.Options)) (*ecr.GetLifecyclePolicyOutput, error)
	GetRepositoryPolicy(context.Context, *ecr.GetRepositoryPolicyInput, ...func(*ecr.Options)) (*ecr.GetRepositoryPolicyOutput, error)
	DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error)
	DescribeImageReplicationStatus(context.Context, *ecr.DescribeImageReplicationStatusInput, ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error)
	DescribeRepositoryCreationTemplates(context.Context, *ecr.DescribeRepositoryCreationTemplatesInput, ...func(*ecr.Options)) (*ecr.DescribeRepositoryCreationTemplatesOutput, error)
	GetSigningConfiguration(context.Context, *ecr.GetSigningConfigurationInput, ...func(*ecr.Options)) (*ecr.GetSigningConfigurationOutput, error)
	DescribeImageSigningStatus(context.Context, *ecr.DescribeImageSigningStatusInput, ...func(*ecr.Options)) (*ecr.DescribeImageSigningStatusOutput, error)
	ListImageReferrers(context.Context, *ecr.ListImageReferrersInput, ...func(*ecr.Options)) (*ecr.ListImageReferrersOutput, error)
	BatchGetImage(context.Context, *ecr.BatchGetImageInput, ...func(*ecr.Options)) (*ecr.BatchGetImageOutput, error)
	PutImage(context.Context, *ecr.PutImageInput, ...func(*ecr.Options)) (*ecr.PutImageOutput, error)
	BatchDeleteImage(context.Context, *ecr.BatchDeleteImageInput, ...func(*ecr.Options)) (*ecr.BatchDeleteImageOutput, error)
}

// STSAPI tells whose credentials are in use; *sts.Client implements it.
type STSAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// CloudFormationAPI tells which stacks exist and what they hold; *cloudformation.Client
// implements it.
type CloudFormationAPI interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	ListStackResources(context.Context, *cloudformation.ListStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error)
}

// SSMAPI reads the CDK bootstrap version parameter; *ssm.Client implements it.
type SSMAPI interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// LogsAPI counts CloudWatch Logs resource policies; *cloudwatchlogs.Client implements it.
type LogsAPI interface {
	DescribeResourcePolicies(context.Context, *cloudwatchlogs.DescribeResourcePoliciesInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeResourcePoliciesOutput, error)
}

// CloudTrailAPI finds the trails that log a region; *cloudtrail.Client implements it.
type CloudTrailAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
}

// Clients gives the API clients of one account (one set of credentials), per region.
type Clients interface {
	ECR(region string) ECRAPI
	STS(region string) STSAPI
	CloudFormation(region string) CloudFormationAPI
	SSM(region string) SSMAPI
	Logs(region string) LogsAPI
	CloudTrail(region string) CloudTrailAPI
}

// SDKClients builds SDK clients from one aws.Config, one per service and region, cached.
// Endpoints come from the configuration as the SDK resolves them (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE>, endpoint_url in the shared config). Every client retries in the
// SDK's adaptive mode unless the configuration names a retry mode (AWS_RETRY_MODE), and, with
// Limits, sends its requests within them.
type SDKClients struct {
	// Config holds the credentials and settings; its Region is replaced per client.
	Config aws.Config
	// Limits bounds the requests of every client, or nil for none.
	Limits *Limits

	mu      sync.Mutex
	clients map[string]any
}

// NewSDKClients returns clients built from cfg whose requests stay within limits (nil for no
// limit).
func NewSDKClients(cfg aws.Config, limits *Limits) *SDKClients {
	return &SDKClients{Config: cfg, Limits: limits}
}

func cached[T any](c *SDKClients, service, region string, build func(aws.Config) T) T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clients == nil {
		c.clients = map[string]any{}
	}
	key := service + "/" + region
	if v, ok := c.clients[key]; ok {
		return v.(T)
	}
	v := build(c.clientConfig(service, region))
	c.clients[key] = v
	return v
}

// clientConfig is the configuration of one service's client in region: adaptive retry unless
// a retry mode is configured, an HTTP transport that keeps as many idle connections per
// endpoint as requests may be in flight, and the limits.
func (c *SDKClients) clientConfig(service, region string) aws.Config {
	cfg := c.Config.Copy()
	cfg.Region = region
	if cfg.RetryMode == "" {
		cfg.RetryMode = aws.RetryModeAdaptive
	}
	if c.Limits == nil {
		return cfg
	}
	httpClient, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
	if !ok && cfg.HTTPClient == nil {
		httpClient, ok = awshttp.NewBuildableClient(), true
	}
	if ok {
		cfg.HTTPClient = httpClient.WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, c.Limits.Concurrency())
		})
	}
	cfg.HTTPClient = c.Limits.HTTPClient(cfg.HTTPClient, service)
	return cfg
}

// ECR returns the ECR client of region.
func (c *SDKClients) ECR(region string) ECRAPI {
	return cached(c, ecr.ServiceID, region, func(cfg aws.Config) ECRAPI { return ecr.NewFromConfig(cfg) })
}

// STS returns the STS client of region.
func (c *SDKClients) STS(region string) STSAPI {
	return cached(c, sts.ServiceID, region, func(cfg aws.Config) STSAPI { return sts.NewFromConfig(cfg) })
}

// CloudFormation returns the CloudFormation client of region.
func (c *SDKClients) CloudFormation(region string) CloudFormationAPI {
	return cached(c, cloudformation.ServiceID, region, func(cfg aws.Config) CloudFormationAPI { return cloudformation.NewFromConfig(cfg) })
}

// SSM returns the SSM client of region.
func (c *SDKClients) SSM(region string) SSMAPI {
	return cached(c, ssm.ServiceID, region, func(cfg aws.Config) SSMAPI { return ssm.NewFromConfig(cfg) })
}

// Logs returns the CloudWatch Logs client of region.
func (c *SDKClients) Logs(region string) LogsAPI {
	return cached(c, cloudwatchlogs.ServiceID, region, func(cfg aws.Config) LogsAPI { return cloudwatchlogs.NewFromConfig(cfg) })
}

// CloudTrail returns the CloudTrail client of region.
func (c *SDKClients) CloudTrail(region string) CloudTrailAPI {
	return cached(c, cloudtrail.ServiceID, region, func(cfg aws.Config) CloudTrailAPI { return cloudtrail.NewFromConfig(cfg) })
}

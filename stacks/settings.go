package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/constructs/lifecycle"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/policy"
)

// repositorySettings are the settings one repository carries in every region. Source and replica
// stacks derive them from the same function, so a replica cannot drift from its source.
type repositorySettings struct {
	config.Repository
	ID         string
	Mutability awsecr.TagMutability
	Lifecycle  lifecycle.Policy
}

// settingsFor returns the settings of every repository of cfg, in cfg's order.
func settingsFor(cfg *config.Config) []repositorySettings {
	used := map[string]bool{}
	var out []repositorySettings
	for _, repo := range cfg.Repositories() {
		s := repositorySettings{Repository: repo}
		switch repo.Profile {
		case config.ProfileProduction:
			s.Mutability = awsecr.TagMutability_IMMUTABLE
			s.Lifecycle = productionProfile(cfg).Policy()
		default:
			s.Mutability = awsecr.TagMutability_MUTABLE
			s.Lifecycle = testingProfile(cfg).Policy()
		}
		id := constructID(repo.Name)
		for i := 2; used[id]; i++ {
			id = fmt.Sprintf("%s%d", constructID(repo.Name), i)
		}
		used[id] = true
		s.ID = id
		out = append(out, s)
	}
	return out
}

func productionProfile(cfg *config.Config) lifecycle.ProductionProfile {
	return lifecycle.ProductionProfile{
		TagPrefixes:        cfg.ProductionTagPrefixes,
		ImageCount:         cfg.ProductionImageCount,
		UntaggedExpiryDays: cfg.UntaggedExpiryDays,
	}
}

func testingProfile(cfg *config.Config) lifecycle.TestingProfile {
	return lifecycle.TestingProfile{
		TagPrefixes: cfg.TestingTagPrefixes,
		ImageCount:  cfg.TestingImageCount,
		MaxAgeDays:  cfg.TestingMaxAgeDays,
	}
}

// templateLifecycle is the policy of repositories ECR creates later under the prefix: their
// tags mean nothing to this app, so only untagged images expire.
func templateLifecycle(cfg *config.Config) lifecycle.Policy {
	return lifecycle.ExpireUntaggedPolicy(cfg.UntaggedExpiryDays)
}

// newRepositories creates one ReplicatedRepository per settings entry in stack, by full name.
// The source and every replica stack call it with the same settings, so they cannot drift.
func newRepositories(stack awscdk.Stack, settings []repositorySettings, key awskms.IKey, access policy.PullAccess) map[string]*registry.ReplicatedRepository {
	repos := make(map[string]*registry.ReplicatedRepository, len(settings))
	for _, rs := range settings {
		policy := rs.Lifecycle
		props := &registry.ReplicatedRepositoryProps{
			RepositoryName:     rs.FullName,
			LifecyclePolicy:    &policy,
			ImageTagMutability: rs.Mutability,
			PullAccess:         access,
			EncryptionKey:      key,
		}
		repos[rs.FullName] = registry.NewReplicatedRepository(stack, rs.ID+"Repository", props)
	}
	return repos
}

// outputRepositoryURI adds an output with a repository's URI.
func outputRepositoryURI(stack awscdk.Stack, s repositorySettings, repo *registry.ReplicatedRepository) {
	awscdk.NewCfnOutput(stack, jsii.String(s.ID+"RepositoryUri"), &awscdk.CfnOutputProps{
		Description: jsii.String(fmt.Sprintf("URI of %s (%s profile) in %s", s.FullName, s.Profile, *stack.Region())),
		Value:       repo.Repository.RepositoryUri(),
	})
}

// outputDockerLogin adds an output with the command that logs Docker in to the stack's registry.
func outputDockerLogin(stack awscdk.Stack) {
	awscdk.NewCfnOutput(stack, jsii.String("DockerLoginCommand"), &awscdk.CfnOutputProps{
		Description: jsii.String("Logs Docker in to this registry (needs ecr:GetAuthorizationToken)"),
		Value: jsii.String(fmt.Sprintf(
			"aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s.dkr.ecr.%s.%s",
			*stack.Region(), *stack.Account(), *stack.Region(), *stack.UrlSuffix())),
	})
}

package verify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// DescribeBatch is how many repositories one DescribeRepositories names: the most the API
// takes (RepositoryNameList, at most 100 names, in the ECR API model; see
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html).
const DescribeBatch = 100

// repoLookup is what DescribeRepositories said of one repository: the repository, or the error
// (a repository that does not exist is a RepositoryNotFoundException).
type repoLookup struct {
	repo *types.Repository
	err  error
}

// describeRepositories describes names in a site, DescribeBatch at a time, and returns one
// lookup per name, in order. One missing repository fails a whole batch
// (RepositoryNotFoundException), so a batch that fails, or leaves a name out, is described again
// one name at a time: every repository gets the answer it would get alone. Only fatal errors are
// returned.
func (v *Verifier) describeRepositories(ctx context.Context, s site, names []string) ([]repoLookup, error) {
	out := make([]repoLookup, len(names))
	batches := (len(names) + DescribeBatch - 1) / DescribeBatch
	err := forEach(ctx, batches, v.workers(), func(ctx context.Context, b int) error {
		lo, hi := b*DescribeBatch, min(len(names), (b+1)*DescribeBatch)
		return v.describeBatch(ctx, s, names[lo:hi], out[lo:hi])
	})
	return out, err
}

// describeBatch describes up to DescribeBatch names in one request, and each name the answer
// left out on its own.
func (v *Verifier) describeBatch(ctx context.Context, s site, names []string, out []repoLookup) error {
	client := s.clients.ECR(s.region)
	resp, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: names})
	if fe := session.Fatal(err, s.where()); fe != nil {
		return fe
	}
	if len(names) == 1 {
		out[0] = single(resp, err)
		return nil
	}
	found := map[string]*types.Repository{}
	if err == nil {
		for i := range resp.Repositories {
			found[aws.ToString(resp.Repositories[i].RepositoryName)] = &resp.Repositories[i]
		}
	}
	var rest []int
	for i, n := range names {
		if r, ok := found[n]; ok {
			out[i].repo = r
		} else {
			rest = append(rest, i)
		}
	}
	return forEach(ctx, len(rest), v.workers(), func(ctx context.Context, j int) error {
		i := rest[j]
		resp, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: names[i : i+1]})
		if fe := session.Fatal(err, s.where()); fe != nil {
			return fe
		}
		out[i] = single(resp, err)
		return nil
	})
}

// single is the lookup of a DescribeRepositories of one name.
func single(resp *ecr.DescribeRepositoriesOutput, err error) repoLookup {
	if err != nil || len(resp.Repositories) == 0 {
		return repoLookup{err: err}
	}
	return repoLookup{repo: &resp.Repositories[0]}
}

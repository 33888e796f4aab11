package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// Updates that replace a repository.
//
// The create-only properties of AWS::ECR::Repository are RepositoryName and
// EncryptionConfiguration (with its EncryptionType and KmsKey): its CloudFormation resource
// schema (createOnlyProperties, read from cfn-lint 1.51's bundled copy of the us-east-1 schema;
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecr-repository.html
// says "Update requires: Replacement" for both). Changing one makes CloudFormation replace the
// repository:
//   - with the same name (an encryption change), it cannot: a custom-named resource cannot be
//     replaced ("If you specify a name, you cannot perform updates that require replacement of
//     this resource", the RepositoryName property), so the update fails and rolls back;
//   - with a new name (a repository renamed under the same logical id, e.g. a new repoPrefix),
//     it creates the new repository empty and keeps the old one (the app's UpdateReplacePolicy
//     and DeletionPolicy are Retain) with its images, outside the stack; a repository removed
//     from the configuration is kept the same way.
// Either way images do not move: preflight reports each such repository with its image count
// and the way to migrate.

// holdings are the repositories the stacks of a site hold, and its repository key.
type holdings struct {
	// repos maps a repository name to the stack and logical id that hold it.
	repos map[string]heldRepository
	// key is the physical id (key id) of the region stack's repository key, or "".
	key string
	// unknown says why the stacks could not be read ("" when they could).
	unknown string
}

type heldRepository struct{ stack, logicalID string }

// stacksOf are the stacks of a site that may hold its repositories: the region's stack and,
// with repositoryStacks of 2 or more, each repository stack.
func (v *Verifier) stacksOf(t *target) []string {
	stacks := []string{t.stack}
	if n := v.Config.RepositoryStacks; n >= 2 {
		for k := 1; k <= n; k++ {
			stacks = append(stacks, replication.RepositoryStackName(t.stack, k))
		}
	}
	return stacks
}

// stackHoldings lists the resources of the site's stacks (a stack that does not exist holds
// nothing).
func (v *Verifier) stackHoldings(ctx context.Context, t *target) (holdings, error) {
	h := holdings{repos: map[string]heldRepository{}}
	cf := t.clients.CloudFormation(t.region)
	for _, stack := range v.stacksOf(t) {
		resources, err := stackResources(ctx, cf, stack)
		switch {
		case err != nil && session.Fatal(err, t.where()) != nil:
			return h, session.Fatal(err, t.where())
		case stackMissing(err):
			continue
		case err != nil:
			return holdings{unknown: fmt.Sprintf("cannot list the resources of %s: %s", stack, session.Short(err))}, nil
		}
		for _, r := range resources {
			switch aws.ToString(r.ResourceType) {
			case "AWS::ECR::Repository":
				h.repos[aws.ToString(r.PhysicalResourceId)] = heldRepository{stack: stack, logicalID: aws.ToString(r.LogicalResourceId)}
			case "AWS::KMS::Key":
				if stack == t.stack && strings.HasPrefix(aws.ToString(r.LogicalResourceId), replication.RepositoryKeyID) {
					h.key = aws.ToString(r.PhysicalResourceId)
				}
			}
		}
	}
	return h, nil
}

// createOnlyChanges lists the changes the configuration makes to the encryption of a deployed
// repository: its type, or, with KMS, its key (the region stack's repository key).
func (v *Verifier) createOnlyChanges(repo *types.Repository, h holdings, stack string) []string {
	want, got := string(v.Config.Encryption), encryptionOf(repo)
	if got != want {
		return []string{fmt.Sprintf("encryption %s → %s", got, want)}
	}
	if want != string(config.EncryptionKMS) || h.unknown != "" {
		return nil
	}
	gotKey := aws.ToString(repo.EncryptionConfiguration.KmsKey)
	switch {
	case h.key == "":
		return []string{fmt.Sprintf("KMS key %s → a new key (%s has no %s yet: the deploy creates one)", gotKey, stack, replication.RepositoryKeyID)}
	case gotKey != h.key && !strings.HasSuffix(gotKey, ":key/"+h.key):
		return []string{fmt.Sprintf("KMS key %s → the stack's key %s", gotKey, h.key)}
	}
	return nil
}

// replacementCheck is the check of a deployed repository of the configuration whose create-only
// properties the deploy would change, or nil when it changes none.
func (v *Verifier) replacementCheck(ctx context.Context, t *target, rs config.RepositorySettings, repo *types.Repository, h holdings) (*Check, error) {
	changes := v.createOnlyChanges(repo, h, t.stack)
	if len(changes) == 0 {
		return nil, nil
	}
	images, err := v.imageCount(ctx, t, rs.FullName)
	if err != nil {
		return nil, err
	}
	c := Check{Name: "replacement", Region: t.region, Account: t.account, Repository: rs.FullName, Status: StatusProblem,
		Detail: fmt.Sprintf("%s: EncryptionConfiguration is create-only in AWS::ECR::Repository, so the deploy must replace the repository, "+
			"and CloudFormation cannot replace a custom-named resource: the update of %s fails and rolls back. %s %s",
			strings.Join(changes, "; "), t.stack, images.sentence(), v.encryptionMigration(t, rs.FullName, images, encryptionOf(repo)))}
	return &c, nil
}

// encryptionMigration says how to change a repository's encryption.
func (v *Verifier) encryptionMigration(t *target, name string, images imageTally, current string) string {
	deleteCmd := fmt.Sprintf("aws ecr delete-repository --repository-name %s --force --region %s%s", name, t.region, profileFlag(t.profile))
	if images.n == 0 {
		return fmt.Sprintf("Nothing to copy: take the repository out of the configuration and deploy (the stack lets go of it and keeps it, Retain), delete it (%s), then deploy the new encryption", deleteCmd)
	}
	return fmt.Sprintf("Keep -c encryption=%s for now, or migrate: deploy the new encryption under new names (another repoPrefix: the stack creates new repositories and keeps this one, Retain, with its images), %s, then delete this one (%s)",
		current, v.copyImages(t, "the new repository"), deleteCmd)
}

// copyImages says how to bring a repository's images to target: in the source a copy; in a
// destination nothing, as long as the source's copies are pushed after the deploy (they
// replicate), else a backfill.
func (v *Verifier) copyImages(t *target, target string) string {
	if t.replica {
		return fmt.Sprintf("let replication fill %s: images copied into the source's new repository after the deploy replicate here, ones copied before need %s",
			target, v.backfillCommand(t.region, t.account))
	}
	return fmt.Sprintf("copy the images to %s (docker pull, tag and push, or a registry copy tool) and move pushes and pulls to it", target)
}

// leftBehind reports the repositories the site's stacks hold that the configuration no longer
// names there (in a destination: no namespace that replicates there names it): renamed (the
// same logical id now names another repository) or removed. With Only, only those under the
// namespaces checked. The deploy
// succeeds and keeps them (Retain) with their images, outside the stack: the images stay behind.
func (v *Verifier) leftBehind(ctx context.Context, t *target, h holdings) ([]Check, error) {
	named := map[string]bool{}
	for _, rs := range v.Config.RepositorySettings() {
		if !t.replica || v.replicatesTo(rs.Namespace, t.site) {
			named[rs.FullName] = true
		}
	}
	var gone []string
	for name := range h.repos {
		ns := v.repositoryNamespace(name)
		if !named[name] && (len(v.Only) == 0 || (ns != "" && v.selected(ns))) {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	return collect(ctx, len(gone), v.workers(), func(ctx context.Context, i int) ([]Check, error) {
		c, err := v.leftBehindCheck(ctx, t, gone[i], h.repos[gone[i]])
		return []Check{c}, err
	})
}

// leftBehindCheck is the check of one repository the configuration no longer names: "rename"
// when the same logical id now names another repository, else "removal". Either is a problem
// when it holds images (they stay behind), a warning when it is empty.
func (v *Verifier) leftBehindCheck(ctx context.Context, t *target, name string, held heldRepository) (Check, error) {
	images, err := v.imageCount(ctx, t, name)
	if err != nil {
		return Check{}, err
	}
	c := Check{Name: "removal", Region: t.region, Account: t.account, Repository: name, Status: StatusProblem}
	to := v.renamedTo(held.logicalID)
	if to != "" {
		c.Name = "rename"
	}
	if images.n == 0 && images.unknown == "" {
		c.Status = StatusWarning
	}
	if v.Config.DeleteOnDestroy {
		c.Detail = deletedDetail(held, to, images)
		return c, nil
	}
	deleteCmd := fmt.Sprintf("aws ecr delete-repository --repository-name %s --force --region %s%s", name, t.region, profileFlag(t.profile))
	what := fmt.Sprintf("%s holds it (%s) but the configuration does not name it: the deploy removes it from the stack and keeps it (Retain) outside any stack", held.stack, held.logicalID)
	move := "They stay there: copy what you still need elsewhere"
	if to != "" {
		what = fmt.Sprintf("renamed to %s (the same logical id %s in %s): RepositoryName is create-only in AWS::ECR::Repository, so the deploy replaces it, creating %s empty and keeping this one (Retain) outside the stack",
			to, held.logicalID, held.stack, to)
		move = "They do not move: after the deploy " + v.copyImages(t, to)
	}
	if c.Status == StatusWarning {
		c.Detail = fmt.Sprintf("%s. %s Nothing to copy: delete it after the deploy (%s)", what, images.sentence(), deleteCmd)
		return c, nil
	}
	c.Detail = fmt.Sprintf("%s. %s %s, then delete it (%s); or keep its name in the configuration", what, images.sentence(), move, deleteCmd)
	return c, nil
}

// deletedDetail words a rename (to is the new name) or removal under deleteOnDestroy: the stacks
// give their repositories DeletionPolicy and UpdateReplacePolicy Delete and EmptyOnDelete, so
// the deploy deletes the repository the configuration no longer names, images and all. It
// supposes the deployed stacks were deployed with deleteOnDestroy too.
func deletedDetail(held heldRepository, to string, images imageTally) string {
	what := fmt.Sprintf("%s holds it (%s) but the configuration does not name it: the deploy removes it from the stack and, with deleteOnDestroy (DeletionPolicy Delete, EmptyOnDelete), deletes it with its images",
		held.stack, held.logicalID)
	if to != "" {
		what = fmt.Sprintf("renamed to %s (the same logical id %s in %s): RepositoryName is create-only in AWS::ECR::Repository, so the deploy replaces it, creating %s empty and, with deleteOnDestroy (DeletionPolicy Delete, EmptyOnDelete), deleting this one with its images",
			to, held.logicalID, held.stack, to)
	}
	if images.n == 0 && images.unknown == "" {
		return what + ". " + images.sentence() + " Nothing is lost"
	}
	return fmt.Sprintf("%s. %s They are lost unless copied before the deploy (docker pull, tag and push, or a registry copy tool); or keep its name in the configuration", what, images.sentence())
}

// renamedTo is the repository of the configuration whose logical id is logicalID (its
// construct id, replication.RepositoryConstructID, then CDK's 8-character hash), or "".
func (v *Verifier) renamedTo(logicalID string) string {
	for _, rs := range v.Config.RepositorySettings() {
		id := replication.RepositoryConstructID(rs.Namespace, rs.FullName)
		if logicalID == id || (strings.HasPrefix(logicalID, id) && len(logicalID) == len(id)+8) {
			return rs.FullName
		}
	}
	return ""
}

// imageTally is how many images a repository holds, or why that is unknown.
type imageTally struct {
	n       int
	unknown string
}

// sentence renders the tally for a detail.
func (i imageTally) sentence() string {
	switch {
	case i.unknown != "":
		return "Its images could not be counted (" + i.unknown + ")."
	case i.n == 0:
		return "It holds no images."
	case i.n == 1:
		return "It holds 1 image."
	}
	return fmt.Sprintf("It holds %d images.", i.n)
}

// imageCount counts a repository's images, archived ones included (DescribeImages with
// ImageStatus ANY; without a filter it lists only ACTIVE images). A repository that does not
// exist holds none.
func (v *Verifier) imageCount(ctx context.Context, t *target, name string) (imageTally, error) {
	p := ecr.NewDescribeImagesPaginator(t.clients.ECR(t.region), &ecr.DescribeImagesInput{
		RepositoryName: aws.String(name),
		Filter:         &types.DescribeImagesFilter{ImageStatus: types.ImageStatusFilterAny},
		MaxResults:     aws.Int32(1000),
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		switch {
		case err != nil && session.Fatal(err, t.where()) != nil:
			return imageTally{}, session.Fatal(err, t.where())
		case session.IsCode(err, "RepositoryNotFoundException"):
			return imageTally{}, nil
		case err != nil:
			return imageTally{unknown: session.Short(err)}, nil
		}
		n += len(page.ImageDetails)
	}
	return imageTally{n: n}, nil
}

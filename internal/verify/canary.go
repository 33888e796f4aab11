package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// CanaryTagPrefix starts every tag the canary creates.
const CanaryTagPrefix = "replication-canary-"

// manifestMediaTypes are the manifest types BatchGetImage may return, so that the manifest
// comes back byte for byte as pushed (same digest).
var manifestMediaTypes = []string{
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.v1+prettyjws",
}

// Canary adds the tag replication-canary-<timestamp> to the most recent tagged image of a
// mutable source repository, by PutImage of that image's own manifest (no layer is
// uploaded), polls every destination until the tag is there with the same digest, reports
// the latency per destination, and finally removes the tag it created (and nothing else) in
// the source and wherever it arrived. repo is a repository of the configuration, by full or
// short name. A *UsageError refuses an unknown or immutable repository.
func (v *Verifier) Canary(ctx context.Context, repo string, timeout, poll time.Duration, progress *Progress) (checks []Check, err error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	rs, ok := v.findRepository(repo)
	if !ok {
		var names []string
		for _, r := range v.Config.RepositorySettings() {
			names = append(names, r.FullName)
		}
		return nil, &UsageError{fmt.Sprintf("--canary %s: not a repository of the configuration (%s)", repo, strings.Join(names, ", "))}
	}
	name, region := rs.FullName, v.Config.SourceRegion
	src := v.Source.ECR(region)
	desc, err := src.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, fe
		}
		return []Check{{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem, Detail: "cannot describe the source repository: " + session.Short(err)}}, nil
	}
	if len(desc.Repositories) == 0 {
		return []Check{{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem, Detail: "the source repository does not exist"}}, nil
	}
	if m := replication.TagMutability(desc.Repositories[0].ImageTagMutability); m != replication.Mutable {
		return nil, &UsageError{fmt.Sprintf("--canary %s: refusing: the repository's tags are %s, and the canary must add and remove a tag; use a MUTABLE repository (the testing profile)", name, m)}
	}

	images, err := v.recentTagged(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(images) == 0 {
		return []Check{{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem,
			Detail: "no tagged image to add the canary tag to: push one first (the canary never uploads layers, and never tags an untagged image, whose last tag's removal would delete it)"}}, nil
	}
	img := images[0]
	got, err := src.BatchGetImage(ctx, &ecr.BatchGetImageInput{
		RepositoryName:     aws.String(name),
		ImageIds:           []types.ImageIdentifier{{ImageDigest: aws.String(img.Digest)}},
		AcceptedMediaTypes: manifestMediaTypes,
	})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, fe
		}
		return []Check{{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem, Detail: "cannot read the image manifest (ecr:BatchGetImage): " + session.Short(err)}}, nil
	}
	if len(got.Images) == 0 {
		return []Check{{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem, Detail: "BatchGetImage returned no manifest for " + img.Digest}}, nil
	}
	manifest := got.Images[0]

	tag := CanaryTagPrefix + v.Now().UTC().Format("20060102-150405")
	start := v.Now()
	_, err = src.PutImage(ctx, &ecr.PutImageInput{
		RepositoryName:         aws.String(name),
		ImageManifest:          manifest.ImageManifest,
		ImageManifestMediaType: manifest.ImageManifestMediaType,
		ImageDigest:            aws.String(img.Digest),
		ImageTag:               aws.String(tag),
	})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, fe
		}
		return []Check{{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem, Detail: "cannot add the canary tag (ecr:PutImage): " + session.Short(err)}}, nil
	}
	checks = append(checks, Check{Name: "canary", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusOK,
		Detail: fmt.Sprintf("tagged %s as %s", img.label(), tag)})

	// Whatever happens next, the tag goes away again, even if ctx was cancelled.
	defer func() {
		checks = append(checks, v.removeCanary(context.WithoutCancel(ctx), name, tag)...)
	}()

	// Each region is one destination, in its own account.
	dests := v.destinations()
	arrived := map[string]time.Duration{}
	deadline := start.Add(timeout)
	for {
		for _, d := range dests {
			r := d.region
			if _, ok := arrived[r]; ok {
				continue
			}
			out, err := d.clients.ECR(r).DescribeImages(ctx, &ecr.DescribeImagesInput{
				RepositoryName: aws.String(name),
				ImageIds:       []types.ImageIdentifier{{ImageTag: aws.String(tag)}},
			})
			if err != nil {
				if fe := session.Fatal(err, d.where()); fe != nil {
					return checks, fe
				}
				continue // not there yet
			}
			if len(out.ImageDetails) > 0 && aws.ToString(out.ImageDetails[0].ImageDigest) == img.Digest {
				arrived[r] = v.Now().Sub(start)
			}
		}
		var parts []string
		for _, r := range v.Config.DestinationRegions {
			if d, ok := arrived[r]; ok {
				parts = append(parts, fmt.Sprintf("%s arrived after %s", r, d.Round(time.Second)))
			} else {
				parts = append(parts, r+" waiting")
			}
		}
		progress.Update(fmt.Sprintf("canary %s %s: %s", tag, clock(v.Now().Sub(start)), strings.Join(parts, ", ")))
		if len(arrived) == len(dests) || !v.Now().Before(deadline) {
			break
		}
		wait := poll
		if left := deadline.Sub(v.Now()); left < wait {
			wait = left
		}
		if err := v.Sleep(ctx, wait); err != nil {
			progress.Done()
			return append(checks, Check{Name: "canary-arrival", Region: region, Account: v.Config.SourceAccount, Repository: name, Status: StatusProblem, Detail: "interrupted: " + err.Error()}), nil
		}
	}
	progress.Done()
	for _, d := range dests {
		r := d.region
		c := Check{Name: "canary-arrival", Region: r, Account: d.account, Repository: name}
		if d, ok := arrived[r]; ok {
			c.Status, c.Latency = StatusOK, d
			c.Detail = fmt.Sprintf("%s arrived after %s (measured to within the %s poll interval)", tag, d.Round(100*time.Millisecond), poll)
		} else {
			c.Status = StatusProblem
			c.Detail = fmt.Sprintf("%s did not arrive within %s: run the default mode for the replication rule and registry policy", tag, timeout)
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// findRepository resolves a full or short repository name.
func (v *Verifier) findRepository(name string) (config.RepositorySettings, bool) {
	for _, rs := range v.Config.RepositorySettings() {
		if rs.FullName == name || rs.Name == name {
			return rs, true
		}
	}
	return config.RepositorySettings{}, false
}

// recentTagged returns the source repository's tagged images, newest first.
func (v *Verifier) recentTagged(ctx context.Context, repo string) ([]sourceImage, error) {
	all := v.Images
	v.Images = 0
	images, err := v.recentImages(ctx, repo)
	v.Images = all
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, fe
		}
		return nil, fmt.Errorf("cannot list the images of %s: %s", repo, session.Short(err))
	}
	var tagged []sourceImage
	for _, i := range images {
		if len(i.Tags) > 0 {
			tagged = append(tagged, i)
		}
	}
	sort.SliceStable(tagged, func(i, j int) bool { return tagged[i].PushedAt.After(tagged[j].PushedAt) })
	return tagged, nil
}

// removeCanary deletes the canary tag, by tag only, in the source and in every destination:
// BatchDeleteImage with an image tag removes that tag and keeps the image while other tags
// name it. A destination the tag never reached answers ImageNotFound, which is fine.
func (v *Verifier) removeCanary(ctx context.Context, repo, tag string) []Check {
	var checks []Check
	for _, s := range v.sites() {
		r := s.region
		c := Check{Name: "canary-cleanup", Region: r, Account: s.account, Repository: repo}
		out, err := s.clients.ECR(r).BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{
			RepositoryName: aws.String(repo),
			ImageIds:       []types.ImageIdentifier{{ImageTag: aws.String(tag)}},
		})
		manual := fmt.Sprintf("aws ecr batch-delete-image --repository-name %s --image-ids imageTag=%s --region %s%s", repo, tag, r, profileFlag(s.profile))
		switch {
		case err != nil && session.IsCode(err, "RepositoryNotFoundException"):
			c.Status, c.Detail = StatusOK, "nothing to remove: the repository does not exist here"
		case err != nil:
			c.Status, c.Detail = StatusWarning, fmt.Sprintf("could not remove %s (%s): remove it with %s", tag, session.Short(err), manual)
		default:
			notFound := false
			var other []string
			for _, f := range out.Failures {
				if f.FailureCode == types.ImageFailureCodeImageNotFound || f.FailureCode == types.ImageFailureCodeImageTagDoesNotMatchDigest {
					notFound = true
				} else {
					other = append(other, fmt.Sprintf("%s: %s", f.FailureCode, aws.ToString(f.FailureReason)))
				}
			}
			switch {
			case len(other) > 0:
				c.Status, c.Detail = StatusWarning, fmt.Sprintf("could not remove %s (%s): remove it with %s", tag, strings.Join(other, "; "), manual)
			case notFound && len(out.ImageIds) == 0:
				c.Status, c.Detail = StatusOK, "nothing to remove: "+tag+" is not here"
			default:
				c.Status, c.Detail = StatusOK, "removed the tag "+tag+" (the image and its other tags stay)"
			}
		}
		checks = append(checks, c)
	}
	return checks
}

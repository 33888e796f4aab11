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
	name, problem, err := v.canaryRepository(ctx, repo)
	if problem != nil || err != nil {
		return problem, err
	}
	img, manifest, problem, err := v.canaryManifest(ctx, name)
	if problem != nil || err != nil {
		return problem, err
	}
	tag := CanaryTagPrefix + v.Now().UTC().Format("20060102-150405")
	start := v.Now()
	if problem, err := v.putCanaryTag(ctx, name, tag, img, manifest); problem != nil || err != nil {
		return problem, err
	}
	checks = append(checks, v.canaryCheck(name, StatusOK, fmt.Sprintf("tagged %s as %s", img.label(), tag)))

	// Whatever happens next, the tag goes away again, even if ctx was cancelled.
	defer func() {
		checks = append(checks, v.removeCanary(context.WithoutCancel(ctx), name, tag)...)
	}()
	arrived, interrupted, err := v.awaitCanary(ctx, name, tag, img.Digest, start, timeout, poll, progress)
	switch {
	case err != nil:
		return checks, err
	case interrupted != nil:
		return append(checks, *interrupted), nil
	}
	return append(checks, v.canaryArrivals(name, tag, arrived, timeout, poll)...), nil
}

// canaryCheck is a check about the canary's source repository.
func (v *Verifier) canaryCheck(name string, status Status, detail string) Check {
	return Check{Name: "canary", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Repository: name, Status: status, Detail: detail}
}

// canaryRepository resolves the canary's repository and refuses an unknown or immutable one
// (a *UsageError); problem is set when the source repository cannot be read or does not exist.
func (v *Verifier) canaryRepository(ctx context.Context, repo string) (name string, problem []Check, err error) {
	rs, ok := v.findRepository(repo)
	if !ok {
		var names []string
		for _, r := range v.settings() {
			names = append(names, r.FullName)
		}
		return "", nil, &UsageError{fmt.Sprintf("--canary %s: not a repository of the configuration (%s)", repo, strings.Join(names, ", "))}
	}
	name = rs.FullName
	desc, err := v.Source.ECR(v.Config.SourceRegion).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return "", nil, fe
		}
		return "", []Check{v.canaryCheck(name, StatusProblem, "cannot describe the source repository: "+session.Short(err))}, nil
	}
	if len(desc.Repositories) == 0 {
		return "", []Check{v.canaryCheck(name, StatusProblem, "the source repository does not exist")}, nil
	}
	if m := replication.TagMutability(desc.Repositories[0].ImageTagMutability); m != replication.Mutable {
		return "", nil, &UsageError{fmt.Sprintf("--canary %s: refusing: the repository's tags are %s, and the canary must add and remove a tag; use a MUTABLE repository (the testing profile)", name, m)}
	}
	return name, nil, nil
}

// canaryManifest finds the most recent tagged image of the repository and reads its manifest
// as pushed (BatchGetImage with every manifest media type), so that PutImage keeps its digest.
func (v *Verifier) canaryManifest(ctx context.Context, name string) (sourceImage, types.Image, []Check, error) {
	images, err := v.recentTagged(ctx, name)
	if err != nil {
		return sourceImage{}, types.Image{}, nil, err
	}
	if len(images) == 0 {
		return sourceImage{}, types.Image{}, []Check{v.canaryCheck(name, StatusProblem,
			"no tagged image to add the canary tag to: push one first (the canary never uploads layers, and never tags an untagged image, whose last tag's removal would delete it)")}, nil
	}
	img := images[0]
	got, err := v.Source.ECR(v.Config.SourceRegion).BatchGetImage(ctx, &ecr.BatchGetImageInput{
		RepositoryName:     aws.String(name),
		ImageIds:           []types.ImageIdentifier{{ImageDigest: aws.String(img.Digest)}},
		AcceptedMediaTypes: manifestMediaTypes,
	})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return img, types.Image{}, nil, fe
		}
		return img, types.Image{}, []Check{v.canaryCheck(name, StatusProblem, "cannot read the image manifest (ecr:BatchGetImage): "+session.Short(err))}, nil
	}
	if len(got.Images) == 0 {
		return img, types.Image{}, []Check{v.canaryCheck(name, StatusProblem, "BatchGetImage returned no manifest for "+img.Digest)}, nil
	}
	return img, got.Images[0], nil, nil
}

// putCanaryTag adds tag to the image by PutImage of its own manifest.
func (v *Verifier) putCanaryTag(ctx context.Context, name, tag string, img sourceImage, manifest types.Image) ([]Check, error) {
	_, err := v.Source.ECR(v.Config.SourceRegion).PutImage(ctx, &ecr.PutImageInput{
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
		return []Check{v.canaryCheck(name, StatusProblem, "cannot add the canary tag (ecr:PutImage): "+session.Short(err))}, nil
	}
	return nil, nil
}

// awaitCanary polls every destination (in parallel) until the tag is there with the digest, or
// the timeout; arrived holds each destination region's latency. interrupted is set when the
// context ended a sleep.
func (v *Verifier) awaitCanary(ctx context.Context, name, tag, digest string, start time.Time, timeout, poll time.Duration, progress *Progress) (arrived map[string]time.Duration, interrupted *Check, err error) {
	dests := v.destinationsOf(v.repositoryNamespace(name))
	arrived = map[string]time.Duration{}
	deadline := start.Add(timeout)
	for {
		if err := v.pollCanary(ctx, dests, name, tag, digest, start, arrived); err != nil {
			return nil, nil, err
		}
		progress.Update(fmt.Sprintf("canary %s %s: %s", tag, clock(v.Now().Sub(start)), v.canaryProgress(dests, arrived)))
		if len(arrived) == len(dests) || !v.Now().Before(deadline) {
			progress.Done()
			return arrived, nil, nil
		}
		if err := v.Sleep(ctx, min(poll, deadline.Sub(v.Now()))); err != nil {
			progress.Done()
			c := v.canaryCheck(name, StatusProblem, "interrupted: "+err.Error())
			c.Name = "canary-arrival"
			return nil, &c, nil
		}
	}
}

// pollCanary looks for the tag once in every destination it has not reached yet, in parallel,
// and records the arrivals.
func (v *Verifier) pollCanary(ctx context.Context, dests []site, name, tag, digest string, start time.Time, arrived map[string]time.Duration) error {
	found := make([]bool, len(dests))
	err := forEach(ctx, len(dests), v.workers(), func(ctx context.Context, i int) error {
		d := dests[i]
		if _, ok := arrived[d.region]; ok {
			return nil
		}
		out, err := d.clients.ECR(d.region).DescribeImages(ctx, &ecr.DescribeImagesInput{
			RepositoryName: aws.String(name),
			ImageIds:       []types.ImageIdentifier{{ImageTag: aws.String(tag)}},
		})
		if err != nil {
			if fe := session.Fatal(err, d.where()); fe != nil {
				return fe
			}
			return nil // not there yet
		}
		found[i] = len(out.ImageDetails) > 0 && aws.ToString(out.ImageDetails[0].ImageDigest) == digest
		return nil
	})
	if err != nil {
		return err
	}
	for i, d := range dests {
		if found[i] {
			arrived[d.region] = v.Now().Sub(start)
		}
	}
	return nil
}

// canaryProgress renders "us-west-2 arrived after 12s, eu-west-1 waiting".
func (v *Verifier) canaryProgress(dests []site, arrived map[string]time.Duration) string {
	var parts []string
	for _, d := range dests {
		r := d.region
		if d, ok := arrived[r]; ok {
			parts = append(parts, fmt.Sprintf("%s arrived after %s", r, d.Round(time.Second)))
		} else {
			parts = append(parts, r+" waiting")
		}
	}
	return strings.Join(parts, ", ")
}

// canaryArrivals is one canary-arrival check per destination of the repository's namespace.
func (v *Verifier) canaryArrivals(name, tag string, arrived map[string]time.Duration, timeout, poll time.Duration) []Check {
	var checks []Check
	for _, d := range v.destinationsOf(v.repositoryNamespace(name)) {
		c := Check{Name: "canary-arrival", Region: d.region, Account: d.account, Repository: name}
		if latency, ok := arrived[d.region]; ok {
			c.Status, c.Latency = StatusOK, latency
			c.Detail = fmt.Sprintf("%s arrived after %s (measured to within the %s poll interval)", tag, latency.Round(100*time.Millisecond), poll)
		} else {
			c.Status = StatusProblem
			c.Detail = fmt.Sprintf("%s did not arrive within %s: run the default mode for the replication rule and registry policy", tag, timeout)
		}
		checks = append(checks, c)
	}
	return checks
}

// findRepository resolves a full or short repository name among the repositories of the
// namespaces checked (a short name that several namespaces share resolves to the first).
func (v *Verifier) findRepository(name string) (config.RepositorySettings, bool) {
	for _, rs := range v.settings() {
		if rs.FullName == name || rs.Name == name {
			return rs, true
		}
	}
	return config.RepositorySettings{}, false
}

// recentTagged returns the source repository's tagged images, newest first.
func (v *Verifier) recentTagged(ctx context.Context, repo string) ([]sourceImage, error) {
	images, err := v.recentImages(ctx, repo, 0)
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

// removeCanary deletes the canary tag, by tag only, in the source and in every destination of
// the repository's namespace:
// BatchDeleteImage with an image tag removes that tag and keeps the image while other tags
// name it. A destination the tag never reached answers ImageNotFound, which is fine.
func (v *Verifier) removeCanary(ctx context.Context, repo, tag string) []Check {
	var checks []Check
	for _, s := range append([]site{v.source()}, v.destinationsOf(v.repositoryNamespace(repo))...) {
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

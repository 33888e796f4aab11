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

	"github.com/acme-platform/ecr-replication/internal/session"
)

// ReplicationGrace is how long after a push a missing replica counts as still in progress in
// the after-deploy mode: ECR documents that most images replicate in under 30 minutes.
const ReplicationGrace = 30 * time.Minute

// sourceImage is one recent image of a source repository.
type sourceImage struct {
	Repository string
	Digest     string
	Tags       []string
	PushedAt   time.Time
}

// isReferrer reports whether DescribeImages listed an artifact that refers to another image
// (ImageDetail.SubjectManifestDigest), such as a signature of managed signing.
func isReferrer(d types.ImageDetail) bool { return aws.ToString(d.SubjectManifestDigest) != "" }

func (i sourceImage) label() string {
	d := i.Digest
	if len(d) > 19 {
		d = d[:19] + "…"
	}
	if len(i.Tags) > 0 {
		return fmt.Sprintf("%s (%s)", strings.Join(i.Tags, ","), d)
	}
	return d + " (untagged)"
}

// replicaState is what one destination holds of one source image.
type replicaState int

const (
	stateReplicated replicaState = iota
	statePending                 // IN_PROGRESS, or missing within ReplicationGrace
	stateMissing
	stateDifferent // a tag of the image points to another digest here
	stateFailed    // FAILED, per DescribeImageReplicationStatus
	// statePredates: not in the destination, and pushed before the replication configuration
	// last changed: if the destination joined the rule then, ECR never copies it (only a
	// backfill does).
	statePredates
)

// imageState is the state of one source image in one destination region.
type imageState struct {
	Image   sourceImage
	Region  string
	Account string // the destination's account
	State   replicaState
	Detail  string
	// Method is how the state was found: "replication status" or "digest comparison".
	Method string
	// Backfill is true when only a backfill would bring the image: it may predate the
	// destination's place in the replication rule.
	Backfill bool
}

// recentImages returns the n most recent images of a source repository (every image when n
// is 0), newest first. Referrers (signatures and other artifacts about an image) are left out:
// whether they replicate is measured on its own (signatureChecks).
func (v *Verifier) recentImages(ctx context.Context, repo string, n int) ([]sourceImage, error) {
	client := v.Source.ECR(v.Config.SourceRegion)
	var images []sourceImage
	p := ecr.NewDescribeImagesPaginator(client, &ecr.DescribeImagesInput{RepositoryName: aws.String(repo)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range page.ImageDetails {
			if isReferrer(d) {
				continue
			}
			images = append(images, sourceImage{Repository: repo, Digest: aws.ToString(d.ImageDigest),
				Tags: d.ImageTags, PushedAt: aws.ToTime(d.ImagePushedAt)})
		}
	}
	sort.SliceStable(images, func(i, j int) bool { return images[i].PushedAt.After(images[j].PushedAt) })
	if n > 0 && len(images) > n {
		images = images[:n]
	}
	return images, nil
}

// imageStates finds, for the recent images of every source repository, their state in every
// destination, repositories in parallel, in configuration order. fixed, when not nil, is the
// image set to look at (the wait mode keeps the set it started with). checks are problems met
// on the way (a source repository that cannot be read) and skips (a repository without
// images).
func (v *Verifier) imageStates(ctx context.Context, fixed map[string][]sourceImage) (states []imageState, checks []Check, err error) {
	repos := v.settings()
	type result struct {
		states []imageState
		checks []Check
	}
	results := make([]result, len(repos))
	err = forEach(ctx, len(repos), v.workers(), func(ctx context.Context, i int) error {
		s, c, err := v.repositoryImageStates(ctx, repos[i].FullName, fixed)
		results[i] = result{s, c}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range results {
		states = append(states, r.states...)
		checks = append(checks, r.checks...)
	}
	return states, checks, nil
}

// repositoryImageStates is imageStates for one source repository.
func (v *Verifier) repositoryImageStates(ctx context.Context, repo string, fixed map[string][]sourceImage) ([]imageState, []Check, error) {
	skip := func(detail string) []Check {
		return []Check{{Name: "images", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Repository: repo, Status: StatusSkipped, Detail: detail}}
	}
	images, ok := fixed[repo]
	if fixed == nil {
		var err error
		if images, err = v.recentImages(ctx, repo, v.Images); err != nil {
			if fe := session.Fatal(err, "the source account"); fe != nil {
				return nil, nil, fe
			}
			return nil, skip("cannot list the source images (" + session.Short(err) + "): replication of this repository not checked"), nil
		}
	} else if !ok {
		return nil, nil, nil
	}
	if len(images) == 0 {
		return nil, skip("no image in the source repository yet: push one (or run --canary on a mutable repository with an image) to see replication work"), nil
	}
	var states []imageState
	for _, img := range images {
		s, err := v.imageState(ctx, img)
		if err != nil {
			return nil, nil, err
		}
		states = append(states, s...)
	}
	return states, nil, nil
}

// imageState finds the state of one image in every destination of its namespace (in parallel,
// in configuration order): from DescribeImageReplicationStatus where the API answers, by digest
// comparison otherwise (and for a destination the status does not list).
func (v *Verifier) imageState(ctx context.Context, img sourceImage) ([]imageState, error) {
	statuses, err := v.replicationStatuses(ctx, img)
	if err != nil {
		return nil, err
	}
	dests := v.destinationsOf(v.repositoryNamespace(img.Repository))
	out := make([]imageState, len(dests))
	err = forEach(ctx, len(dests), v.workers(), func(ctx context.Context, i int) error {
		var err error
		out[i], err = v.destinationState(ctx, img, dests[i], statuses)
		return err
	})
	return out, err
}

// replicationStatuses asks DescribeImageReplicationStatus for the image's status in each
// destination, by "region/registry". The first call of a run holds the others back until it
// knows whether the endpoint answers; after an answer other than a fatal one (an emulator
// without the API, no permission) it is not asked again, and digests are compared instead.
func (v *Verifier) replicationStatuses(ctx context.Context, img sourceImage) (map[string]types.ImageReplicationStatus, error) {
	s := &v.statusAPI
	s.mu.Lock()
	if s.missing {
		s.mu.Unlock()
		return nil, nil
	}
	first := !s.checked
	if !first {
		s.mu.Unlock()
	}
	out, err := v.Source.ECR(v.Config.SourceRegion).DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(img.Repository),
		ImageId:        &types.ImageIdentifier{ImageDigest: aws.String(img.Digest)},
	})
	if !first {
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, fe
		}
		s.missing, s.reason = true, session.Short(err)
		return nil, nil
	}
	s.checked = true
	statuses := map[string]types.ImageReplicationStatus{}
	for _, st := range out.ReplicationStatuses {
		statuses[aws.ToString(st.Region)+"/"+aws.ToString(st.RegistryId)] = st
	}
	return statuses, nil
}

// destinationState is the state of one image in one destination: its replication status if
// statuses lists the destination, else what a digest comparison finds.
func (v *Verifier) destinationState(ctx context.Context, img sourceImage, d site, statuses map[string]types.ImageReplicationStatus) (imageState, error) {
	st := imageState{Image: img, Region: d.region, Account: d.account}
	if s, ok := statuses[d.region+"/"+d.account]; ok {
		st.Method = "replication status"
		switch s.Status {
		case types.ReplicationStatusComplete:
			st.State = stateReplicated
		case types.ReplicationStatusFailed:
			st.State, st.Detail = stateFailed, "replication FAILED: "+aws.ToString(s.FailureCode)
		default:
			st.State, st.Detail = statePending, "replication "+string(s.Status)
		}
		return st, nil
	}
	st.Method = "digest comparison"
	state, detail, absent, err := v.compareDigest(ctx, img, d)
	if err != nil {
		return st, err
	}
	st.State, st.Detail = state, detail
	switch {
	case absent:
		return v.classifyAbsent(ctx, st)
	case state == stateMissing && v.Now().Sub(img.PushedAt) < ReplicationGrace:
		st.State = statePending
		st.Detail = fmt.Sprintf("not here yet, pushed %s ago", v.Now().Sub(img.PushedAt).Round(time.Second))
	}
	return st, nil
}

// compareDigest looks for the image's digest in a destination, then for each of its tags.
// absent is true when the replica repository exists and holds neither the digest nor another
// image under one of its tags.
func (v *Verifier) compareDigest(ctx context.Context, img sourceImage, d site) (state replicaState, detail string, absent bool, err error) {
	client := d.clients.ECR(d.region)
	_, err = client.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: aws.String(img.Repository),
		ImageIds:       []types.ImageIdentifier{{ImageDigest: aws.String(img.Digest)}},
	})
	switch {
	case err == nil:
		return stateReplicated, "", false, nil
	case session.Fatal(err, d.where()) != nil:
		return 0, "", false, session.Fatal(err, d.where())
	case session.IsCode(err, "RepositoryNotFoundException"):
		return stateMissing, "missing: the replica repository does not exist", false, nil
	case !session.IsCode(err, "ImageNotFoundException"):
		return stateMissing, "cannot look for the image: " + session.Short(err), false, nil
	}
	var moved []string
	for _, tag := range img.Tags {
		out, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{
			RepositoryName: aws.String(img.Repository),
			ImageIds:       []types.ImageIdentifier{{ImageTag: aws.String(tag)}},
		})
		if err != nil {
			if fe := session.Fatal(err, d.where()); fe != nil {
				return 0, "", false, fe
			}
			continue
		}
		for _, d := range out.ImageDetails {
			moved = append(moved, fmt.Sprintf("tag %s is %s here", tag, aws.ToString(d.ImageDigest)))
		}
	}
	if len(moved) > 0 {
		return stateDifferent, fmt.Sprintf("different: %s, %s in the source", strings.Join(moved, ", "), img.Digest), false, nil
	}
	return stateMissing, "missing", true, nil
}

// summarizeImages turns image states into one check per destination and repository, in the
// order the states come. With final (the end of --wait), anything not replicated is a
// problem; otherwise an image still in progress is a warning.
func summarizeImages(v *Verifier, states []imageState, final bool) []Check {
	type key struct{ region, account, repo string }
	var order []key
	groups := map[key][]imageState{}
	for _, s := range states {
		k := key{s.Region, s.Account, s.Image.Repository}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	checks := make([]Check, 0, len(order))
	for _, k := range order {
		c := v.imagesCheck(groups[k], final)
		c.Region, c.Account, c.Repository = k.region, k.account, k.repo
		checks = append(checks, c)
	}
	return checks
}

// imagesCheck summarizes the states of one repository's recent images in one destination.
func (v *Verifier) imagesCheck(g []imageState, final bool) Check {
	var replicated int
	var problems, pending []string
	backfill := false
	methods := map[string]bool{}
	for _, s := range g {
		methods[s.Method] = true
		backfill = backfill || s.Backfill
		switch {
		case s.State == stateReplicated:
			replicated++
		case s.State == statePending && final:
			problems = append(problems, fmt.Sprintf("%s: not replicated before the deadline (%s)", s.Image.label(), s.Detail))
		case s.State == statePending:
			pending = append(pending, fmt.Sprintf("%s: %s", s.Image.label(), s.Detail))
		default:
			problems = append(problems, fmt.Sprintf("%s: %s", s.Image.label(), s.Detail))
		}
	}
	method := v.imageMethods(methods)
	c := Check{Name: "images"}
	switch {
	case len(problems) > 0:
		all := append(problems, pending...)
		if backfill {
			all = append(all, v.backfillHint(g[0].Region, g[0].Account))
		}
		c.Status = StatusProblem
		c.Detail = fmt.Sprintf("%d of %d recent images replicated; %s [%s]", replicated, len(g), strings.Join(all, "; "), method)
	case len(pending) > 0:
		c.Status = StatusWarning
		c.Detail = fmt.Sprintf("%d of %d recent images replicated; in progress: %s (use --wait to wait for them) [%s]", replicated, len(g), strings.Join(pending, "; "), method)
	default:
		c.Status = StatusOK
		c.Detail = fmt.Sprintf("all %d recent images replicated [%s]", len(g), method)
	}
	return c
}

// imageMethods names how the states were found, for the end of an images check's detail.
func (v *Verifier) imageMethods(methods map[string]bool) string {
	var how []string
	for _, m := range []string{"replication status", "digest comparison"} {
		if methods[m] {
			how = append(how, m)
		}
	}
	method := strings.Join(how, " and ")
	v.statusAPI.mu.Lock()
	defer v.statusAPI.mu.Unlock()
	if methods["digest comparison"] && v.statusAPI.missing {
		method += "; DescribeImageReplicationStatus did not answer: " + v.statusAPI.reason
	}
	return method
}

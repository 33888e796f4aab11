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
}

// recentImages returns the v.Images most recent images of a source repository, newest first.
func (v *Verifier) recentImages(ctx context.Context, repo string) ([]sourceImage, error) {
	client := v.Source.ECR(v.Config.SourceRegion)
	var images []sourceImage
	p := ecr.NewDescribeImagesPaginator(client, &ecr.DescribeImagesInput{RepositoryName: aws.String(repo)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range page.ImageDetails {
			images = append(images, sourceImage{Repository: repo, Digest: aws.ToString(d.ImageDigest),
				Tags: d.ImageTags, PushedAt: aws.ToTime(d.ImagePushedAt)})
		}
	}
	sort.SliceStable(images, func(i, j int) bool { return images[i].PushedAt.After(images[j].PushedAt) })
	if n := v.Images; n > 0 && len(images) > n {
		images = images[:n]
	}
	return images, nil
}

// imageStates finds, for the recent images of every source repository, their state in every
// destination. fixed, when not nil, is the image set to look at (the wait mode keeps the set
// it started with). checks are problems met on the way (a source repository that cannot be
// read) and skips (a repository without images).
func (v *Verifier) imageStates(ctx context.Context, fixed map[string][]sourceImage) (states []imageState, checks []Check, err error) {
	for _, rs := range v.Config.RepositorySettings() {
		repo := rs.FullName
		images, ok := fixed[repo]
		if fixed == nil {
			images, err = v.recentImages(ctx, repo)
			if err != nil {
				if fe := session.Fatal(err, "the source account"); fe != nil {
					return nil, nil, fe
				}
				checks = append(checks, Check{Name: "images", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Repository: repo, Status: StatusSkipped,
					Detail: "cannot list the source images (" + session.Short(err) + "): replication of this repository not checked"})
				continue
			}
		} else if !ok {
			continue
		}
		if len(images) == 0 {
			checks = append(checks, Check{Name: "images", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Repository: repo, Status: StatusSkipped,
				Detail: "no image in the source repository yet: push one (or run --canary on a mutable repository with an image) to see replication work"})
			continue
		}
		for _, img := range images {
			s, err := v.imageState(ctx, img)
			if err != nil {
				return nil, nil, err
			}
			states = append(states, s...)
		}
	}
	return states, checks, nil
}

// imageState finds the state of one image in every destination: from
// DescribeImageReplicationStatus where the API answers, by digest comparison otherwise (and for
// a destination the status does not list).
func (v *Verifier) imageState(ctx context.Context, img sourceImage) ([]imageState, error) {
	statuses := map[string]types.ImageReplicationStatus{}
	if !v.statusAPI.missing {
		out, err := v.Source.ECR(v.Config.SourceRegion).DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{
			RepositoryName: aws.String(img.Repository),
			ImageId:        &types.ImageIdentifier{ImageDigest: aws.String(img.Digest)},
		})
		if err != nil {
			if fe := session.Fatal(err, "the source account"); fe != nil {
				return nil, fe
			}
			// Any other answer (an emulator without the API, no permission): compare digests
			// instead, and say so in every detail.
			v.statusAPI.missing, v.statusAPI.reason = true, session.Short(err)
		} else {
			v.statusAPI.checked = true
			for _, s := range out.ReplicationStatuses {
				statuses[aws.ToString(s.Region)+"/"+aws.ToString(s.RegistryId)] = s
			}
		}
	}
	var out []imageState
	for _, d := range v.destinations() {
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
			out = append(out, st)
			continue
		}
		st.Method = "digest comparison"
		state, detail, err := v.compareDigest(ctx, img, d)
		if err != nil {
			return nil, err
		}
		st.State, st.Detail = state, detail
		if state == stateMissing && v.Now().Sub(img.PushedAt) < ReplicationGrace {
			st.State = statePending
			st.Detail = fmt.Sprintf("not here yet, pushed %s ago", v.Now().Sub(img.PushedAt).Round(time.Second))
		}
		out = append(out, st)
	}
	return out, nil
}

// compareDigest looks for the image's digest in a destination, then for each of its tags.
func (v *Verifier) compareDigest(ctx context.Context, img sourceImage, d site) (replicaState, string, error) {
	client := d.clients.ECR(d.region)
	_, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: aws.String(img.Repository),
		ImageIds:       []types.ImageIdentifier{{ImageDigest: aws.String(img.Digest)}},
	})
	switch {
	case err == nil:
		return stateReplicated, "", nil
	case session.Fatal(err, d.where()) != nil:
		return 0, "", session.Fatal(err, d.where())
	case session.IsCode(err, "RepositoryNotFoundException"):
		return stateMissing, "missing: the replica repository does not exist", nil
	case !session.IsCode(err, "ImageNotFoundException"):
		return stateMissing, "cannot look for the image: " + session.Short(err), nil
	}
	var moved []string
	for _, tag := range img.Tags {
		out, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{
			RepositoryName: aws.String(img.Repository),
			ImageIds:       []types.ImageIdentifier{{ImageTag: aws.String(tag)}},
		})
		if err != nil {
			if fe := session.Fatal(err, d.where()); fe != nil {
				return 0, "", fe
			}
			continue
		}
		for _, d := range out.ImageDetails {
			moved = append(moved, fmt.Sprintf("tag %s is %s here", tag, aws.ToString(d.ImageDigest)))
		}
	}
	if len(moved) > 0 {
		return stateDifferent, fmt.Sprintf("different: %s, %s in the source", strings.Join(moved, ", "), img.Digest), nil
	}
	return stateMissing, "missing", nil
}

// summarizeImages turns image states into one check per destination and repository. With
// final (the end of --wait), anything not replicated is a problem; otherwise an image still
// in progress is a warning.
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
	var checks []Check
	for _, k := range order {
		g := groups[k]
		var replicated int
		var problems, pending []string
		methods := map[string]bool{}
		for _, s := range g {
			methods[s.Method] = true
			switch s.State {
			case stateReplicated:
				replicated++
			case statePending:
				if final {
					problems = append(problems, fmt.Sprintf("%s: not replicated before the deadline (%s)", s.Image.label(), s.Detail))
				} else {
					pending = append(pending, fmt.Sprintf("%s: %s", s.Image.label(), s.Detail))
				}
			default:
				problems = append(problems, fmt.Sprintf("%s: %s", s.Image.label(), s.Detail))
			}
		}
		var how []string
		for _, m := range []string{"replication status", "digest comparison"} {
			if methods[m] {
				how = append(how, m)
			}
		}
		method := strings.Join(how, " and ")
		if methods["digest comparison"] && v.statusAPI.missing {
			method += "; DescribeImageReplicationStatus did not answer: " + v.statusAPI.reason
		}
		c := Check{Name: "images", Region: k.region, Account: k.account, Repository: k.repo}
		switch {
		case len(problems) > 0:
			c.Status = StatusProblem
			c.Detail = fmt.Sprintf("%d of %d recent images replicated; %s [%s]", replicated, len(g), strings.Join(append(problems, pending...), "; "), method)
		case len(pending) > 0:
			c.Status = StatusWarning
			c.Detail = fmt.Sprintf("%d of %d recent images replicated; in progress: %s (use --wait to wait for them) [%s]", replicated, len(g), strings.Join(pending, "; "), method)
		default:
			c.Status = StatusOK
			c.Detail = fmt.Sprintf("all %d recent images replicated [%s]", len(g), method)
		}
		checks = append(checks, c)
	}
	return checks
}

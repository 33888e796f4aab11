package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// signedImage is what the source tells of one recent image's signing: its statuses (one per
// profile whose rule matched) and, once signed, its signatures' digests.
type signedImage struct {
	image      sourceImage
	statuses   []types.ImageSigningStatus
	signatures []string
}

// complete reports whether some profile signed the image.
func (s signedImage) complete() bool {
	return slices.ContainsFunc(s.statuses, func(st types.ImageSigningStatus) bool { return st.Status == types.SigningStatusComplete })
}

// signatureChecks are the managed-signing checks of the recent images (fixed, by repository):
// per repository the signing status in the source ("signing"), and per destination of its
// namespace whether the signatures arrived ("signatures"), repositories in parallel, in
// configuration order.
func (v *Verifier) signatureChecks(ctx context.Context, fixed map[string][]sourceImage) ([]Check, error) {
	settings := v.settings()
	return collect(ctx, len(settings), v.workers(), func(ctx context.Context, i int) ([]Check, error) {
		repo := settings[i].FullName
		if len(fixed[repo]) == 0 {
			return nil, nil
		}
		signed, skip, err := v.signingStatuses(ctx, repo, fixed[repo])
		if err != nil || skip != "" {
			return []Check{{Name: "signing", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Repository: repo,
				Status: StatusSkipped, Detail: skip}}, err
		}
		checks := []Check{v.signingStatusCheck(repo, signed)}
		dests := v.destinationsOf(settings[i].Namespace)
		arrivals := make([][]Check, len(dests))
		err = forEach(ctx, len(dests), v.workers(), func(ctx context.Context, j int) error {
			c, err := v.signatureArrivalCheck(ctx, dests[j], repo, signed)
			arrivals[j] = c
			return err
		})
		for _, a := range arrivals {
			checks = append(checks, a...)
		}
		return checks, err
	})
}

// signingStatuses reads the signing status of each image (DescribeImageSigningStatus) and the
// signatures of the signed ones (ListImageReferrers) in the source. skip says why they could
// not be read.
func (v *Verifier) signingStatuses(ctx context.Context, repo string, images []sourceImage) ([]signedImage, string, error) {
	client := v.Source.ECR(v.Config.SourceRegion)
	out := make([]signedImage, len(images))
	for i, img := range images {
		st, err := client.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{
			RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageDigest: aws.String(img.Digest)},
		})
		if err != nil {
			if fe := session.Fatal(err, "the source account"); fe != nil {
				return nil, "", fe
			}
			return nil, "signing status not checked: DescribeImageSigningStatus did not answer (" + session.Short(err) + ")", nil
		}
		out[i] = signedImage{image: img, statuses: st.SigningStatuses}
		if !out[i].complete() {
			continue
		}
		sigs, _, err := v.signatures(ctx, v.source(), repo, img.Digest)
		if err != nil {
			return nil, "", err
		}
		out[i].signatures = sigs
	}
	return out, "", nil
}

// signatures lists the digests of the signatures of subject in a site's repository
// (ListImageReferrers, every page, artifact type SignatureArtifactType). absent says why the
// subject could not be looked at there ("" when it could).
func (v *Verifier) signatures(ctx context.Context, s site, repo, subject string) (digests []string, absent string, err error) {
	client := s.clients.ECR(s.region)
	var token *string
	for {
		out, err := client.ListImageReferrers(ctx, &ecr.ListImageReferrersInput{
			RepositoryName: aws.String(repo), SubjectId: &types.SubjectIdentifier{ImageDigest: aws.String(subject)},
			MaxResults: aws.Int32(50), NextToken: token,
		})
		switch {
		case err != nil && session.Fatal(err, s.where()) != nil:
			return nil, "", session.Fatal(err, s.where())
		case err != nil:
			return nil, session.Short(err), nil
		}
		for _, r := range out.Referrers {
			if aws.ToString(r.ArtifactType) == SignatureArtifactType {
				digests = append(digests, aws.ToString(r.Digest))
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return digests, "", nil
		}
		token = out.NextToken
	}
}

// signingStatusCheck sums up the signing of a repository's recent images in the source: a
// FAILED signing is a problem, one in progress or missing a warning.
func (v *Verifier) signingStatusCheck(repo string, signed []signedImage) Check {
	c := Check{Name: "signing", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Repository: repo}
	var done int
	var failed, pending, none []string
	for _, s := range signed {
		switch {
		case s.complete():
			done++
		case len(s.statuses) == 0:
			none = append(none, s.image.label())
		default:
			for _, st := range s.statuses {
				if st.Status == types.SigningStatusFailed {
					failed = append(failed, fmt.Sprintf("%s: FAILED %s (%s)", s.image.label(), aws.ToString(st.FailureCode), aws.ToString(st.FailureReason)))
				} else {
					pending = append(pending, fmt.Sprintf("%s: %s", s.image.label(), st.Status))
				}
			}
		}
	}
	head := fmt.Sprintf("%d of %d recent images signed", done, len(signed))
	switch {
	case len(failed) > 0:
		c.Status, c.Detail = StatusProblem, head+"; "+strings.Join(append(failed, pending...), "; ")+": the pushing principal needs signer:SignPayload on the profile"
	case len(pending) > 0 || len(none) > 0:
		var parts []string
		if len(pending) > 0 {
			parts = append(parts, "in progress: "+strings.Join(pending, "; "))
		}
		if len(none) > 0 {
			parts = append(parts, "no signing status (pushed before the signing configuration, or outside its filters): "+strings.Join(none, "; "))
		}
		c.Status, c.Detail = StatusWarning, head+"; "+strings.Join(parts, "; ")
	default:
		c.Status, c.Detail = StatusOK, fmt.Sprintf("all %d recent images signed (%s)", done, profilesOf(signed))
	}
	return c
}

// profilesOf names the profiles that signed the images.
func profilesOf(signed []signedImage) string {
	var out []string
	for _, s := range signed {
		for _, st := range s.statuses {
			if p := aws.ToString(st.SigningProfileArn); st.Status == types.SigningStatusComplete && p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return "profile not named"
	}
	return strings.Join(out, ", ")
}

// signatureArrivalCheck says which signatures of the repository's signed recent images are in
// a destination, for the images that are there: what verify saw, since AWS does not document
// whether signatures replicate. Nothing to compare gives no check.
func (v *Verifier) signatureArrivalCheck(ctx context.Context, d site, repo string, signed []signedImage) ([]Check, error) {
	var want, here int
	var missing, notThere []string
	for _, s := range signed {
		if len(s.signatures) == 0 {
			continue
		}
		got, absent, err := v.signatures(ctx, d, repo, s.image.Digest)
		if err != nil {
			return nil, err
		}
		if absent != "" {
			notThere = append(notThere, s.image.label())
			continue
		}
		want += len(s.signatures)
		for _, sig := range s.signatures {
			if slices.Contains(got, sig) {
				here++
			} else {
				missing = append(missing, fmt.Sprintf("%s of %s", shortDigest(sig), s.image.label()))
			}
		}
	}
	if want == 0 && len(notThere) == 0 {
		return nil, nil
	}
	c := Check{Name: "signatures", Region: d.region, Account: d.account, Repository: repo, Status: StatusOK}
	c.Detail = fmt.Sprintf("%d of %d signatures of the recent signed images seen here", here, want)
	if len(missing) > 0 {
		c.Status = StatusWarning
		c.Detail += "; missing: " + strings.Join(missing, ", ")
	}
	if len(notThere) > 0 {
		c.Detail += "; not looked for (the image is not here: see the images check): " + strings.Join(notThere, ", ")
	}
	c.Detail += " (AWS does not document whether ECR replicates signatures: this is what verify saw)"
	return []Check{c}, nil
}

// shortDigest abbreviates a digest as labels do.
func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

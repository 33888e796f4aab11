package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// An image missing from a destination: in progress, failed, or older than the destination?
//
// ECR replicates only what is pushed after a destination is in the replication rule; images
// that were there before are copied only by a backfill
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html and
// replication-backfill.html). What the APIs tell:
//   - no ECR API says when a destination joined the rule;
//   - DescribeImageReplicationStatus gives a status per destination (IN_PROGRESS, COMPLETE,
//     FAILED) and a failure code, without timestamps
//     (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageReplicationStatus.html);
//   - CloudFormation tells when the source stack last changed the configuration: the
//     LastUpdatedTimestamp of its AWS::ECR::ReplicationConfiguration (ListStackResources,
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceSummary.html),
//     or, when that is not listed, the stack's LastUpdatedTime or CreationTime (DescribeStacks),
//     which is no earlier.
//
// Every destination was in the rule by that time. So an image pushed later should be there: not
// there within ReplicationGrace it is in progress, after that its replication did not happen. An
// image pushed before may predate the destination (if the destination came with that change) or
// may have failed (if it was there already): verify cannot tell which, says both, and names the
// backfill command.

// backfillCommand is the command that copies a destination's missing images: cmd/backfill,
// with the destination as REGION, or REGION@ACCOUNT in another account than the source.
func (v *Verifier) backfillCommand(region, account string) string {
	dest := region
	if account != "" && account != v.Config.SourceAccount {
		dest += "@" + account
	}
	return "go run ./cmd/backfill --destination " + dest + profileFlag(v.SourceProfile)
}

// backfillHint ends the list of an images check whose missing images may predate the
// destination.
func (v *Verifier) backfillHint(region, account string) string {
	return "if this destination joined the replication rule after those pushes, ECR never copies them (if it was in the rule already, their replication failed); a backfill copies them: " +
		v.backfillCommand(region, account)
}

// changeTime is when the source's replication configuration last changed, as far as
// CloudFormation tells, or why that is unknown.
type changeTime struct {
	at time.Time
	// what says where at comes from.
	what string
	// unknown says why at is zero.
	unknown string
}

// classifyAbsent words the state of an image that is in no form in an existing replica
// repository, from when it was pushed and when the replication configuration last changed.
func (v *Verifier) classifyAbsent(ctx context.Context, st imageState) (imageState, error) {
	change, err := v.replicationChangedAt(ctx)
	if err != nil {
		return st, err
	}
	pushed := st.Image.PushedAt
	age := v.Now().Sub(pushed)
	when := pushed.UTC().Format(time.RFC3339)
	switch {
	case !change.at.IsZero() && pushed.Before(change.at):
		st.State, st.Backfill = statePredates, true
		st.Detail = fmt.Sprintf("missing; pushed %s, before %s at %s", when, change.what, change.at.UTC().Format(time.RFC3339))
	case age < ReplicationGrace:
		st.State = statePending
		st.Detail = fmt.Sprintf("not here yet, pushed %s ago", age.Round(time.Second))
	case change.at.IsZero():
		st.Backfill = true
		st.Detail = fmt.Sprintf("missing; pushed %s (%s: when this destination joined the rule cannot be told)", when, change.unknown)
	default:
		st.Detail = fmt.Sprintf("missing; pushed %s, after %s at %s, when this destination was in the rule: its replication did not happen",
			when, change.what, change.at.UTC().Format(time.RFC3339))
	}
	return st, nil
}

// replicationChangedAt looks up, once per run, when the source's replication configuration last
// changed.
func (v *Verifier) replicationChangedAt(ctx context.Context) (changeTime, error) {
	rc := &v.replicationChange
	rc.once.Do(func() { rc.at, rc.err = v.lookupReplicationChange(ctx) })
	return rc.at, rc.err
}

// lookupReplicationChange reads the source stack: its AWS::ECR::ReplicationConfiguration's
// LastUpdatedTimestamp, else the stack's last update (or creation).
func (v *Verifier) lookupReplicationChange(ctx context.Context) (changeTime, error) {
	stack := replication.SourceStackName(replication.DefaultDeploymentID, v.Config.SourceRegion)
	cf := v.Source.CloudFormation(v.Config.SourceRegion)
	resources, err := stackResources(ctx, cf, stack)
	switch {
	case err != nil && session.Fatal(err, "the source account") != nil:
		return changeTime{}, session.Fatal(err, "the source account")
	case stackMissing(err):
		return changeTime{unknown: stack + " does not exist"}, nil
	case err != nil:
		return changeTime{unknown: "cannot list the resources of " + stack + ": " + session.Short(err)}, nil
	}
	for _, r := range resources {
		if aws.ToString(r.ResourceType) == "AWS::ECR::ReplicationConfiguration" && r.LastUpdatedTimestamp != nil {
			return changeTime{at: *r.LastUpdatedTimestamp,
				what: fmt.Sprintf("the replication configuration last changed (%s of %s)", aws.ToString(r.LogicalResourceId), stack)}, nil
		}
	}
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	switch {
	case err != nil && session.Fatal(err, "the source account") != nil:
		return changeTime{}, session.Fatal(err, "the source account")
	case err != nil || len(out.Stacks) == 0:
		return changeTime{unknown: "cannot describe " + stack}, nil
	}
	at := aws.ToTime(out.Stacks[0].LastUpdatedTime)
	if at.IsZero() {
		at = aws.ToTime(out.Stacks[0].CreationTime)
	}
	return changeTime{at: at, what: "the last update of " + stack + " (which lists no change time of its replication configuration)"}, nil
}

// stackResources lists a stack's resources, every page.
func stackResources(ctx context.Context, cf CloudFormationAPI, stack string) ([]cfntypes.StackResourceSummary, error) {
	var out []cfntypes.StackResourceSummary
	p := cloudformation.NewListStackResourcesPaginator(cf, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.StackResourceSummaries...)
	}
	return out, nil
}

// stackMissing reports the error CloudFormation answers for a stack that does not exist.
func stackMissing(err error) bool {
	return err != nil && session.IsCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist")
}

// backfillNotes are the preflight checks of the destinations the deploy adds to the
// namespaces' replication rules: ECR copies only images pushed after a destination is in the
// rule, so the images a namespace's source repositories already hold reach a destination new
// to its rule only by a backfill.
func (v *Verifier) backfillNotes(ctx context.Context) ([]Check, error) {
	region, account := v.Config.SourceRegion, v.Config.SourceAccount
	rules, unreadable, err := v.sourceRules(ctx)
	switch {
	case err != nil:
		return nil, err
	case unreadable != "":
		return []Check{{Name: "backfill", Region: region, Account: account, Status: StatusWarning,
			Detail: "cannot read the registry's replication configuration (" + unreadable + "): which destinations are new, whose existing images need a backfill, is not known"}}, nil
	}
	var checks []Check
	for _, n := range v.namespaces() {
		fresh := v.newDestinations(rules, n.Prefix)
		if len(fresh) == 0 {
			continue
		}
		images, err := v.sourceImages(ctx, n.Prefix)
		if err != nil {
			return nil, err
		}
		for _, d := range fresh {
			checks = append(checks, v.backfillNote(d, n.Prefix, images))
		}
	}
	if len(checks) == 0 {
		return []Check{{Name: "backfill", Region: region, Account: account, Status: StatusOK,
			Detail: "every destination is in the deployed replication rule already: the deploy adds none that would need a backfill"}}, nil
	}
	return checks, nil
}

// backfillNote is the check of a destination new to a namespace's rule, whose source
// repositories hold images.
func (v *Verifier) backfillNote(d site, prefix string, images imageTally) Check {
	c := Check{Name: "backfill", Region: d.region, Account: d.account, Namespace: prefix, Status: StatusWarning}
	what := "the source repositories"
	if v.Config.ManyNamespaces() {
		what = "the source repositories of " + prefix + "/"
	}
	switch {
	case images.unknown != "":
		c.Detail = fmt.Sprintf("new to the replication rule; the images already in %s could not be counted (%s): ECR copies only later pushes; after the deploy, copy older ones with %s",
			what, images.unknown, v.backfillCommand(d.region, d.account))
	case images.n == 0:
		c.Status, c.Detail = StatusOK, fmt.Sprintf("new to the replication rule; %s hold no image yet, so every image will be replicated", what)
	default:
		c.Detail = fmt.Sprintf("new to the replication rule: the %d image(s) already in %s are not copied when the deploy adds it (ECR replicates only later pushes); after the deploy, run %s",
			images.n, what, v.backfillCommand(d.region, d.account))
	}
	return c
}

// newDestinations are the destinations of a namespace that the registry's rule for it does not
// have (all of them when it has no such rule).
func (v *Verifier) newDestinations(rules []types.ReplicationRule, prefix string) []site {
	deployed := map[string]bool{}
	for _, r := range rules {
		if v.ownerOf(r) != prefix {
			continue
		}
		for _, d := range r.Destinations {
			deployed[aws.ToString(d.RegistryId)+"/"+aws.ToString(d.Region)] = true
		}
	}
	var fresh []site
	for _, d := range v.destinationsOf(prefix) {
		if !deployed[d.account+"/"+d.region] {
			fresh = append(fresh, d)
		}
	}
	return fresh
}

// sourceImages counts the images of a namespace's source repositories (in parallel).
func (v *Verifier) sourceImages(ctx context.Context, prefix string) (imageTally, error) {
	var settings []config.RepositorySettings
	for _, rs := range v.settings() {
		if rs.Namespace == prefix {
			settings = append(settings, rs)
		}
	}
	tallies := make([]imageTally, len(settings))
	src := &target{site: v.source()}
	err := forEach(ctx, len(settings), v.workers(), func(ctx context.Context, i int) error {
		var err error
		tallies[i], err = v.imageCount(ctx, src, settings[i].FullName)
		return err
	})
	var total imageTally
	for i, t := range tallies {
		if t.unknown != "" && total.unknown == "" {
			total.unknown = settings[i].FullName + ": " + t.unknown
		}
		total.n += t.n
	}
	return total, err
}

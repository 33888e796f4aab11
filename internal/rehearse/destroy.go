package rehearse

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// CheckDestroyed checks what `cdk destroy` did: every stack is deleted, each before the stacks
// it depends on; every realized resource with DeletionPolicy Retain (the repositories, the KMS
// keys) still exists (a key not scheduled for deletion), every other one the rehearsal reads
// back is gone. One finding per stack says what was removed and what was retained.
func CheckDestroyed(ctx context.Context, d *Deployment, states []*StackState) ([]Finding, error) {
	var out []Finding
	byName := map[string]*StackState{}
	for _, st := range states {
		byName[st.Name] = st
	}
	for _, st := range states {
		fs, err := destroyedStack(ctx, d.Options.Endpoint, st, byName)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// destroyedStack checks one stack after cdk destroy.
func destroyedStack(ctx context.Context, endpoint string, st *StackState, byName map[string]*StackState) ([]Finding, error) {
	cf := cloudformation.NewFromConfig(AWSConfig(endpoint, st.Region))
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(st.ID)})
	if err != nil {
		return nil, fmt.Errorf("stack %s: DescribeStacks after destroy: %w", st.Name, err)
	}
	f := Finding{Check: "destroy", Stack: st.Name, Subject: "stack", Status: StatusPass, Detail: "DELETE_COMPLETE"}
	if len(out.Stacks) != 1 || out.Stacks[0].StackStatus != cfntypes.StackStatusDeleteComplete {
		f.Status, f.Detail = StatusFail, fmt.Sprintf("not deleted: %v", out.Stacks)
	}
	findings := []Finding{f}
	deleted, err := stackEventTime(ctx, cf, st.ID, st.Name, cfntypes.ResourceStatusDeleteComplete)
	if err != nil {
		return nil, err
	}
	for _, dep := range st.DependsOn {
		findings = append(findings, deletedBefore(ctx, endpoint, st, deleted, byName[dep]))
	}
	fs, err := retainedFindings(ctx, endpoint, st)
	if err != nil {
		return nil, err
	}
	return append(findings, fs...), nil
}

// deletedBefore checks that st was deleted before its dependency dep started to be deleted.
func deletedBefore(ctx context.Context, endpoint string, st *StackState, deleted time.Time, dep *StackState) Finding {
	f := Finding{Check: "destroy", Stack: st.Name, Subject: "before " + dep.Name}
	cf := cloudformation.NewFromConfig(AWSConfig(endpoint, dep.Region))
	started, err := stackEventTime(ctx, cf, dep.ID, dep.Name, cfntypes.ResourceStatusDeleteInProgress)
	switch {
	case err != nil:
		f.Status, f.Detail = StatusFail, err.Error()
	case deleted.IsZero() || started.IsZero():
		f.Status, f.Detail = StatusFail, "no DELETE_COMPLETE event of the stack, or no DELETE_IN_PROGRESS event of "+dep.Name
	case started.Before(deleted):
		f.Status, f.Detail = StatusFail, fmt.Sprintf("%s started deleting at %s, before this stack was deleted at %s", dep.Name, stamp(started), stamp(deleted))
	default:
		f.Status, f.Detail = StatusPass, "deleted before the stack it depends on"
	}
	return f
}

// retainedFindings reads back every realized resource after destroy: retained ones must exist,
// the others must be gone.
func retainedFindings(ctx context.Context, endpoint string, st *StackState) ([]Finding, error) {
	cfg := AWSConfig(endpoint, st.Region)
	var out []Finding
	removed, retained, unknown := map[string]int{}, map[string]int{}, map[string]int{}
	for _, id := range slices.Sorted(maps.Keys(st.Physical)) {
		typ := st.Types[id]
		r, _ := st.resource(id)
		retain := r["DeletionPolicy"] == "Retain"
		read, ok := readers[typ]
		if !ok {
			unknown[typ]++
			continue
		}
		_, props := st.resource(id)
		l, err := read(ctx, cfg, st.Physical[id], props, st.resolver())
		if err != nil && !notFound(err) {
			return nil, fmt.Errorf("stack %s: reading %s %s after destroy: %s", st.Name, typ, id, session.Short(err))
		}
		// A KMS key is never deleted at once: CloudFormation schedules its deletion
		// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html, PendingWindowInDays).
		exists := err == nil && l.state != "PendingDeletion"
		if exists {
			retained[typ]++
		} else {
			removed[typ]++
		}
		if f, bad := retention(st, id, typ, retain, exists, l); bad || retain {
			out = append(out, f)
		}
	}
	return append(out, Finding{Check: "destroy", Stack: st.Name, Subject: "resources", Status: StatusPass, Summary: true,
		Detail: fmt.Sprintf("removed: %s; retained: %s; not read back: %s", counts(removed), counts(retained), counts(unknown))}), nil
}

// retention judges one resource after destroy; bad is true for a failure.
func retention(st *StackState, id, typ string, retain, exists bool, l live) (Finding, bool) {
	f := Finding{Check: "destroy", Stack: st.Name, Subject: id, Status: StatusPass}
	switch {
	case retain && l.state == "PendingDeletion":
		f.Status, f.Detail = StatusFail, fmt.Sprintf("%s %s has DeletionPolicy Retain but is scheduled for deletion", typ, st.Physical[id])
	case retain && !exists:
		f.Status, f.Detail = StatusFail, fmt.Sprintf("%s %s has DeletionPolicy Retain but was deleted", typ, st.Physical[id])
	case retain:
		f.Detail = fmt.Sprintf("%s %s retained (DeletionPolicy Retain)", typ, st.Physical[id])
	case exists:
		f.Status, f.Detail = StatusFail, fmt.Sprintf("%s %s is not retained by the template but still exists", typ, st.Physical[id])
	}
	return f, f.Status == StatusFail
}

// counts renders "3 AWS::IAM::Role, 1 AWS::KMS::Key".
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

package rehearse

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// StackState is what moto's CloudFormation holds for one stack of a deployment.
type StackState struct {
	Stack
	// ID is the stack's ARN.
	ID string
	// Status is its stack status, e.g. CREATE_COMPLETE.
	Status string
	// Created is its CreationTime, Completed the time of its CREATE_COMPLETE event.
	Created, Completed time.Time
	// ChangeSets are the stack's change sets as "name (execution status)".
	ChangeSets []string
	// Physical are the physical ids of the resources moto realized, by logical id.
	Physical map[string]string
	// Types are the template's resource types, by logical id.
	Types map[string]string
	// Unrealized are the template's resources moto did not realize: logical id to type.
	Unrealized map[string]string
	// Gaps are the settings moto did not realize as the template says (known PropertyGaps).
	Gaps []SettingGap
	// Live are the realized resources read back, by logical id.
	live map[string]live
}

// SettingGap is one template property moto did not realize on one resource.
type SettingGap struct {
	LogicalID, PhysicalID, Type, Property string
}

// readStackState reads a deployed stack: DescribeStacks, DescribeStackEvents and
// DescribeStackResources.
func readStackState(ctx context.Context, endpoint string, s Stack) (*StackState, error) {
	cf := cloudformation.NewFromConfig(AWSConfig(endpoint, s.Region))
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(s.Name)})
	if err != nil {
		return nil, fmt.Errorf("stack %s: DescribeStacks: %w", s.Name, err)
	}
	if len(out.Stacks) != 1 {
		return nil, fmt.Errorf("stack %s: DescribeStacks: %d stacks", s.Name, len(out.Stacks))
	}
	st := &StackState{Stack: s, ID: aws.ToString(out.Stacks[0].StackId), Status: string(out.Stacks[0].StackStatus),
		Created: aws.ToTime(out.Stacks[0].CreationTime), Types: templateTypes(s.Template),
		Physical: map[string]string{}, Unrealized: map[string]string{}, live: map[string]live{}}
	if st.Completed, err = stackEventTime(ctx, cf, st.ID, s.Name, cfntypes.ResourceStatusCreateComplete); err != nil {
		return nil, err
	}
	if st.ChangeSets, err = changeSets(ctx, cf, st.ID); err != nil {
		return nil, fmt.Errorf("stack %s: %w", s.Name, err)
	}
	res, err := cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(s.Name)})
	if err != nil {
		return nil, fmt.Errorf("stack %s: DescribeStackResources: %w", s.Name, err)
	}
	for _, r := range res.StackResources {
		id := aws.ToString(r.LogicalResourceId)
		if id == "" {
			continue // moto lists a resource it skipped as an empty entry
		}
		if r.ResourceStatus != cfntypes.ResourceStatusCreateComplete && r.ResourceStatus != cfntypes.ResourceStatusUpdateComplete {
			return nil, fmt.Errorf("stack %s: resource %s is %s", s.Name, id, r.ResourceStatus)
		}
		st.Physical[id] = aws.ToString(r.PhysicalResourceId)
	}
	for id, typ := range st.Types {
		if _, ok := st.Physical[id]; !ok {
			st.Unrealized[id] = typ
		}
	}
	return st, nil
}

// changeSets lists the stack's change sets (moto lists every stack's: they are filtered by
// stack id).
func changeSets(ctx context.Context, cf *cloudformation.Client, stackID string) ([]string, error) {
	out, err := cf.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String(stackID)})
	if err != nil {
		return nil, fmt.Errorf("ListChangeSets: %w", err)
	}
	var sets []string
	for _, cs := range out.Summaries {
		if aws.ToString(cs.StackId) == stackID {
			sets = append(sets, fmt.Sprintf("%s (%s)", aws.ToString(cs.ChangeSetName), cs.ExecutionStatus))
		}
	}
	return sets, nil
}

// stackEventTime is the time of the stack's own event with the status (zero when it has none).
func stackEventTime(ctx context.Context, cf *cloudformation.Client, stackID, name string, status cfntypes.ResourceStatus) (time.Time, error) {
	p := cloudformation.NewDescribeStackEventsPaginator(cf, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("stack %s: DescribeStackEvents: %w", name, err)
		}
		for _, e := range page.StackEvents {
			if aws.ToString(e.ResourceType) == "AWS::CloudFormation::Stack" && e.ResourceStatus == status {
				return aws.ToTime(e.Timestamp), nil
			}
		}
	}
	return time.Time{}, nil
}

// resolver returns a resolver of the stack's template over what was read back so far.
func (st *StackState) resolver() *resolver {
	attrs := map[string]map[string]string{}
	for id, l := range st.live {
		attrs[id] = l.attrs
	}
	return &resolver{account: st.Account, region: st.Region, partition: "aws", stackName: st.Name, stackID: st.ID,
		physical: st.Physical, attrs: attrs, types: st.Types}
}

// resource returns a template resource's properties and type.
func (st *StackState) resource(id string) (map[string]any, map[string]any) {
	resources, _ := st.Template["Resources"].(map[string]any)
	r, _ := resources[id].(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	return r, props
}

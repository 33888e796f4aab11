package rehearse

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// orderFindings checks the order moto's CloudFormation created the stacks in (each stack's
// CreationTime against the CREATE_COMPLETE time of the stacks before it):
//
//   - the documented order (README, "What gets deployed"): the replicas, the creation template
//     and, across accounts, the registry policy exist before replication starts, so every
//     stack holding an AWS::ECR::Repository, AWS::ECR::RepositoryCreationTemplate or
//     AWS::ECR::RegistryPolicy in a destination of the AWS::ECR::ReplicationConfiguration
//     completes before the stack holding that configuration is created;
//   - the assembly's dependencies, which the CLI must honour.
func orderFindings(states []*StackState) []Finding {
	var out []Finding
	for _, src := range states {
		for _, dest := range replicationDestinations(src) {
			out = append(out, documentedOrder(src, dest, states)...)
		}
	}
	if len(out) == 0 {
		out = append(out, Finding{Check: "order", Subject: "documented order", Status: StatusSkipped,
			Detail: "no stack holds a realized-or-not AWS::ECR::ReplicationConfiguration with destinations: nothing to order"})
	}
	byName := map[string]*StackState{}
	for _, st := range states {
		byName[st.Name] = st
	}
	for _, st := range states {
		for _, dep := range st.DependsOn {
			out = append(out, after(st, byName[dep], "the assembly's dependency"))
		}
	}
	return out
}

// destination is one (account, region) a replication configuration replicates to.
type destination struct{ account, region string }

// replicationDestinations reads the destinations of the replication configurations in a
// stack's template (realized by moto or not: the order is the CLI's, not moto's).
func replicationDestinations(st *StackState) []destination {
	var out []destination
	for id, typ := range st.Types {
		if typ != "AWS::ECR::ReplicationConfiguration" {
			continue
		}
		_, props := st.resource(id)
		cfg, _ := props["ReplicationConfiguration"].(map[string]any)
		for _, rule := range asList(cfg["Rules"]) {
			r, _ := rule.(map[string]any)
			for _, d := range asList(r["Destinations"]) {
				m, _ := d.(map[string]any)
				account := scalar(m["RegistryId"])
				if _, isFunction := m["RegistryId"].(map[string]any); isFunction {
					account = st.Account
				}
				dest := destination{account: account, region: scalar(m["Region"])}
				if !slices.Contains(out, dest) {
					out = append(out, dest)
				}
			}
		}
	}
	return out
}

// documentedOrder checks that every stack holding what replication needs in dest completed
// before the replication stack src was created.
func documentedOrder(src *StackState, dest destination, states []*StackState) []Finding {
	var out []Finding
	for _, st := range states {
		if st.Account != dest.account || st.Region != dest.region {
			continue
		}
		if holds := replicaResources(st); len(holds) > 0 {
			out = append(out, after(src, st, "the documented order (it holds "+strings.Join(holds, ", ")+" of destination "+dest.region+")"))
		}
	}
	if len(out) == 0 {
		out = append(out, Finding{Check: "order", Stack: src.Name, Subject: "destination " + dest.account + "/" + dest.region, Status: StatusFail,
			Detail: "no stack of the deployment holds replicas, a creation template or a registry policy in this destination"})
	}
	return out
}

// replicaResources lists the types a stack holds that replication needs in its destination.
func replicaResources(st *StackState) []string {
	var holds []string
	for _, typ := range []string{"AWS::ECR::Repository", "AWS::ECR::RepositoryCreationTemplate", "AWS::ECR::RegistryPolicy"} {
		for _, t := range st.Types {
			if t == typ {
				holds = append(holds, typ)
				break
			}
		}
	}
	return holds
}

// after checks that later was created after earlier completed.
func after(later, earlier *StackState, why string) Finding {
	f := Finding{Check: "order", Stack: later.Name, Subject: "after " + earlier.Name}
	switch {
	case earlier.Completed.IsZero():
		f.Status, f.Detail = StatusFail, earlier.Name+" has no CREATE_COMPLETE event"
	case later.Created.Before(earlier.Completed):
		f.Status, f.Detail = StatusFail, fmt.Sprintf("created at %s, before %s completed at %s, against %s",
			stamp(later.Created), earlier.Name, stamp(earlier.Completed), why)
	default:
		f.Status, f.Detail = StatusPass, fmt.Sprintf("created %s after %s completed, as %s requires",
			later.Created.Sub(earlier.Completed).Round(time.Millisecond), earlier.Name, why)
	}
	return f
}

func stamp(t time.Time) string { return t.UTC().Format("15:04:05.000") }

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
)

const typeReplicationConfiguration = "AWS::ECR::ReplicationConfiguration"

// sourceAccount is the account of a destination whose RegistryId is {"Ref": "AWS::AccountId"}:
// the source stack's own account.
const sourceAccount = "the source account"

// replicationConfig is the AWS::ECR::ReplicationConfiguration of a cloud assembly.
type replicationConfig struct {
	stack  string // the source stack: the one holding the configuration
	source string // "file: AWS::ECR::ReplicationConfiguration id", for the report
	rules  []replicationRule
}

// replicationRule is one of the configuration's rules.
type replicationRule struct {
	number            int      // 1-based position in Rules
	filters           []string // PREFIX_MATCH filters; a rule without filters covers every repository
	deleteReplication bool     // DeleteReplication.Enabled; a rule without it does not mirror deletes
	destinations      []destination
}

// destination is one registry a rule replicates to.
type destination struct {
	region  string
	account string // 12 digits, sourceAccount, or the RegistryId's CloudFormation expression
}

type replicationConfigProps struct {
	ReplicationConfiguration struct {
		Rules []struct {
			Destinations []struct {
				Region     string          `json:"Region"`
				RegistryID json.RawMessage `json:"RegistryId"`
			} `json:"Destinations"`
			RepositoryFilters []struct {
				Filter     string `json:"Filter"`
				FilterType string `json:"FilterType"`
			} `json:"RepositoryFilters"`
			DeleteReplication *struct {
				Enabled bool `json:"Enabled"`
			} `json:"DeleteReplication"`
		} `json:"Rules"`
	} `json:"ReplicationConfiguration"`
}

// findReplication reads the replication configuration from the templates of dir. It returns nil
// when no template holds one. When several stacks hold one, stack's (--stack) is used if it is
// one of them, else the first by file name, with a warning.
func findReplication(dir, stack string) (*replicationConfig, []string, error) {
	files, err := templateFiles(dir, "")
	if err != nil {
		return nil, nil, err
	}
	var found []*replicationConfig
	for _, file := range files {
		tpl, ids, err := readTemplate(file)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range ids {
			if tpl.Resources[id].Type != typeReplicationConfiguration {
				continue
			}
			where := fmt.Sprintf("%s: %s %s", file, typeReplicationConfiguration, id)
			rc, err := parseReplication(where, tpl.Resources[id].Properties)
			if err != nil {
				return nil, nil, err
			}
			rc.stack = stackName(file)
			found = append(found, rc)
		}
	}
	if len(found) == 0 {
		return nil, nil, nil
	}
	for _, rc := range found {
		if rc.stack == stack {
			return rc, nil, nil
		}
	}
	if len(found) == 1 {
		return found[0], nil, nil
	}
	names := make([]string, len(found))
	for i, rc := range found {
		names[i] = rc.stack
	}
	return found[0], []string{fmt.Sprintf("several stacks hold an %s (%s); using %s's (choose the source stack with --stack)",
		typeReplicationConfiguration, strings.Join(names, ", "), found[0].stack)}, nil
}

// parseReplication reads the rules of one replication configuration resource.
func parseReplication(where string, raw json.RawMessage) (*replicationConfig, error) {
	var props replicationConfigProps
	if err := json.Unmarshal(raw, &props); err != nil {
		return nil, fmt.Errorf("%s: cannot read the replication rules (built with CloudFormation functions?): %s", where, jsonProblem(raw, err))
	}
	rc := &replicationConfig{source: where}
	for i, r := range props.ReplicationConfiguration.Rules {
		rule := replicationRule{number: i + 1, deleteReplication: r.DeleteReplication != nil && r.DeleteReplication.Enabled}
		for j, f := range r.RepositoryFilters {
			if f.FilterType != "PREFIX_MATCH" {
				return nil, fmt.Errorf("%s: Rules[%d].RepositoryFilters[%d].FilterType: got %q, expected PREFIX_MATCH", where, i, j, f.FilterType)
			}
			rule.filters = append(rule.filters, f.Filter)
		}
		for _, d := range r.Destinations {
			rule.destinations = append(rule.destinations, destination{region: d.Region, account: accountOf(d.RegistryID)})
		}
		rc.rules = append(rc.rules, rule)
	}
	return rc, nil
}

// accountOf renders a destination's RegistryId: the literal account, sourceAccount for
// {"Ref": "AWS::AccountId"}, or else the expression as compact JSON.
func accountOf(raw json.RawMessage) string {
	var literal string
	if json.Unmarshal(raw, &literal) == nil {
		return literal
	}
	var ref struct {
		Ref string `json:"Ref"`
	}
	if json.Unmarshal(raw, &ref) == nil && ref.Ref == "AWS::AccountId" {
		return sourceAccount
	}
	var compact bytes.Buffer
	if json.Compact(&compact, raw) != nil {
		return string(raw)
	}
	return compact.String()
}

// covers reports whether the rule replicates repository: one of its filters is a prefix of the
// name, or it has no filters.
func (r replicationRule) covers(repository string) bool {
	if len(r.filters) == 0 {
		return true
	}
	return slices.ContainsFunc(r.filters, func(f string) bool { return strings.HasPrefix(repository, f) })
}

// covering lists the rules that replicate repository, in configuration order.
func (rc *replicationConfig) covering(repository string) []replicationRule {
	if rc == nil {
		return nil
	}
	var rules []replicationRule
	for _, r := range rc.rules {
		if r.covers(repository) {
			rules = append(rules, r)
		}
	}
	return rules
}

// destinationRegions lists, sorted and once each, the regions repository is replicated to.
func (rc *replicationConfig) destinationRegions(repository string) []string {
	var regions []string
	for _, r := range rc.covering(repository) {
		for _, d := range r.destinations {
			if !slices.Contains(regions, d.region) {
				regions = append(regions, d.region)
			}
		}
	}
	slices.Sort(regions)
	return regions
}

// replicaStackFiles lists the templates of the replica stack in region, found by the app's stack
// names: the source stack is <deployment>-source-<region>, the replica stack
// <deployment>-replica-<region> (replication.ReplicaStackName), and its repositories may sit in
// stacks of their own (replication.RepositoryStackName). name is "" when the source stack is not
// named that way.
func replicaStackFiles(dir, sourceStack, region string) (name string, files []string) {
	i := strings.LastIndex(sourceStack, "-source-")
	if i < 0 {
		return "", nil
	}
	name = replication.ReplicaStackName(sourceStack[:i], region)
	main := filepath.Join(dir, name+templateSuffix)
	if _, err := os.Stat(main); err == nil {
		files = append(files, main)
	}
	parts, _ := filepath.Glob(filepath.Join(dir, name+"-repositories-*"+templateSuffix)) // the pattern is valid
	slices.Sort(parts)
	return name, append(files, parts...)
}

// replicaPolicy is the lifecycle policy the replica of a repository has in one region.
type replicaPolicy struct {
	policy  *lifecycle.Policy // nil: none found
	source  string            // where it comes from, or why there is none
	warning string
}

// findReplicaPolicy finds the replica's own policy in region: the replica stack's repository of
// that name, else the creation template covering it there. Without a replica stack in dir it
// falls back to the source's policy, with a warning.
func findReplicaPolicy(dir string, rc *replicationConfig, repository, region string, src lifecycle.Policy, srcName string) (replicaPolicy, error) {
	name, files := replicaStackFiles(dir, rc.stack, region)
	if len(files) == 0 {
		looked := "the source stack is not named <deployment>-source-<region>, so its replica stacks cannot be told"
		if name != "" {
			looked = "looked for " + name + templateSuffix
		}
		return replicaPolicy{policy: &src, source: "the source's policy: " + srcName,
			warning: fmt.Sprintf("no replica stack for %s in %s (%s); evaluating the source's lifecycle policy on the replica's images", region, dir, looked)}, nil
	}
	s := &policySearch{repository: repository}
	for _, file := range files {
		if err := s.scan(file); err != nil {
			return replicaPolicy{}, err
		}
	}
	var found foundPolicy
	switch {
	case len(s.repos) > 0:
		found = s.repos[0]
	case s.best != nil && s.best.hasPolicy:
		found = s.best.found
	case s.best != nil:
		return replicaPolicy{source: "none: " + s.best.found.source + " has no LifecyclePolicy"}, nil
	default:
		why := fmt.Sprintf("none found: %s defines no %s named %s and no %s covering it", name, typeRepository, repository, typeCreationTemplate)
		return replicaPolicy{source: why, warning: fmt.Sprintf("%s: %s; only mirrored deletes are shown", region, why)}, nil
	}
	policy, err := lifecycle.Parse([]byte(found.text))
	if err != nil {
		return replicaPolicy{}, prefixLines(fmt.Sprintf("replica policy %s: ", found.source), err)
	}
	return replicaPolicy{policy: &policy, source: found.source}, nil
}

package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/replication"
)

// Namespace is one team's part of a deployment that several teams share (Common.Namespaces):
// its repositories, where they replicate, and who may use them. The registry's replication
// configuration holds one rule per namespace (PREFIX_MATCH "<Prefix>/").
type Namespace struct {
	// Prefix is the namespace, such as "payments"; no prefix may be another's or under
	// another's (one repository would match two rules). Required.
	Prefix string
	// Repositories are the namespace's repositories, each "<Prefix>/<name>". Required: at
	// least one.
	Repositories []Repository
	// Destinations receive the namespace's replicas, and only they: each destination region's
	// stack holds the replicas and the creation template of the namespaces that replicate
	// there. Required: at least one.
	Destinations []replication.Destination
	// DeleteReplication mirrors deletes in the namespace's repositories to its destinations
	// (Common.DeleteReplication).
	DeleteReplication bool
	// DeployRoleTrust and CIRoleTrust may assume the namespace's own deploy (pull) and CI
	// (push) roles.
	//
	// Default: - the source account.
	DeployRoleTrust, CIRoleTrust []replication.TrustPrincipal
}

// MaxNamespaces is the number of namespaces of one deployment: one replication rule each, and a
// replication configuration holds at most registry.MaxRules.
const MaxNamespaces = registry.MaxRules

// part is one namespace as the stacks build it, with the id of the construct its resources go
// in: "" in the one-namespace form (Common.RepositoryPrefix), where they go in the stack itself
// with the ids they always had; the PascalCase prefix otherwise, so that adding or removing a
// namespace moves no other resource.
type part struct {
	Namespace
	id string
}

// many reports whether the deployment has several namespaces (Common.Namespaces).
func (c *Common) many() bool { return len(c.Namespaces) > 0 }

// parts returns the namespaces: Common.Namespaces, or the one namespace of RepositoryPrefix,
// Repositories, DeleteReplication and the trusts, replicating to destinations.
func (c *Common) parts(destinations []replication.Destination) []part {
	if !c.many() {
		return []part{{Namespace: Namespace{
			Prefix: c.RepositoryPrefix, Repositories: c.Repositories, Destinations: destinations,
			DeleteReplication: c.DeleteReplication, DeployRoleTrust: c.DeployRoleTrust, CIRoleTrust: c.CIRoleTrust,
		}}}
	}
	out := make([]part, 0, len(c.Namespaces))
	for _, n := range c.Namespaces {
		out = append(out, part{Namespace: n, id: awsid.ConstructID(n.Prefix)})
	}
	return out
}

// partsIn returns the parts that replicate to region.
func (c *Common) partsIn(region string, destinations []replication.Destination) []part {
	var out []part
	for _, p := range c.parts(destinations) {
		for _, d := range p.Destinations {
			if d.Region == region {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// scope returns the construct the part's resources go in, in stack: the stack itself, or the
// part's own construct (created on first use).
func (p part) scope(stack constructs.Construct) constructs.Construct {
	if p.id == "" {
		return stack
	}
	if c, ok := stack.Node().TryFindChild(jsii.String(p.id)).(constructs.Construct); ok {
		return c
	}
	scope := constructs.NewConstruct(stack, jsii.String(p.id))
	awscdk.Tags_Of(scope).Add(jsii.String("RepositoryNamespace"), jsii.String(p.Prefix), nil)
	return scope
}

// prefixes returns the parts' prefixes.
func prefixes(parts []part) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, p.Prefix)
	}
	return out
}

// filters returns "<prefix>/*" for each part: wildcard filters of scanning and signing.
func filters(parts []part) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, p.Prefix+"/*")
	}
	return out
}

// checkNamespaces records the problems of the many-namespace form: at most MaxNamespaces, no
// RepositoryPrefix or Repositories beside them, prefixes neither equal nor nested, each
// namespace's repositories (as Common's) and destinations.
func (c *Common) checkNamespaces(p *checks.Problems) {
	if c.RepositoryPrefix != "" || len(c.Repositories) > 0 {
		p.Add("RepositoryPrefix", c.RepositoryPrefix, "nothing with Namespaces: the one-namespace form (RepositoryPrefix, Repositories) and Namespaces are exclusive")
	}
	if n := len(c.Namespaces); n > MaxNamespaces {
		p.Add("Namespaces", fmt.Sprintf("%d namespaces", n), fmt.Sprintf("at most %d: one replication rule each (ECR quota)", MaxNamespaces))
	}
	ids := map[string]string{}
	for i, n := range c.Namespaces {
		field := fmt.Sprintf("Namespaces[%d]", i)
		checkRepositories(p, field+".", n.Prefix, n.Repositories)
		if len(n.Destinations) == 0 {
			p.Missing(field+".Destinations", "at least one destination")
		}
		id := awsid.ConstructID(n.Prefix)
		if other, ok := ids[id]; ok {
			p.Add(field+".Prefix", n.Prefix, fmt.Sprintf("a prefix whose letters and digits differ from those of %s (both would be construct id %q)", other, id))
		}
		ids[id] = n.Prefix
		for j, o := range c.Namespaces[:i] {
			if n.Prefix == o.Prefix || strings.HasPrefix(n.Prefix, o.Prefix+"/") || strings.HasPrefix(o.Prefix, n.Prefix+"/") {
				p.Add(field+".Prefix", n.Prefix, fmt.Sprintf("a prefix neither equal to nor nested with Namespaces[%d].Prefix %q: a repository would match two replication rules", j, o.Prefix))
			}
		}
	}
}

// describePrefixes names the parts' namespaces in a description: "enterprise-apps/", or
// "payments/, data/".
func describePrefixes(parts []part) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, p.Prefix+"/")
	}
	return strings.Join(out, ", ")
}

// tagPrefix is the RepositoryNamespace tag of every resource of a stack: the namespace in the
// one-namespace form; "" with several (each namespace's construct carries its own tag).
func (c *Common) tagPrefix() string {
	if c.many() {
		return ""
	}
	return c.RepositoryPrefix
}

// monitoringNamePrefix starts the names of a stack's own alarms (delivery, trail): the
// namespace's default in the one-namespace form, the stack's name with several.
func (c *Common) monitoringNamePrefix(stack awscdk.Stack) string {
	if c.many() {
		return *stack.StackName()
	}
	return monitoring.DefaultNamePrefix(c.RepositoryPrefix)
}

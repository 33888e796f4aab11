package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/policy"
)

// Namespaces. A deployment has one namespace (repoPrefix) or several (a fleet file of
// namespaces:, config.Config.Namespaces), and the stacks lay each out on its own
// (stacks/namespaces.go): one replication rule per namespace (PREFIX_MATCH "<prefix>/", its own
// destinations and DeleteReplication); replicas, and one creation template per namespace, only
// in the regions the namespace replicates to; one registry policy per cross-account region for
// exactly the namespaces that replicate there; and each namespace's own deploy (pull) and CI
// (push) roles, policy.RoleName(prefix, sourceRegion, "pull"|"push"). Every check follows that
// layout, and Verifier.Only narrows every mode to some namespaces (--namespace).

// allNamespaces returns every namespace of the configuration, read once per run (the checks ask
// for them per repository and image; the caller must not change them).
func (v *Verifier) allNamespaces() []config.Namespace {
	v.namespaceCache.once.Do(func() { v.namespaceCache.all = v.Config.Namespaces() })
	return v.namespaceCache.all
}

// namespaces returns the namespaces the checks are about: every one of the configuration, or
// those of Only, in configuration order.
func (v *Verifier) namespaces() []config.Namespace {
	all := v.allNamespaces()
	if len(v.Only) == 0 {
		return all
	}
	var out []config.Namespace
	for _, n := range all {
		if slices.Contains(v.Only, n.Prefix) {
			out = append(out, n)
		}
	}
	return out
}

// UnknownNamespaces returns the prefixes of only that are no namespace of the configuration.
func UnknownNamespaces(c *config.Config, only []string) []string {
	var unknown []string
	for _, p := range only {
		if !slices.ContainsFunc(c.Namespaces(), func(n config.Namespace) bool { return n.Prefix == p }) {
			unknown = append(unknown, p)
		}
	}
	return unknown
}

// declaredPrefixes lists the prefixes of every namespace of the configuration.
func declaredPrefixes(c *config.Config) []string {
	var out []string
	for _, n := range c.Namespaces() {
		out = append(out, n.Prefix)
	}
	return out
}

// settings returns the settings of the repositories of the namespaces checked, in
// configuration order.
func (v *Verifier) settings() []config.RepositorySettings {
	selected := map[string]bool{}
	for _, n := range v.namespaces() {
		selected[n.Prefix] = true
	}
	var out []config.RepositorySettings
	for _, rs := range v.Config.RepositorySettings() {
		if selected[rs.Namespace] {
			out = append(out, rs)
		}
	}
	return out
}

// settingsIn returns the settings of the repositories a site holds: in the source every
// repository checked, in a destination those of the namespaces that replicate there.
func (v *Verifier) settingsIn(s site) []config.RepositorySettings {
	if !s.replica {
		return v.settings()
	}
	var out []config.RepositorySettings
	for _, rs := range v.settings() {
		if v.replicatesTo(rs.Namespace, s) {
			out = append(out, rs)
		}
	}
	return out
}

// namespaceOf returns the namespace of that prefix (false when the configuration has none).
func (v *Verifier) namespaceOf(prefix string) (config.Namespace, bool) {
	for _, n := range v.allNamespaces() {
		if n.Prefix == prefix {
			return n, true
		}
	}
	return config.Namespace{}, false
}

// replicatesTo reports whether the namespace of that prefix replicates to the site (a
// destination: its region in its account).
func (v *Verifier) replicatesTo(prefix string, s site) bool {
	n, ok := v.namespaceOf(prefix)
	if !ok {
		return false
	}
	for _, d := range n.Destinations {
		if d.Region == s.region && v.accountOf(d.Account) == s.account {
			return true
		}
	}
	return false
}

// accountOf is a destination's account: the one the configuration resolved, or the source
// account when it resolved none (the source account was not known when it was parsed).
func (v *Verifier) accountOf(account string) string {
	if account == "" {
		return v.Config.SourceAccount
	}
	return account
}

// destinationsOf returns the destination sites of a namespace, in its order.
func (v *Verifier) destinationsOf(prefix string) []site {
	var out []site
	for _, d := range v.destinations() {
		if v.replicatesTo(prefix, d) {
			out = append(out, d)
		}
	}
	return out
}

// namespacesIn returns the prefixes of the namespaces of the configuration (all of them, not
// only those checked) that replicate to the site.
func (v *Verifier) namespacesIn(s site) []string {
	var out []string
	for _, n := range v.allNamespaces() {
		if v.replicatesTo(n.Prefix, s) {
			out = append(out, n.Prefix)
		}
	}
	return out
}

// ownerOf returns the prefix of the namespace of the configuration a replication rule belongs
// to: the first whose filter PREFIX_MATCH "<prefix>/" the rule has, or "" for a rule of none.
func (v *Verifier) ownerOf(r types.ReplicationRule) string {
	for _, f := range r.RepositoryFilters {
		if f.FilterType != types.RepositoryFilterTypePrefixMatch {
			continue
		}
		for _, n := range v.allNamespaces() {
			if aws.ToString(f.Filter) == n.Prefix+"/" {
				return n.Prefix
			}
		}
	}
	return ""
}

// repositoryNamespace returns the prefix of the namespace of the configuration a repository
// name falls under ("" for none).
func (v *Verifier) repositoryNamespace(name string) string {
	best := ""
	for _, n := range v.allNamespaces() {
		if strings.HasPrefix(name, n.Prefix+"/") && len(n.Prefix) > len(best) {
			best = n.Prefix
		}
	}
	return best
}

// selected reports whether the namespace of that prefix is checked.
func (v *Verifier) selected(prefix string) bool {
	return len(v.Only) == 0 || slices.Contains(v.Only, prefix)
}

// pullAccess is who may pull from a namespace's repositories in a site besides its own
// account, as the stacks grant it: the configuration's pullAccounts and organizationId, and in
// a destination of another account the namespace's deploy role of the source account
// (policy.RoleName(prefix, sourceRegion, "pull")), which pulls from every region.
func (v *Verifier) pullAccess(s site, prefix string) policy.PullAccess {
	c := v.Config
	a := policy.PullAccess{Partition: c.Partition(), Accounts: c.PullAccounts, OrganizationID: c.OrganizationID}
	if s.cross {
		a.Roles = []policy.RoleRef{{Account: c.SourceAccount, Name: policy.RoleName(prefix, c.SourceRegion, "pull")}}
	}
	return a
}

// labelNamespaces sets the namespace of every check about a repository that has none yet, from
// the repository's name.
func (v *Verifier) labelNamespaces(checks []Check) []Check {
	for i := range checks {
		if checks[i].Namespace == "" && checks[i].Repository != "" {
			checks[i].Namespace = v.repositoryNamespace(checks[i].Repository)
		}
	}
	return checks
}

// describePrefixes renders prefixes as "payments/, data/".
func describePrefixes(prefixes []string) string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p + "/"
	}
	return strings.Join(out, ", ")
}

// namespaceProblem words a --namespace value that is no namespace of the configuration.
func namespaceProblem(c *config.Config, value string) string {
	return fmt.Sprintf("--namespace %s: not a namespace of the configuration; expected one of %s", value, strings.Join(declaredPrefixes(c), ", "))
}

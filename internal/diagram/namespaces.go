package diagram

import (
	"fmt"
	"sort"
	"strings"

	"github.com/acme-platform/ecr-replication/awsid"
)

// Namespaces. With several namespaces (a fleet file of namespaces:) the stacks put each
// namespace's resources in a construct of its own (stacks/namespaces.go): its construct id is
// awsid.ConstructID(prefix), which starts the logical ids of its resources, and it tags them
// RepositoryNamespace=<prefix>. With one namespace the whole stack carries the tag and nothing
// is grouped, so the default deployment's diagram is the same as before.

// namespaceTag is the tag the stacks give every resource of a namespace.
const namespaceTag = "RepositoryNamespace"

// tagValue returns the value of the tag key in a resource's Tags (a list of {Key, Value}), or "".
func tagValue(r resource, key string) string {
	tags, _ := r.props["Tags"].([]any)
	for _, t := range tags {
		tm, _ := t.(map[string]any)
		if k, _ := tm["Key"].(string); k == key {
			v, _ := tm["Value"].(string)
			return v
		}
	}
	return ""
}

// namespaces are the namespaces of one stack: each prefix by the construct id that starts the
// logical ids of its resources.
type namespaces map[string]string

// stackNamespaces finds the namespaces of a stack's resources from their RepositoryNamespace
// tags.
func stackNamespaces(rs []resource) namespaces {
	out := namespaces{}
	for _, r := range rs {
		if p := tagValue(r, namespaceTag); p != "" {
			out[awsid.ConstructID(p)] = p
		}
	}
	return out
}

// of returns the namespace of a resource: its tag, else the namespace whose construct id starts
// its logical id (the longest), else "".
func (ns namespaces) of(r resource) string {
	if p := tagValue(r, namespaceTag); p != "" {
		return p
	}
	best := ""
	for id := range ns {
		if strings.HasPrefix(r.id, id) && len(id) > len(best) {
			best = id
		}
	}
	return ns[best]
}

// grouped reports whether the stack holds several namespaces, whose resources its summary
// groups.
func (ns namespaces) grouped() bool { return len(ns) > 1 }

// groupedRepositoryLines reads "4 ECR repositories in 3 namespaces", then per namespace
// "payments/ (2): api, sandbox", up to maxNames names each.
func groupedRepositoryLines(repos []resource, ns namespaces) []string {
	byNamespace := map[string][]string{}
	for _, r := range repos {
		p := ns.of(r)
		name, _ := r.props["RepositoryName"].(string)
		byNamespace[p] = append(byNamespace[p], strings.TrimPrefix(name, p+"/"))
	}
	lines := []string{fmt.Sprintf("%d ECR repositories in %d namespaces", len(repos), len(byNamespace))}
	if len(repos) == 1 {
		lines[0] = "1 ECR repository"
	}
	for _, p := range sortedKeys(byNamespace) {
		names := byNamespace[p]
		sort.Strings(names)
		shown := names
		if len(shown) > maxNames {
			shown = append(shown[:maxNames:maxNames], fmt.Sprintf("and %d more", len(names)-maxNames))
		}
		label := p + "/"
		if p == "" {
			label = "no namespace"
		}
		lines = append(lines, wrap(shown, lineWidth, fmt.Sprintf("%s (%d): ", label, len(names)))...)
	}
	return lines
}

// groupedTemplateLines reads "creation templates (2), one per namespace:", each template's
// namespace, and what they are applied for.
func groupedTemplateLines(tpls []resource, ns namespaces) []string {
	var prefixes []string
	for _, t := range tpls {
		p := ns.of(t)
		if p == "" {
			p, _ = t.props["Prefix"].(string)
		}
		prefixes = append(prefixes, p+"/")
	}
	sort.Strings(prefixes)
	lines := []string{counted(len(tpls), "creation template", "creation templates") + ", by namespace:"}
	lines = append(lines, wrap(prefixes, lineWidth)...)
	if plain := templateLines(tpls); strings.HasPrefix(plain[len(plain)-1], "applied for ") {
		lines = append(lines, plain[len(plain)-1])
	}
	return lines
}

// ruleNamespaces are the namespaces a replication rule replicates: its PREFIX_MATCH filters
// without their trailing "/".
func ruleNamespaces(rule map[string]any) []string {
	fs, _ := rule["RepositoryFilters"].([]any)
	var out []string
	for _, f := range fs {
		fm, _ := f.(map[string]any)
		if v, ok := fm["Filter"].(string); ok {
			out = append(out, strings.TrimSuffix(v, "/"))
		}
	}
	return out
}

// edgeLabel is the label of a replication edge that carries several namespaces' rules:
// ` label=<payments/, data/>,` (nothing with one rule).
func edgeLabel(namespaces []string, rules int) string {
	if rules < 2 || len(namespaces) == 0 {
		return ""
	}
	sorted := append([]string(nil), namespaces...)
	sort.Strings(sorted)
	parts := make([]string, len(sorted))
	for i, n := range sorted {
		parts[i] = html(n + "/")
	}
	return "label=<" + strings.Join(parts, ", ") + ">, "
}

// Package diagram draws what a synthesized CDK app deploys in each account and region, as
// Graphviz DOT: one cluster per account, inside it one cluster per stack (one region each),
// with nodes that summarise the stack's resources by kind in readable words ("2 ECR
// repositories in enterprise-apps/", "replication configuration → us-west-2, eu-west-1",
// "EventBridge rules (4)"), solid edges from a replication configuration to the stack of each
// destination region, and dashed edges for the deploy order (stack dependencies).
//
// It reads only synthesized JSON (a cloud assembly directory or decoded templates) and imports
// no jsii package. The same stacks always give byte-identical DOT: every list is sorted.
package diagram

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Stack is one synthesized CloudFormation stack.
type Stack struct {
	// Name is the stack name.
	Name string
	// Account is the stack's account, or UnknownAccount for an environment-agnostic stack.
	Account string
	// Region is the stack's region, or UnknownRegion.
	Region string
	// Template is the decoded CloudFormation template.
	Template map[string]any
	// TemplateFile is the template's file name in the assembly (set by ReadAssembly).
	TemplateFile string
	// DependsOn names the stacks that deploy before this one.
	DependsOn []string
}

// maxPerColumn is how many replica stacks are stacked in one column before the diagram starts
// another: 25 regions read as five columns of five rather than one column of 25.
const maxPerColumn = 6

// style is the colours of a node group.
type style struct{ fill, line string }

var (
	ecrStyle        = style{fill: "#FFF3E0", line: "#D86613"}
	accessStyle     = style{fill: "#FDECEA", line: "#C62828"}
	monitoringStyle = style{fill: "#FCE4F1", line: "#AD1457"}
	otherStyle      = style{fill: "#F2F2F2", line: "#757575"}
	groupStyles     = map[string]style{
		groupRepositories: ecrStyle, groupReplication: ecrStyle, groupTemplate: ecrStyle,
		groupRegistry: ecrStyle, groupScanning: ecrStyle,
		groupAccess: accessStyle, groupMonitoring: monitoringStyle,
		groupOther: otherStyle, groupEmpty: otherStyle,
	}
)

const (
	fontName      = "Helvetica,Arial,sans-serif"
	replicaColour = "#D86613"
	deployColour  = "#7D8998"
)

// FromTemplates returns the diagram of stacks as Graphviz DOT.
func FromTemplates(stacks []Stack) string {
	l := newLayout(stacks)
	for _, s := range l.stacks {
		l.addReplicationEdges(s)
	}
	for _, s := range l.stacks {
		l.addDeployEdges(s)
	}
	return l.dot()
}

// layout is what the diagram is drawn from: the stacks, sorted by name, with their summaries,
// the node each one's edges attach to, and the edges and external destinations found so far.
type layout struct {
	stacks           []Stack
	summaries        map[string]summary
	anchors          map[string]string // stack name -> the node edges attach to
	byName           map[string]Stack
	byAccount        map[string][]Stack
	externals, edges []string
	seenExternal     map[string]bool
	columnOf         map[string]*fanout
	columns          []*fanout
}

func newLayout(stacks []Stack) *layout {
	stacks = append([]Stack(nil), stacks...)
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	l := &layout{
		stacks: stacks, summaries: map[string]summary{}, anchors: map[string]string{}, byName: map[string]Stack{},
		byAccount: map[string][]Stack{}, seenExternal: map[string]bool{}, columnOf: map[string]*fanout{},
	}
	for _, s := range stacks {
		sum := summarize(s)
		l.summaries[s.Name] = sum
		for _, g := range groupOrder {
			if _, ok := sum.labels[g]; ok {
				l.anchors[s.Name] = nodeID(s.Name, g)
				break
			}
		}
		l.byName[s.Name] = s
		l.byAccount[s.Account] = append(l.byAccount[s.Account], s)
	}
	return l
}

// addReplicationEdges adds an edge from s's replication configuration to each destination's
// stack, or to a node for a destination this app does not deploy; many destinations of one
// source are grouped in columns (see fanout).
func (l *layout) addReplicationEdges(s Stack) {
	from := nodeID(s.Name, groupReplication)
	sum := l.summaries[s.Name]
	var targets []string
	carried := map[string][]string{} // target stack -> the namespaces replicated there
	for _, d := range sum.destinations {
		target, ok := destinationStack(l.stacks, s, d)
		if !ok {
			l.addExternal(from, d, edgeLabel(d.namespaces, sum.rules))
			continue
		}
		if _, seen := carried[target]; !seen {
			targets = append(targets, target)
		}
		carried[target] = appendNew(carried[target], d.namespaces...)
	}
	sort.Strings(targets)
	if len(targets) <= maxPerColumn {
		for _, t := range targets {
			l.edges = append(l.edges, replicationEdge(from, l.anchors[t], clusterID("stack", t), edgeLabel(carried[t], sum.rules)))
		}
		return
	}
	byTargetAccount := map[string][]string{}
	for _, t := range targets {
		if l.columnOf[t] != nil {
			// Already in a column of another source's destinations.
			l.edges = append(l.edges, replicationEdge(from, l.anchors[t], clusterID("stack", t), edgeLabel(carried[t], sum.rules)))
			continue
		}
		byTargetAccount[l.byName[t].Account] = append(byTargetAccount[l.byName[t].Account], t)
	}
	for _, account := range sortedKeys(byTargetAccount) {
		var namespaces []string
		for _, t := range byTargetAccount[account] {
			namespaces = appendNew(namespaces, carried[t]...)
		}
		l.addColumns(s, from, account, byTargetAccount[account], edgeLabel(namespaces, sum.rules))
	}
}

// addExternal adds a node for a destination no stack of this app deploys, and the edge to it.
func (l *layout) addExternal(from string, d destination, label string) {
	id := "external/" + d.account + "/" + d.region
	if !l.seenExternal[id] {
		l.seenExternal[id] = true
		l.externals = append(l.externals, fmt.Sprintf("\t%s [label=<<B>%s</B><BR/>%s<BR/>not deployed by this app>, style=\"rounded,dashed\", color=%q, fillcolor=\"#FFFFFF\"];\n",
			quote(id), html(regionLabel(d.region)), html(accountLabel(d.account)), otherStyle.line))
	}
	l.edges = append(l.edges, replicationEdge(from, id, "", label))
}

// addColumns groups the destination stacks ts of source s in one account as a fanout of
// columns, with one replication edge to the group (label names the namespaces replicated to any
// of them, "" with one rule).
func (l *layout) addColumns(s Stack, from, account string, ts []string, label string) {
	g := &fanout{
		id:      clusterID("destinations", s.Name+"_"+account),
		members: ts,
		label:   fmt.Sprintf("%d destination regions of %s", len(ts), regionLabel(s.Region)),
	}
	for _, m := range ts {
		l.columnOf[m] = g
	}
	l.columns = append(l.columns, g)
	// Invisible edges rank the columns one after the other, left to right: the first column
	// follows the source, each stack of a later column the one on its left.
	n := len(ts)
	count := (n + maxPerColumn - 1) / maxPerColumn
	rows := (n + count - 1) / count
	// The edge ends at the middle of the first column, on the group's border.
	g.anchor = l.anchors[ts[(rows-1)/2]]
	l.edges = append(l.edges, replicationEdge(from, g.anchor, g.id, label))
	for i, m := range ts {
		tail := from
		if i >= rows {
			tail = l.anchors[ts[i-rows]]
		}
		l.edges = append(l.edges, fmt.Sprintf("\t%s -> %s [style=invis];\n", quote(tail), quote(l.anchors[m])))
	}
}

// addDeployEdges adds the deploy-order edges of s: one per dependency, or one per group when s
// waits for all of it.
func (l *layout) addDeployEdges(s Stack) {
	deps := map[string]bool{}
	for _, d := range s.DependsOn {
		if _, ok := l.byName[d]; ok && d != s.Name {
			deps[d] = true
		}
	}
	for _, c := range l.columns {
		all := l.columnOf[s.Name] != c
		for _, m := range c.members {
			all = all && deps[m]
		}
		if !all {
			continue
		}
		for _, m := range c.members {
			delete(deps, m)
		}
		l.edges = append(l.edges, deployEdge(l.anchors[s.Name], c.anchor, clusterID("stack", s.Name), c.id))
	}
	for _, d := range sortedKeys(deps) {
		l.edges = append(l.edges, deployEdge(l.anchors[s.Name], l.anchors[d], clusterID("stack", s.Name), clusterID("stack", d)))
	}
}

// dot renders the layout.
func (l *layout) dot() string {
	var b strings.Builder
	b.WriteString("// What is deployed, by account and region. Generated from the synthesized app by\n")
	b.WriteString("// internal/diagram (make diagram); do not edit.\n")
	b.WriteString("digraph deployment {\n")
	fmt.Fprintf(&b, "\tgraph [rankdir=LR, compound=true, newrank=true, nodesep=0.2, ranksep=0.9, pad=0.3, fontname=%q, labelloc=t, labeljust=l,\n", fontName)
	b.WriteString("\t\tlabel=<<B>What is deployed, by account and region</B><BR/><FONT POINT-SIZE=\"10\">" +
		"solid arrows: ECR replication &#183; dashed arrows: deploy order (from the stack deployed first)</FONT>>];\n")
	fmt.Fprintf(&b, "\tnode [shape=box, style=\"rounded,filled\", fontname=%q, fontsize=10, margin=\"0.15,0.06\", penwidth=1.2];\n", fontName)
	fmt.Fprintf(&b, "\tedge [fontname=%q, fontsize=9];\n", fontName)
	for _, account := range sortedKeys(l.byAccount) {
		l.writeAccount(&b, account)
	}
	for _, lines := range [][]string{l.externals, l.edges} {
		if len(lines) > 0 {
			b.WriteString("\n")
			sort.Strings(lines)
			for _, e := range lines {
				b.WriteString(e)
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// writeAccount writes the cluster of one account: its stacks, and its columns of destinations.
func (l *layout) writeAccount(b *strings.Builder, account string) {
	fmt.Fprintf(b, "\n\tsubgraph %s {\n", quote(clusterID("account", account)))
	fmt.Fprintf(b, "\t\tgraph [label=<<B>%s</B>>, style=\"rounded\", color=\"#232F3E\", penwidth=1.5, fontsize=13, margin=12];\n", html(accountLabel(account)))
	written := map[*fanout]bool{}
	for _, s := range l.byAccount[account] {
		c := l.columnOf[s.Name]
		if c == nil {
			writeStack(b, "\t\t", s, l.summaries[s.Name])
			continue
		}
		if written[c] {
			continue
		}
		written[c] = true
		fmt.Fprintf(b, "\t\tsubgraph %s {\n", quote(c.id))
		fmt.Fprintf(b, "\t\t\tgraph [label=<%s>, style=\"rounded,dashed\", color=\"#9FB1C8\", penwidth=1, fontsize=10, margin=8];\n", html(c.label))
		for _, m := range c.members {
			writeStack(b, "\t\t\t", l.byName[m], l.summaries[m])
		}
		b.WriteString("\t\t}\n")
	}
	b.WriteString("\t}\n")
}

// writeStack writes the cluster of one stack: its nodes, kept in one rank (one column).
func writeStack(b *strings.Builder, indent string, s Stack, sum summary) {
	fmt.Fprintf(b, "%ssubgraph %s {\n", indent, quote(clusterID("stack", s.Name)))
	fmt.Fprintf(b, "%s\tgraph [label=<<B>%s</B><BR ALIGN=\"LEFT\"/><FONT POINT-SIZE=\"9\">%s</FONT><BR ALIGN=\"LEFT\"/>>, style=\"rounded,filled\", fillcolor=\"#F3F6FA\", color=\"#8CA3C0\", penwidth=1, fontsize=12, margin=10];\n",
		indent, html(regionLabel(s.Region)), html(s.Name))
	var ids []string
	for _, g := range groupOrder {
		lines, ok := sum.labels[g]
		if !ok {
			continue
		}
		id := nodeID(s.Name, g)
		ids = append(ids, quote(id))
		st := groupStyles[g]
		fmt.Fprintf(b, "%s\t%s [label=<%s>, fillcolor=%q, color=%q];\n", indent, quote(id), htmlLines(lines), st.fill, st.line)
	}
	if len(ids) > 1 {
		fmt.Fprintf(b, "%s\t{rank=same; %s}\n", indent, strings.Join(ids, "; "))
	}
	b.WriteString(indent + "}\n")
}

// fanout groups the destination stacks of one source in one account when there are more
// than maxPerColumn: the group has one replication edge (and one deploy-order edge) instead of
// one per stack, and its stacks are laid out in columns of at most maxPerColumn.
type fanout struct {
	id, label string
	members   []string
	// anchor is the node the group's edges point at.
	anchor string
}

// replicationEdge is a replication arrow; label is "" or the edge's label attribute (edgeLabel).
func replicationEdge(from, to, lhead, label string) string {
	attrs := label
	if lhead != "" {
		attrs = "lhead=" + quote(lhead) + ", " + label
	}
	return fmt.Sprintf("\t%s -> %s [%scolor=%q, penwidth=1.6];\n", quote(from), quote(to), attrs, replicaColour)
}

// deployEdge is declared from the dependent stack and drawn backwards (the arrow points at the
// dependent, deployed second), so that dependencies are laid out after (right of) the stacks
// that wait for them, as replicas are.
func deployEdge(from, to, ltail, lhead string) string {
	return fmt.Sprintf("\t%s -> %s [ltail=%s, lhead=%s, dir=back, style=dashed, color=%q, arrowsize=0.7];\n",
		quote(from), quote(to), quote(ltail), quote(lhead), deployColour)
}

// destinationStack finds the stack in the destination's region and account (any account when
// the template does not say which); the first by name when several match.
func destinationStack(stacks []Stack, source Stack, d destination) (string, bool) {
	for _, s := range stacks {
		if s.Name == source.Name || s.Region != d.region {
			continue
		}
		if d.account == "" || s.Account == d.account {
			return s.Name, true
		}
	}
	return "", false
}

func nodeID(stack, group string) string { return stack + "/" + group }

// appendNew appends the items not in list yet.
func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

func clusterID(kind, name string) string { return "cluster_" + kind + "_" + name }

// accountLabel reads "account 111111111111", or "deploy-time account" for an
// environment-agnostic stack.
func accountLabel(account string) string {
	switch account {
	case UnknownAccount:
		return "deploy-time account"
	case "":
		return "unknown account"
	}
	return "account " + account
}

func regionLabel(region string) string {
	if region == UnknownRegion {
		return "deploy-time region"
	}
	return region
}

// quote returns s as a DOT double-quoted string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// html escapes s for a Graphviz HTML-like label.
func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// htmlLines is a node label: the first line bold, one line each.
func htmlLines(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = html(l)
	}
	out[0] = "<B>" + out[0] + "</B>"
	return strings.Join(out, "<BR/>")
}

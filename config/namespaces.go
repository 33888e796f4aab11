package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/replication"
)

// This file reads the namespaces of a fleet file (namespaces:), the form for several teams:
//
//	namespaces:
//	  - prefix: payments                     # required, the rules of repoPrefix
//	    destinations: [us-west-2, eu-west-1] # default: the context's destinations
//	    deleteReplication: true              # default: the context's deleteReplication
//	    deployRoleTrust: ["111111111111"]    # default: the context's deployRoleTrust
//	    ciRoleTrust: ["oidc:token.actions.githubusercontent.com:repo:acme/payments:*"]
//	    repositories:                        # required, the entries of repositories:
//	      - {name: api, profile: production} # payments/api
//
// The registry's replication configuration holds one rule per namespace (at most 10), and
// the app one replica stack per region: a region receives the replicas of every namespace in
// one account.

// Fields of a namespace.
const (
	fieldPrefix            = "prefix"
	fieldDestinations      = "destinations"
	fieldDeleteReplication = "deleteReplication"
	fieldDeployRoleTrust   = "deployRoleTrust"
	fieldCIRoleTrust       = "ciRoleTrust"
)

var namespaceFields = []string{fieldPrefix, fieldDestinations, fieldDeleteReplication, fieldDeployRoleTrust, fieldCIRoleTrust, fleetRepositories}

// namespaceFieldAliases: context keys and likely words, normalized, suggest the field.
var namespaceFieldAliases = map[string]string{
	"repoprefix":         fieldPrefix,
	"namespace":          fieldPrefix,
	"name":               fieldPrefix,
	"destinationregion":  fieldDestinations,
	"destinationregions": fieldDestinations,
	"additionalregions":  fieldDestinations,
	"regions":            fieldDestinations,
	"repos":              fleetRepositories,
}

const (
	expNamespaces = "a list of 1 to 10 namespaces, each a mapping such as {prefix: payments, repositories: [{name: api, profile: production}]}"
	expNamespace  = "a namespace: a mapping with a prefix and repositories, such as {prefix: payments, repositories: [{name: api, profile: production}]}"
	expFileDests  = "a list of destinations, each a region or region@account such as [us-west-2, ap-southeast-2@222222222222]"
)

// nsEntry is one namespace of the fleet file, as given.
type nsEntry struct {
	path       string      // namespaces[i]
	node       *yaml.Node  // the namespace's mapping
	prefix     string      // "" when missing or bad
	prefixNode *yaml.Node  // nil when missing
	destsGiven bool        // the destinations field is there (else the context's apply)
	dests      []destEntry // its destinations, as given
	// deleteReplication is nil when the field is missing or bad (the context's applies).
	deleteReplication *bool
	trust             [2]*trustField // deployRoleTrust, ciRoleTrust; nil: the context's
	repos             []fleetEntry
}

// trustField is a namespace's deployRoleTrust or ciRoleTrust, as given.
type trustField struct {
	path    string
	node    *yaml.Node
	entries []string
	nodes   []*yaml.Node // nodes[i] holds entries[i]
	index   []int        // index[i] is the position of entries[i] in the list
	ok      bool         // every entry is a scalar
}

// namespaceList walks the namespaces list.
func (f *fleetReader) namespaceList(seq *yaml.Node) []nsEntry {
	switch {
	case seq.Kind != yaml.SequenceNode:
		f.add(seq, fleetNamespaces, nodeText(seq), expNamespaces+", not "+kindName(seq))
		return nil
	case len(seq.Content) == 0:
		f.add(seq, fleetNamespaces, nodeText(seq), expNamespaces+"; got none")
		return nil
	case len(seq.Content) > maxNamespaces:
		f.add(seq, fleetNamespaces, nodeText(seq), fmt.Sprintf(
			"at most %d namespaces: the registry's replication configuration holds at most %d rules (ECR quota), one per namespace; got %d",
			maxNamespaces, maxNamespaces, len(seq.Content)))
	}
	var out []nsEntry
	for i, item := range seq.Content {
		out = append(out, f.namespace(i, deref(item)))
	}
	if len(out) <= 10*maxNamespaces { // keep the pairwise checks small
		f.checkPrefixes(out)
		f.checkFullNames(out)
	}
	return out
}

// namespace walks entry i of the namespaces list.
func (f *fleetReader) namespace(i int, n *yaml.Node) nsEntry {
	ns := nsEntry{path: fmt.Sprintf("%s[%d]", fleetNamespaces, i), node: n}
	if n.Kind != yaml.MappingNode {
		f.add(n, ns.path, nodeText(n), expNamespace+", not "+kindName(n))
		return ns
	}
	given := f.fields(n, ns.path, namespaceFields, namespaceFieldAliases)
	if fl, ok := given[fieldPrefix]; ok {
		ns.prefixNode = fl.value
		ns.prefix = f.namespacePrefix(fl.value, ns.path+"."+fieldPrefix)
	} else {
		f.add(n, ns.path, nodeText(n), expNamespace+"; the prefix field is missing")
	}
	if fl, ok := given[fieldDestinations]; ok {
		ns.destsGiven = true
		ns.dests = f.destinations(fl.value, ns.path+"."+fieldDestinations)
	}
	if fl, ok := given[fieldDeleteReplication]; ok {
		ns.deleteReplication = f.boolean(fl.value, ns.path+"."+fieldDeleteReplication)
	}
	for k, name := range []string{fieldDeployRoleTrust, fieldCIRoleTrust} {
		if fl, ok := given[name]; ok {
			t := &trustField{path: ns.path + "." + name, node: fl.value}
			t.entries, t.nodes, t.index, t.ok = f.scalars(fl.value, t.path, expTrustFile, "a principal")
			ns.trust[k] = t
		}
	}
	fl, ok := given[fleetRepositories]
	switch {
	case !ok:
		f.add(n, ns.path, nodeText(n), expNamespace+"; the repositories field is missing")
	case fl.value.Kind == yaml.SequenceNode && len(fl.value.Content) == 0:
		f.add(fl.value, ns.path+"."+fleetRepositories, nodeText(fl.value),
			"at least one repository in each namespace, such as [{name: api, profile: production}]: a namespace without one replicates nothing")
	default:
		ns.repos = f.repositoryList(fl.value, ns.path+"."+fleetRepositories, ns.prefix)
	}
	return ns
}

// namespacePrefix checks a namespace's prefix: the rules of repoPrefix. "" when it is bad.
func (f *fleetReader) namespacePrefix(v *yaml.Node, keyPath string) string {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		f.add(v, keyPath, nodeText(v), expPrefix+", not "+kindName(v))
		return ""
	}
	if expected := prefixProblem(v.Value); expected != "" {
		f.add(v, keyPath, v.Value, expected)
		return ""
	}
	return v.Value
}

// destinations reads a namespace's destinations: each a region or region@account, checked
// like the context's once the accounts are known (checkNamespaces).
func (f *fleetReader) destinations(v *yaml.Node, keyPath string) []destEntry {
	entries, nodes, index, _ := f.scalars(v, keyPath, expFileDests, "a destination")
	var out []destEntry
	for i, e := range entries {
		at := Location{File: f.file, Line: nodes[i].Line, Column: nodes[i].Column, Path: fmt.Sprintf("%s[%d]", keyPath, index[i])}
		out = append(out, f.p.destinationEntry(keyRepositoriesFile, at, e, expRegion))
	}
	return out
}

// checkPrefixes refuses a prefix given twice, one under another (a repository would match
// two replication rules), and two whose construct ids (and role names) would be the same.
func (f *fleetReader) checkPrefixes(nss []nsEntry) {
	for j, b := range nss {
		if b.prefix == "" {
			continue
		}
		for _, a := range nss[:j] {
			if a.prefix == "" {
				continue
			}
			where := fmt.Sprintf("%s.%s (line %d)", a.path, fieldPrefix, a.prefixNode.Line)
			other := fmt.Sprintf("%q (%s.%s, line %d)", a.prefix, a.path, fieldPrefix, a.prefixNode.Line)
			var expected string
			switch {
			case a.prefix == b.prefix:
				expected = fmt.Sprintf("each namespace once: %q is already %s", b.prefix, where)
			case strings.HasPrefix(b.prefix, a.prefix+"/"), strings.HasPrefix(a.prefix, b.prefix+"/"):
				inner, outer, verb := b.prefix, a.prefix, "extends"
				if strings.HasPrefix(a.prefix, b.prefix+"/") {
					inner, outer, verb = a.prefix, b.prefix, "contains"
				}
				expected = fmt.Sprintf("a prefix that neither contains nor extends another namespace's: it %s %s, so a repository %s/… "+
					"would match the replication rules of both (PREFIX_MATCH %s/ and %s/); rename one, or list the repositories of %s under %s",
					verb, other, inner, outer, inner, inner, outer)
			case awsid.ConstructID(a.prefix) == awsid.ConstructID(b.prefix):
				expected = fmt.Sprintf("a prefix whose letters and digits differ from those of %s: both would be the construct id %q "+
					"(and give the same role names), so their resources would collide", other, awsid.ConstructID(b.prefix))
			default:
				continue
			}
			f.add(b.prefixNode, b.path+"."+fieldPrefix, b.prefix, expected)
			break
		}
	}
}

// checkFullNames refuses a repository (full name) in two namespaces, and two full names that
// would share a construct id.
func (f *fleetReader) checkFullNames(nss []nsEntry) {
	type named struct {
		full string
		at   Location
	}
	byName, byID := map[string]named{}, map[string]named{}
	for _, ns := range nss {
		if ns.prefix == "" {
			continue
		}
		for _, e := range ns.repos {
			full := ns.prefix + "/" + e.name
			id := awsid.ConstructID(full)
			var expected string
			if prev, dup := byName[full]; dup {
				expected = fmt.Sprintf("a repository in one namespace: %s is already %s (line %d)", full, entryPath(prev.at), prev.at.Line)
			} else if prev, dup := byID[id]; dup {
				expected = fmt.Sprintf("a name whose letters and digits differ from those of %s (%s, line %d): both would be the construct id %q, "+
					"so their resources would collide", prev.full, entryPath(prev.at), prev.at.Line, id)
			} else {
				byName[full], byID[id] = named{full, e.at}, named{full, e.at}
				continue
			}
			f.add(&yaml.Node{Line: e.at.Line, Column: e.at.Column}, e.at.Path, e.name, expected)
		}
	}
}

// entryPath is the path of the repository whose name is at at.
func entryPath(at Location) string { return strings.TrimSuffix(at.Path, "."+fieldName) }

// checkNamespaces resolves and checks the namespaces of the fleet file once the accounts are
// known: their destinations (the context's rules, each region in one account across all
// namespaces, at most 25 in all) and trust lists. It fills c.FleetNamespaces and sets the
// union of their destinations as c's.
func (p *parser) checkNamespaces(c *Config) {
	doc := p.fleetDoc
	if doc == nil || !doc.many {
		return
	}
	regions, inUnion := map[string]destEntry{}, map[string]bool{}
	var all, union []destEntry
	for _, ns := range doc.namespaces {
		dests := ns.dests
		if !ns.destsGiven {
			dests = inherit(p.contextDests, ns.path)
		}
		all = append(all, dests...)
		accepted := p.acceptDestinations(dests, regions, nil)
		for _, d := range accepted {
			if !inUnion[d.region] {
				inUnion[d.region] = true
				union = append(union, d)
			}
		}
		n := Namespace{Prefix: ns.prefix, Destinations: p.resolve(c, accepted), DeleteReplication: c.DeleteReplication}
		if ns.deleteReplication != nil {
			n.DeleteReplication = *ns.deleteReplication
		}
		n.DeployRoleTrust = p.namespaceTrust(ns.trust[0], c.DeployRoleTrust)
		n.CIRoleTrust = p.namespaceTrust(ns.trust[1], c.CIRoleTrust)
		n.Repositories = namespaceRepositories(ns)
		c.FleetNamespaces = append(c.FleetNamespaces, n)
	}
	if n := p.countDestinations(all); n > maxDestinations && doc.node != nil {
		p.problems = append(p.problems, Problem{Key: keyRepositoriesFile, Value: nodeText(doc.node),
			At: Location{File: doc.file, Line: doc.node.Line, Column: doc.node.Column, Path: fleetNamespaces},
			Expected: fmt.Sprintf("at most %d destinations over all namespaces, a destination being a region in an account "+
				"(ECR service quota on unique replication destinations across all rules); got %d", maxDestinations, n)})
	}
	c.DestinationRegions, c.DestinationRegionAccounts = regionsAndAccounts(union)
}

// inherit returns the context's destinations for a namespace that names none.
func inherit(context []destEntry, namespace string) []destEntry {
	out := slices.Clone(context)
	for i := range out {
		out[i].inheritedBy = namespace
	}
	return out
}

// resolve returns the accepted destinations with their accounts: the one named, else
// destinationAccount, else the source account ("" when unknown).
func (p *parser) resolve(c *Config, accepted []destEntry) []replication.Destination {
	var out []replication.Destination
	for _, d := range accepted {
		out = append(out, replication.Destination{Region: d.region, Account: cmp.Or(d.account, c.DestinationAccountOrSource())})
	}
	return out
}

// namespaceTrust checks a namespace's trust list; without one, the context's.
func (p *parser) namespaceTrust(t *trustField, context []TrustPrincipal) []TrustPrincipal {
	if t == nil {
		return slices.Clone(context)
	}
	if t.entries == nil {
		return nil
	}
	out := p.trustContext().checkTrust(t.entries, t.path, func(i int, value, expected string) {
		if i < 0 {
			p.problems = append(p.problems, Problem{Key: keyRepositoriesFile, Value: nodeText(t.node), Expected: expected,
				At: Location{File: p.fleetDoc.file, Line: t.node.Line, Column: t.node.Column, Path: t.path}})
			return
		}
		n := t.nodes[i]
		p.problems = append(p.problems, Problem{Key: keyRepositoriesFile, Value: value, Expected: expected,
			At: Location{File: p.fleetDoc.file, Line: n.Line, Column: n.Column, Path: fmt.Sprintf("%s[%d]", t.path, t.index[i])}})
	})
	if !t.ok {
		return nil
	}
	return out
}

// namespaceRepositories returns a namespace's repositories, production first, then testing,
// each in file order.
func namespaceRepositories(ns nsEntry) []Repository {
	if ns.prefix == "" {
		return nil
	}
	var out []Repository
	for _, profile := range []Profile{ProfileProduction, ProfileTesting} {
		for _, e := range ns.repos {
			if e.profile == profile {
				out = append(out, Repository{Name: e.name, FullName: ns.prefix + "/" + e.name, Namespace: ns.prefix, Profile: profile, Overrides: e.overrides})
			}
		}
	}
	return out
}

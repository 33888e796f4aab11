package diagram

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/acme-platform/ecr-replication/policy"
)

// Resource types the diagram names. Every other type is counted under "other resources".
const (
	typeRepository       = "AWS::ECR::Repository"
	typeReplication      = "AWS::ECR::ReplicationConfiguration"
	typeCreationTemplate = "AWS::ECR::RepositoryCreationTemplate"
	typeRegistryPolicy   = "AWS::ECR::RegistryPolicy"
	typeScanning         = "AWS::ECR::RegistryScanningConfiguration"
	typeRole             = "AWS::IAM::Role"
	typePolicy           = "AWS::IAM::Policy"
	typeKey              = "AWS::KMS::Key"
	typeAlias            = "AWS::KMS::Alias"
	typeTopic            = "AWS::SNS::Topic"
	typeTopicPolicy      = "AWS::SNS::TopicPolicy"
	typeSubscription     = "AWS::SNS::Subscription"
	typeRule             = "AWS::Events::Rule"
	typeAlarm            = "AWS::CloudWatch::Alarm"
	typeCompositeAlarm   = "AWS::CloudWatch::CompositeAlarm"
	typeDashboard        = "AWS::CloudWatch::Dashboard"
	typeLogGroup         = "AWS::Logs::LogGroup"
	typeLogPolicy        = "AWS::Logs::ResourcePolicy"
	// typeCDKMetadata is the CDK's version reporting, not part of what the app deploys.
	typeCDKMetadata = "AWS::CDK::Metadata"
)

// Node groups, in the order their nodes appear in a stack's cluster; each has its own colours.
const (
	groupRepositories = "repositories"
	groupReplication  = "replication"
	groupTemplate     = "creation-template"
	groupRegistry     = "registry-policy"
	groupScanning     = "scanning"
	groupAccess       = "access"
	groupMonitoring   = "monitoring"
	groupOther        = "other"
	groupEmpty        = "empty"
)

var groupOrder = []string{groupRepositories, groupReplication, groupTemplate, groupRegistry, groupScanning, groupAccess, groupMonitoring, groupOther, groupEmpty}

// maxNames is how many names (repositories, roles, resource types) a label lists before it
// only counts the rest.
const maxNames = 5

// lineWidth is the width, in characters, past which a list wraps onto the next label line.
const lineWidth = 42

// resource is one resource of a template.
type resource struct {
	id    string
	typ   string
	props map[string]any
}

// destination is one replication destination of a replication configuration.
type destination struct {
	// namespaces are the namespaces whose rule replicates here (its filters without "/").
	namespaces []string
	region     string
	// account is the destination registry's account: the source stack's own account when the
	// template refers to AWS::AccountId, "" when it cannot be read.
	account string
}

// summary is what the diagram shows of one stack: a label per node group, and the
// destinations its replication configuration replicates to.
type summary struct {
	labels       map[string][]string
	destinations []destination
	// rules is how many replication rules the stack's replication configuration has.
	rules int
}

// resources returns the template's resources sorted by logical id, without CDK metadata.
func resources(tmpl map[string]any) []resource {
	res, _ := tmpl["Resources"].(map[string]any)
	var out []resource
	for id, v := range res {
		r, _ := v.(map[string]any)
		typ, _ := r["Type"].(string)
		if typ == typeCDKMetadata {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		out = append(out, resource{id: id, typ: typ, props: props})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// summarize groups the resources of a stack into node labels in readable words.
func summarize(s Stack) summary {
	rs := resourcesByType{}
	all := resources(s.Template)
	for _, r := range all {
		rs[r.typ] = append(rs[r.typ], r)
	}
	sum := summary{labels: map[string][]string{}}
	rs.summarizeRegistry(&sum, s.Account, stackNamespaces(all))
	if access := rs.accessLines(); len(access) > 0 {
		sum.labels[groupAccess] = access
	}
	if monitoring := rs.monitoringLines(); len(monitoring) > 0 {
		sum.labels[groupMonitoring] = append([]string{"monitoring"}, monitoring...)
	}
	if len(rs) > 0 {
		sum.labels[groupOther] = otherLines(rs)
	}
	if len(sum.labels) == 0 {
		sum.labels[groupEmpty] = []string{"no resources"}
	}
	return sum
}

// resourcesByType holds a stack's resources not summed up yet, by type.
type resourcesByType map[string][]resource

// take returns the resources of typ and removes them.
func (rs resourcesByType) take(typ string) []resource {
	out := rs[typ]
	delete(rs, typ)
	return out
}

// fold removes the resources of typ, shown with the resource they belong to (into), and
// returns how many there were; they stay when no resource of into is there.
func (rs resourcesByType) fold(typ, into string) int {
	if len(rs[into]) == 0 {
		return 0
	}
	return len(rs.take(typ))
}

// summarizeRegistry labels the ECR resources: repositories, the replication configuration
// (and its destinations), creation templates, registry policies, scanning configurations. A
// stack of several namespaces has its repositories and creation templates grouped by namespace.
func (rs resourcesByType) summarizeRegistry(sum *summary, account string, ns namespaces) {
	if repos := rs.take(typeRepository); len(repos) > 0 {
		sum.labels[groupRepositories] = repositoryLines(repos)
		if ns.grouped() {
			sum.labels[groupRepositories] = groupedRepositoryLines(repos, ns)
		}
	}
	if confs := rs.take(typeReplication); len(confs) > 0 {
		var lines []string
		lines, sum.destinations, sum.rules = replicationLines(confs, account)
		sum.labels[groupReplication] = lines
	}
	if tpls := rs.take(typeCreationTemplate); len(tpls) > 0 {
		sum.labels[groupTemplate] = templateLines(tpls)
		if ns.grouped() {
			sum.labels[groupTemplate] = groupedTemplateLines(tpls, ns)
		}
	}
	if pols := rs.take(typeRegistryPolicy); len(pols) > 0 {
		sum.labels[groupRegistry] = registryPolicyLines(pols)
	}
	if confs := rs.take(typeScanning); len(confs) > 0 {
		sum.labels[groupScanning] = scanningLines(confs)
	}
}

// accessLines describes the IAM roles (with what their policies allow in ECR) and KMS keys.
func (rs resourcesByType) accessLines() []string {
	var access []string
	policies := rs[typePolicy]
	rs.fold(typePolicy, typeRole)
	if roles := rs.take(typeRole); len(roles) > 0 {
		access = append(access, roleLines(roles, policies)...)
	}
	rs.fold(typeAlias, typeKey)
	if keys := rs.take(typeKey); len(keys) > 0 {
		access = append(access, counted(len(keys), "KMS key", "KMS keys"))
	}
	return access
}

// monitoringLines counts the topics (and subscriptions), rules, alarms, dashboards and log
// groups.
func (rs resourcesByType) monitoringLines() []string {
	var lines []string
	rs.fold(typeTopicPolicy, typeTopic)
	subscriptions := rs.fold(typeSubscription, typeTopic)
	if topics := rs.take(typeTopic); len(topics) > 0 {
		line := counted(len(topics), "SNS topic", "SNS topics")
		if subscriptions > 0 {
			line += fmt.Sprintf(", %d subscription", subscriptions)
			if subscriptions > 1 {
				line += "s"
			}
		}
		lines = append(lines, line)
	}
	if rules := rs.take(typeRule); len(rules) > 0 {
		lines = append(lines, counted(len(rules), "EventBridge rule", "EventBridge rules"))
	}
	if alarms := len(rs.take(typeAlarm)) + len(rs.take(typeCompositeAlarm)); alarms > 0 {
		lines = append(lines, counted(alarms, "CloudWatch alarm", "CloudWatch alarms"))
	}
	if dashboards := rs.take(typeDashboard); len(dashboards) > 0 {
		lines = append(lines, counted(len(dashboards), "dashboard", "dashboards"))
	}
	rs.fold(typeLogPolicy, typeLogGroup)
	if groups := rs.take(typeLogGroup); len(groups) > 0 {
		lines = append(lines, counted(len(groups), "log group", "log groups"))
	}
	return lines
}

// counted reads "KMS key" for one and "KMS keys (3)" for more.
func counted(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%s (%d)", many, n)
}

// repositoryLines reads "2 ECR repositories in enterprise-apps/" and then up to maxNames names
// without the common prefix; repositories without a literal name are counted only.
func repositoryLines(repos []resource) []string {
	var names []string
	for _, r := range repos {
		if n, ok := r.props["RepositoryName"].(string); ok && n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	head := "1 ECR repository"
	if len(repos) > 1 {
		head = fmt.Sprintf("%d ECR repositories", len(repos))
	}
	prefix := commonDir(names)
	if prefix != "" && len(names) == len(repos) {
		head += " in " + prefix
		for i := range names {
			names[i] = strings.TrimPrefix(names[i], prefix)
		}
	}
	lines := []string{head}
	shown := names
	if len(shown) > maxNames {
		shown = shown[:maxNames]
	}
	lines = append(lines, wrap(shown, lineWidth)...)
	if more := len(names) - len(shown); more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", more))
	}
	return lines
}

// commonDir is the longest prefix ending in "/" that every name starts with and that leaves
// every name something after it.
func commonDir(names []string) string {
	if len(names) == 0 {
		return ""
	}
	prefix := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		prefix = prefix[:i+1]
	} else {
		return ""
	}
	for _, n := range names {
		if n == prefix {
			return ""
		}
	}
	return prefix
}

// replicationLines reads "replication configuration", then per rule its destinations ("→
// us-west-2, eu-west-1", grouped by account when they are in another account than the source)
// and its filters; the destinations with the namespaces replicated there, and the number of
// rules.
func replicationLines(confs []resource, sourceAccount string) ([]string, []destination, int) {
	lines := []string{counted(len(confs), "replication configuration", "replication configurations")}
	var dests []destination
	n := 0
	for _, c := range confs {
		conf, _ := c.props["ReplicationConfiguration"].(map[string]any)
		rules, _ := conf["Rules"].([]any)
		n += len(rules)
		for _, r := range rules {
			rule, _ := r.(map[string]any)
			var order []string
			byAccount := map[string][]string{}
			ds, _ := rule["Destinations"].([]any)
			for _, d := range ds {
				dm, _ := d.(map[string]any)
				region, ok := dm["Region"].(string)
				if !ok {
					region = "(unresolved region)"
				}
				account := registryAccount(dm["RegistryId"], sourceAccount)
				dests = append(dests, destination{region: region, account: account, namespaces: ruleNamespaces(rule)})
				key := account
				if account == sourceAccount {
					key = ""
				}
				if _, seen := byAccount[key]; !seen {
					order = append(order, key)
				}
				byAccount[key] = append(byAccount[key], region)
			}
			sort.Strings(order)
			for _, account := range order {
				regions := byAccount[account]
				if account == "" {
					lines = append(lines, wrap(regions, lineWidth, "→ ")...)
					continue
				}
				lines = append(lines, "→ "+accountLabel(account)+":")
				lines = append(lines, wrap(regions, lineWidth)...)
			}
			fs, _ := rule["RepositoryFilters"].([]any)
			var filters []string
			for _, f := range fs {
				fm, _ := f.(map[string]any)
				if v, ok := fm["Filter"].(string); ok {
					filters = append(filters, v)
				}
			}
			if len(filters) > 0 {
				lines = append(lines, wrap(filters, lineWidth, "of ")...)
			} else {
				lines = append(lines, "of every repository")
			}
		}
	}
	return lines, dests, n
}

// registryAccount reads a destination's RegistryId: a literal account, or the source stack's
// own account for {"Ref": "AWS::AccountId"}; "" when it is anything else.
func registryAccount(v any, sourceAccount string) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if x["Ref"] == "AWS::AccountId" {
			return sourceAccount
		}
	case nil:
		return sourceAccount
	}
	return ""
}

// templateLines reads "creation template enterprise-apps/" and what the template is applied for.
func templateLines(tpls []resource) []string {
	var prefixes, applied []string
	seen := map[string]bool{}
	for _, t := range tpls {
		p, _ := t.props["Prefix"].(string)
		switch p {
		case "":
			p = "(unresolved prefix)"
		case "ROOT":
			p = "for every repository"
		default:
			p += "/"
		}
		prefixes = append(prefixes, p)
		as, _ := t.props["AppliedFor"].([]any)
		for _, a := range as {
			if s, ok := a.(string); ok && !seen[s] {
				seen[s] = true
				applied = append(applied, strings.ToLower(strings.ReplaceAll(s, "_", " ")))
			}
		}
	}
	sort.Strings(prefixes)
	sort.Strings(applied)
	lines := wrap(prefixes, lineWidth, counted(len(tpls), "creation template", "creation templates")+" ")
	if len(applied) > 0 {
		lines = append(lines, "applied for "+strings.Join(applied, ", "))
	}
	return lines
}

// registryPolicyLines reads "registry policy" and, for a policy that lets other accounts
// replicate, which accounts.
func registryPolicyLines(pols []resource) []string {
	lines := []string{counted(len(pols), "registry policy", "registry policies")}
	accounts := map[string]bool{}
	for _, p := range pols {
		stmts, _ := policy.Statements(p.props["PolicyText"]) // none when it is not a document
		for _, stmt := range stmts {
			if !slices.Contains(stmt.Actions, "ecr:ReplicateImage") {
				continue
			}
			for _, a := range stmt.Principals {
				if account, ok := policy.PrincipalAccount(a); ok {
					accounts[account] = true
				}
			}
		}
	}
	if len(accounts) > 0 {
		lines = append(lines, wrap(sortedKeys(accounts), lineWidth, "replication from ")...)
	}
	return lines
}

// scanningLines reads "registry scanning: enhanced, continuous scan".
func scanningLines(confs []resource) []string {
	var words []string
	seen := map[string]bool{}
	add := func(v any) {
		if s, ok := v.(string); ok && !seen[s] {
			seen[s] = true
			words = append(words, strings.ToLower(strings.ReplaceAll(s, "_", " ")))
		}
	}
	for _, c := range confs {
		add(c.props["ScanType"])
		rules, _ := c.props["Rules"].([]any)
		for _, r := range rules {
			rm, _ := r.(map[string]any)
			add(rm["ScanFrequency"])
		}
	}
	head := counted(len(confs), "registry scanning", "registry scanning configurations")
	if len(words) == 0 {
		return []string{head}
	}
	return []string{head + ": " + strings.Join(words, ", ")}
}

// Access a role's policies give it, strongest first within ECR; roles are listed in this order.
const (
	accessPull      = "pull"
	accessPush      = "push"
	accessReplicate = "replicate"
)

var accessRank = map[string]int{accessPull: 0, accessPush: 1, accessReplicate: 2, "": 3}

// roleLines reads "IAM roles: deploy (pull), CI (push)": each role's name from its logical id,
// and what the IAM policies attached to it (inline or AWS::IAM::Policy) let it do with ECR.
func roleLines(roles, policies []resource) []string {
	actions := map[string][]string{} // role logical id -> actions
	for _, r := range roles {
		ps, _ := r.props["Policies"].([]any)
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			actions[r.id] = append(actions[r.id], policyActions(pm["PolicyDocument"])...)
		}
	}
	for _, p := range policies {
		rs, _ := p.props["Roles"].([]any)
		for _, ref := range rs {
			rm, _ := ref.(map[string]any)
			if id, ok := rm["Ref"].(string); ok {
				actions[id] = append(actions[id], policyActions(p.props["PolicyDocument"])...)
			}
		}
	}
	type role struct{ name, access string }
	var list []role
	for _, r := range roles {
		list = append(list, role{name: readableID(r.id, "Role"), access: ecrAccess(actions[r.id])})
	}
	sort.Slice(list, func(i, j int) bool {
		if accessRank[list[i].access] != accessRank[list[j].access] {
			return accessRank[list[i].access] < accessRank[list[j].access]
		}
		return list[i].name < list[j].name
	})
	var items []string
	for i, r := range list {
		if i == maxNames {
			items = append(items, fmt.Sprintf("and %d more", len(list)-maxNames))
			break
		}
		item := r.name
		if r.access != "" {
			item += " (" + r.access + ")"
		}
		items = append(items, item)
	}
	head := "IAM role: "
	if len(roles) > 1 {
		head = "IAM roles: "
	}
	return wrap(items, lineWidth, head)
}

// ecrAccess names what a set of IAM actions allows in ECR: push, replicate, pull or "".
func ecrAccess(actions []string) string {
	has := map[string]bool{}
	for _, a := range actions {
		has[strings.ToLower(a)] = true
	}
	switch {
	case has["ecr:*"] || has["ecr:putimage"] || has["ecr:initiatelayerupload"]:
		return accessPush
	case has["ecr:replicateimage"]:
		return accessReplicate
	case has["ecr:batchgetimage"] || has["ecr:getdownloadurlforlayer"]:
		return accessPull
	}
	return ""
}

// policyActions returns the actions of every statement of a policy document.
func policyActions(doc any) []string {
	stmts, _ := policy.Statements(doc) // none when it is not a document
	var out []string
	for _, s := range stmts {
		out = append(out, s.Actions...)
	}
	return out
}

var cdkHash = regexp.MustCompile(`[0-9A-F]{8}$`)

// readableID turns a CDK logical id into words: the hash the CDK appends and suffix are
// dropped, and PascalCase is split and lower-cased except for acronyms ("CIRole1307643F" reads
// "CI", "ReplicationTemplateRoleCB76197A" reads "replication template").
func readableID(id, suffix string) string {
	base := cdkHash.ReplaceAllString(id, "")
	if trimmed := strings.TrimSuffix(base, suffix); trimmed != "" {
		base = trimmed
	}
	var words []string
	runes := []rune(base)
	start := 0
	for i := 1; i <= len(runes); i++ {
		boundary := i == len(runes)
		if !boundary && unicode.IsUpper(runes[i]) {
			// A new word starts at an upper-case letter after a lower-case one, or at the last
			// upper-case letter of an acronym followed by a lower-case one ("CIRole").
			boundary = !unicode.IsUpper(runes[i-1]) || (i+1 < len(runes) && unicode.IsLower(runes[i+1]))
		}
		if boundary {
			words = append(words, string(runes[start:i]))
			start = i
		}
	}
	for i, w := range words {
		if len([]rune(w)) < 2 || strings.ToUpper(w) != w {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

// otherLines reads "other resources (3)" and up to maxNames of their types with counts.
func otherLines(byType map[string][]resource) []string {
	n := 0
	var items []string
	types := sortedKeys(byType)
	for _, t := range types {
		n += len(byType[t])
	}
	for i, t := range types {
		if i == maxNames {
			items = append(items, fmt.Sprintf("and %d more types", len(types)-maxNames))
			break
		}
		name := t
		if name == "" {
			name = "(no type)"
		}
		if c := len(byType[t]); c > 1 {
			name = fmt.Sprintf("%s ×%d", name, c)
		}
		items = append(items, name)
	}
	return append([]string{counted(n, "other resource", "other resources")}, items...)
}

// wrap joins items with ", " into lines no longer than width where it can; the first line
// starts with lead (if any) and later lines are not indented.
func wrap(items []string, width int, lead ...string) []string {
	line := strings.Join(lead, "")
	var lines []string
	empty := true
	for i, it := range items {
		sep := ""
		if i < len(items)-1 {
			sep = ","
		}
		switch {
		case empty:
			line += it + sep
			empty = false
		case len([]rune(line))+1+len([]rune(it+sep)) > width:
			lines = append(lines, line)
			line = it + sep
		default:
			line += " " + it + sep
		}
	}
	if !empty || line != "" {
		lines = append(lines, line)
	}
	return lines
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

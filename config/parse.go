package config

import (
	"fmt"
	"github.com/acme-platform/ecr-replication/awsid"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parse validates the CDK context and returns the configuration. Every
// documented key (see [Keys]) is checked before anything is built, and all
// problems are reported at once: the error is a [*ValidationError] when the
// input is bad. env supplies CDK_DEFAULT_ACCOUNT, the default of
// sourceAccount.
//
// Strings are trimmed; an explicitly empty value is an error, never the
// default. List keys take a comma-separated string or a JSON array of
// strings (an empty array is an empty list); numeric keys take JSON numbers
// or numeric strings; boolean keys take JSON booleans or "true"/"false".
func Parse(ctx map[string]any, env Env) (*Config, error) {
	c, problems, _ := parse(ctx, env)
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return c, nil
}

// parser collects problems while reading the context.
type parser struct {
	ctx      map[string]any
	env      Env
	problems []Problem
	read     []string // keys read, in order (checked by the tests against Keys)

	// Read by parseRegions and parseAccounts, checked together by checkDestinations.
	sourceRegion            string
	sourceRegionOK          bool
	dests                   []destEntry // destinationRegion, secondaryRegion, additionalRegions
	additionalRaw           string
	sourceAccount           string // sourceAccount or CDK_DEFAULT_ACCOUNT, "" when unknown or bad
	sourceAccountOK         bool   // sourceAccount (or CDK_DEFAULT_ACCOUNT) is valid or absent
	destinationAccountGiven bool
	destinationAccountOK    bool
	accounts                destAccounts // set by checkDestinations
	contextDests            []destEntry  // the context's destinations that were accepted

	// The fleet file, checked by checkNamespaces once the accounts are known.
	fleetDoc *fleetDoc
}

// parse does the work of Parse and also returns the keys it read.
func parse(ctx map[string]any, env Env) (*Config, []Problem, []string) {
	p := &parser{ctx: ctx, env: env}
	c := &Config{}
	// Keys are read in keyTable order.
	p.parseRegions(c)
	p.parseRepositories(c)
	p.parseLifecycle(c)
	p.parseAccounts(c)
	p.checkDestinations(c)
	p.checkNamespaces(c)
	p.parseMonitoring(c)
	p.parseTeardown(c)
	p.checkUnknownKeys()
	return c, p.finish(), p.read
}

// given reports whether the context sets key.
func (p *parser) given(key string) bool {
	_, ok := p.ctx[key]
	return ok
}

// rawValue renders the value of key as given, for messages.
func (p *parser) rawValue(key string) string {
	if v, ok := p.ctx[key]; ok {
		return display(v)
	}
	return ""
}

// characters renders a length.
func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}

// defaultNote explains, for a key the user did not set, that its default
// caused a conflict.
func (p *parser) defaultNote(key, def, alternative string) string {
	if p.given(key) {
		return ""
	}
	return fmt.Sprintf(" (%s is not set, so its default %s applies: set -c %s=…%s)", key, def, key, alternative)
}

// ---------------------------------------------------------------- regions

const (
	expRegion     = "a known AWS region such as us-east-1"
	expSecondary  = expRegion + ", or none to disable the second destination"
	expAdditional = "a comma-separated list of known AWS regions, each optionally @account, such as ap-southeast-2,eu-central-1@222222222222, or none"
)

// region reads a single-region key; with allowNone the literal none
// returns none=true.
func (p *parser) region(key, def, expected string, allowNone bool) (region string, none, ok bool) {
	s, given, ok := p.text(key, expected)
	if !ok {
		return "", false, false
	}
	if !given {
		s = def
	}
	if allowNone && s == "none" {
		return "", true, true
	}
	if !awsid.IsRegion(s) {
		hint := regionSuggestion(s)
		if r, _, at := strings.Cut(s, "@"); at && awsid.IsRegion(r) {
			hint = " (" + key + " takes no @account: the source account is sourceAccount)"
		}
		p.add(key, s, expected+hint)
		return "", false, false
	}
	return s, false, true
}

func regionSuggestion(s string) string {
	if h := awsid.RegionHint(s); h != "" {
		return fmt.Sprintf(" (did you mean %q?)", h)
	}
	return ""
}

// destEntry is one destination as given: a region, optionally @account.
type destEntry struct {
	key     string   // the context key that names it (repositoriesFile for a namespace's)
	at      Location // its place in the fleet file; zero for a context key
	entry   string   // as given, e.g. us-west-2@222222222222
	region  string   // the part before @
	account string   // the part after @, or "" without @
	valid   bool     // region and account are well formed
	// inheritedBy names the namespace that has this context destination because it names
	// none of its own ("" otherwise).
	inheritedBy string
}

// name names the entry in messages: its key, or its path in the fleet file.
func (d destEntry) name() string {
	switch {
	case d.inheritedBy != "":
		return fmt.Sprintf("%s (the context's destination, which %s has)", d.key, d.inheritedBy)
	case d.at.Path != "":
		return d.at.Path
	}
	return d.key
}

// reportDest records a problem about destination d.
func (p *parser) reportDest(d destEntry, expected string) {
	p.problems = append(p.problems, Problem{Key: d.key, Value: d.entry, Expected: expected, At: d.at})
}

const expAtAccount = "a 12-digit AWS account ID after the @, such as us-west-2@123456789012 (region@account puts a destination in its own account)"

// destinationEntry splits one destination entry at its @ and checks both parts; problems
// go to key (at at, for the fleet file) and show the whole entry.
func (p *parser) destinationEntry(key string, at Location, entry, expected string) destEntry {
	region, account, hasAt := strings.Cut(entry, "@")
	d := destEntry{key: key, at: at, entry: entry, region: region, account: account, valid: true}
	if !awsid.IsRegion(region) {
		p.reportDest(d, expected+regionSuggestion(region))
		d.valid = false
	}
	if hasAt && !awsid.IsAccount(account) {
		p.reportDest(d, expAtAccount)
		d.valid = false
	}
	return d
}

// destination reads destinationRegion or secondaryRegion: a region or region@account (or,
// with allowNone, the literal none). It returns false when there is no destination to check.
func (p *parser) destination(key, def, expected string, allowNone bool) (destEntry, bool) {
	s, given, ok := p.text(key, expected)
	if !ok {
		return destEntry{}, false
	}
	if !given {
		s = def
	}
	if allowNone && s == "none" {
		return destEntry{}, false
	}
	return p.destinationEntry(key, Location{}, s, expected), true
}

func (p *parser) parseRegions(c *Config) {
	src, _, srcOK := p.region(keySourceRegion, "us-east-1", expRegion, false)
	c.SourceRegion = src
	p.sourceRegion, p.sourceRegionOK = src, srcOK
	if d, ok := p.destination(keyDestinationRegion, "us-west-2", expRegion, false); ok {
		p.dests = append(p.dests, d)
	}
	if d, ok := p.destination(keySecondaryRegion, "eu-west-1", expSecondary, true); ok {
		p.dests = append(p.dests, d)
	}
	add := p.list(keyAdditionalRegions, expAdditional, true)
	p.additionalRaw = add.raw
	listed, repeated := map[string]bool{}, map[string]bool{}
	for _, e := range add.entries {
		switch {
		case e == "none":
			p.add(keyAdditionalRegions, e, "none on its own, not mixed with regions")
		case listed[e]:
			if !repeated[e] {
				repeated[e] = true
				p.add(keyAdditionalRegions, e, fmt.Sprintf("each region once: %q is listed more than once in additionalRegions", e))
			}
		default:
			listed[e] = true
			p.dests = append(p.dests, p.destinationEntry(keyAdditionalRegions, Location{}, e, expRegion))
		}
	}
}

// destAccounts resolves the account of destination entries, once the accounts are read.
type destAccounts struct {
	sourceRegion   string // "" when sourceRegion is bad
	source         string // the source account, "" when unknown
	sourceOK       bool   // sourceAccount is valid (or absent)
	defaultAccount string // of a destination without @: destinationAccount, else the source account
	defaultKnown   bool   // false when the key that decides defaultAccount is bad
}

// id identifies a destination's account: "" for the source account, "?" when it cannot be
// told.
func (a destAccounts) id(d destEntry) string {
	switch {
	case d.account != "" && d.account == a.source:
		return ""
	case d.account != "":
		return d.account
	case !a.defaultKnown:
		return "?"
	case a.defaultAccount == a.source:
		return ""
	}
	return a.defaultAccount
}

// isSource reports whether d is the source registry itself (decidable only with a valid
// source region and account).
func (a destAccounts) isSource(d destEntry) bool {
	return a.sourceRegion != "" && d.region == a.sourceRegion && a.sourceOK && a.id(d) == ""
}

// describe names d's account for a message.
func (a destAccounts) describe(d destEntry) string {
	switch id := a.id(d); id {
	case "":
		return "the source account"
	case "?":
		return "the destination account"
	default:
		return "account " + id
	}
}

// destinationPair is a destination as ECR counts them: a region in an account (destAccounts.id).
type destinationPair struct{ region, account string }

// checkDestinations resolves each destination's account and checks the context's
// destinations together, once the accounts are read: never the source registry itself, the
// source's partition, each destination once, each region once, at most 25, and a known
// source account when one is in another account.
func (p *parser) checkDestinations(c *Config) {
	p.accounts = destAccounts{source: c.SourceAccount, sourceOK: p.sourceAccountOK,
		defaultAccount: c.SourceAccount, defaultKnown: p.sourceAccountOK}
	if p.sourceRegionOK {
		p.accounts.sourceRegion = p.sourceRegion
	}
	if p.destinationAccountGiven {
		p.accounts.defaultAccount, p.accounts.defaultKnown = c.DestinationAccount, p.destinationAccountOK
	}
	p.requireSourceAccount(c)
	notes := map[string]string{
		keyDestinationRegion: p.defaultNote(keyDestinationRegion, "us-west-2", ""),
		keySecondaryRegion:   p.defaultNote(keySecondaryRegion, "eu-west-1", " or none"),
	}
	p.contextDests = p.acceptDestinations(p.dests, map[string]destEntry{}, notes)
	c.DestinationRegions, c.DestinationRegionAccounts = regionsAndAccounts(p.contextDests)

	// ECR quota: 25 unique destinations (a region in an account) across all rules. Count
	// every destination named, valid or not, so a long list is reported even when it also
	// has bad entries.
	if n := p.countDestinations(p.dests); n > maxDestinations {
		p.add(keyAdditionalRegions, p.additionalRaw, fmt.Sprintf(
			"at most %d destinations in total, a destination being a region in an account (ECR service quota on unique replication destinations, not checked by CloudFormation or CDK); got %d",
			maxDestinations, n))
	}
}

// regionsAndAccounts returns the regions of accepted destinations and the accounts they
// name (nil when none names one), as DestinationRegions and DestinationRegionAccounts.
func regionsAndAccounts(accepted []destEntry) (regions, accounts []string) {
	for _, d := range accepted {
		regions = append(regions, d.region)
		accounts = append(accounts, d.account)
	}
	if !slices.ContainsFunc(accounts, func(a string) bool { return a != "" }) {
		accounts = nil
	}
	return regions, accounts
}

// requireSourceAccount refuses an unknown source account when a destination (of the context
// or of a namespace of the fleet file) is in another account.
func (p *parser) requireSourceAccount(c *Config) {
	if !p.sourceAccountOK || c.SourceAccount != "" {
		return
	}
	var needs []string
	if p.destinationAccountGiven && p.destinationAccountOK {
		needs = append(needs, "destinationAccount "+c.DestinationAccount)
	}
	all := slices.Clone(p.dests)
	if p.fleetDoc != nil {
		for _, ns := range p.fleetDoc.namespaces {
			all = append(all, ns.dests...)
		}
	}
	for _, d := range all {
		if d.valid && d.account != "" {
			where := d.key
			if d.at.Path != "" {
				where += " " + d.at.Path
			}
			needs = append(needs, where+" "+d.entry)
		}
	}
	if len(needs) == 0 {
		return
	}
	if len(needs) > 3 {
		needs = append(needs[:3], fmt.Sprintf("%d more", len(needs)-3))
	}
	p.add(keySourceAccount, "", fmt.Sprintf(
		"the 12-digit source account: pass -c sourceAccount=… or run with AWS credentials so CDK_DEFAULT_ACCOUNT is set "+
			"(cross-account replication to %s needs it)", strings.Join(needs, ", ")))
}

// acceptDestinations checks entries in order and returns those accepted: never the source
// registry, the source's partition, each destination once among entries, and each region in
// one account. regions maps a region to the entry that named it first; callers share it
// between lists that must agree (the namespaces of the fleet file). notes adds to the
// message of a key (the default a key has when it is not set).
func (p *parser) acceptDestinations(entries []destEntry, regions map[string]destEntry, notes map[string]string) []destEntry {
	a := p.accounts
	first := map[destinationPair]destEntry{} // destination → the entry that names it first
	var accepted []destEntry
	for _, d := range entries {
		if !d.valid || !p.sameRegistryRules(d, notes[d.key]) {
			continue
		}
		id := destinationPair{d.region, a.id(d)}
		if f, dup := first[id]; dup {
			as := ""
			if f.entry != d.entry {
				as = fmt.Sprintf(" as %q (both are %s in %s)", f.entry, d.region, a.describe(d))
			}
			p.reportDest(d, fmt.Sprintf("each destination once: %q is already %s%s%s", d.entry, f.name(), as, notes[d.key]))
			continue
		}
		if f, dup := regions[d.region]; dup && a.id(f) != a.id(d) {
			at, other := d, f
			if d.at == (Location{}) && f.at != (Location{}) { // report in the file when one of them is there
				at, other = f, d
			}
			p.reportDest(at, fmt.Sprintf(
				"each destination region once: %s is already %s (%q, in %s); the app deploys one replica stack per region "+
					"(ecr-replication-replica-%s), so one region cannot receive replicas in two accounts%s",
				d.region, other.name(), other.entry, a.describe(other), d.region, notes[at.key]))
			continue
		}
		first[id] = d
		if _, seen := regions[d.region]; !seen {
			regions[d.region] = d
		}
		accepted = append(accepted, d)
	}
	return accepted
}

// sameRegistryRules checks that d is not the source registry itself and is in the source's
// partition; note adds to the message.
func (p *parser) sameRegistryRules(d destEntry, note string) bool {
	src := p.accounts.sourceRegion
	if src == "" {
		return true
	}
	if p.accounts.isSource(d) {
		p.reportDest(d, fmt.Sprintf(
			"a region other than sourceRegion %q in the source account (the same region in another account is written %s@<account>)%s",
			src, src, note))
		return false
	}
	if sp, dp := awsid.PartitionOf(src), awsid.PartitionOf(d.region); dp != sp {
		p.reportDest(d, fmt.Sprintf(
			"a region in the %s partition of sourceRegion %q: ECR does not replicate to regions of another partition (%s is in %s)%s",
			sp, src, d.region, dp, note))
		return false
	}
	return true
}

// countDestinations counts the unique destinations (a region in an account) of entries,
// valid or not, the source registry aside.
func (p *parser) countDestinations(entries []destEntry) int {
	unique := map[destinationPair]bool{}
	for _, d := range entries {
		if !p.accounts.isSource(d) {
			unique[destinationPair{d.region, p.accounts.id(d)}] = true
		}
	}
	return len(unique)
}

// ----------------------------------------------------------- repositories

const (
	expPrefix = "2–200 characters: one or more /-separated components made of lower-case letters, digits, and . _ - separators " +
		"(a separator only between letters or digits), such as enterprise-apps or team/apps"
	expRepoList = "a comma-separated list of repository names under repoPrefix " +
		"(lower-case letters, digits, and . _ - separators, / between components), or none"
	expRepoName = "a repository name made of lower-case letters, digits, and . _ - separators " +
		"(a separator only between letters or digits, / between components), such as api or team/api"
)

func (p *parser) repoPrefix() (string, bool) {
	s, given, ok := p.text(keyRepoPrefix, expPrefix)
	if !ok {
		return "", false
	}
	if !given {
		s = "enterprise-apps"
	}
	if expected := prefixProblem(s); expected != "" {
		p.add(keyRepoPrefix, s, expected)
		return "", false
	}
	return s, true
}

// prefixProblem returns what is expected instead of s as a namespace's prefix, or "".
func prefixProblem(s string) string {
	if n := utf8.RuneCountInString(s); n < minRepoPrefixLen || n > maxRepoPrefixLen {
		return fmt.Sprintf("%s; got %s", expPrefix, characters(n))
	}
	if !awsid.IsRepositoryNamespace(s) {
		return expPrefix
	}
	return ""
}

// repositories reads a repository list. prefix is "" when repoPrefix is bad. With
// repositoriesFile, an absent list is empty rather than def: the file replaces the defaults.
func (p *parser) repositories(key, def, prefix string) ([]string, bool) {
	lv := p.list(key, expRepoList, true)
	if !lv.given {
		if p.given(keyRepositoriesFile) {
			return nil, true
		}
		return []string{def}, true
	}
	ok := !lv.bad
	var names []string
	seen, repeated := map[string]bool{}, map[string]bool{}
	for _, n := range lv.entries {
		switch {
		case n == "none":
			p.add(key, n, "none on its own (no repositories), not mixed with repository names")
		case seen[n]:
			if !repeated[n] {
				repeated[n] = true
				p.add(key, n, fmt.Sprintf("each repository once: %q is listed more than once in %s", n, key))
			}
		case !awsid.IsRepositoryNamespace(n):
			seen[n] = true
			p.add(key, n, expRepoName)
		case prefix != "" && len(prefix)+1+len(n) > maxRepoNameLen:
			seen[n] = true
			p.add(key, n, fmt.Sprintf("a full repository name %s/<name> of at most %d characters; got %d",
				prefix, maxRepoNameLen, len(prefix)+1+len(n)))
		default:
			seen[n] = true
			names = append(names, n)
			continue
		}
		ok = false
	}
	return names, ok
}

func (p *parser) parseRepositories(c *Config) {
	prefix, prefixOK := p.repoPrefix()
	prod, prodOK := p.repositories(keyProductionRepositories, "production", prefix)
	test, testOK := p.repositories(keyTestingRepositories, "testing", prefix)
	test, testOK = p.notInBoth(prod, test, testOK)

	// The fleet file adds to the lists (which, with it, default to none), or lists namespaces.
	doc := p.fleet(prefix)
	p.fleetDoc = doc
	c.DeleteReplication, _ = p.boolean(keyDeleteReplication, false)
	if doc.many {
		p.refuseOneNamespaceKeys(doc)
		return
	}
	prod, test, fileOK := p.addFleet(c, doc, prod, test)

	if prodOK && testOK && fileOK && len(prod)+len(test) == 0 {
		if doc.given {
			p.add(keyRepositoriesFile, p.rawValue(keyRepositoriesFile),
				"at least one repository overall: repositoriesFile lists none, and productionRepositories and testingRepositories add none")
		} else {
			p.add(keyProductionRepositories, p.rawValue(keyProductionRepositories),
				"at least one repository overall: productionRepositories and testingRepositories are both empty")
		}
	}
	p.checkRepositoryIDs(prod, test)
	if prefixOK {
		c.RepoPrefix = prefix
	}
	c.ProductionRepositories, c.TestingRepositories = prod, test
}

// notInBoth drops from test the names already in prod, refusing them.
func (p *parser) notInBoth(prod, test []string, testOK bool) ([]string, bool) {
	inProd := map[string]bool{}
	for _, n := range prod {
		inProd[n] = true
	}
	var kept []string
	for _, n := range test {
		if inProd[n] {
			p.add(keyTestingRepositories, n, fmt.Sprintf(
				"a name not already in productionRepositories: %q is in both productionRepositories and testingRepositories%s%s",
				n, p.defaultNote(keyProductionRepositories, "production", " or none"), p.defaultNote(keyTestingRepositories, "testing", " or none")))
			testOK = false
			continue
		}
		kept = append(kept, n)
	}
	return kept, testOK
}

// addFleet adds the repositories of the fleet file (the one-namespace form) to the lists,
// refusing those already in them, and records their overrides.
func (p *parser) addFleet(c *Config, doc *fleetDoc, prod, test []string) ([]string, []string, bool) {
	fileOK := doc.ok
	inProd, inTest := map[string]bool{}, map[string]bool{}
	for _, n := range prod {
		inProd[n] = true
	}
	for _, n := range test {
		inTest[n] = true
	}
	for _, e := range doc.repositories {
		listKey := ""
		switch {
		case inProd[e.name]:
			listKey = keyProductionRepositories
		case inTest[e.name]:
			listKey = keyTestingRepositories
		}
		if listKey != "" {
			p.problems = append(p.problems, Problem{Key: keyRepositoriesFile, Value: e.name, At: e.at, Expected: fmt.Sprintf(
				"a repository not already in %s: %q is in both %s and repositoriesFile (list each repository once: the file and the lists add up)",
				listKey, e.name, listKey)})
			fileOK = false
			continue
		}
		switch e.profile {
		case ProfileProduction:
			prod = append(prod, e.name)
		case ProfileTesting:
			test = append(test, e.name)
		default:
			continue
		}
		if !e.overrides.IsZero() {
			if c.RepositoryOverrides == nil {
				c.RepositoryOverrides = map[string]Overrides{}
			}
			c.RepositoryOverrides[e.name] = e.overrides
		}
	}
	return prod, test, fileOK
}

// checkRepositoryIDs refuses names that would share a construct id. Construct ids, and so
// CloudFormation logical ids, are made of a name's letters and digits (awsid.ConstructID):
// two names that differ only in separators would share one.
func (p *parser) checkRepositoryIDs(prod, test []string) {
	ids := map[string]string{}
	for _, group := range []struct {
		key   string
		names []string
	}{{keyProductionRepositories, prod}, {keyTestingRepositories, test}} {
		for _, n := range group.names {
			id := awsid.ConstructID(n)
			if other, ok := ids[id]; ok && other != n {
				p.add(group.key, n, fmt.Sprintf("a name whose letters and digits differ from those of %q: both would be the construct id %q, so their resources would collide", other, id))
				continue
			}
			ids[id] = n
		}
	}
}

// refuseOneNamespaceKeys refuses the context keys of the one-namespace form next to a fleet
// file of namespaces, saying what to write instead.
func (p *parser) refuseOneNamespaceKeys(doc *fleetDoc) {
	file := fmt.Sprintf("with a fleet file of namespaces (repositoriesFile %s)", doc.file)
	if p.given(keyRepoPrefix) {
		p.add(keyRepoPrefix, p.rawValue(keyRepoPrefix), fmt.Sprintf(
			"no repoPrefix %s: each namespace names its own (namespaces[i].prefix); remove repoPrefix, or list the repositories of one namespace under repositories: instead of namespaces:", file))
	}
	for _, k := range []struct{ key, profile string }{{keyProductionRepositories, "production"}, {keyTestingRepositories, "testing"}} {
		if p.given(k.key) {
			p.add(k.key, p.rawValue(k.key), fmt.Sprintf(
				"no %s %s: list each repository under its namespace's repositories, with profile: %s", k.key, file, k.profile))
		}
	}
}

// -------------------------------------------------------------- lifecycle

// tagPrefixRE: Docker tag characters; the first cannot be . or -.
var tagPrefixRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

const (
	expCount   = "an integer from 1 to 10000 (images to keep; ECR rejects a countNumber of 0)"
	expDays    = "an integer from 1 to 3650 (days)"
	expTagList = "a comma-separated list of 1 to 49 tag prefixes such as prod,release"
	expTag     = "a tag prefix of 1–128 characters from A-Z a-z 0-9 _ . - that does not start with . or - (a Docker tag's first character cannot be . or -)"
)

func (p *parser) tagPrefixes(key string, def []string) ([]string, bool) {
	lv := p.list(key, expTagList, false)
	if !lv.given {
		return slices.Clone(def), true
	}
	if len(lv.entries) == 0 {
		if !lv.bad {
			p.add(key, lv.raw, expTagList+"; got none")
		}
		return nil, false
	}
	prefixes, ok := checkTagPrefixes(lv.entries, key, func(i int, value, expected string) {
		if i < 0 {
			value = lv.raw
		}
		p.add(key, value, expected)
	})
	return prefixes, ok && !lv.bad
}

// checkTagPrefixes checks a non-empty list of tag prefixes named name (a key, or a path in
// repositoriesFile): at most 49, each once, well formed, none a prefix of another. report
// records a problem about entry i (-1 for the list as a whole). It returns the well-formed
// prefixes and whether all were fine.
func checkTagPrefixes(entries []string, name string, report func(i int, value, expected string)) ([]string, bool) {
	ok := true
	if n := len(entries); n > maxTagPrefixes {
		report(-1, "", fmt.Sprintf(
			"at most %d tag prefixes (one lifecycle rule each, and a policy holds 50 rules including the untagged rule); got %d",
			maxTagPrefixes, n))
		ok = false
	}
	var prefixes []string
	var index []int // index[j] is the entry of prefixes[j]
	seen, repeated := map[string]bool{}, map[string]bool{}
	for i, t := range entries {
		switch {
		case seen[t]:
			if !repeated[t] {
				repeated[t] = true
				report(i, t, fmt.Sprintf("each prefix once: %q is listed more than once in %s", t, name))
			}
		case !tagPrefixRE.MatchString(t):
			seen[t] = true
			report(i, t, expTag)
		case len(t) > maxTagPrefixLen:
			seen[t] = true
			report(i, t, fmt.Sprintf("%s; got %s", expTag, characters(len(t))))
		default:
			seen[t] = true
			prefixes = append(prefixes, t)
			index = append(index, i)
			continue
		}
		ok = false
	}
	if len(prefixes) <= maxTagPrefixes { // keep the pairwise check small
		for _, a := range prefixes {
			for j, b := range prefixes {
				if a != b && strings.HasPrefix(b, a) {
					report(index[j], b, fmt.Sprintf(
						"prefixes that do not overlap: %q is a prefix of %q, so the rule for %s would also claim %s* images",
						a, b, a, b))
					ok = false
				}
			}
		}
	}
	return prefixes, ok
}

func (p *parser) parseLifecycle(c *Config) {
	c.ProductionImageCount, _ = p.integer(keyProductionImageCount, 10, 1, maxImageCount, expCount)
	c.ProductionTagPrefixes, _ = p.tagPrefixes(keyProductionTagPrefixes, []string{"prod", "release"})
	c.UntaggedExpiryDays, _ = p.integer(keyUntaggedExpiryDays, 1, 1, maxDays, expDays)
	c.TestingImageCount, _ = p.integer(keyTestingImageCount, 5, 1, maxImageCount, expCount)
	c.TestingTagPrefixes, _ = p.tagPrefixes(keyTestingTagPrefixes, []string{"test", "dev", "staging"})
	c.TestingMaxAgeDays, _ = p.integer(keyTestingMaxAgeDays, 7, 1, maxDays, expDays)
}

// --------------------------------------------------------------- accounts

const (
	expAccount      = "a 12-digit AWS account ID such as 123456789012"
	expPullAccounts = "a comma-separated list of 12-digit AWS account IDs, or none"
	expOrgID        = "an AWS Organizations ID matching ^o-[a-z0-9]{10,32}$, such as o-a1b2c3d4e5"
	expEncryption   = "AES256 or KMS"
	expEmail        = "one plain e-mail address such as ops@example.com (no display name, angle brackets, spaces or commas)"
)

// account reads a single-account key: a string of 12 digits, or a JSON
// number that has 12 digits.
func (p *parser) account(key string) (acct string, given, ok bool) {
	v, present := p.get(key)
	if !present {
		return "", false, true
	}
	switch {
	case kindOf(v) == "a string":
		s := display(v)
		if awsid.IsAccount(s) {
			return s, true, true
		}
		p.add(key, s, expAccount)
	case isNumber(v):
		f, disp, fine := toFloat(v)
		if fine && f == math.Trunc(f) && f >= 1e11 && f < 1e12 {
			return strconv.FormatFloat(f, 'f', 0, 64), true, true
		}
		p.add(key, disp, expAccount+" (write it as a string: a JSON number loses leading zeros)")
	default:
		p.wrongType(key, v, expAccount)
	}
	return "", true, false
}

func (p *parser) parseAccounts(c *Config) {
	src, srcGiven, srcOK := p.account(keySourceAccount)
	if !srcGiven {
		if d := strings.TrimSpace(p.env.DefaultAccount); d != "" {
			if awsid.IsAccount(d) {
				src = d
			} else {
				p.add(keySourceAccount, d, expAccount+" (this value comes from CDK_DEFAULT_ACCOUNT; pass -c sourceAccount=… instead)")
				srcOK = false
			}
		}
	}
	dst, dstGiven, dstOK := p.account(keyDestinationAccount)
	c.SourceAccount, c.DestinationAccount = src, dst
	p.sourceAccount, p.sourceAccountOK, p.destinationAccountGiven, p.destinationAccountOK = src, srcOK, dstGiven, dstOK
	p.parseAccess(c)
	c.RepositoryStacks, _ = p.integer(keyRepositoryStacks, 1, 1, maxRepositoryStacks, expRepositoryStacks)
	c.Encryption = Encryption(p.choice(keyEncryption, string(EncryptionAES256), expEncryption, string(EncryptionAES256), string(EncryptionKMS)))
	p.parseSigning(c)
	if s, _, ok := p.text(keyAlertEmail, expEmail); ok && s != "" {
		if plainEmail(s) {
			c.AlertEmail = s
		} else {
			p.add(keyAlertEmail, s, expEmail)
		}
	}
}

// parseAccess reads who besides the source account may pull, and who may assume the roles.
func (p *parser) parseAccess(c *Config) {

	pull := p.list(keyPullAccounts, expPullAccounts, true)
	seen, repeated := map[string]bool{}, map[string]bool{}
	for _, a := range pull.entries {
		switch {
		case a == "none":
			p.add(keyPullAccounts, a, "none on its own, not mixed with account IDs")
		case seen[a]:
			if !repeated[a] {
				repeated[a] = true
				p.add(keyPullAccounts, a, fmt.Sprintf("each account once: %q is listed more than once in pullAccounts", a))
			}
		case !awsid.IsAccount(a):
			seen[a] = true
			p.add(keyPullAccounts, a, expAccount)
		default:
			seen[a] = true
			c.PullAccounts = append(c.PullAccounts, a)
		}
	}

	if s, _, ok := p.text(keyOrganizationID, expOrgID); ok && s != "" {
		if awsid.IsOrganizationID(s) {
			c.OrganizationID = s
		} else {
			p.add(keyOrganizationID, s, expOrgID)
		}
	}
	c.DeployRoleTrust = p.trustKey(keyDeployRoleTrust)
	c.CIRoleTrust = p.trustKey(keyCIRoleTrust)
}

// choice reads a key that takes one of values, def when it is absent or bad. A value that
// differs from one of them only in case is refused with a hint ("in upper case").
func (p *parser) choice(key, def, expected string, values ...string) string {
	s, given, ok := p.text(key, expected)
	if !given || !ok {
		return def
	}
	hint := ""
	for _, v := range values {
		switch {
		case s == v:
			return s
		case strings.EqualFold(s, v) && v == strings.ToUpper(v):
			hint = " (in upper case)"
		case strings.EqualFold(s, v):
			hint = " (in lower case)"
		}
	}
	p.add(key, s, expected+hint)
	return def
}

// plainEmail reports whether s is one bare e-mail address, as net/mail
// parses it, with no display name, no angle brackets or quoting, and a
// dotted domain.
func plainEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n,;<>()[]\\\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	return local != "" && len(local) <= 64 && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// ------------------------------------------------------------- monitoring

const (
	expThreshold = "a number greater than 0 and below 100 (percent; the alarm fires when the failure rate is above it)"
	expAttempts  = "an integer from 1 to 100000 (replications attempted in the window before the failure-rate alarm may fire)"
	expWindow    = "a whole number of minutes from 5 to 1440 that is a multiple of 5"
	expStdDevs   = "a number from 1 to 10 (standard deviations)"

	expStorageSchedule = "a whole number of minutes from 5 to 1440"
	// maxRepositoryStacks bounds repositoryStacks: 20 stacks of about 450 repositories each
	// hold 9,000 repositories per region.
	maxRepositoryStacks = 20
	expRepositoryStacks = "a whole number from 1 (the repositories stay in each region's stack) to 20"
	expGrowth           = "a number of GiB greater than 0 and at most 1000000"
	expLatency          = "a whole number of minutes from 1 to 1440"
	expActivityRepos    = "a comma-separated list of at most 25 repository names of productionRepositories, testingRepositories or repositoriesFile, or none"
	expStorageRepos     = "a comma-separated list of at most 10 repository names of productionRepositories, testingRepositories or repositoriesFile, or none"
)

// float reads a numeric key and checks it with inRange.
func (p *parser) float(key string, def float64, inRange func(float64) bool, expected string) float64 {
	f, disp, given, ok := p.number(key, expected)
	switch {
	case !given:
		return def
	case ok && !inRange(f):
		p.add(key, disp, expected)
	}
	return f
}

func (p *parser) parseMonitoring(c *Config) {
	c.ReplicationFailureThreshold = p.float(keyReplicationFailureThreshold, 10,
		func(f float64) bool { return f > 0 && f < 100 }, expThreshold)
	c.ReplicationMinimumAttempts, _ = p.integer(keyReplicationMinimumAttempts, 5, 1, maxMinimumAttempt, expAttempts)
	w, ok := p.integer(keyReplicationWindowMinutes, 60, minWindowMinutes, maxWindowMinutes, expWindow)
	if ok && w%5 != 0 {
		p.add(keyReplicationWindowMinutes, strconv.Itoa(w), expWindow)
	}
	c.ReplicationWindowMinutes = w
	c.ActivityAlarms, _ = p.boolean(keyActivityAlarms, true)
	c.ActivityAlarmRepositories = p.repositorySubset(c, keyActivityAlarmRepositories, expActivityRepos, maxActivityRepositories,
		"each gets a pull and a push anomaly alarm, about $0.60 a month, and a dashboard widget")
	c.AnomalyStdDevs = p.float(keyAnomalyStdDevs, 3, func(f float64) bool { return f >= 1 && f <= 10 }, expStdDevs)
	c.EnhancedScanning, _ = p.boolean(keyEnhancedScanning, false)
	c.StorageMetrics, _ = p.boolean(keyStorageMetrics, true)
	c.StorageScheduleMinutes, _ = p.integer(keyStorageScheduleMinutes, 60, 5, 1440, expStorageSchedule)
	p.parseStorageRepositories(c)
	c.StorageGrowthAlarmGiB = p.float(keyStorageGrowthAlarmGiB, 10, func(f float64) bool { return f > 0 && f <= 1e6 }, expGrowth)
	c.ReplicationLatency, _ = p.boolean(keyReplicationLatency, true)
	c.LatencyAlarmMinutes, _ = p.integer(keyLatencyAlarmMinutes, 30, 1, 1440, expLatency)
	c.LifecycleTrail, _ = p.boolean(keyLifecycleTrail, false)
}

// parseStorageRepositories reads storageRepositoryMetrics: names of configured repositories.
func (p *parser) parseStorageRepositories(c *Config) {
	c.StorageRepositoryMetrics = p.repositorySubset(c, keyStorageRepositoryMetrics, expStorageRepos, maxStorageRepositoryMetrics,
		"each gets a custom metric in every region, about $0.30 a month each")
}

// repositorySubset reads a list of at most max names of configured repositories and returns
// their full names, or nil when the key is not given.
func (p *parser) repositorySubset(c *Config, key, expected string, max int, why string) []string {
	lv := p.list(key, expected, true)
	if !lv.given || lv.bad {
		return nil
	}
	// Names of the one-namespace form are short; with namespaces, full names.
	known, short := map[string]bool{}, map[string]string{}
	for _, r := range c.Repositories() {
		if c.ManyNamespaces() {
			known[r.FullName], short[r.Name] = true, r.FullName
		} else {
			known[r.Name] = true
		}
	}
	out := []string{}
	seen := map[string]bool{}
	for _, n := range lv.entries {
		switch {
		case n == "none":
			if len(lv.entries) > 1 {
				p.add(key, n, "none on its own, not mixed with repository names")
			}
		case seen[n]:
			p.add(key, n, fmt.Sprintf("each repository once: %q is listed more than once", n))
		case c.ManyNamespaces() && !known[n]:
			hint := ""
			if full, ok := short[n]; ok {
				hint = fmt.Sprintf(" (did you mean %q?)", full)
			}
			p.add(key, n, "the full name of a repository of a namespace of repositoriesFile (<prefix>/<name>, such as payments/api)"+hint)
		case c.ManyNamespaces():
			out = append(out, n)
		case c.RepoPrefix != "" && !known[n]:
			p.add(key, n, "the name of a repository of productionRepositories, testingRepositories or repositoriesFile")
		default:
			out = append(out, c.RepoPrefix+"/"+n)
		}
		seen[n] = true
	}
	if n := len(out); n > max {
		p.add(key, lv.raw, fmt.Sprintf("at most %d repositories (%s); got %d", max, why, n))
	}
	return out
}

// ----------------------------------------------------------------- finish

// maxProblemsPerKey bounds the problems listed for one key, so that a huge
// list value gives a readable error.
const maxProblemsPerKey = 10

// finish sorts the problems, drops exact duplicates and shortens long runs
// of problems on one key.
func (p *parser) finish() []Problem {
	ps := slices.Clone(p.problems)
	sortProblems(ps)
	ps = slices.Compact(ps)
	var out []Problem
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].Key == ps[i].Key {
			j++
		}
		if n := j - i; n > maxProblemsPerKey {
			out = append(out, ps[i:i+maxProblemsPerKey]...)
			out = append(out, Problem{Key: ps[i].Key, Value: p.rawValue(ps[i].Key), Expected: fmt.Sprintf(
				"valid entries throughout; %d more problems with this value are not listed", n-maxProblemsPerKey)})
		} else {
			out = append(out, ps[i:j]...)
		}
		i = j
	}
	return out
}

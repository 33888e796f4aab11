// Package naming holds the plain strings that connect the stacks of an ecr-replication app, and
// the checks of the props fields they are made from.
//
// The monitoring and measurement constructs of different regions find each other's rules,
// alarms and buses by deterministic names, never by a token (a token cannot cross a region
// without a Lambda-backed cross-region reference). Names therefore derive from plain values only:
// the repository namespace, regions, accounts and a name prefix ([DefaultPrefix]), and are
// shortened the same way everywhere ([Fit]). The field checks ([Namespace], [Region],
// [Account], [Destinations], [NamePrefix]) refuse, through a *checks.Problems, what would break
// such a name: a token, a malformed value; [Checked] runs a construct's checks and panics with
// the *checks.Error of every problem.
package naming

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/replication"
)

// Limits of the names the constructs give.
const (
	// MaxRule is the longest EventBridge rule name (1-64 characters of [.-_A-Za-z0-9]).
	MaxRule = 64
	// MaxAlarm is the longest CloudWatch alarm name.
	MaxAlarm = 255
	// MaxStatementID is the longest event-bus policy statement id ([A-Za-z0-9_-]).
	MaxStatementID = 64
	// MaxPrefix is the longest name prefix: it leaves room in a 64-character rule name for
	// what follows it.
	MaxPrefix = 40
)

var (
	unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	namePrefix  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`) // 40 = MaxPrefix
)

// DefaultPrefix is the name prefix of a construct whose props leave NamePrefix empty: "ecr-"
// followed by the repository namespace with "/" turned into "-", such as "ecr-enterprise-apps"
// for "enterprise-apps". A namespace too long for MaxPrefix is cut, with a hash of the whole
// namespace so that two long namespaces stay apart.
func DefaultPrefix(repositoryPrefix string) string {
	return Fit("ecr-"+strings.Trim(repositoryPrefix, "/"), MaxPrefix)
}

// PrefixOr returns namePrefix, or DefaultPrefix(repositoryPrefix) when it is empty.
func PrefixOr(namePrefix, repositoryPrefix string) string {
	if namePrefix != "" {
		return namePrefix
	}
	return DefaultPrefix(repositoryPrefix)
}

// Sanitize turns every run of characters outside A-Za-z0-9._- into "-" and trims "-" at
// both ends, so that a name can be typed into the console and built into an ARN unescaped.
func Sanitize(s string) string {
	return strings.Trim(unsafeChars.ReplaceAllString(s, "-"), "-")
}

// Fit sanitizes name and keeps it when it has at most max characters; otherwise it shortens
// it with a hash of the whole name (awsid.Fit), so that distinct long names stay distinct and
// every run gives the same name.
func Fit(name string, max int) string {
	return awsid.Fit(Sanitize(name), max)
}

// ShortRepositoryName is a repository's name without its namespace, name-safe:
// "enterprise-apps/team/api" under "enterprise-apps" is "team-api".
func ShortRepositoryName(repositoryPrefix, repositoryName string) string {
	return Sanitize(strings.TrimPrefix(repositoryName, strings.Trim(repositoryPrefix, "/")+"/"))
}

// Minutes prints a duration's length in a problem: checks.Problems.Add(field, Minutes(1441), …)
// reads "got 1441 minutes".
type Minutes float64

func (m Minutes) String() string { return fmt.Sprintf("%g minutes", float64(m)) }

// unresolved prints as the value of a field that holds a CDK token.
type unresolved struct{}

func (unresolved) String() string { return "an unresolved token" }

// Unresolved is the value to report for a field that holds a CDK token: checks.Problems.Add
// prints it as "got an unresolved token".
var Unresolved = unresolved{}

// Namespace checks a repository namespace such as "enterprise-apps": required, plain, a valid
// repository name prefix with no leading or trailing "/". It is written into rule names,
// event patterns, IAM resources and state-machine expressions.
func Namespace(p *checks.Problems, field, value string) {
	const want = `a repository namespace such as "enterprise-apps": lower-case letters, digits, ._- and inner /, no leading or trailing /`
	switch {
	case value == "":
		p.Missing(field, want)
	case awsid.IsToken(value):
		p.Add(field, Unresolved, want)
	case strings.HasPrefix(value, "/") || strings.HasSuffix(value, "/") || !awsid.IsRepositoryNamespace(value):
		p.Add(field, value, want)
	}
}

// Region checks a required region name: plain (a token cannot cross regions without a
// Lambda-backed cross-region reference) and known.
func Region(p *checks.Problems, field, value string) {
	const want = `a known AWS region such as "us-east-1"`
	switch {
	case value == "":
		p.Missing(field, want)
	case awsid.IsToken(value):
		p.Add(field, Unresolved, "a plain region name (tokens cannot cross regions without Lambda-backed cross-region references)")
	case !awsid.IsRegion(value):
		p.Add(field, value, want)
	}
}

// Account checks an optional account id: empty, or plain and well formed. Accounts are
// compared, written into event patterns and construct ids, and travel between stacks.
func Account(p *checks.Problems, field, value string) {
	switch {
	case value == "":
	case awsid.IsToken(value):
		p.Add(field, Unresolved, awsid.AccountRule+" or nothing")
	case !awsid.IsAccount(value):
		p.Add(field, value, awsid.AccountRule+" or nothing")
	}
}

// Destinations checks a required list of destinations: at least one, each with a known plain
// region and an optional plain account. Callers add their own rule for repeated entries.
func Destinations(p *checks.Problems, field string, destinations []replication.Destination) {
	if len(destinations) == 0 {
		p.Missing(field, "at least one destination region")
	}
	for i, d := range destinations {
		Region(p, fmt.Sprintf("%s[%d].Region", field, i), d.Region)
		Account(p, fmt.Sprintf("%s[%d].Account", field, i), d.Account)
	}
}

// Checked returns props, or a new zero value when it is nil, after check has recorded every
// problem of it for a construct of kind about to be created as id in scope: with any problem,
// it panics with the *checks.Error that lists them all (the CDK contract for construct misuse;
// callers read it with errors.As).
func Checked[P any](kind string, scope constructs.Construct, id string, props *P, check func(*P, *checks.Problems, constructs.Construct)) *P {
	if props == nil {
		props = new(P)
	}
	problems := checks.For(kind, scope, id)
	check(props, problems, scope)
	problems.Panic()
	return props
}

// NamePrefix checks an optional name prefix: empty, or 1-40 characters of A-Za-z0-9._-.
func NamePrefix(p *checks.Problems, field, value string) {
	if value != "" && !namePrefix.MatchString(value) {
		p.Add(field, value, "1-40 characters of A-Za-z0-9._-")
	}
}

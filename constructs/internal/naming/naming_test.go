package naming

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/replication"
)

// TestNames: the expected hashes are the first 8 hex digits of the SHA-256 of the whole name,
// computed outside Go (python3 hashlib).
func TestNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{DefaultPrefix("enterprise-apps"), "ecr-enterprise-apps"},
		{DefaultPrefix("team/apps"), "ecr-team-apps"},
		{DefaultPrefix("team/apps/"), "ecr-team-apps"},
		{DefaultPrefix(strings.Repeat("a1234567890", 10)), "ecr-a1234567890a1234567890a1234-" + "9a7615b0"},
		{PrefixOr("", "enterprise-apps"), "ecr-enterprise-apps"},
		{PrefixOr("custom", "enterprise-apps"), "custom"},
		{Sanitize("--a b/c..d--"), "a-b-c..d"},
		{Fit("ecr a/b", 64), "ecr-a-b"},
		{Fit(strings.Repeat("x", 70), 64), strings.Repeat("x", 55) + "-" + "c71bd109"},
		{ShortRepositoryName("enterprise-apps", "enterprise-apps/team/api"), "team-api"},
		{ShortRepositoryName("enterprise-apps", "enterprise-apps/production"), "production"},
	} {
		if c.got != c.want {
			t.Errorf("got %q; want %q", c.got, c.want)
		}
	}
	if a, b := DefaultPrefix(strings.Repeat("b", 60)), DefaultPrefix(strings.Repeat("b", 61)); a == b || len(a) > MaxPrefix || len(b) > MaxPrefix {
		t.Errorf("two long namespaces: %q and %q; want distinct prefixes of at most %d characters", a, b, MaxPrefix)
	}
}

func TestFieldChecks(t *testing.T) {
	token := "${Token[TOKEN.12]}"
	p := checks.For("Thing", nil, "T")
	Namespace(p, "A", "")
	Namespace(p, "B", token)
	Namespace(p, "C", "enterprise-apps/")
	Namespace(p, "D", "Upper")
	Namespace(p, "ok", "team/apps")
	Region(p, "E", "")
	Region(p, "F", token)
	Region(p, "G", "useast1")
	Region(p, "ok", "eu-west-1")
	Account(p, "H", token)
	Account(p, "I", "12345")
	Account(p, "ok", "")
	Account(p, "ok", "111111111111")
	NamePrefix(p, "J", "has space")
	NamePrefix(p, "K", strings.Repeat("a", 41))
	NamePrefix(p, "ok", "")
	NamePrefix(p, "ok", "ecr-team.apps_1")
	p.Add("L", Minutes(1441), "at most a day")
	Destinations(p, "M", nil)
	Destinations(p, "N", []replication.Destination{{Region: "us-west-2"}, {Region: "moon-1", Account: "1"}})
	const ns = `a repository namespace such as "enterprise-apps": lower-case letters, digits, ._- and inner /, no leading or trailing /`
	want := []string{
		"A: required; expected " + ns,
		"B: got an unresolved token; expected " + ns,
		`C: got "enterprise-apps/"; expected ` + ns,
		`D: got "Upper"; expected ` + ns,
		`E: required; expected a known AWS region such as "us-east-1"`,
		"F: got an unresolved token; expected a plain region name (tokens cannot cross regions without Lambda-backed cross-region references)",
		`G: got "useast1"; expected a known AWS region such as "us-east-1"`,
		"H: got an unresolved token; expected a 12-digit AWS account ID such as 123456789012 or nothing",
		`I: got "12345"; expected a 12-digit AWS account ID such as 123456789012 or nothing`,
		`J: got "has space"; expected 1-40 characters of A-Za-z0-9._-`,
		`K: got "` + strings.Repeat("a", 41) + `"; expected 1-40 characters of A-Za-z0-9._-`,
		"L: got 1441 minutes; expected at most a day",
		"M: required; expected at least one destination region",
		`N[1].Region: got "moon-1"; expected a known AWS region such as "us-east-1"`,
		`N[1].Account: got "1"; expected a 12-digit AWS account ID such as 123456789012 or nothing`,
	}
	err, _ := p.Err().(*checks.Error)
	if err == nil {
		t.Fatal("no problem recorded")
	}
	if strings.Join(err.Problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(err.Problems, "\n"), strings.Join(want, "\n"))
	}
}

type thingProps struct{ Name string }

func (p *thingProps) check(problems *checks.Problems, scope constructs.Construct) {
	if scope != nil {
		problems.Add("scope", "set", "nil in this test")
	}
	if p.Name == "" {
		problems.Missing("Name", "a name")
	}
}

func TestChecked(t *testing.T) {
	if got := Checked("Thing", nil, "T", &thingProps{Name: "a"}, (*thingProps).check); got == nil || got.Name != "a" {
		t.Errorf("Checked returned %v; want the props", got)
	}
	defer func() {
		var err *checks.Error
		if r, _ := recover().(error); !errors.As(r, &err) || err.Kind != "Thing" || err.Path != "T" || strings.Join(err.Problems, "|") != "Name: required; expected a name" {
			t.Errorf("Checked(nil props) panicked with %v; want the *checks.Error of the missing name", r)
		}
	}()
	Checked("Thing", nil, "T", nil, (*thingProps).check)
	t.Error("no panic")
}

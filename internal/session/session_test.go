package session

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/replication"
)

func TestFlags(t *testing.T) {
	var f Flags
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs)
	err := fs.Parse([]string{"--profile", "src", "-c", "a=1", "--context", "b=2", "--destination-profile", "222222222222=dst",
		"--destination-profile", "12=x", "--destination-profile", "", "--dir", "/p"})
	if err != nil {
		t.Fatal(err)
	}
	want := Flags{Profile: "src", Context: []string{"a=1", "b=2"}, DestinationProfiles: []string{"222222222222=dst", "12=x", ""}, Dir: "/p"}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("parsed %+v; want %+v", f, want)
	}
	problems := f.Problems()
	if len(problems) != 2 || !strings.Contains(problems[0], `"12" is not a 12-digit AWS account ID`) || !strings.Contains(problems[1], "empty") {
		t.Errorf("Problems() = %q; want the bad account and the empty value", problems)
	}
}

func TestSplitDestinationProfile(t *testing.T) {
	for _, tc := range []struct{ in, account, name, problem string }{
		{"222222222222=admin", "222222222222", "admin", ""},
		{"admin", "", "admin", ""},
		{"abc=admin", "", "", "is not a 12-digit AWS account ID"},
		{"222222222222=", "", "", "is not a profile name"},
		{"222222222222= admin", "", "", "is not a profile name"},
		{"   ", "", "", "empty"},
	} {
		account, name, problem := splitDestinationProfile(tc.in)
		if account != tc.account || name != tc.name || (tc.problem == "") != (problem == "") || !strings.Contains(problem, tc.problem) {
			t.Errorf("splitDestinationProfile(%q) = %q, %q, %q; want %q, %q, a problem containing %q", tc.in, account, name, problem, tc.account, tc.name, tc.problem)
		}
	}
}

func TestSessionFor(t *testing.T) {
	s := &Session{
		Source:       Account{ID: "111111111111", Profile: "src"},
		Destinations: map[string]Account{"222222222222": {ID: "222222222222", Profile: "dst"}},
		Context:      map[string]any{},
	}
	for _, tc := range []struct {
		d    replication.Destination
		want string
	}{
		{replication.Destination{Region: "us-west-2"}, "111111111111"},
		{replication.Destination{Region: "us-west-2", Account: "111111111111"}, "111111111111"},
		{replication.Destination{Region: "eu-west-1", Account: "222222222222"}, "222222222222"},
	} {
		if got := s.For(tc.d).ID; got != tc.want {
			t.Errorf("For(%v) = %s; want %s", tc.d, got, tc.want)
		}
	}
	if q := s.BootstrapQualifier(); q != DefaultBootstrapQualifier {
		t.Errorf("BootstrapQualifier() = %q", q)
	}
	s.Context["@aws-cdk/core:bootstrapQualifier"] = "custom1"
	if q := s.BootstrapQualifier(); q != "custom1" {
		t.Errorf("BootstrapQualifier() = %q; want custom1", q)
	}
}

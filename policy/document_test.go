package policy_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/policy"
)

func TestCanonicalComparesByMeaning(t *testing.T) {
	a := `{"Version":"2012-10-17","Statement":[{"Sid":"PullFromAccounts","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::333333333333:root","444444444444"]},"Action":["ecr:BatchGetImage","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer"]}]}`
	// One statement instead of a list, keys and list entries in another order, the bare
	// account id as its root ARN.
	b := `{"Statement":{"Action":["ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability","ecr:BatchGetImage"],"Effect":"Allow","Sid":"PullFromAccounts",
	        "Principal":{"AWS":["arn:aws:iam::444444444444:root","arn:aws:iam::333333333333:root"]}},"Version":"2012-10-17"}`
	ca, err1 := policy.Canonical(a, "aws")
	cb, err2 := policy.Canonical(b, "aws")
	if err1 != nil || err2 != nil || ca != cb {
		t.Fatalf("same meaning, different canonical forms:\n%s\n%s\n%v %v", ca, cb, err1, err2)
	}
	if !policy.SameMeaning(a, b, "aws") {
		t.Error("SameMeaning(a, b) = false")
	}
	for name, other := range map[string]string{
		"another action":    strings.Replace(a, "ecr:BatchGetImage", "ecr:PutImage", 1),
		"another principal": strings.Replace(a, "444444444444", "555555555555", 1),
		"another effect":    strings.Replace(a, "Allow", "Deny", 1),
	} {
		if policy.SameMeaning(a, other, "aws") {
			t.Errorf("%s must compare different", name)
		}
	}
	// A bare account is the root of the given partition.
	bare := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"444444444444"},"Action":"ecr:BatchGetImage"}]}`
	cn := strings.Replace(bare, `"444444444444"`, `"arn:aws-cn:iam::444444444444:root"`, 1)
	if !policy.SameMeaning(bare, cn, "aws-cn") || policy.SameMeaning(bare, cn, "aws") {
		t.Error("a bare account id must be the root ARN of the partition given")
	}
	// A decoded document (a template's, or one this package built) compares with its text.
	doc := policy.PullAccess{Accounts: []string{"333333333333"}}
	if !policy.SameMeaning(doc.Document(), doc.JSON(), "aws") {
		t.Error("a document and its JSON text must compare equal")
	}
	if _, err := policy.Canonical("{not json", "aws"); err == nil || !strings.HasPrefix(err.Error(), "not JSON: ") {
		t.Errorf("not JSON: error %v", err)
	}
	if policy.SameMeaning("{not json", "{not json", "aws") {
		t.Error("text that is not JSON means nothing, not the same")
	}
}

func TestStatements(t *testing.T) {
	// A template's document: Statement as a list, a principal and a resource built with
	// CloudFormation functions, a service principal.
	doc := map[string]any{"Statement": []any{
		map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": []any{"arn:aws:iam::111111111111:root", map[string]any{"Fn::Join": []any{}}}},
			"Action": []any{"ecr:ReplicateImage", "ecr:CreateRepository"}, "Resource": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:ecr:*"}},
		map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "*"},
		map[string]any{"Effect": "Deny", "Principal": "*", "Action": "ecr:*"},
	}}
	got, err := policy.Statements(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []policy.Statement{
		{Effect: "Allow", Principals: []string{"arn:aws:iam::111111111111:root"}, Actions: []string{"ecr:ReplicateImage", "ecr:CreateRepository"}},
		{Effect: "Allow", Actions: []string{"sns:Publish"}, Resources: []string{"*"}},
		{Effect: "Deny", Principals: []string{"*"}, Actions: []string{"ecr:*"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Statements =\n%+v\nwant\n%+v", got, want)
	}

	// Deployed text with one statement instead of a list.
	got, err = policy.Statements(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"ecr:*","Resource":"*"}}`)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0].Principals, []string{"111111111111"}) || !reflect.DeepEqual(got[0].Actions, []string{"ecr:*"}) {
		t.Errorf("one statement: %+v %v", got, err)
	}
	for text, msg := range map[string]string{`{"Version":"2012-10-17"}`: "no Statement list", `[1,2]`: "no Statement list", `{`: "not JSON: "} {
		if _, err := policy.Statements(text); err == nil || !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("Statements(%s): error %v, want %q", text, err, msg)
		}
	}
}

func TestStringsAndPrincipalAccount(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want []string
	}{
		{"a", []string{"a"}},
		{[]any{"a", 1, "b", map[string]any{"Ref": "x"}}, []string{"a", "b"}},
		{[]string{"a"}, []string{"a"}},
		{map[string]any{"Fn::Join": []any{}}, nil},
		{nil, nil},
	} {
		if got := policy.Strings(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Strings(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"111111111111": "111111111111", "arn:aws:iam::111111111111:root": "111111111111", "arn:aws-us-gov:iam::111111111111:root": "111111111111",
		"arn:aws:iam::111111111111:role/deploy": "", "*": "", "11111111111": "",
	} {
		got, ok := policy.PrincipalAccount(in)
		if got != want || ok != (want != "") {
			t.Errorf("PrincipalAccount(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

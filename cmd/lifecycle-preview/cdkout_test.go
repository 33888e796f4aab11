package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// writeStack writes NAME.template.json with the given resources into dir.
func writeStack(t *testing.T, dir, name string, resources map[string]any) {
	t.Helper()
	data, err := json.MarshalIndent(map[string]any{"Resources": resources}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+templateSuffix), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func repoResource(name any, policy any) map[string]any {
	props := map[string]any{"RepositoryName": name}
	if policy != nil {
		props["LifecyclePolicy"] = map[string]any{"LifecyclePolicyText": policy}
	}
	return map[string]any{"Type": typeRepository, "Properties": props}
}

func templateResource(prefix string, policy any) map[string]any {
	props := map[string]any{"Prefix": prefix, "AppliedFor": []string{"REPLICATION"}}
	if policy != nil {
		props["LifecyclePolicy"] = policy
	}
	return map[string]any{"Type": typeCreationTemplate, "Properties": props}
}

func policyText(t *testing.T, count int) string {
	t.Helper()
	text, err := lifecycle.ProductionProfile{ImageCount: count}.Policy().JSON()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestFindPolicyInCdkOut(t *testing.T) {
	p10, p3, p7 := policyText(t, 10), policyText(t, 3), policyText(t, 7)
	const repo = "enterprise-apps/production"

	t.Run("the same repository in source and replica stacks", func(t *testing.T) {
		dir := t.TempDir()
		writeStack(t, dir, "Source-us-east-1", map[string]any{"Repo": repoResource(repo, p10)})
		writeStack(t, dir, "Replica-us-west-2", map[string]any{"Repo": repoResource(repo, p10), "Other": repoResource("enterprise-apps/testing", p3)})
		found, warnings, err := findPolicyInCdkOut(dir, repo, "", "")
		if err != nil || found.stack != "Replica-us-west-2" || found.text != p10 || len(warnings) != 0 {
			t.Errorf("got stack %q, %d warnings, err %v; want the first stack by file name (Replica-us-west-2), no warnings", found.stack, len(warnings), err)
		}
	})

	t.Run("different policies warn and --stack picks one", func(t *testing.T) {
		dir := t.TempDir()
		writeStack(t, dir, "A", map[string]any{"Repo": repoResource(repo, p10)})
		writeStack(t, dir, "B", map[string]any{"Repo": repoResource(repo, p3)})
		found, warnings, err := findPolicyInCdkOut(dir, repo, "", "")
		if err != nil || found.text != p10 || len(warnings) != 1 || !strings.Contains(warnings[0], "stacks A and B define different lifecycle policies") {
			t.Errorf("got %q, warnings %q, err %v; want A's policy and a warning", found.stack, warnings, err)
		}
		found, _, err = findPolicyInCdkOut(dir, repo, "B", "")
		if err != nil || found.text != p3 {
			t.Errorf("--stack B: got stack %q, err %v; want B's policy", found.stack, err)
		}
	})

	t.Run("creation templates when no repository matches", func(t *testing.T) {
		dir := t.TempDir()
		writeStack(t, dir, "Replica", map[string]any{
			"Root":     templateResource("ROOT", p7),
			"Apps":     templateResource("enterprise-apps", p10),
			"AppsProd": templateResource("enterprise-apps/production/", p3),
			"Other":    templateResource("enterprise", p7), // not a path prefix of enterprise-apps/…
		})
		cases := map[string]string{
			"enterprise-apps/production/api": p3,  // most specific prefix wins
			"enterprise-apps/testing":        p10, // enterprise-apps/
			"something-else":                 p7,  // ROOT
		}
		for name, want := range cases {
			found, _, err := findPolicyInCdkOut(dir, name, "", "")
			if err != nil || found.text != want {
				t.Errorf("%s: got %q (%s), err %v; want the policy of the most specific template", name, found.source, found.text, err)
			}
		}
		found, _, _ := findPolicyInCdkOut(dir, "enterprise-apps/production/api", "", "")
		if !strings.HasSuffix(found.source, "AWS::ECR::RepositoryCreationTemplate AppsProd (prefix enterprise-apps/production/)") {
			t.Errorf("source = %q; want the AppsProd template", found.source)
		}
	})

	t.Run("a repository beats a template", func(t *testing.T) {
		dir := t.TempDir()
		writeStack(t, dir, "S", map[string]any{"T": templateResource("enterprise-apps", p3), "R": repoResource(repo, p10)})
		if found, _, err := findPolicyInCdkOut(dir, repo, "", ""); err != nil || found.text != p10 {
			t.Errorf("got %q, err %v; want the repository's own policy", found.source, err)
		}
	})

	errorCases := []struct {
		name      string
		resources map[string]any
		repo      string
		want      string
	}{
		{"repository without a lifecycle policy", map[string]any{"R": repoResource(repo, nil)}, repo,
			"AWS::ECR::Repository R: repository enterprise-apps/production has no LifecyclePolicy.LifecyclePolicyText"},
		{"policy text built with Fn::Join", map[string]any{"R": repoResource(repo, map[string]any{"Fn::Join": []any{"", []string{"{", "}"}}})}, repo,
			"AWS::ECR::Repository R: LifecyclePolicyText is not a literal string (built with CloudFormation functions?), cannot preview it"},
		{"most specific template has no policy", map[string]any{"A": templateResource("enterprise-apps", p10), "B": templateResource("enterprise-apps/production", nil)}, "enterprise-apps/production/x",
			"the creation template that applies to enterprise-apps/production/x has no LifecyclePolicy, so repositories it creates get none"},
		{"repository name from a token is not matched", map[string]any{"R": repoResource(map[string]any{"Ref": "Name"}, p10)}, repo,
			"--repository enterprise-apps/production: not found in"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeStack(t, dir, "S", tc.resources)
			_, _, err := findPolicyInCdkOut(dir, tc.repo, "", "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want it to contain %q", err, tc.want)
			}
		})
	}

	t.Run("template that is not JSON", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "S.template.json"), []byte("Resources:\n  R: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := findPolicyInCdkOut(dir, repo, "", "")
		if err == nil || !strings.Contains(err.Error(), "S.template.json: not a CloudFormation template: line 1, column 1: invalid character 'R'") {
			t.Errorf("error = %v; want the file, line and column", err)
		}
	})

	t.Run("missing directory", func(t *testing.T) {
		_, _, err := findPolicyInCdkOut(filepath.Join(t.TempDir(), "cdk.out"), repo, "", "")
		if err == nil || !strings.Contains(err.Error(), "not a readable directory") {
			t.Errorf("error = %v; want not a readable directory", err)
		}
	})
}

// TestFindPolicyPrefersTheSourceStack: the source stack's repository wins; its replica stacks
// may define another policy without a warning (the destinations part shows theirs), other
// stacks still warn.
func TestFindPolicyPrefersTheSourceStack(t *testing.T) {
	p10, p3, p7 := policyText(t, 10), policyText(t, 3), policyText(t, 7)
	const repo = "enterprise-apps/production"
	dir := t.TempDir()
	writeStack(t, dir, "app-replica-eu-west-1", map[string]any{"Repo": repoResource(repo, p3)})
	writeStack(t, dir, "app-source-us-east-1", map[string]any{"Repo": repoResource(repo, p10)})
	writeStack(t, dir, "other-source-us-east-1", map[string]any{"Repo": repoResource(repo, p7)})
	found, warnings, err := findPolicyInCdkOut(dir, repo, "", "app-source-us-east-1")
	if err != nil || found.stack != "app-source-us-east-1" || found.text != p10 {
		t.Errorf("got stack %q, err %v; want the preferred app-source-us-east-1", found.stack, err)
	}
	want := []string{"stacks app-source-us-east-1 and other-source-us-east-1 define different lifecycle policies for enterprise-apps/production; using app-source-us-east-1 (choose with --stack)"}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings = %q; want only the other deployment's stack %q", warnings, want)
	}
}

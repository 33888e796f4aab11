package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/lifecycle")

const fixtures = "../../testdata/lifecycle"

func fixture(name string) string { return filepath.Join(fixtures, name) }

// generatedFixtures renders the fixtures that are derived from the profiles, so
// that what the preview reads is exactly what the stacks deploy.
func generatedFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	prod, err := lifecycle.ProductionProfile{}.Policy().JSON()
	if err != nil {
		t.Fatal(err)
	}
	test, err := lifecycle.TestingProfile{}.Policy().JSON()
	if err != nil {
		t.Fatal(err)
	}
	repository := func(name, mutability, path, policy string) map[string]any {
		return map[string]any{
			"Type": "AWS::ECR::Repository",
			"Properties": map[string]any{
				"EncryptionConfiguration": map[string]any{"EncryptionType": "AES256"},
				"ImageTagMutability":      mutability,
				"LifecyclePolicy":         map[string]any{"LifecyclePolicyText": policy},
				"RepositoryName":          name,
			},
			"UpdateReplacePolicy": "Retain",
			"DeletionPolicy":      "Retain",
			"Metadata":            map[string]any{"aws:cdk:path": path},
		}
	}
	template := map[string]any{
		"Description": "ECR source registry: repositories and their lifecycle policies (lifecycle-preview fixture)",
		"Resources": map[string]any{
			"ProductionRepository3F8C6E52": repository("enterprise-apps/production", "IMMUTABLE", "EcrReplicationSource/ProductionRepository/Resource", prod),
			"TestingRepositoryB7A1D0C4":    repository("enterprise-apps/testing", "MUTABLE", "EcrReplicationSource/TestingRepository/Resource", test),
			"CDKMetadata": map[string]any{
				"Type":       "AWS::CDK::Metadata",
				"Properties": map[string]any{"Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzfUM1BMLC/WTU7J1s3JTNKrDi5JTM7WAQrFFxvrVTuXJuWkFuQXFekEFGfmpOpUK+nlF6Xn5KcD2ZoAMOqF6UgAAAA="},
				"Metadata":   map[string]any{"aws:cdk:path": "EcrReplicationSource/CDKMetadata/Default"},
			},
		},
		"Parameters": map[string]any{
			"BootstrapVersion": map[string]any{
				"Type":        "AWS::SSM::Parameter::Value<String>",
				"Default":     "/cdk-bootstrap/hnb659fds/version",
				"Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]",
			},
		},
	}
	return map[string][]byte{
		"cdk-out/EcrReplicationSource.template.json": indent(t, template, " "),
		"policy-testing.json":                        indent(t, json.RawMessage(test), "    "),
	}
}

func indent(t *testing.T, v any, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", prefix)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFixturesMatchProfiles keeps the generated fixtures in step with the
// profiles (rewrite them with -update).
func TestFixturesMatchProfiles(t *testing.T) {
	for name, want := range generatedFixtures(t) {
		path := fixture(name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("reading %s: %v (generate it with -update)", path, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date with the profiles; run go test ./cmd/lifecycle-preview/ -run TestFixtures -update", path)
		}
	}

	// Independently of the bytes: what the fixtures carry parses back to the profiles.
	policy, err := lifecycle.Parse(mustRead(t, fixture("policy-testing.json")))
	if err != nil {
		t.Fatalf("Parse(policy-testing.json) error = %v", err)
	}
	if want := (lifecycle.TestingProfile{}).Policy(); !reflect.DeepEqual(policy, want) {
		t.Errorf("policy-testing.json = %+v; want the testing profile %+v", policy, want)
	}
	found, _, err := findPolicyInCdkOut(fixture("cdk-out"), "enterprise-apps/production", "")
	if err != nil {
		t.Fatalf("findPolicyInCdkOut error = %v", err)
	}
	if want, _ := (lifecycle.ProductionProfile{}).Policy().JSON(); found.text != want {
		t.Errorf("cdk-out production LifecyclePolicyText =\n%s\nwant the production profile\n%s", found.text, want)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

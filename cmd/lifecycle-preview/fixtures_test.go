package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/lifecycle")

const fixtures = "../../testdata/lifecycle"

func fixture(name string) string { return filepath.Join(fixtures, name) }

// The cloud assembly fixture follows the app's stack names (replication.SourceStackName,
// replication.ReplicaStackName), so that the preview finds the replica stack as it does in
// a real cdk.out.
const (
	sourceStackFixture  = "ecr-replication-source-us-east-1"
	replicaStackFixture = "ecr-replication-replica-us-west-2"
)

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
	untagged, err := lifecycle.ExpireUntaggedPolicy(lifecycle.DefaultUntaggedExpiryDays).JSON()
	if err != nil {
		t.Fatal(err)
	}
	source := fixtureStack(sourceStackFixture, "ECR source registry: repositories, their lifecycle policies and the replication rules (lifecycle-preview fixture)", map[string]any{
		"ProductionRepository3F8C6E52": fixtureRepository(sourceStackFixture, "ProductionRepository", "enterprise-apps/production", "IMMUTABLE", prod),
		"TestingRepositoryB7A1D0C4":    fixtureRepository(sourceStackFixture, "TestingRepository", "enterprise-apps/testing", "MUTABLE", test),
		"Replication7B503FD6":          fixtureReplication(),
	})
	replica := fixtureStack(replicaStackFixture, "ECR replicas in us-west-2: the same repositories and policies, and the creation template (lifecycle-preview fixture)", map[string]any{
		"ProductionRepositoryE6138F87": fixtureRepository(replicaStackFixture, "ProductionRepository", "enterprise-apps/production", "IMMUTABLE", prod),
		"TestingRepositoryF129143A":    fixtureRepository(replicaStackFixture, "TestingRepository", "enterprise-apps/testing", "MUTABLE", test),
		"ReplicationTemplate1DD04BE0": map[string]any{
			"Type": "AWS::ECR::RepositoryCreationTemplate",
			"Properties": map[string]any{
				"AppliedFor":              []string{"REPLICATION"},
				"Description":             "Settings for repositories ECR creates under enterprise-apps/ (REPLICATION)",
				"EncryptionConfiguration": map[string]any{"EncryptionType": "AES256"},
				"ImageTagMutability":      "MUTABLE",
				"LifecyclePolicy":         untagged,
				"Prefix":                  "enterprise-apps",
			},
			"Metadata": map[string]any{"aws:cdk:path": replicaStackFixture + "/ReplicationTemplate"},
		},
	})
	return map[string][]byte{
		"cdk-out/" + sourceStackFixture + ".template.json":  indent(t, source, " "),
		"cdk-out/" + replicaStackFixture + ".template.json": indent(t, replica, " "),
		"policy-testing.json":                               indent(t, json.RawMessage(test), "    "),
		"describe-images-production-us-west-2.json":         usWest2Images(t),
	}
}

// fixtureReplication is the source registry's replication configuration: rule 1 replicates
// payments/ to another account without delete replication, rule 2 replicates enterprise-apps/
// to us-west-2 and eu-west-1 of the source account and mirrors deletes there.
func fixtureReplication() map[string]any {
	sameAccount := map[string]any{"Ref": "AWS::AccountId"}
	prefix := func(p string) []any { return []any{map[string]any{"Filter": p, "FilterType": "PREFIX_MATCH"}} }
	return map[string]any{
		"Type": "AWS::ECR::ReplicationConfiguration",
		"Properties": map[string]any{"ReplicationConfiguration": map[string]any{"Rules": []any{
			map[string]any{
				"Destinations":      []any{map[string]any{"Region": "ap-southeast-2", "RegistryId": "222222222222"}},
				"RepositoryFilters": prefix("payments/"),
			},
			map[string]any{
				"DeleteReplication": map[string]any{"Enabled": true},
				"Destinations": []any{
					map[string]any{"Region": "us-west-2", "RegistryId": sameAccount},
					map[string]any{"Region": "eu-west-1", "RegistryId": sameAccount},
				},
				"RepositoryFilters": prefix("enterprise-apps/"),
			},
		}}},
		"Metadata": map[string]any{"aws:cdk:path": sourceStackFixture + "/Replication"},
	}
}

func fixtureRepository(stack, construct, name, mutability, policy string) map[string]any {
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
		"Metadata":            map[string]any{"aws:cdk:path": stack + "/" + construct + "/Resource"},
	}
}

func fixtureStack(name, description string, resources map[string]any) map[string]any {
	resources["CDKMetadata"] = map[string]any{
		"Type":       "AWS::CDK::Metadata",
		"Properties": map[string]any{"Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzfUM1BMLC/WTU7J1s3JTNKrDi5JTM7WAQrFFxvrVTuXJuWkFuQXFekEFGfmpOpUK+nlF6Xn5KcD2ZoAMOqF6UgAAAA="},
		"Metadata":   map[string]any{"aws:cdk:path": name + "/CDKMetadata/Default"},
	}
	return map[string]any{
		"Description": description,
		"Resources":   resources,
		"Parameters": map[string]any{
			"BootstrapVersion": map[string]any{
				"Type":        "AWS::SSM::Parameter::Value<String>",
				"Default":     "/cdk-bootstrap/hnb659fds/version",
				"Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]",
			},
		},
	}
}

// usWest2Images derives the describe-images output of the us-west-2 replica from the source's,
// with three differences: prod-1.1.0 is missing (pushed before replication was configured),
// the untagged sha256:e475476e4847 still has the tag sha-1a2b3c4 (removed in the source while
// delete replication was off), and prod-0.9.0 is not archived (archiving is not replicated).
// Times and sizes are copied: the fixture takes them as the destination reports them.
func usWest2Images(t *testing.T) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(mustRead(t, fixture("describe-images-production.json"))))
	dec.UseNumber()
	var doc struct {
		ImageDetails []map[string]any `json:"imageDetails"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	out := []map[string]any{}
	for _, im := range doc.ImageDetails {
		tags, _ := im["imageTags"].([]any)
		switch {
		case len(tags) > 0 && tags[0] == "prod-1.1.0":
			continue
		case len(tags) > 0 && tags[0] == "prod-0.9.0":
			im["imageStatus"] = "ACTIVE"
			delete(im, "lastArchivedAt")
		case strings.HasPrefix(im["imageDigest"].(string), "sha256:e475476e4847"):
			im["imageTags"] = []string{"sha-1a2b3c4"}
		}
		out = append(out, im)
	}
	return indent(t, map[string]any{"imageDetails": out}, "    ")
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
	found, _, err := findPolicyInCdkOut(fixture("cdk-out"), "enterprise-apps/production", "", "")
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

package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// The logical ids the app gives the repositories of the default configuration (see
// testdata/snapshots of the root package).
const (
	productionID = "ProductionRepositoryE6138F87"
	testingID    = "TestingRepositoryF129143A"
)

// stack creates a CloudFormation stack in moto holding the repositories named by logical id
// (moto creates them, AES256, as CloudFormation would).
func (w *world) stack(region string, creds aws.Credentials, name string, repos map[string]string) {
	w.t.Helper()
	resources := map[string]any{}
	for id, repo := range repos {
		resources[id] = map[string]any{"Type": "AWS::ECR::Repository", "Properties": map[string]any{"RepositoryName": repo}}
	}
	if len(resources) == 0 { // a stack needs a resource
		resources["Placeholder"] = map[string]any{"Type": "AWS::CloudFormation::WaitConditionHandle"}
	}
	body, _ := json.Marshal(map[string]any{"Resources": resources})
	cf := cloudformation.NewFromConfig(seedConfig(w.t, w.moto.endpoint, region, creds))
	if _, err := cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body))}); err != nil {
		w.t.Fatalf("CreateStack %s %s: %v", region, name, err)
	}
}

// deployedStacks seeds what a deploy of the default configuration leaves in the source and
// us-west-2: bootstrapped regions, stacks holding the repositories, the replication rule. In
// eu-west-1 the stack holds only production, and enterprise-apps/testing was made by hand. The
// source's production holds 2 images, its replica in us-west-2 too, and the source stack also
// holds enterprise-apps/legacy (1 image), which the configuration no longer names.
func (w *world) deployedStacks() {
	w.t.Helper()
	for _, region := range []string{src, dw2, de1} {
		w.bootstrap(region, testingCreds, "21")
	}
	w.stack(src, testingCreds, "ecr-replication-source-us-east-1", map[string]string{productionID: production, testingID: testingRep, "LegacyRepository5D1A0F3B": "enterprise-apps/legacy"})
	w.stack(dw2, testingCreds, "ecr-replication-replica-us-west-2", map[string]string{productionID: production, testingID: testingRep})
	w.stack(de1, testingCreds, "ecr-replication-replica-eu-west-1", map[string]string{productionID: production})
	w.createRepo(de1, testingCreds, testingRep, "")
	w.replicationConfig(testingCreds, appRule(sourceAccount, dw2, de1))
	for _, region := range []string{src, dw2} {
		w.putImage(region, testingCreds, production, "release-1.0", "prod-a")
		w.putImage(region, testingCreds, production, "release-1.1", "prod-b")
	}
	if _, err := w.ecr(src, testingCreds).PutImage(context.Background(), &ecr.PutImageInput{
		RepositoryName: aws.String("enterprise-apps/legacy"), ImageManifest: aws.String(manifest("legacy")), ImageTag: aws.String("v1"),
	}); err != nil {
		w.t.Fatal(err)
	}
}

func TestPreflightFindsUpdatesThatReplaceRepositories(t *testing.T) {
	w := newWorld(t, nil)
	w.deployedStacks()

	// Switching to KMS: EncryptionConfiguration is create-only, the names stay.
	code, r, stderr := w.runJSON("--preflight", "-c", "encryption=KMS")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "repository", src, production, "ok", "exists, held by ecr-replication-source-us-east-1 ("+productionID+")")
	r.expect(t, "replacement", src, production, "problem", "encryption AES256 → KMS", "cannot replace a custom-named resource",
		"the update of ecr-replication-source-us-east-1 fails and rolls back", "It holds 2 images.", "Keep -c encryption=AES256 for now",
		"another repoPrefix", "copy the images to the new repository", "aws ecr delete-repository --repository-name enterprise-apps/production --force --region us-east-1")
	r.expect(t, "replacement", src, testingRep, "problem", "encryption AES256 → KMS", "It holds no images.", "Nothing to copy")
	r.expect(t, "replacement", dw2, production, "problem", "It holds 2 images.", "let replication fill the new repository",
		"images copied into the source's new repository after the deploy replicate here, ones copied before need go run ./cmd/backfill --destination us-west-2")
	r.expect(t, "removal", src, "enterprise-apps/legacy", "problem", "ecr-replication-source-us-east-1 holds it (LegacyRepository5D1A0F3B) but the configuration does not name it",
		"keeps it (Retain)", "It holds 1 image.", "They stay there: copy what you still need elsewhere", "aws ecr delete-repository --repository-name enterprise-apps/legacy --force --region us-east-1")
	r.expect(t, "repository", de1, testingRep, "problem", "ecr-replication-replica-eu-west-1 does not hold it", "AlreadyExists", "cdk import ecr-replication-replica-eu-west-1")
	if len(r.find("replacement", de1, testingRep)) != 0 {
		t.Error("a repository no stack holds is reported as AlreadyExists, not as a replacement")
	}
	r.expect(t, "backfill", src, "", "ok", "every destination is in the deployed replication rule already")

	// Without the change only the left-behind repository and the hand-made one remain.
	code, r, _ = w.runJSON("--preflight")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if n := len(r.find("replacement", src, production)); n != 0 {
		t.Errorf("AES256 as deployed: no replacement, got %d", n)
	}
	want := map[string]bool{"removal/us-east-1/enterprise-apps/legacy": true, "repository/eu-west-1/enterprise-apps/testing": true}
	for _, p := range r.problems() {
		if !want[p.Name+"/"+p.Region+"/"+p.Repository] {
			t.Errorf("unexpected problem: %+v", p)
		}
	}
}

func TestPreflightFindsRenamedRepositories(t *testing.T) {
	w := newWorld(t, nil)
	w.deployedStacks()
	// A new repoPrefix renames every repository under the same logical id.
	code, r, stderr := w.runJSON("--preflight", "-c", "repoPrefix=apps")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "repository", src, "apps/production", "ok", "does not exist: the deploy creates it")
	r.expect(t, "rename", src, production, "problem", "renamed to apps/production (the same logical id "+productionID+" in ecr-replication-source-us-east-1)",
		"RepositoryName is create-only", "creating apps/production empty", "It holds 2 images.", "They do not move: after the deploy copy the images to apps/production")
	r.expect(t, "rename", dw2, production, "problem", "renamed to apps/production", "let replication fill apps/production", "go run ./cmd/backfill --destination us-west-2")
	r.expect(t, "rename", src, testingRep, "warning", "renamed to apps/testing", "It holds no images.", "Nothing to copy: delete it after the deploy")
	// The deploy replaces the rule of enterprise-apps/, which no namespace declares any more:
	// replication of the old repositories stops.
	r.expect(t, "replication-foreign-rule", src, "", "problem", "rule 1 (filter PREFIX_MATCH enterprise-apps/ → 123456789012/us-west-2, 123456789012/eu-west-1) belongs to no namespace of the configuration (apps/)",
		"removes it", "It may be this stack's own rule of a namespace the configuration no longer has: then its removal is what the change does.")
	// The deploy would succeed: the table says what it would do instead.
	if _, table, _ := w.run("--preflight", "-c", "repoPrefix=apps"); !strings.Contains(table, "problem(s), 6 warning(s), 0 skipped: cdk deploy would leave images behind, and would remove replication rules of no declared namespace\n") {
		t.Errorf("table's verdict:\n%s", table)
	}
	// The rule for apps/ is new, and the source repositories under it hold nothing yet.
	r.expect(t, "backfill", dw2, "", "ok", "the source repositories hold no image yet")

	// With deleteOnDestroy the repositories are deleted with the stack's resources: the deploy
	// deletes the renamed one with its images.
	code, r, stderr = w.runJSON("--preflight", "-c", "repoPrefix=apps", "-c", "deleteOnDestroy=true", "-c", "deleteProductionOnDestroy=true")
	if code != 1 {
		t.Fatalf("deleteOnDestroy: exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "rename", src, production, "problem", "renamed to apps/production", "deleting this one with its images", "It holds 2 images.", "They are lost unless copied before the deploy")
	r.expect(t, "removal", src, "enterprise-apps/legacy", "problem", "deletes it with its images", "It holds 1 image.")
	r.expect(t, "rename", src, testingRep, "warning", "It holds no images. Nothing is lost")
}

// A KMS key other than the stack's: the stack's resources are replayed (moto's CloudFormation
// stores a KMS repository's encryption in the template's casing, which ECR's API then does not
// read), with the shape of the CloudFormation API Reference: ListStackResources returns
// StackResourceSummaries of LogicalResourceId, PhysicalResourceId, ResourceType,
// LastUpdatedTimestamp and ResourceStatus
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html).
func TestPreflightFindsAnotherKMSKey(t *testing.T) {
	w := newWorld(t, map[string]any{"encryption": "KMS"})
	for _, region := range []string{src, dw2, de1} {
		w.bootstrap(region, testingCreds, "21")
	}
	w.stack(src, testingCreds, "ecr-replication-source-us-east-1", nil)
	keyArn := func(id string) string { return "arn:aws:kms:us-east-1:" + sourceAccount + ":key/" + id }
	for repo, key := range map[string]string{production: keyArn("0e2c-other"), testingRep: keyArn("7a1b-stack")} {
		if _, err := w.ecr(src, testingCreds).CreateRepository(context.Background(), &ecr.CreateRepositoryInput{
			RepositoryName:          aws.String(repo),
			EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: aws.String(key)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	w.putImage(src, testingCreds, production, "release-1.0", "prod-a")
	p := replayProxy(t, w.moto.endpoint, map[string]answer{"ListStackResources": stackResourcesAnswer("ecr-replication-source-us-east-1", time.Now(), []stackResource{
		{productionID, production, "AWS::ECR::Repository"}, {testingID, testingRep, "AWS::ECR::Repository"}, {"RepositoryKeyA1B2C3D4", "7a1b-stack", "AWS::KMS::Key"},
		{"NotificationsKeyADCFA950", "5f5f-notifications", "AWS::KMS::Key"},
	})})
	w.via(p.URL)
	code, r, stderr := w.runJSON("--preflight")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "replacement", src, production, "problem", "KMS key "+keyArn("0e2c-other")+" → the stack's key 7a1b-stack", "It holds 1 image.", "Keep -c encryption=KMS for now")
	if n := len(r.find("replacement", src, testingRep)); n != 0 {
		t.Errorf("encrypted with the stack's key: no replacement, got %d", n)
	}
}

// stackResource is one resource of a replayed stack.
type stackResource struct{ logicalID, physicalID, typ string }

// stackResourcesAnswer replays ListStackResources of one stack (other stacks go to moto).
func stackResourcesAnswer(stack string, updated time.Time, resources []stackResource) answer {
	return func(_ string, body []byte) (int, string) {
		form, _ := url.ParseQuery(string(body))
		if form.Get("StackName") != stack {
			return 0, ""
		}
		var b strings.Builder
		b.WriteString(`<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult><StackResourceSummaries>`)
		for _, r := range resources {
			fmt.Fprintf(&b, "<member><LogicalResourceId>%s</LogicalResourceId><PhysicalResourceId>%s</PhysicalResourceId><ResourceType>%s</ResourceType>"+
				"<LastUpdatedTimestamp>%s</LastUpdatedTimestamp><ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member>",
				r.logicalID, r.physicalID, r.typ, updated.UTC().Format(time.RFC3339))
		}
		b.WriteString(`</StackResourceSummaries></ListStackResourcesResult><ResponseMetadata><RequestId>replay</RequestId></ResponseMetadata></ListStackResourcesResponse>`)
		return 200, b.String()
	}
}

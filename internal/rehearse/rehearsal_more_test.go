//go:build rehearsal

package rehearse

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/mototest"
)

// The rehearsals make test leaves to make rehearse (see rehearsal_test.go).

// TestRehearsalOfTheKMSVariant rehearses encryption=KMS end to end: every check passes, and
// destroy retains the repositories' KMS keys with them.
func TestRehearsalOfTheKMSVariant(t *testing.T) {
	dir := projectDir(t)
	moto := mototest.StartWith(t, mototest.Options{Host: "localhost", CloudFormationFixes: true})
	r, err := Rehearse(context.Background(), Variants[1].Name, Options{Dir: dir, Endpoint: moto.Endpoint,
		Context: Variants[1].Context, Output: filepath.Join(t.TempDir(), "cdk.out")})
	logReport(t, r)
	requireNoFailure(t, "the rehearsal", r.Findings, err)
	for _, stack := range []string{sourceStack, westStack, euStack} {
		requireFinding(t, r.Findings, "destroy", stack, "RepositoryKey0F9BF672", StatusPass, "AWS::KMS::Key")
		requireFinding(t, r.Findings, "setting", stack, "RepositoryKey0F9BF672 KeyPolicy", StatusPass, "")
		requireFinding(t, r.Findings, "setting", stack, "RepositoryKey0F9BF672 EnableKeyRotation", StatusPass, "")
	}
	requireFinding(t, r.Findings, "verify", "", "encryption us-east-1 enterprise-apps/production", StatusGap, "EncryptionConfiguration")
}

// TestRehearsalOfASandboxTeardown rehearses deleteOnDestroy (README, "What cdk destroy leaves
// and removes"): destroy deletes the repositories and the event logs and schedules the
// deletion of every KMS key (the repositories' and the topics'), so that the same deployment
// deploys again.
func TestRehearsalOfASandboxTeardown(t *testing.T) {
	ctx := context.Background()
	d := deploy(t, Variant{Name: "sandbox", Context: map[string]string{
		"deleteOnDestroy": "true", "deleteProductionOnDestroy": "true", "encryption": "KMS"}})
	fs, states, err := Check(ctx, d)
	requireNoFailure(t, "check", fs, err)
	if _, err := Destroy(ctx, d); err != nil {
		t.Fatal(err)
	}
	df, err := CheckDestroyed(ctx, d, states)
	requireNoFailure(t, "destroy", df, err)
	for _, stack := range []string{sourceStack, westStack, euStack} {
		requireFinding(t, df, "destroy", stack, "resources", StatusPass, "removed: ")
		for _, f := range df {
			// Nothing left behind: no resource of the stack is retained.
			if f.Stack == stack && f.Subject == "resources" && !strings.Contains(f.Detail, "; retained: none;") {
				t.Errorf("%s: destroy left resources behind: %s", stack, f.Detail)
			}
			if f.Stack == stack && f.Subject == "resources" && (!strings.Contains(f.Detail, "2 AWS::ECR::Repository, ") ||
				!strings.Contains(f.Detail[:strings.Index(f.Detail, "retained:")], "2 AWS::KMS::Key")) {
				t.Errorf("%s: the repositories and the keys are not removed: %s", stack, f.Detail)
			}
		}
	}
	if err := Redeploy(ctx, d); err != nil {
		t.Fatalf("deploying the sandbox again after destroy: %v", err)
	}
	again, _, err := Check(ctx, d)
	requireNoFailure(t, "check after the second deploy", again, err)
}

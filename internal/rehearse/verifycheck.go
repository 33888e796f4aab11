package rehearse

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/acme-platform/ecr-replication/internal/verify"
)

// verifyCheck is one check of verify's JSON report.
type verifyCheck struct {
	Name       string `json:"name"`
	Region     string `json:"region"`
	Account    string `json:"account"`
	Repository string `json:"repository"`
	Status     string `json:"status"`
	Detail     string `json:"detail"`
}

// verifyKey identifies a check by name, region and repository.
type verifyKey struct{ name, region, repository string }

func (k verifyKey) String() string {
	if k.repository == "" {
		return k.name + " " + k.region
	}
	return k.name + " " + k.region + " " + k.repository
}

// runVerify runs the verify command (verify.Run, after-deploy mode, --json) against the
// deployment, in process, with the deployment's context, and returns its checks and exit
// status.
func runVerify(ctx context.Context, d *Deployment) ([]verifyCheck, int, error) {
	args := []string{"--json", "--dir", d.Options.Dir}
	args = append(args, contextArgs(d.Options.Context)...)
	var stdout, stderr bytes.Buffer
	code := verify.Run(ctx, args, verify.Env{
		Stdout: &stdout, Stderr: &stderr,
		Getenv:  func(string) string { return "" },
		LoadAWS: LoadAWS(d.Options.Endpoint),
	})
	if code != verify.ExitHealthy && code != verify.ExitProblems {
		return nil, code, fmt.Errorf("verify %v: exit %d: %s", args, code, stderr.String())
	}
	var report struct {
		Checks []verifyCheck `json:"checks"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		return nil, code, fmt.Errorf("verify --json: %w\n%s", err, stdout.String())
	}
	return report.Checks, code, nil
}

// CheckVerify runs verify and requires exactly the non-ok checks that the moto gaps Check
// found explain, each with its reason: a non-ok check no gap explains fails, and so does a
// gap verify must report and does not (verify would then miss it on AWS too).
func CheckVerify(ctx context.Context, d *Deployment, states []*StackState) ([]Finding, error) {
	checks, code, err := runVerify(ctx, d)
	if err != nil {
		return nil, err
	}
	return judgeVerify(checks, code, expectedVerifyGaps(states)), nil
}

// judgeVerify compares verify's checks with the expected non-ok ones.
func judgeVerify(checks []verifyCheck, code int, expected map[verifyKey]expectation) []Finding {
	var out []Finding
	ok, explained, seen := 0, 0, map[verifyKey]bool{}
	for _, c := range checks {
		k := verifyKey{c.Name, c.Region, c.Repository}
		if c.Status == "ok" {
			ok++
			continue
		}
		seen[k] = true
		f := Finding{Check: "verify", Subject: k.String()}
		if e, known := expected[k]; known {
			explained++
			f.Status, f.Detail = StatusGap, fmt.Sprintf("%s (%s) because %s", c.Status, c.Detail, e.why)
			f.Gap = fmt.Sprintf("verify %s %s: %s", c.Name, c.Status, e.gap)
		} else {
			f.Status, f.Detail = StatusFail, fmt.Sprintf("%s, and no moto gap explains it: %s", c.Status, c.Detail)
		}
		out = append(out, f)
	}
	for _, k := range slices.SortedFunc(maps.Keys(expected), func(a, b verifyKey) int {
		return cmp.Compare(a.String(), b.String())
	}) {
		if e := expected[k]; e.required && !seen[k] {
			out = append(out, Finding{Check: "verify", Subject: k.String(), Status: StatusFail,
				Detail: "verify reports it ok or not at all, but " + e.why + ": verify does not see this gap"})
		}
	}
	return append(out, Finding{Check: "verify", Subject: "checks", Status: StatusPass, Summary: true,
		Detail: fmt.Sprintf("exit %d; %d ok, %d not ok, %d of them explained by a moto gap", code, ok, len(seen), explained)})
}

// expectation is why verify reports a check not ok on moto; required when verify must.
type expectation struct {
	why      string
	required bool
	// gap names the gap, the same for every check it explains.
	gap string
}

// verifyOfSetting names the verify check of a repository setting moto may not realize, and
// whether verify must then report it (a missing encryption type reads as ECR's default,
// AES256, which is right for the default deployment).
var verifyOfSetting = map[string]struct {
	name     string
	required bool
}{
	"LifecyclePolicy":         {"lifecycle-policy", true},
	"RepositoryPolicyText":    {"repository-policy", true},
	"EncryptionConfiguration": {"encryption", false},
	"ImageTagMutability":      {"tag-mutability", false},
}

// verifyOfType names the verify check of a resource type moto may not realize.
var verifyOfType = map[string]string{
	"AWS::ECR::ReplicationConfiguration":   "replication-rule",
	"AWS::ECR::RepositoryCreationTemplate": "creation-template",
	"AWS::ECR::RegistryPolicy":             "registry-policy",
}

// expectedVerifyGaps are the checks verify reports not ok on moto, with why: what moto did
// not realize, and the images the rehearsal does not push.
func expectedVerifyGaps(states []*StackState) map[verifyKey]expectation {
	want := map[verifyKey]expectation{}
	for _, st := range states {
		for id, typ := range st.Unrealized {
			if name, ok := verifyOfType[typ]; ok {
				want[verifyKey{name, st.Region, ""}] = expectation{fmt.Sprintf("moto did not realize %s (%s) of %s", id, typ, st.Name), true, typ + " not realized"}
			}
		}
		for _, g := range st.Gaps {
			if v, ok := verifyOfSetting[g.Property]; ok && g.Type == "AWS::ECR::Repository" {
				want[verifyKey{v.name, st.Region, g.PhysicalID}] = expectation{fmt.Sprintf("moto did not realize the %s of %s (%s)", g.Property, g.LogicalID, st.Name), v.required,
					g.Type + " " + g.Property + " not realized"}
			}
		}
	}
	for _, src := range states {
		if len(replicationDestinations(src)) == 0 {
			continue
		}
		for _, st := range states {
			if st.Region != src.Region || st.Account != src.Account {
				continue
			}
			for id, typ := range st.Types {
				if p, ok := st.Physical[id]; ok && typ == "AWS::ECR::Repository" {
					want[verifyKey{"images", st.Region, p}] = expectation{"the rehearsal pushes no image (and moto replicates none)", true, "no image pushed"}
				}
			}
		}
	}
	return want
}

package verify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Replayed ECR responses. moto 5.2 does not implement DescribeRepositoryCreationTemplates or
// DescribeImageReplicationStatus (it answers HTTP 500), and it refuses a replication
// configuration with more than one rule. These tests answer those operations from a local
// proxy with the JSON shapes of the ECR API Reference:
//   - DescribeRepositoryCreationTemplates: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositoryCreationTemplates.html
//     (registryId, repositoryCreationTemplates[] of RepositoryCreationTemplate: prefix,
//     description, encryptionConfiguration, imageTagMutability, repositoryPolicy,
//     lifecyclePolicy, appliedFor, createdAt, updatedAt)
//   - DescribeImageReplicationStatus: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageReplicationStatus.html
//     (repositoryName, imageId, replicationStatuses[] of ImageReplicationStatus: region,
//     registryId, status IN_PROGRESS | COMPLETE | FAILED, failureCode)
//   - DescribeRegistry: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRegistry.html
//     (registryId, replicationConfiguration.rules[] of destinations and repositoryFilters)
// Every other request goes to moto, so the rest of each run is real emulator behaviour.

// templateAnswer replays one creation template per region, made by mutate from the template
// the app deploys.
func templateAnswer(w *world, mutate func(region string, tmpl map[string]any)) answer {
	return func(region string, body []byte) (int, string) {
		var req struct{ Prefixes []string }
		_ = json.Unmarshal(body, &req)
		prefix := w.cfg.RepoPrefix
		if len(req.Prefixes) != 1 || req.Prefixes[0] != prefix {
			return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"test: unexpected prefixes"}`
		}
		lc, _ := w.cfg.TemplateLifecycle().JSON()
		tmpl := map[string]any{
			"prefix":                  prefix,
			"description":             "Settings for repositories ECR creates under " + prefix + "/ (REPLICATION)",
			"encryptionConfiguration": map[string]any{"encryptionType": "AES256"},
			"imageTagMutability":      "MUTABLE",
			"lifecyclePolicy":         lc,
			"appliedFor":              []string{"REPLICATION"},
			"createdAt":               1.764e9,
			"updatedAt":               1.764e9,
		}
		if mutate != nil {
			mutate(region, tmpl)
		}
		list := []any{tmpl}
		if tmpl["prefix"] == nil {
			list = []any{}
		}
		b, _ := json.Marshal(map[string]any{"registryId": sourceAccount, "repositoryCreationTemplates": list})
		return http.StatusOK, string(b)
	}
}

// statusAnswer replays replication statuses for every destination of the world's
// configuration: status(region, repository, digest) gives the status and failure code of one
// destination ("" leaves it out of the answer).
func statusAnswer(w *world, status func(region, repo, digest string) (string, string)) answer {
	return func(_ string, body []byte) (int, string) {
		var req struct {
			RepositoryName string
			ImageId        struct{ ImageDigest string }
		}
		_ = json.Unmarshal(body, &req)
		var statuses []map[string]any
		for _, d := range w.cfg.Destinations() {
			s, code := status(d.Region, req.RepositoryName, req.ImageId.ImageDigest)
			if s == "" {
				continue
			}
			st := map[string]any{"region": d.Region, "registryId": d.Account, "status": s}
			if code != "" {
				st["failureCode"] = code
			}
			statuses = append(statuses, st)
		}
		b, _ := json.Marshal(map[string]any{
			"repositoryName": req.RepositoryName, "imageId": map[string]any{"imageDigest": req.ImageId.ImageDigest},
			"replicationStatuses": statuses,
		})
		return http.StatusOK, string(b)
	}
}

func TestHealthyDeploymentWithReplayedTemplatesAndStatuses(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	p := replayProxy(t, w.moto.endpoint, map[string]answer{
		"DescribeRepositoryCreationTemplates": templateAnswer(w, nil),
		"DescribeImageReplicationStatus":      statusAnswer(w, func(string, string, string) (string, string) { return "COMPLETE", "" }),
	})
	w.via(p.URL)
	code, r, stderr := w.runJSON()
	if code != 0 || !r.Healthy {
		t.Fatalf("exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	for _, region := range []string{dw2, de1} {
		r.expect(t, "creation-template", region, "", "ok", "prefix enterprise-apps, applied for REPLICATION")
		r.expect(t, "images", region, production, "ok", "all 2 recent images replicated [replication status]")
	}
	for _, c := range r.Checks {
		if c.Status != "ok" {
			t.Errorf("healthy setup: %+v", c)
		}
	}
}

func TestReplayedTemplateAndStatusProblems(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	p := replayProxy(t, w.moto.endpoint, map[string]answer{
		"DescribeRepositoryCreationTemplates": templateAnswer(w, func(region string, tmpl map[string]any) {
			switch region {
			case dw2: // applied for pull-through cache only, and a 30-day untagged expiry
				tmpl["appliedFor"] = []string{"PULL_THROUGH_CACHE"}
				tmpl["lifecyclePolicy"] = strings.Replace(tmpl["lifecyclePolicy"].(string), `"countNumber":1`, `"countNumber":30`, 1)
			case de1: // no template for the prefix
				tmpl["prefix"] = nil
			}
		}),
		"DescribeImageReplicationStatus": statusAnswer(w, func(region, repo, _ string) (string, string) {
			switch {
			case region == dw2 && repo == production:
				return "FAILED", "KMS_ACCESS_DENIED"
			case region == de1 && repo == testingRep:
				return "IN_PROGRESS", ""
			}
			return "COMPLETE", ""
		}),
	})
	w.via(p.URL)
	w.offset = 0 // IN_PROGRESS is a warning whatever the clock; keep the real time
	code, r, _ := w.runJSON()
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r.expect(t, "creation-template", dw2, "", "problem", "applied for [PULL_THROUGH_CACHE], not REPLICATION", "lifecycle policy differs", `"countNumber":30`)
	r.expect(t, "creation-template", de1, "", "problem", "no creation template for prefix enterprise-apps", "deploy ecr-replication-replica-eu-west-1")
	r.expect(t, "images", dw2, production, "problem", "0 of 2 recent images replicated", "replication FAILED: KMS_ACCESS_DENIED", "[replication status]")
	r.expect(t, "images", de1, testingRep, "warning", "in progress", "replication IN_PROGRESS")
	if n := len(r.problems()); n != 3 {
		t.Errorf("want 3 problems, got %d: %+v", n, r.problems())
	}
}

func TestExtraReplicationRuleIsListed(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	// moto keeps one rule at most; the registry here has another team's rule first.
	p := replayProxy(t, w.moto.endpoint, map[string]answer{
		"DescribeRegistry": func(string, []byte) (int, string) {
			return http.StatusOK, fmt.Sprintf(`{"registryId":%q,"replicationConfiguration":{"rules":[
				{"destinations":[{"region":"ap-southeast-2","registryId":"999999999999"}],"repositoryFilters":[{"filter":"team-x/","filterType":"PREFIX_MATCH"}]},
				{"destinations":[{"region":"us-west-2","registryId":%q},{"region":"eu-west-1","registryId":%q}],"repositoryFilters":[{"filter":"enterprise-apps/","filterType":"PREFIX_MATCH"}]}]}}`,
				sourceAccount, sourceAccount, sourceAccount)
		},
	})
	w.via(p.URL)
	code, r, _ := w.runJSON()
	if code != 0 {
		t.Fatalf("exit %d: another team's rule is a warning, not a problem: %+v", code, r.problems())
	}
	r.expect(t, "replication-other-rule", src, "", "warning", "rule 1 is not this app's", "PREFIX_MATCH team-x/", "999999999999/ap-southeast-2", "someone else shares the registry")
	r.expect(t, "replication-rule", src, "", "ok", "PREFIX_MATCH enterprise-apps/")
}

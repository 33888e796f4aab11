package verify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Managed signing. moto 5.2 has none of the signing APIs (it answers HTTP 500), so these tests
// replay them with the shapes of service/ecr v1.69.0 (its deserializers, types and response
// snapshots):
//   - GetSigningConfiguration: {registryId, signingConfiguration: {rules: [{signingProfileArn,
//     repositoryFilters: [{filter, filterType: WILDCARD_MATCH}]}]}}, or HTTP 400
//     {"__type": "SigningConfigurationNotFoundException"} when the registry has none;
//   - DescribeImageSigningStatus: {repositoryName, imageId, registryId, signingStatuses:
//     [{signingProfileArn, status: IN_PROGRESS | COMPLETE | FAILED, failureCode, failureReason}]};
//   - ListImageReferrers: {referrers: [{digest, mediaType, artifactType, size, artifactStatus,
//     annotations}], nextToken}.
// Images, repositories and everything else are moto's.

const signingProfile = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/ecr_images"

// signingReplay is what the replayed signing APIs answer.
type signingReplay struct {
	// config is the signing configuration's rules as JSON ("" answers
	// SigningConfigurationNotFoundException).
	config string
	// status gives an image's signing statuses as JSON (a list), by repository and digest.
	status func(repo, digest string) string
	// signed tells whether the signature of an image (by digest) is in a region.
	signed func(region, digest string) bool
	// pages splits ListImageReferrers answers after the first referrer (a nextToken).
	pages bool
}

// appSigningRules is the signing rule the source stack deploys for the default namespace.
func appSigningRules(profile string, filters ...string) string {
	var fs []string
	for _, f := range filters {
		fs = append(fs, fmt.Sprintf(`{"filter":%q,"filterType":"WILDCARD_MATCH"}`, f))
	}
	return fmt.Sprintf(`{"signingProfileArn":%q,"repositoryFilters":[%s]}`, profile, strings.Join(fs, ","))
}

// signatureOf is the digest of the replayed signature of an image.
func signatureOf(digest string) string {
	return "sha256:5e" + strings.TrimPrefix(digest, "sha256:")[2:]
}

// answers returns the replayed operations.
func (s *signingReplay) answers() map[string]answer {
	return map[string]answer{
		"GetSigningConfiguration": func(string, []byte) (int, string) {
			if s.config == "" {
				return http.StatusBadRequest, `{"__type":"SigningConfigurationNotFoundException","message":"No signing configuration found for registry 123456789012"}`
			}
			return http.StatusOK, fmt.Sprintf(`{"registryId":%q,"signingConfiguration":{"rules":[%s]}}`, sourceAccount, s.config)
		},
		"DescribeImageSigningStatus": func(_ string, body []byte) (int, string) {
			var req struct {
				RepositoryName string
				ImageId        struct{ ImageDigest string }
			}
			_ = json.Unmarshal(body, &req)
			return http.StatusOK, fmt.Sprintf(`{"repositoryName":%q,"registryId":%q,"imageId":{"imageDigest":%q},"signingStatuses":%s}`,
				req.RepositoryName, sourceAccount, req.ImageId.ImageDigest, s.status(req.RepositoryName, req.ImageId.ImageDigest))
		},
		"ListImageReferrers": s.referrers,
	}
}

// referrers answers ListImageReferrers: the subject's signature where it is, and an SBOM (another
// artifact type, never counted), in one page or two.
func (s *signingReplay) referrers(region string, body []byte) (int, string) {
	var req struct {
		SubjectId struct{ ImageDigest string }
		NextToken string
	}
	_ = json.Unmarshal(body, &req)
	digest := req.SubjectId.ImageDigest
	sbom := `{"digest":"sha256:0b0b","mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json","size":512,"artifactStatus":"ACTIVE"}`
	var refs []string
	if s.signed(region, digest) {
		refs = append(refs, fmt.Sprintf(`{"digest":%q,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature","size":1200,"artifactStatus":"ACTIVE","annotations":{"io.cncf.notary.x509chain.thumbprint#S256":"[\"ab\"]"}}`, signatureOf(digest)))
	}
	switch {
	case s.pages && req.NextToken == "":
		return http.StatusOK, fmt.Sprintf(`{"referrers":[%s],"nextToken":"page-2"}`, sbom)
	case s.pages:
		return http.StatusOK, fmt.Sprintf(`{"referrers":[%s]}`, strings.Join(refs, ","))
	}
	return http.StatusOK, fmt.Sprintf(`{"referrers":[%s]}`, strings.Join(append(refs, sbom), ","))
}

// complete is the status of an image signed with profile.
func complete(profile string) string {
	return fmt.Sprintf(`[{"signingProfileArn":%q,"status":"COMPLETE"}]`, profile)
}

// signingWorld is a healthy default deployment with signingProfileArn, behind the replay.
func signingWorld(t *testing.T, extra map[string]any) (*world, *signingReplay, *proxy) {
	if extra == nil {
		extra = map[string]any{"signingProfileArn": signingProfile}
	}
	w := newWorld(t, extra)
	w.healthy()
	s := &signingReplay{
		config: appSigningRules(signingProfile, "enterprise-apps/*"),
		status: func(string, string) string { return complete(signingProfile) },
		signed: func(string, string) bool { return true },
	}
	p := replayProxy(t, w.moto.endpoint, s.answers())
	w.via(p.URL)
	return w, s, p
}

func TestSigningHealthy(t *testing.T) {
	w, s, p := signingWorld(t, nil)
	s.pages = true // the signature is on the second page of ListImageReferrers
	code, r, stderr := w.runJSON()
	if code != 0 {
		t.Fatalf("exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	r.expect(t, "signing-configuration", src, "", "ok", "signs "+signingProfile+" for enterprise-apps/*")
	r.expect(t, "signing", src, production, "ok", "all 2 recent images signed ("+signingProfile+")")
	r.expect(t, "signing", src, testingRep, "ok", "all 1 recent images signed")
	for _, region := range []string{dw2, de1} {
		r.expect(t, "signatures", region, production, "ok", "2 of 2 signatures of the recent signed images seen here",
			"(AWS does not document whether ECR replicates signatures: this is what verify saw)")
	}
	_, _, perOp := p.stats()
	// 3 recent images: a status each; the signatures of each in the source and 2 destinations,
	// two pages each.
	if perOp["DescribeImageSigningStatus"] != 3 || perOp["ListImageReferrers"] != 3*3*2 || perOp["GetSigningConfiguration"] != 1 {
		t.Errorf("requests: %v", perOp)
	}
}

func TestSigningProblems(t *testing.T) {
	w, s, _ := signingWorld(t, nil)
	var releaseA string
	s.config = appSigningRules(signingProfile, "enterprise-apps/*", "legacy/*") + "," + appSigningRules("arn:aws:signer:us-east-1:999999999999:/signing-profiles/other", "team-x/*")
	s.status = func(repo, digest string) string {
		switch {
		case repo == testingRep:
			return `[]` // not signed
		case releaseA == "":
			releaseA = digest
			return fmt.Sprintf(`[{"signingProfileArn":%q,"status":"FAILED","failureCode":"SIGNING_PROFILE_ACCESS_DENIED","failureReason":"not authorized to perform signer:SignPayload"}]`, signingProfile)
		}
		return complete(signingProfile)
	}
	s.signed = func(region, digest string) bool { return region != de1 } // signatures did not reach eu-west-1
	code, r, _ := w.runJSON()
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r.expect(t, "signing-configuration", src, "", "problem", "filter legacy/* is no namespace's", "redeploy ecr-replication-source-us-east-1")
	r.expect(t, "signing-other-rule", src, "", "warning", "signing rule 2 is not this app's (arn:aws:signer:us-east-1:999999999999:/signing-profiles/other for team-x/*)", "drops it")
	r.expect(t, "signing", src, production, "problem", "1 of 2 recent images signed", "FAILED SIGNING_PROFILE_ACCESS_DENIED (not authorized to perform signer:SignPayload)")
	r.expect(t, "signing", src, testingRep, "warning", "0 of 1 recent images signed; no signing status (pushed before the signing configuration, or outside its filters): dev-1 (")
	r.expect(t, "signatures", dw2, production, "ok", "1 of 1 signatures of the recent signed images seen here")
	r.expect(t, "signatures", de1, production, "warning", "0 of 1 signatures of the recent signed images seen here; missing: sha256:5e", "AWS does not document whether ECR replicates signatures")
	if got := len(r.find("signatures", dw2, testingRep)); got != 0 {
		t.Errorf("no signed image in testing: no signatures check, got %d", got)
	}

	// No signing configuration at all.
	s.config = ""
	_, r, _ = w.runJSON()
	r.expect(t, "signing-configuration", src, "", "problem", "no signing configuration in the source registry: images pushed are not signed; deploy ecr-replication-source-us-east-1")
}

func TestSigningCreatedProfile(t *testing.T) {
	// signing=true: the source stack creates the profile, whose name verify does not know.
	w, s, _ := signingWorld(t, map[string]any{"signing": true})
	s.config = appSigningRules("arn:aws:signer:us-east-1:123456789012:/signing-profiles/SigningProfile_a1b2c3", "enterprise-apps/*")
	code, r, stderr := w.runJSON()
	if code != 0 {
		t.Fatalf("exit %d; %+v; %s", code, r.problems(), stderr)
	}
	r.expect(t, "signing-configuration", src, "", "ok", "signs arn:aws:signer:us-east-1:123456789012:/signing-profiles/SigningProfile_a1b2c3 for enterprise-apps/*")
	s.config = appSigningRules("arn:aws:signer:us-west-2:123456789012:/signing-profiles/elsewhere", "enterprise-apps/*")
	_, r, _ = w.runJSON()
	r.expect(t, "signing-configuration", src, "", "problem", "profile arn:aws:signer:us-west-2:123456789012:/signing-profiles/elsewhere is not a signing profile of us-east-1")
}

func TestNoSigningCallsWithoutSigning(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	p := replayProxy(t, w.moto.endpoint, nil)
	w.via(p.URL)
	if code, r, _ := w.runJSON(); code != 0 || len(r.find("signing-configuration", src, "")) != 0 {
		t.Fatalf("exit %d; %+v", code, r.Checks)
	}
	if code, r, _ := w.runJSON("--preflight"); code != 1 || len(r.find("signing-configuration", src, "")) != 0 {
		t.Fatalf("preflight: exit %d; %+v", code, r.find("signing-configuration", src, ""))
	}
	_, _, perOp := p.stats()
	for _, op := range []string{"GetSigningConfiguration", "DescribeImageSigningStatus", "ListImageReferrers"} {
		if perOp[op] != 0 {
			t.Errorf("signing is off, yet %s was called %d times", op, perOp[op])
		}
	}
}

func TestPreflightFindsASigningConfiguration(t *testing.T) {
	w, s, _ := signingWorld(t, nil)
	s.config = appSigningRules("arn:aws:signer:us-east-1:999999999999:/signing-profiles/manual", "*")
	code, r, _ := w.runJSON("--preflight")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r.expect(t, "signing-configuration", src, "", "problem",
		"the registry already has a signing configuration (arn:aws:signer:us-east-1:999999999999:/signing-profiles/manual for *)",
		"ecr-replication-source-us-east-1 creates the registry's one signing configuration, and fails with AlreadyExists or replaces it",
		"aws ecr get-signing-configuration --region us-east-1", "aws ecr delete-signing-configuration --region us-east-1")
	s.config = ""
	_, r, _ = w.runJSON("--preflight")
	r.expect(t, "signing-configuration", src, "", "ok", "the registry has no signing configuration: the deploy creates it")

	// A source stack that exists without a signing configuration (signing turned on in an
	// update) creates one: the registry's is still in the way.
	w.stack(src, testingCreds, "ecr-replication-source-us-east-1", nil)
	s.config = appSigningRules("arn:aws:signer:us-east-1:999999999999:/signing-profiles/manual", "*")
	_, r, _ = w.runJSON("--preflight")
	r.expect(t, "signing-configuration", src, "", "problem", "the registry already has a signing configuration")

	// moto has no signing API: the check says so.
	w.via(w.moto.endpoint)
	_, r, _ = w.runJSON("--preflight")
	r.expect(t, "signing-configuration", src, "", "skipped", "not checked: the endpoint does not implement GetSigningConfiguration")
}

func TestPreflightSigningConfigurationOfTheStack(t *testing.T) {
	w, _, _ := signingWorld(t, nil)
	// A source stack that holds the signing configuration owns it: no GetSigningConfiguration.
	w.stack(src, testingCreds, "ecr-replication-source-us-east-1", nil)
	p := replayProxy(t, w.moto.endpoint, map[string]answer{"ListStackResources": func(region string, _ []byte) (int, string) {
		return http.StatusOK, `<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult><StackResourceSummaries>` +
			`<member><LogicalResourceId>SigningD4AC3E4C</LogicalResourceId><PhysicalResourceId>123456789012</PhysicalResourceId><ResourceType>AWS::ECR::SigningConfiguration</ResourceType>` +
			`<LastUpdatedTimestamp>2026-12-07T02:35:23Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>` +
			`</StackResourceSummaries></ListStackResourcesResult></ListStackResourcesResponse>`
	}})
	w.via(p.URL)
	_, r, _ := w.runJSON("--preflight")
	r.expect(t, "signing-configuration", src, "", "ok", "ecr-replication-source-us-east-1 exists and owns the registry's signing configuration")
	if _, _, perOp := p.stats(); perOp["GetSigningConfiguration"] != 0 {
		t.Errorf("the stack's own configuration is not read: %v", perOp)
	}
}

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

// A small registry for the destination tests, evaluated at fixedNow (2026-11-20T12:00:00Z).
// The source's policy archives old* images not pulled for 30 days, keeps the newest v* image
// and expires untagged images after a day; so in the source imgA is kept, imgB, imgC and imgD
// expire, and imgE is archived. imgF exists only in the destination.
const teamRepo = "team/api"

type testImage struct {
	digest string
	tags   []string
	pushed string
	size   int64
}

func digestOf(c string) string { return "sha256:" + strings.Repeat(c, 64) }

var (
	imgA = testImage{digestOf("a"), []string{"v3"}, "2026-11-19T10:00:00Z", 100}
	imgB = testImage{digestOf("b"), []string{"v2"}, "2026-11-10T10:00:00Z", 200}
	imgC = testImage{digestOf("c"), []string{"v1"}, "2026-11-01T10:00:00Z", 400}
	imgD = testImage{digestOf("d"), nil, "2026-11-15T10:00:00Z", 800}
	imgE = testImage{digestOf("e"), []string{"old-1"}, "2026-09-01T10:00:00Z", 1600}
	imgF = testImage{digestOf("f"), nil, "2026-11-01T10:00:00Z", 3200}
)

// writeImages writes a describe-images output listing images of team/api.
func writeImages(t *testing.T, path string, images ...testImage) string {
	t.Helper()
	details := []map[string]any{}
	for _, im := range images {
		d := map[string]any{"repositoryName": teamRepo, "imageDigest": im.digest, "imageSizeInBytes": im.size, "imagePushedAt": im.pushed}
		if im.tags != nil {
			d["imageTags"] = im.tags
		}
		details = append(details, d)
	}
	data, err := json.Marshal(map[string]any{"imageDetails": details})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func teamSourcePolicy(t *testing.T) string {
	t.Helper()
	text, err := lifecycle.Policy{Rules: []lifecycle.Rule{
		{RulePriority: 1, Description: "archive old* images not pulled for 30 days",
			Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusTagged, TagPrefixList: []string{"old"}, CountType: lifecycle.CountSinceImagePulled, CountUnit: lifecycle.CountUnitDays, CountNumber: 30},
			Action:    lifecycle.Action{Type: lifecycle.ActionTransition, TargetStorageClass: lifecycle.StorageArchive}},
		{RulePriority: 2, Description: "keep the newest v* image",
			Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusTagged, TagPrefixList: []string{"v"}, CountType: lifecycle.CountImageCountMoreThan, CountNumber: 1},
			Action:    lifecycle.Action{Type: lifecycle.ActionExpire}},
		{RulePriority: 3, Description: "expire untagged images older than 1 day",
			Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusUntagged, CountType: lifecycle.CountSinceImagePushed, CountUnit: lifecycle.CountUnitDays, CountNumber: 1},
			Action:    lifecycle.Action{Type: lifecycle.ActionExpire}},
	}}.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func untaggedPolicy(t *testing.T, days int) string {
	t.Helper()
	text, err := lifecycle.ExpireUntaggedPolicy(days).JSON()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// replicationRes is an AWS::ECR::ReplicationConfiguration with the given rules.
func replicationRes(rules ...any) map[string]any {
	return map[string]any{"Type": typeReplicationConfiguration, "Properties": map[string]any{"ReplicationConfiguration": map[string]any{"Rules": rules}}}
}

// ruleOf is a replication rule: PREFIX_MATCH filter (none when ""), DeleteReplication.Enabled
// (absent when nil), destinations in the source account.
func ruleOf(filter string, deleteReplication any, regions ...string) map[string]any {
	r := map[string]any{}
	if filter != "" {
		r["RepositoryFilters"] = []any{map[string]any{"Filter": filter, "FilterType": "PREFIX_MATCH"}}
	}
	if deleteReplication != nil {
		r["DeleteReplication"] = map[string]any{"Enabled": deleteReplication}
	}
	var dests []any
	for _, region := range regions {
		dests = append(dests, map[string]any{"Region": region, "RegistryId": map[string]any{"Ref": "AWS::AccountId"}})
	}
	r["Destinations"] = dests
	return r
}

// teamWorld writes a cloud assembly: app-source-us-east-1 with team/api (the source's policy)
// and, unless config is nil, the replication configuration; and, for each entry of replicas,
// a stack of that name with those resources. It returns the directory and the source's images.
func teamWorld(t *testing.T, config map[string]any, replicas map[string]map[string]any) (string, string) {
	t.Helper()
	dir := t.TempDir()
	source := map[string]any{"Repo": repoResource(teamRepo, teamSourcePolicy(t)), "Payments": repoResource("payments/api", teamSourcePolicy(t))}
	if config != nil {
		source["Replication"] = config
	}
	writeStack(t, dir, "app-source-us-east-1", source)
	for name, resources := range replicas {
		writeStack(t, dir, name, resources)
	}
	return dir, writeImages(t, filepath.Join(t.TempDir(), "source.json"), imgA, imgB, imgC, imgD, imgE)
}

// destinationSummary is what a test checks of one destination.
type destinationSummary struct {
	region string
	rule   int
	on     bool
}

func TestDestinationsOfTheCoveringRules(t *testing.T) {
	cases := []struct {
		name       string
		config     map[string]any
		repository string
		want       []destinationSummary
		note       string // in replication.note
		table      string // in the table output
	}{
		{"delete replication on", replicationRes(ruleOf("team/", true, "us-west-2")), teamRepo,
			[]destinationSummary{{"us-west-2", 1, true}}, "team/api is replicated by rule 1 (filter team/)",
			"Delete replication on: these 3 images (1.4 KiB, 1,400 bytes in the source) expired in the source are also deleted from us-west-2; archive transitions are not mirrored (the source archives 1 image)"},
		{"delete replication absent is off", replicationRes(ruleOf("team/", nil, "us-west-2", "eu-west-1")), teamRepo,
			[]destinationSummary{{"us-west-2", 1, false}, {"eu-west-1", 1, false}}, "replicated by rule 1",
			"Delete replication off: replicas keep the images the source expires; the replica's own lifecycle policy decides"},
		{"delete replication disabled is off", replicationRes(ruleOf("team/", false, "us-west-2")), teamRepo,
			[]destinationSummary{{"us-west-2", 1, false}}, "replicated by rule 1", "(the replica's own lifecycle policy: preview it with --destination-images us-west-2=FILE"},
		{"two namespaces: the second rule covers team/", replicationRes(ruleOf("payments/", true, "ap-southeast-2"), ruleOf("team/", nil, "us-west-2")), teamRepo,
			[]destinationSummary{{"us-west-2", 2, false}}, "team/api is replicated by rule 2 (filter team/)", "us-west-2 (the source account), replication rule 2"},
		{"two namespaces: the first rule covers payments/", replicationRes(ruleOf("payments/", true, "ap-southeast-2"), ruleOf("team/", nil, "us-west-2")), "payments/api",
			[]destinationSummary{{"ap-southeast-2", 1, true}}, "payments/api is replicated by rule 1 (filter payments/)", "ap-southeast-2 (the source account), replication rule 1"},
		{"a rule without filters covers every repository", replicationRes(ruleOf("", true, "us-west-2")), teamRepo,
			[]destinationSummary{{"us-west-2", 1, true}}, "rule 1 (no filter: every repository)", "deleted from us-west-2"},
		{"a repository in no rule is not replicated", replicationRes(ruleOf("payments/", true, "ap-southeast-2"), ruleOf("team-legacy/", true, "us-west-2")), teamRepo,
			nil, "team/api is not replicated: no rule of", "Destinations: team/api is not replicated: no rule of"},
		{"no replication configuration", nil, teamRepo,
			nil, "has no AWS::ECR::ReplicationConfiguration", "is not replicated:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, images := teamWorld(t, tc.config, nil)
			args := []string{"--images", images, "--cdk-out", dir, "--repository", tc.repository, "--now", fixedNow}
			rep := runJSON(t, args...)
			if rep.Replication == nil || rep.Replication.Replicated != (tc.want != nil) || !strings.Contains(rep.Replication.Note, tc.note) {
				t.Fatalf("replication = %+v; want replicated=%v, a note containing %q", rep.Replication, tc.want != nil, tc.note)
			}
			var got []destinationSummary
			for _, d := range rep.Destinations {
				got = append(got, destinationSummary{d.Region, d.Rule, d.DeleteReplication})
				checkMirrored(t, d)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("destinations = %+v; want %+v", got, tc.want)
			}
			code, stdout, stderr := runCmd(t, args...)
			if code != exitOK || !strings.Contains(stdout, tc.table) {
				t.Errorf("table: exit %d, stderr %q; want the output to contain %q:\n%s", code, stderr, tc.table, stdout)
			}
		})
	}
}

// checkMirrored checks what a destination says of the source's expirations: with delete
// replication, exactly the images the source expires (imgD, imgB, imgC, newest first), never
// the one it archives (imgE); without, none.
func checkMirrored(t *testing.T, d destinationDoc) {
	t.Helper()
	if d.SourceTransitionsNotMirrored != 1 {
		t.Errorf("%s: sourceTransitionsNotMirrored = %d; want 1 (imgE)", d.Region, d.SourceTransitionsNotMirrored)
	}
	if !d.DeleteReplication {
		if d.MirroredFromSource != nil || !strings.Contains(d.Summary, "replicas keep the images the source expires") {
			t.Errorf("%s, delete replication off: mirrored %+v, summary %q; want none", d.Region, d.MirroredFromSource, d.Summary)
		}
		return
	}
	want := &mirroredDoc{Images: 3, Bytes: imgD.size + imgB.size + imgC.size, Digests: []string{imgD.digest, imgB.digest, imgC.digest}}
	if !reflect.DeepEqual(d.MirroredFromSource, want) {
		t.Errorf("%s: mirroredFromSource = %+v; want %+v (not the archived imgE)", d.Region, d.MirroredFromSource, want)
	}
}

// fate is an image's verdict and cause in a destination.
type fate struct{ verdict, cause string }

func TestDestinationImagesJoinMirroredAndOwnExpirations(t *testing.T) {
	// The replica's own policy expires untagged images after a day and nothing else. The
	// destination lists imgA, imgB, imgD, imgE and imgF; imgC, which the source expires, is
	// not there.
	replica := map[string]map[string]any{"app-replica-us-west-2": {"Replica": repoResource(teamRepo, untaggedPolicy(t, 1))}}
	cases := []struct {
		name   string
		on     bool
		fates  map[string]fate
		totals destinationTotals
	}{
		{"delete replication on", true, map[string]fate{
			imgA.digest: {"kept", ""},
			imgB.digest: {"expire", causeMirrored}, // the source expires it, its own policy does not select tagged images
			imgD.digest: {"expire", causeBoth},     // both expire it
			imgE.digest: {"kept", ""},              // archived in the source: not mirrored
			imgF.digest: {"expire", causeOwn},      // only in the destination
		}, destinationTotals{
			totals:       totals{Images: 5, Kept: 2, Expired: 3, ExpiredBytes: imgB.size + imgD.size + imgF.size},
			MirroredOnly: 1, OwnPolicyOnly: 1, Both: 1, SourceExpiredNotHere: 1,
		}},
		{"delete replication off", false, map[string]fate{
			imgA.digest: {"kept", ""},
			imgB.digest: {"kept", ""},
			imgD.digest: {"expire", causeOwn},
			imgE.digest: {"kept", ""},
			imgF.digest: {"expire", causeOwn},
		}, destinationTotals{
			totals:        totals{Images: 5, Kept: 3, Expired: 2, ExpiredBytes: imgD.size + imgF.size},
			OwnPolicyOnly: 2,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, images := teamWorld(t, replicationRes(ruleOf("team/", tc.on, "us-west-2", "eu-west-1")), replica)
			dest := writeImages(t, filepath.Join(t.TempDir(), "us-west-2.json"), imgA, imgB, imgD, imgE, imgF)
			rep := runJSON(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo, "--now", fixedNow,
				"--destination-images", "us-west-2="+dest, "--price-per-gb-month", "0.5")
			if len(rep.Destinations) != 2 || rep.Destinations[1].Totals != nil {
				t.Fatalf("destinations = %+v; want us-west-2 evaluated, eu-west-1 not", rep.Destinations)
			}
			d := rep.Destinations[0]
			if d.Region != "us-west-2" || d.Images != dest || !strings.HasSuffix(d.ReplicaPolicySource, "app-replica-us-west-2.template.json: AWS::ECR::Repository Replica") {
				t.Errorf("us-west-2: images %q, replica policy %q; want the file and the replica stack's repository", d.Images, d.ReplicaPolicySource)
			}
			got := map[string]fate{}
			for _, v := range d.Verdicts {
				got[v.Digest] = fate{v.Verdict, v.Cause}
			}
			if !reflect.DeepEqual(got, tc.fates) {
				t.Errorf("fates = %v; want %v", got, tc.fates)
			}
			want := tc.totals
			want.finish(0.5)
			if *d.Totals != want {
				t.Errorf("totals = %+v; want %+v", *d.Totals, want)
			}
			for _, v := range d.Verdicts {
				if v.Cause == causeMirrored && (!strings.HasPrefix(v.Reason, "source expiry mirrored (source rule 2); own policy: kept: ") || v.RulePriority != 0) {
					t.Errorf("mirrored-only reason %q, rule %d; want the source's rule and the own policy's verdict", v.Reason, v.RulePriority)
				}
			}
		})
	}
}

func TestReplicaPolicySources(t *testing.T) {
	templateRes := func(prefix string, policy any) map[string]any { return templateResource(prefix, policy) }
	cases := []struct {
		name     string
		replicas map[string]map[string]any
		source   string // replicaPolicySource contains
		warning  string // on stderr; "" for none
		fates    map[string]fate
	}{
		{"the replica stack's repository", map[string]map[string]any{
			"app-replica-us-west-2": {"Replica": repoResource(teamRepo, untaggedPolicy(t, 1)), "Template": templateRes("team", untaggedPolicy(t, 30))},
		}, "app-replica-us-west-2.template.json: AWS::ECR::Repository Replica", "",
			map[string]fate{imgD.digest: {"expire", causeBoth}, imgF.digest: {"expire", causeOwn}}},
		{"a repository stack of the replica stack", map[string]map[string]any{
			"app-replica-us-west-2":                {},
			"app-replica-us-west-2-repositories-1": {"Replica": repoResource(teamRepo, untaggedPolicy(t, 1))},
		}, "app-replica-us-west-2-repositories-1.template.json: AWS::ECR::Repository Replica", "",
			map[string]fate{imgD.digest: {"expire", causeBoth}, imgF.digest: {"expire", causeOwn}}},
		{"the creation template when no repository is pre-created", map[string]map[string]any{
			"app-replica-us-west-2": {"Template": templateRes("team", untaggedPolicy(t, 30))},
		}, "AWS::ECR::RepositoryCreationTemplate Template (prefix team)", "",
			map[string]fate{imgD.digest: {"expire", causeMirrored}, imgF.digest: {"kept", ""}}}, // 30 days: imgF (19 days) stays
		{"a creation template without a policy", map[string]map[string]any{
			"app-replica-us-west-2": {"Template": templateRes("team", nil)},
		}, "none: ", "",
			map[string]fate{imgD.digest: {"expire", causeMirrored}, imgF.digest: {"kept", ""}}},
		{"a replica stack that does not cover the repository", map[string]map[string]any{
			"app-replica-us-west-2": {"Other": repoResource("other/api", untaggedPolicy(t, 1))},
		}, "none found: app-replica-us-west-2 defines no AWS::ECR::Repository named team/api", "us-west-2: none found: app-replica-us-west-2 defines no",
			map[string]fate{imgD.digest: {"expire", causeMirrored}, imgF.digest: {"kept", ""}}},
		{"no replica stack: the source's policy, with a warning", map[string]map[string]any{
			"app-replica-eu-west-1": {"Replica": repoResource(teamRepo, untaggedPolicy(t, 1))},
		}, "the source's policy: ", "no replica stack for us-west-2 in ",
			// the source's policy on the destination: imgB is the older of 2 v* images there, imgE is archived by it
			map[string]fate{imgB.digest: {"expire", causeBoth}, imgD.digest: {"expire", causeBoth}, imgE.digest: {"transition", ""}, imgF.digest: {"expire", causeOwn}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, images := teamWorld(t, replicationRes(ruleOf("team/", true, "us-west-2")), tc.replicas)
			dest := writeImages(t, filepath.Join(t.TempDir(), "us-west-2.json"), imgA, imgB, imgD, imgE, imgF)
			args := []string{"--images", images, "--cdk-out", dir, "--repository", teamRepo, "--now", fixedNow, "--destination-images", "us-west-2=" + dest}
			rep := runJSON(t, args...)
			d := rep.Destinations[0]
			if !strings.Contains(d.ReplicaPolicySource, tc.source) {
				t.Errorf("replicaPolicySource = %q; want it to contain %q", d.ReplicaPolicySource, tc.source)
			}
			for _, v := range d.Verdicts {
				if want, ok := tc.fates[v.Digest]; ok && (fate{v.Verdict, v.Cause}) != want {
					t.Errorf("%v: %s %q (%s); want %v", v.Tags, v.Verdict, v.Cause, v.Reason, want)
				}
			}
			_, _, stderr := runCmd(t, args...)
			if (tc.warning == "") != (stderr == "") || !strings.Contains(stderr, tc.warning) {
				t.Errorf("stderr = %q; want a warning containing %q (none when empty)", stderr, tc.warning)
			}
		})
	}
}

func TestDestinationImagesUsageErrors(t *testing.T) {
	dir, images := teamWorld(t, replicationRes(ruleOf("payments/", true, "ap-southeast-2"), ruleOf("team/", true, "us-west-2", "eu-west-1")), nil)
	base := []string{"--images", images, "--cdk-out", dir, "--repository", teamRepo}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"every bad value at once", append(base,
			"--destination-images", "us-west-2",
			"--destination-images", "=a.json",
			"--destination-images", "eu-west-1=",
			"--destination-images", "ap-southeast-2=b.json",
			"--destination-images", "eu-central-1=c.json",
			"--destination-images", "us-west-2=d.json",
			"--destination-images", "us-west-2=e.json"), []string{
			`--destination-images "us-west-2": expected REGION=FILE, e.g. us-west-2=replica-images.json`,
			`--destination-images "=a.json": expected REGION=FILE`,
			`--destination-images "eu-west-1=": expected REGION=FILE`,
			"--destination-images ap-southeast-2=b.json: ap-southeast-2 is not a destination of team/api (expected one of: eu-west-1, us-west-2)",
			"--destination-images eu-central-1=c.json: eu-central-1 is not a destination of team/api (expected one of: eu-west-1, us-west-2)",
			`--destination-images "us-west-2=e.json": region us-west-2 is already given by "us-west-2=d.json"`,
		}},
		{"with other usage problems", append(base, "--now", "today", "--destination-images", "eu-central-1=c.json"), []string{
			`--now "today" is not an RFC 3339 time`,
			"--destination-images eu-central-1=c.json: eu-central-1 is not a destination of team/api",
		}},
		{"a repository that is not replicated", []string{"--images", images, "--cdk-out", dir, "--repository", "other/api", "--destination-images", "us-west-2=a.json"}, []string{
			"--destination-images us-west-2=a.json: other/api is not replicated: no rule of " + filepath.Join(dir, "app-source-us-east-1.template.json") + ": AWS::ECR::ReplicationConfiguration Replication covers it",
		}},
		{"with --policy", []string{"--images", images, "--policy", fixture("policy-testing.json"), "--destination-images", "us-west-2=a.json"}, []string{
			"--destination-images needs --cdk-out DIR --repository NAME: the destinations come from the replication rules there",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, "lifecycle-preview: "+w) {
					t.Errorf("stderr =\n%s\nwant a line with %q", stderr, w)
				}
			}
			if n := strings.Count(stderr, "\n"); n != len(tc.want)+1 {
				t.Errorf("stderr has %d lines; want %d problems and the usage hint:\n%s", n, len(tc.want), stderr)
			}
		})
	}

	t.Run("no replication configuration", func(t *testing.T) {
		dir, images := teamWorld(t, nil, nil)
		code, _, stderr := runCmd(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo, "--destination-images", "us-west-2=a.json")
		if want := "--destination-images us-west-2=a.json: " + dir + " has no AWS::ECR::ReplicationConfiguration, so team/api has no destinations"; code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
		}
	})
}

func TestDestinationImagesInputErrors(t *testing.T) {
	replica := map[string]map[string]any{"app-replica-us-west-2": {"Replica": repoResource(teamRepo, "{not json")}}
	dir, images := teamWorld(t, replicationRes(ruleOf("team/", true, "us-west-2", "eu-west-1")), replica)
	missing := filepath.Join(dir, "nope.json")
	malformed := filepath.Join(dir, "eu.json")
	if err := os.WriteFile(malformed, []byte(`{"imageDetails": [}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo,
		"--destination-images", "us-west-2="+missing, "--destination-images", "eu-west-1="+malformed)
	if code != exitInput || stdout != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, exitInput)
	}
	for _, w := range []string{
		"lifecycle-preview: cannot read --destination-images us-west-2=" + missing + ": open " + missing + ": no such file or directory",
		"lifecycle-preview: " + malformed + ": not valid describe-images JSON: line 1, column 19",
		"lifecycle-preview: replica policy " + filepath.Join(dir, "app-replica-us-west-2.template.json") + ": AWS::ECR::Repository Replica: policy is not valid JSON",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr =\n%s\nwant it to contain %q", stderr, w)
		}
	}
}

func TestReplicationConfigurationProblems(t *testing.T) {
	t.Run("a rule built with CloudFormation functions is an input error", func(t *testing.T) {
		rule := ruleOf("team/", true, "us-west-2")
		rule["RepositoryFilters"] = []any{map[string]any{"Filter": map[string]any{"Fn::Join": []any{"", []any{"team", "/"}}}, "FilterType": "PREFIX_MATCH"}}
		dir, images := teamWorld(t, replicationRes(rule), nil)
		code, _, stderr := runCmd(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo)
		if want := "AWS::ECR::ReplicationConfiguration Replication: cannot read the replication rules (built with CloudFormation functions?)"; code != exitInput || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
		}
	})
	t.Run("several configurations: --stack picks the source stack", func(t *testing.T) {
		dir, images := teamWorld(t, replicationRes(ruleOf("team/", true, "us-west-2")), map[string]map[string]any{
			"aaa-source-eu-west-1": {"Replication": replicationRes(ruleOf("team/", nil, "ap-south-1")), "Repo": repoResource(teamRepo, teamSourcePolicy(t))},
		})
		code, stdout, stderr := runCmd(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo, "--json")
		if code != exitOK || !strings.Contains(stderr, "several stacks hold an AWS::ECR::ReplicationConfiguration (aaa-source-eu-west-1, app-source-us-east-1); using aaa-source-eu-west-1's (choose the source stack with --stack)") ||
			!strings.Contains(stdout, `"region": "ap-south-1"`) {
			t.Errorf("exit %d, stderr %q; want the first stack's configuration and a warning\n%s", code, stderr, stdout)
		}
		rep := runJSON(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo, "--stack", "app-source-us-east-1")
		if len(rep.Destinations) != 1 || rep.Destinations[0].Region != "us-west-2" {
			t.Errorf("--stack app-source-us-east-1: destinations %+v; want us-west-2", rep.Destinations)
		}
	})
	t.Run("--stack naming another stack than the source warns", func(t *testing.T) {
		dir, images := teamWorld(t, replicationRes(ruleOf("team/", true, "us-west-2")), map[string]map[string]any{
			"app-replica-us-west-2": {"Replica": repoResource(teamRepo, untaggedPolicy(t, 1))},
		})
		_, _, stderr := runCmd(t, "--images", images, "--cdk-out", dir, "--repository", teamRepo, "--stack", "app-replica-us-west-2")
		if want := "--stack app-replica-us-west-2 is not the source stack app-source-us-east-1"; !strings.Contains(stderr, want) {
			t.Errorf("stderr %q; want %q", stderr, want)
		}
	})
}

// TestDestinationsFixture runs the checked-in fixtures: enterprise-apps/ replicates to us-west-2
// and eu-west-1 with delete replication (rule 2; rule 1 is payments/), and the us-west-2 file
// differs from the source as usWest2Images describes.
func TestDestinationsFixture(t *testing.T) {
	args := []string{"--images", fixture("describe-images-production.json"), "--cdk-out", fixture("cdk-out"),
		"--repository", "enterprise-apps/production", "--now", fixedNow,
		"--destination-images", "us-west-2=" + fixture("describe-images-production-us-west-2.json")}
	rep := runJSON(t, args...)
	if len(rep.Destinations) != 2 || rep.Destinations[0].Region != "us-west-2" || rep.Destinations[1].Region != "eu-west-1" {
		t.Fatalf("destinations = %+v; want us-west-2 and eu-west-1 of rule 2", rep.Destinations)
	}
	var sourceExpired []string
	for _, v := range rep.Verdicts {
		if v.Verdict == "expire" {
			sourceExpired = append(sourceExpired, v.Digest)
		}
	}
	for _, d := range rep.Destinations {
		if d.Rule != 2 || !d.DeleteReplication || d.Account != sourceAccount || !reflect.DeepEqual(d.MirroredFromSource.Digests, sourceExpired) {
			t.Errorf("%s: rule %d, on %v, account %q, mirrored %v; want rule 2, on, the source account, the source's expirations %v",
				d.Region, d.Rule, d.DeleteReplication, d.Account, d.MirroredFromSource.Digests, sourceExpired)
		}
	}
	west := rep.Destinations[0]
	if !strings.HasSuffix(west.ReplicaPolicySource, "ecr-replication-replica-us-west-2.template.json: AWS::ECR::Repository ProductionRepositoryE6138F87") {
		t.Errorf("replica policy = %q; want the replica stack's repository", west.ReplicaPolicySource)
	}
	fates := map[string]fate{}
	for _, v := range west.Verdicts {
		fates[imageLabel(v.verdictDoc)] = fate{v.Verdict, v.Cause}
	}
	for label, want := range map[string]fate{
		"prod-1.3.0":                     {"expire", causeBoth},
		"<untagged sha256:4a01a73d72a8>": {"expire", causeBoth},
		"sha-1a2b3c4":                    {"expire", causeMirrored}, // untagged in the source
		"prod-0.9.0":                     {"expire", causeOwn},      // archived in the source only
		"prod-1.4.0":                     {"kept", ""},
		"<untagged sha256:9e4c533f4add>": {"kept", ""},
	} {
		if fates[label] != want {
			t.Errorf("us-west-2 %s: %v; want %v", label, fates[label], want)
		}
	}
	if _, ok := fates["prod-1.1.0"]; ok {
		t.Errorf("prod-1.1.0 is not in the us-west-2 file but has a verdict")
	}
	if got := *west.Totals; got.Images != 25 || got.Expired != 6 || got.MirroredOnly != 1 || got.OwnPolicyOnly != 1 || got.Both != 4 || got.SourceExpiredNotHere != 1 {
		t.Errorf("us-west-2 totals = %+v; want 25 images, 6 expire (1 mirrored, 1 own, 4 both), 1 source expiration not here", got)
	}

	code, stdout, stderr := runCmd(t, args...)
	for _, w := range []string{
		"Destinations: enterprise-apps/production is replicated by rule 2 (filter enterprise-apps/) of ",
		"us-west-2 (the source account), replication rule 2\n  Delete replication on: these 6 images",
		"  Images: 25 (kept 19, expire 6: 1 mirrored only, 1 own policy only, 4 both; transition 0)\n",
		"  Not in " + fixture("describe-images-production-us-west-2.json") + ": 1 image the source expires (not counted here)\n",
		"eu-west-1 (the source account), replication rule 2\n",
		"  (the replica's own lifecycle policy: preview it with --destination-images eu-west-1=FILE",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("table lacks %q:\n%s", w, stdout)
		}
	}
	if code != exitOK || stderr != "" || strings.Contains(stdout, "ap-southeast-2") {
		t.Errorf("exit %d, stderr %q, ap-southeast-2 (rule 1, payments/) shown: %v; want 0, nothing, false", code, stderr, strings.Contains(stdout, "ap-southeast-2"))
	}
}

// TestDestinationsOfTheAppsTemplates reads the app's own synthesized templates (the snapshots
// the root package keeps up to date): one rule for enterprise-apps/, to us-west-2 and
// eu-west-1, delete replication off by default; the replica stacks hold the repositories and
// a creation template.
func TestDestinationsOfTheAppsTemplates(t *testing.T) {
	snapshots := filepath.Join("..", "..", "testdata", "snapshots")
	rep := runJSON(t, "--images", fixture("describe-images-production.json"), "--cdk-out", snapshots,
		"--repository", "enterprise-apps/production", "--now", fixedNow,
		"--destination-images", "us-west-2="+fixture("describe-images-production-us-west-2.json"))
	if !strings.HasSuffix(rep.PolicySource, "ecr-replication-source-us-east-1.template.json: AWS::ECR::Repository ProductionRepositoryE6138F87") {
		t.Errorf("policySource = %q; want the source stack's repository", rep.PolicySource)
	}
	var got []destinationSummary
	for _, d := range rep.Destinations {
		got = append(got, destinationSummary{d.Region, d.Rule, d.DeleteReplication})
	}
	if want := []destinationSummary{{"us-west-2", 1, false}, {"eu-west-1", 1, false}}; !reflect.DeepEqual(got, want) {
		t.Errorf("destinations = %+v; want %+v", got, want)
	}
	if src := rep.Destinations[0].ReplicaPolicySource; !strings.HasSuffix(src, "ecr-replication-replica-us-west-2.template.json: AWS::ECR::Repository ProductionRepositoryE6138F87") {
		t.Errorf("us-west-2 replica policy = %q; want the replica stack's repository", src)
	}
	rep = runJSON(t, "--images", fixture("describe-images-testing.json"), "--cdk-out", snapshots,
		"--repository", "enterprise-apps/new-service", "--now", fixedNow,
		"--destination-images", "eu-west-1="+fixture("describe-images-testing.json"))
	if src := rep.Destinations[1].ReplicaPolicySource; !strings.Contains(src, "ecr-replication-replica-eu-west-1.template.json: AWS::ECR::RepositoryCreationTemplate") {
		t.Errorf("eu-west-1 replica policy of a repository ECR creates = %q; want the replica stack's creation template", src)
	}
}

// TestReadmeDestinationsExample keeps the README's example output (section "Preview what a
// lifecycle policy deletes") in step with what the command prints: every line shown, but the
// marked elision, is a line of the output.
func TestReadmeDestinationsExample(t *testing.T) {
	readme := string(mustRead(t, filepath.Join("..", "..", "README.md")))
	_, after, ok := strings.Cut(readme, "After the source's table it prints (shortened where marked):\n\n```text\n")
	excerpt, _, closed := strings.Cut(after, "\n```")
	if !ok || !closed {
		t.Fatal("README.md has no example output of the destinations part")
	}
	code, stdout, stderr := runCmd(t, "--cdk-out", "../../testdata/lifecycle/cdk-out", "--repository", "enterprise-apps/production",
		"--images", "../../testdata/lifecycle/describe-images-production.json", "--now", "2026-11-27T12:00:00Z",
		"--destination-images", "us-west-2=../../testdata/lifecycle/describe-images-production-us-west-2.json")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// The README runs from the repository root; the test from this package's directory.
	output := strings.ReplaceAll(stdout, "../../testdata/", "testdata/")
	lines := map[string]bool{}
	for _, l := range strings.Split(output, "\n") {
		lines[l] = true
	}
	for _, l := range strings.Split(excerpt, "\n") {
		if !lines[l] && !strings.HasPrefix(l, "  [… ") {
			t.Errorf("README line %q is not in the output:\n%s", l, output)
		}
	}
}

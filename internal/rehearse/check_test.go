package rehearse

import (
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/diagram"
)

// stackState builds a StackState from a template's resources (JSON) and the physical ids of
// those moto realized.
func stackState(t *testing.T, name, region, resources string, physical map[string]string) *StackState {
	t.Helper()
	tmpl := map[string]any{"Resources": decode(t, resources)}
	st := &StackState{Stack: Stack{Stack: diagram.Stack{Name: name, Account: "123456789012", Region: region, Template: tmpl}},
		Types: templateTypes(tmpl), Physical: physical, Unrealized: map[string]string{}, live: map[string]live{}}
	for id, typ := range st.Types {
		if _, ok := physical[id]; !ok {
			st.Unrealized[id] = typ
		}
	}
	return st
}

// findingsBySubject indexes findings by subject.
func findingsBySubject(fs []Finding) map[string]Finding {
	out := map[string]Finding{}
	for _, f := range fs {
		out[f.Subject] = f
	}
	return out
}

const repositoryTemplate = `{
  "Repo": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "Properties": {
    "RepositoryName": "apps/api", "ImageTagMutability": "IMMUTABLE",
    "LifecyclePolicy": {"LifecyclePolicyText": "{\"rules\":[]}"},
    "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": ["Key", "Arn"]}},
    "RepositoryPolicyText": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": ["ecr:BatchGetImage"]}]},
    "Tags": [{"Key": "Project", "Value": "p"}],
    "EmptyOnDelete": false}},
  "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
  "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
  "Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": {"Fn::GetAtt": ["Alarm", "Arn"]}}}
}`

func TestCompareResourceJudgesEachProperty(t *testing.T) {
	st := stackState(t, "s", "us-east-1", repositoryTemplate, map[string]string{"Repo": "apps/api", "Key": "k", "Dashboard": "d"})
	st.live["Key"] = live{attrs: map[string]string{"Arn": "arn:aws:kms:us-east-1:123456789012:key/k"}}
	realized := live{props: map[string]any{
		"RepositoryName":          "apps/api",
		"ImageTagMutability":      "MUTABLE",                            // differs, not a known gap: a failure
		"LifecyclePolicy":         nil,                                  // a known gap
		"EncryptionConfiguration": map[string]any{"EncryptionType": ""}, // a known gap
		// a known gap, yet realized with the same meaning (another order, a lone action as a
		// string): the gap is stale
		"RepositoryPolicyText": `{"Statement":[{"Action":"ecr:BatchGetImage","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Effect":"Allow"}],"Version":"2012-10-17"}`,
		"Tags":                 []any{map[string]any{"Key": "aws:cloudformation:stack-name", "Value": "s"}, map[string]any{"Key": "Project", "Value": "p"}},
	}}
	fs := findingsBySubject(compareResource(st, st.resolver(), "Repo", realized))
	for subject, want := range map[string]struct {
		status Status
		detail string
	}{
		"Repo RepositoryName":          {StatusPass, ""},
		"Repo ImageTagMutability":      {StatusFail, `ImageTagMutability (AWS::ECR::Repository) differs: template "IMMUTABLE", realized "MUTABLE"`},
		"Repo LifecyclePolicy":         {StatusGap, "LifecyclePolicy not realized"},
		"Repo EncryptionConfiguration": {StatusGap, `EncryptionConfiguration not realized (template {"EncryptionType":"KMS","KmsKey":"arn:aws:kms:us-east-1:123456789012:key/k"}, realized {"EncryptionType":""})`},
		"Repo RepositoryPolicyText":    {StatusFail, "moto now realizes RepositoryPolicyText of AWS::ECR::Repository: remove it from rehearse.PropertyGaps"},
		"Repo Tags":                    {StatusPass, ""},
		"Repo":                         {StatusSkipped, "AWS::ECR::Repository: not read back: EmptyOnDelete"},
	} {
		f, ok := fs[subject]
		if !ok || f.Status != want.status || !strings.Contains(f.Detail, want.detail) {
			t.Errorf("%s: got %+v, want %s %q", subject, f, want.status, want.detail)
		}
	}
	if len(fs) != 7 {
		t.Errorf("%d findings, want 7: %+v", len(fs), fs)
	}
	if f := fs["Repo LifecyclePolicy"]; !strings.HasPrefix(f.Gap, "AWS::ECR::Repository LifecyclePolicy not realized: moto's Repository.create_from_cloudformation_json") {
		t.Errorf("the gap's name: %q", f.Gap)
	}
	if len(st.Gaps) != 2 || st.Gaps[0] != (SettingGap{LogicalID: "Repo", PhysicalID: "apps/api", Type: "AWS::ECR::Repository", Property: "EncryptionConfiguration"}) ||
		st.Gaps[1].Property != "LifecyclePolicy" {
		t.Errorf("setting gaps: %+v", st.Gaps)
	}

	// A property that refers to an unrealized resource is not compared, and says why.
	fs = findingsBySubject(compareResource(st, st.resolver(), "Dashboard", live{props: map[string]any{"DashboardBody": "{}"}}))
	if f := fs["Dashboard DashboardBody"]; f.Status != StatusSkipped || !strings.Contains(f.Detail, "refers to Alarm.Arn of AWS::CloudWatch::Alarm, which moto did not realize") {
		t.Errorf("got %+v", f)
	}
}

func TestAnAttributeGapExplainsADifference(t *testing.T) {
	st := stackState(t, "s", "us-east-1", `{
	  "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
	  "Policy": {"Type": "AWS::Logs::ResourcePolicy", "Properties": {"PolicyName": "p",
	    "PolicyDocument": {"Fn::Join": ["", ["{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Principal\":{\"Service\":\"events.amazonaws.com\"},\"Resource\":\"", {"Fn::GetAtt": ["Logs", "Arn"]}, "\"}]}"]]}}}
	}`, map[string]string{"Logs": "g", "Policy": "p"})
	st.live["Logs"] = live{attrs: map[string]string{"Arn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}
	doc := func(resource string) string {
		return `{"Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Principal":{"Service":"events.amazonaws.com"},"Resource":"` + resource + `"}]}`
	}
	for _, c := range []struct {
		realized string
		status   Status
	}{
		{doc("arn:aws:logs:us-east-1:123456789012:log-group:g:*"), StatusPass}, // as CloudFormation documents
		{doc("arn:aws:logs:us-east-1:123456789012:log-group:g"), StatusGap},    // as moto resolves it
		{doc("arn:aws:logs:us-east-1:123456789012:log-group:other"), StatusFail},
	} {
		fs := findingsBySubject(compareResource(st, st.resolver(), "Policy", live{props: map[string]any{"PolicyName": "p", "PolicyDocument": c.realized}}))
		if f := fs["Policy PolicyDocument"]; f.Status != c.status {
			t.Errorf("%s: got %+v, want %s", c.realized, f, c.status)
		} else if c.status == StatusGap && !strings.Contains(f.Gap, "moto's Fn::GetAtt AWS::Logs::LogGroup.Arn") {
			t.Errorf("gap %q", f.Gap)
		}
	}
}

func TestDefinitionSubstitutionsApplyToTheDefinition(t *testing.T) {
	st := stackState(t, "s", "us-east-1", `{"SM": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
	  "DefinitionString": "{\"Comment\":\"${Partition}\"}", "DefinitionSubstitutions": {"Partition": {"Ref": "AWS::Partition"}}}}}`,
		map[string]string{"SM": "arn:sm"})
	fs := compareResource(st, st.resolver(), "SM", live{props: map[string]any{"DefinitionString": `{"Comment": "aws"}`}})
	if len(fs) != 1 || fs[0].Subject != "SM DefinitionString" || fs[0].Status != StatusPass {
		t.Errorf("got %+v", fs)
	}
	fs = compareResource(st, st.resolver(), "SM", live{props: map[string]any{"DefinitionString": `{"Comment": "${Partition}"}`}})
	if len(fs) != 1 || fs[0].Status != StatusFail {
		t.Errorf("an unsubstituted definition: got %+v", fs)
	}
}

func TestComparators(t *testing.T) {
	for _, c := range []struct {
		name      string
		eq        equalFunc
		want, got string
		same      bool
	}{
		{"numbers and booleans written as strings", plainEqual, `{"A": "30", "B": "true"}`, `{"A": 30, "B": true}`, true},
		{"another value", plainEqual, `{"A": 30}`, `{"A": 31}`, false},
		{"JSON text by meaning", sameJSON, `"{\"b\": 1, \"a\": [1, 2]}"`, `"{\"a\":[1,2],\"b\":1}"`, true},
		{"JSON text, another list order", sameJSON, `"{\"a\": [1, 2]}"`, `"{\"a\":[2,1]}"`, false},
		{"tags: extra realized tags are fine", tagsInclude, `[{"Key": "a", "Value": "1"}]`, `[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]`, true},
		{"tags: another value", tagsInclude, `[{"Key": "a", "Value": "1"}]`, `[{"Key": "a", "Value": "2"}]`, false},
		{"sets", sameSet, `["a", "b"]`, `["b", "a"]`, true},
		{"sets differ", sameSet, `["a", "b"]`, `["a"]`, false},
		{"targets by id, JSON input by meaning", targetsInclude, `[{"Id": "T", "Arn": "x", "Input": "{\"a\": 1}"}]`, `[{"Id": "T", "Arn": "x", "Input": "{\"a\":1}", "RetryPolicy": {}}]`, true},
		{"a target missing", targetsInclude, `[{"Id": "T", "Arn": "x"}]`, `[{"Id": "U", "Arn": "x"}]`, false},
		{"an extra target", targetsInclude, `[{"Id": "T", "Arn": "x"}]`, `[{"Id": "T", "Arn": "x"}, {"Id": "U", "Arn": "y"}]`, false},
		{"inline policies by name and meaning", policiesInclude,
			`[{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}}]`,
			`[{"PolicyName": "other", "PolicyDocument": "{}"}, {"PolicyName": "p", "PolicyDocument": "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}"}]`, true},
		{"an inline policy that is not JSON", policiesInclude,
			`[{"PolicyName": "p", "PolicyDocument": {"Statement": []}}]`, `[{"PolicyName": "p", "PolicyDocument": "{'Statement': []}"}]`, false},
		{"lifecycle policy text by meaning", sameLifecyclePolicy, `{"LifecyclePolicyText": "{\"rules\": []}"}`, `{"LifecyclePolicyText": "{\"rules\":[]}"}`, true},
		{"no lifecycle policy", sameLifecyclePolicy, `{"LifecyclePolicyText": "{\"rules\": []}"}`, `null`, false},
	} {
		same, why := c.eq(decode(t, c.want), decode(t, c.got), "aws")
		if same != c.same {
			t.Errorf("%s: same %v (%s), want %v", c.name, same, why, c.same)
		}
		if !same && why == "" {
			t.Errorf("%s: a difference without a detail", c.name)
		}
	}
}

func TestRealizedFindingsNameEverySkippedResource(t *testing.T) {
	st := stackState(t, "s", "us-east-1", repositoryTemplate, map[string]string{"Repo": "apps/api", "Key": "k", "Dashboard": "d"})
	st.Status = "CREATE_COMPLETE"
	st.ChangeSets = []string{"cdk-deploy-change-set (EXECUTE_COMPLETE)"}
	fs := realizedFindings(st)
	if len(fs) != 3 || fs[0].Status != StatusPass || !strings.Contains(fs[0].Detail, "moto realized 3 of the template's 4 resources") {
		t.Fatalf("got %+v", fs)
	}
	if fs[1].Subject != "change set" || fs[1].Status != StatusPass || fs[1].Detail != "deployed through change set cdk-deploy-change-set (EXECUTE_COMPLETE)" {
		t.Errorf("got %+v", fs[1])
	}
	if fs[2].Subject != "Alarm" || fs[2].Status != StatusGap || fs[2].Gap != "AWS::CloudWatch::Alarm not realized: "+unrealizedReason {
		t.Errorf("got %+v", fs[2])
	}
	st.Status = "ROLLBACK_COMPLETE"
	st.ChangeSets = []string{"cdk-deploy-change-set (AVAILABLE)"}
	if fs := realizedFindings(st); fs[0].Status != StatusFail || fs[1].Status != StatusFail {
		t.Errorf("a stack that did not complete, from a change set never executed: %+v", fs[:2])
	}
}

func TestRetention(t *testing.T) {
	st := stackState(t, "s", "us-east-1", repositoryTemplate, map[string]string{"Repo": "apps/api", "Key": "k"})
	for _, c := range []struct {
		name           string
		retain, exists bool
		state          string
		want           Status
		detail         string
	}{
		{"retained", true, true, "", StatusPass, "retained (DeletionPolicy Retain)"},
		{"retained but deleted", true, false, "", StatusFail, "has DeletionPolicy Retain but was deleted"},
		{"retained but scheduled for deletion", true, false, "PendingDeletion", StatusFail, "but is scheduled for deletion"},
		{"scheduled for deletion", false, false, "PendingDeletion", StatusPass, ""},
		{"removed", false, false, "", StatusPass, ""},
		{"not retained, still there", false, true, "", StatusFail, "is not retained by the template but still exists"},
	} {
		f, bad := retention(st, "Repo", "AWS::ECR::Repository", c.retain, c.exists, live{state: c.state})
		if f.Status != c.want || bad != (c.want == StatusFail) || !strings.Contains(f.Detail, c.detail) {
			t.Errorf("%s: got %+v (bad %v)", c.name, f, bad)
		}
	}
}

func TestBootstrapFinding(t *testing.T) {
	types := map[string]string{"Bucket": "AWS::S3::Bucket", "BucketPolicy": "AWS::S3::BucketPolicy", "Version": "AWS::SSM::Parameter", "Key": "AWS::KMS::Key"}
	conditional := map[string]bool{"Key": true}
	f := bootstrapFinding("aws://123456789012/us-east-1", "CREATE_COMPLETE", types, conditional, map[string]bool{"Bucket": true, "Version": true})
	if f.Status != StatusPass || f.Detail != "CDKToolkit CREATE_COMPLETE; moto skipped (no model): AWS::S3::BucketPolicy; not created, each with a Condition: Key" {
		t.Errorf("got %+v", f)
	}
	f = bootstrapFinding("aws://123456789012/us-east-1", "ROLLBACK_COMPLETE", types, conditional, map[string]bool{"Bucket": true, "BucketPolicy": true, "Version": true, "Key": true})
	if f.Status != StatusFail || f.Detail != "CDKToolkit ROLLBACK_COMPLETE" {
		t.Errorf("got %+v", f)
	}
}

func TestResourceTypesOfAYAMLTemplate(t *testing.T) {
	types, conditional, err := resourceTypes("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'cdk-${AWS::AccountId}'\n" +
		"  Policy:\n    Type: AWS::S3::BucketPolicy\n    Condition: HasPolicy\n    Properties:\n      Bucket: !Ref Bucket\nOutputs:\n  B:\n    Value: !Ref Bucket\n")
	if err != nil || len(types) != 2 || types["Bucket"] != "AWS::S3::Bucket" || types["Policy"] != "AWS::S3::BucketPolicy" ||
		conditional["Bucket"] || !conditional["Policy"] {
		t.Errorf("got %v, %v, %v", types, conditional, err)
	}
	types, _, err = resourceTypes(`{"Resources": {"Key": {"Type": "AWS::KMS::Key"}}}`)
	if err != nil || len(types) != 1 || types["Key"] != "AWS::KMS::Key" {
		t.Errorf("JSON: got %v, %v", types, err)
	}
}

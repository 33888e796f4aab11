package rehearse

import (
	"strings"
	"testing"
)

func TestExpectedVerifyGapsFollowWhatMotoSkipped(t *testing.T) {
	source, west, _, eu := deployment(t)
	source.Gaps = []SettingGap{
		{LogicalID: "Repo", PhysicalID: "r", Type: "AWS::ECR::Repository", Property: "LifecyclePolicy"},
		{LogicalID: "Repo", PhysicalID: "r", Type: "AWS::ECR::Repository", Property: "EncryptionConfiguration"},
		{LogicalID: "Topic", PhysicalID: "t", Type: "AWS::SNS::Topic", Property: "Tags"},
	}
	got := expectedVerifyGaps([]*StackState{source, west, eu})
	want := map[string]bool{ // key: required
		"replication-rule us-east-1":   true,
		"creation-template us-west-2":  true,
		"lifecycle-policy us-east-1 r": true,
		"encryption us-east-1 r":       false,
		"images us-east-1 r":           true,
	}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
	for k, e := range got {
		if required, ok := want[k.String()]; !ok || required != e.required || e.why == "" || e.gap == "" {
			t.Errorf("%s: %+v", k, e)
		}
	}
}

func TestJudgeVerify(t *testing.T) {
	expected := map[verifyKey]expectation{
		{"replication-rule", "us-east-1", ""}:  {"moto did not realize Replication", true, "AWS::ECR::ReplicationConfiguration not realized"},
		{"lifecycle-policy", "us-east-1", "r"}: {"moto did not realize the LifecyclePolicy", true, "AWS::ECR::Repository LifecyclePolicy not realized"},
		{"encryption", "us-east-1", "r"}:       {"moto did not realize the EncryptionConfiguration", false, "AWS::ECR::Repository EncryptionConfiguration not realized"},
	}
	checks := []verifyCheck{
		{Name: "replication-rule", Region: "us-east-1", Status: "problem", Detail: "no replication rule"},
		{Name: "repository", Region: "us-east-1", Repository: "r", Status: "ok"},
		{Name: "encryption", Region: "us-east-1", Repository: "r", Status: "ok"},                             // not required: fine
		{Name: "tag-mutability", Region: "us-east-1", Repository: "r", Status: "problem", Detail: "MUTABLE"}, // no gap explains it
	}
	fs := judgeVerify(checks, 1, expected)
	by := findingsBySubject(fs)
	if f := by["replication-rule us-east-1"]; f.Status != StatusGap || f.Gap != "verify replication-rule problem: AWS::ECR::ReplicationConfiguration not realized" {
		t.Errorf("explained: %+v", f)
	}
	if f := by["tag-mutability us-east-1 r"]; f.Status != StatusFail || !strings.Contains(f.Detail, "no moto gap explains it: MUTABLE") {
		t.Errorf("unexplained: %+v", f)
	}
	if f := by["lifecycle-policy us-east-1 r"]; f.Status != StatusFail || !strings.Contains(f.Detail, "verify does not see this gap") {
		t.Errorf("a required gap verify missed: %+v", f)
	}
	if _, ok := by["encryption us-east-1 r"]; ok {
		t.Errorf("a gap verify need not report: %+v", by["encryption us-east-1 r"])
	}
	if f := by["checks"]; f.Status != StatusPass || f.Detail != "exit 1; 2 ok, 2 not ok, 1 of them explained by a moto gap" {
		t.Errorf("summary: %+v", f)
	}
	if len(fs) != 4 {
		t.Errorf("%d findings: %+v", len(fs), fs)
	}
}

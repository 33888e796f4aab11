package verify_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Delete replication (types.ReplicationRule.DeleteReplication, service/ecr v1.68.0 and later).
// moto 5.2 lacks the field: a rule put with DeleteReplication comes back from DescribeRegistry
// without it. So these tests replay DescribeRegistry (replicationRulesAnswer: the rule in the
// shape of service/ecr v1.69.0's deserializer, deleteReplication {enabled}), and the rest of
// each run is moto's. The namespace tests replay it the same way (namespaces_test.go).

// replicationRulesAnswer replays DescribeRegistry with rules.
func replicationRulesAnswer(rules ...types.ReplicationRule) answer {
	return func(string, []byte) (int, string) {
		var out []map[string]any
		for _, r := range rules {
			var dests, filters []map[string]any
			for _, d := range r.Destinations {
				dests = append(dests, map[string]any{"region": aws.ToString(d.Region), "registryId": aws.ToString(d.RegistryId)})
			}
			for _, f := range r.RepositoryFilters {
				filters = append(filters, map[string]any{"filter": aws.ToString(f.Filter), "filterType": string(f.FilterType)})
			}
			rule := map[string]any{"destinations": dests, "repositoryFilters": filters}
			if r.DeleteReplication != nil {
				rule["deleteReplication"] = map[string]any{"enabled": r.DeleteReplication.Enabled}
			}
			out = append(out, rule)
		}
		b, _ := json.Marshal(map[string]any{"registryId": sourceAccount, "replicationConfiguration": map[string]any{"rules": out}})
		return http.StatusOK, string(b)
	}
}

func TestDeleteReplicationOnAndOff(t *testing.T) {
	on := &types.DeleteReplication{Enabled: true}
	off := &types.DeleteReplication{Enabled: false}
	for _, tc := range []struct {
		name       string
		configured bool
		deployed   *types.DeleteReplication
		status     string
		detail     string
	}{
		{"on as configured", true, on, "ok", "on, as configured: deleting an image or removing a tag in the source does the same in every destination of the rule"},
		{"off as configured", false, off, "ok", "off, as configured: deleting an image or removing a tag in the source leaves the replicas as they are"},
		{"off when the rule leaves the field out", false, nil, "ok", "off, as configured"},
		{"off though configured on", true, nil, "problem", "off, but deleteReplication is true: images deleted and tags removed in the source stay in the destinations; redeploy ecr-replication-source-us-east-1"},
		{"on though configured off", false, on, "problem", "on, but deleteReplication is false: deleting an image or removing a tag in the source deletes it in every destination too; redeploy ecr-replication-source-us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, map[string]any{"deleteReplication": tc.configured})
			w.healthy()
			rule := appRule(sourceAccount, dw2, de1)
			rule.DeleteReplication = tc.deployed
			w.via(replayProxy(t, w.moto.endpoint, map[string]answer{"DescribeRegistry": replicationRulesAnswer(rule)}).URL)
			code, r, stderr := w.runJSON()
			want := map[string]int{"ok": 0, "problem": 1}[tc.status]
			if code != want {
				t.Fatalf("exit %d, want %d; problems %+v; stderr %s", code, want, r.problems(), stderr)
			}
			r.expectNS(t, "enterprise-apps", "delete-replication", src, "", tc.status, tc.detail)
			if tc.status == "problem" && len(r.problems()) != 1 {
				t.Errorf("want the one problem, got %+v", r.problems())
			}
		})
	}
}

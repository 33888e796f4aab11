package main

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/pricing"
)

// TestNamespacesVariant: the fleet file's three namespaces (testdata/fleet/namespaces.yaml)
// reach the app's templates: one replication rule each, to its own destinations and with its
// own delete replication; each replica stack holds the namespaces that replicate to its region
// and no other; and the fixed monthly cost splits by namespace without losing a cent.
func TestNamespacesVariant(t *testing.T) {
	f := synth(t, "namespaces")
	src := f.source()
	t.Run("one rule per namespace", func(t *testing.T) {
		rc := src.Resources("AWS::ECR::ReplicationConfiguration")
		if len(rc) != 1 {
			t.Fatalf("%d replication configurations", len(rc))
		}
		rules := rc[0].Properties["ReplicationConfiguration"].(map[string]any)["Rules"].([]any)
		got := map[string]string{}
		for _, r := range rules {
			rule := r.(map[string]any)
			filter := rule["RepositoryFilters"].([]any)[0].(map[string]any)
			var dests []string
			for _, d := range rule["Destinations"].([]any) {
				d := d.(map[string]any)
				dests = append(dests, d["Region"].(string)+"@"+cfntest.JSON(d["RegistryId"]))
			}
			slices.Sort(dests)
			got[filter["FilterType"].(string)+" "+filter["Filter"].(string)] = strings.Join(dests, ",") + " delete=" + cfntest.JSON(rule["DeleteReplication"])
		}
		want := map[string]string{
			"PREFIX_MATCH payments/":       `eu-west-1@"111111111111",us-west-2@"111111111111" delete={"Enabled":true}`,
			"PREFIX_MATCH data/":           `ap-southeast-2@"222222222222" delete=null`,
			"PREFIX_MATCH web/storefront/": `eu-west-1@"111111111111",us-west-2@"111111111111" delete=null`,
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("rule %s: %s; want %s", k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("rules %v; want exactly %v", keys(got), keys(want))
		}
	})
	t.Run("each replica stack holds the namespaces that replicate to it", func(t *testing.T) {
		want := map[string][]string{
			"us-west-2":      {"payments/api", "payments/ledger", "payments/sandbox", "web/storefront/frontend"},
			"eu-west-1":      {"payments/api", "payments/ledger", "payments/sandbox", "web/storefront/frontend"},
			"ap-southeast-2": {"data/etl"},
		}
		for region, names := range want {
			var got []string
			for _, r := range f.replica(region).Resources("AWS::ECR::Repository") {
				got = append(got, r.Properties["RepositoryName"].(string))
			}
			slices.Sort(got)
			if !slices.Equal(got, names) {
				t.Errorf("%s holds %v; want %v", region, got, names)
			}
		}
	})
	t.Run("each namespace's role ARNs are outputs of its own", func(t *testing.T) {
		outputs := keys(src.Outputs())
		for _, ns := range []string{"Payments", "Data", "WebStorefront"} {
			for _, role := range []string{"DeployRoleArn", "CIRoleArn"} {
				if !slices.ContainsFunc(outputs, func(o string) bool { return strings.HasPrefix(o, ns+role) }) {
					t.Errorf("no output %s%s… among %v", ns, role, outputs)
				}
			}
		}
	})
	t.Run("the monthly cost by namespace adds up to the total", func(t *testing.T) {
		var templates []map[string]any
		for _, name := range keys(f.templates) {
			templates = append(templates, f.templates[name])
		}
		total := pricing.EstimateMonthlyCost(pricing.ListPrices, templates...)
		byNamespace := pricing.EstimateByNamespace(pricing.ListPrices, templates...)
		sum := 0.0
		for _, ns := range keys(byNamespace) {
			e := byNamespace[ns]
			name := ns
			if name == "" {
				name = "(shared)"
			}
			t.Logf("%s: %s", name, e)
			sum += e.FixedMonthlyUSD
		}
		for _, ns := range []string{"payments", "data", "web/storefront"} {
			if byNamespace[ns].FixedMonthlyUSD <= 0 {
				t.Errorf("namespace %s costs $%.2f; every namespace has its own alarms", ns, byNamespace[ns].FixedMonthlyUSD)
			}
		}
		if math.Abs(sum-total.FixedMonthlyUSD) > 0.005 {
			t.Errorf("the namespaces' costs add up to $%.2f; the total is $%.2f", sum, total.FixedMonthlyUSD)
		}
	})
}

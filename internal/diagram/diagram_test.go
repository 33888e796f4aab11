package diagram

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const testAssembly = "testdata/assembly"

// nodeLabel returns the label of node id in dot, with the HTML line breaks and bold tags
// replaced by "\n" and nothing, or fails.
func nodeLabel(t *testing.T, dot, id string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(quote(id)) + ` \[label=<(.*?)>, fillcolor`)
	m := re.FindStringSubmatch(dot)
	if m == nil {
		t.Fatalf("no node %s in\n%s", id, dot)
	}
	return strings.NewReplacer("<BR/>", "\n", "<B>", "", "</B>", "").Replace(m[1])
}

// edges returns the edges of dot, "tail -> head [attributes]" without indentation.
func edges(dot string) []string {
	var out []string
	for _, l := range strings.Split(dot, "\n") {
		if strings.Contains(l, " -> ") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// edgesMatching returns the edges whose text contains every part.
func edgesMatching(dot string, parts ...string) []string {
	var out []string
	for _, e := range edges(dot) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(e, p)
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func readTestAssembly(t *testing.T) []Stack {
	t.Helper()
	stacks, err := ReadAssembly(testAssembly)
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

func TestReadAssembly(t *testing.T) {
	stacks := readTestAssembly(t)
	type env struct{ name, account, region, deps string }
	var got []env
	for _, s := range stacks {
		got = append(got, env{s.Name, s.Account, s.Region, strings.Join(s.DependsOn, ",")})
		if s.Template["Resources"] == nil {
			t.Errorf("%s: template has no Resources", s.Name)
		}
	}
	want := []env{
		// stackName wins over the artifact id; the dependency on ReplicaEu names the stack, and
		// the asset manifest is not a stack.
		{"app-replica-eu-west-1", "222222222222", "eu-west-1", ""},
		{"app-replica-us-west-2", "222222222222", "us-west-2", ""},
		{"app-source", "111111111111", "us-east-1", "app-replica-eu-west-1,app-replica-us-west-2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stacks =\n%v\nwant\n%v", got, want)
	}
}

func TestReadAssemblyErrors(t *testing.T) {
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	stack := func(env, file string) string {
		return fmt.Sprintf(`{"artifacts": {"s": {"type": "aws:cloudformation:stack", "environment": %q, "properties": {"templateFile": %q}}}}`, env, file)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no manifest", map[string]string{}, "run cdk synth first"},
		{"manifest is not JSON", map[string]string{"manifest.json": "{"}, "manifest.json"},
		{"no stack", map[string]string{"manifest.json": `{"artifacts": {"Tree": {"type": "cdk:tree"}}}`}, "no aws:cloudformation:stack artifact"},
		{"bad environment", map[string]string{"manifest.json": stack("111111111111/us-east-1", "s.template.json"), "s.template.json": "{}"}, "is not aws://<account>/<region>"},
		{"template outside the assembly", map[string]string{"manifest.json": stack("aws://111111111111/us-east-1", "../s.template.json")}, "not inside the assembly"},
		{"missing template", map[string]string{"manifest.json": stack("aws://111111111111/us-east-1", "s.template.json")}, "s.template.json"},
		{"template is not JSON", map[string]string{"manifest.json": stack("aws://111111111111/us-east-1", "s.template.json"), "s.template.json": "["}, "s.template.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromAssembly(write(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

func TestClustersAndLabels(t *testing.T) {
	dot, err := FromAssembly(testAssembly)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("one cluster per account, with the stacks of that account inside", func(t *testing.T) {
		src := strings.Index(dot, `subgraph "cluster_account_111111111111" {`)
		dst := strings.Index(dot, `subgraph "cluster_account_222222222222" {`)
		if src < 0 || dst < 0 || src > dst {
			t.Fatalf("account clusters at %d and %d", src, dst)
		}
		for _, want := range []string{"<B>account 111111111111</B>", "<B>account 222222222222</B>"} {
			if !strings.Contains(dot, want) {
				t.Errorf("no label %s", want)
			}
		}
		sourceCluster := strings.Index(dot, `subgraph "cluster_stack_app-source" {`)
		replicaCluster := strings.Index(dot, `subgraph "cluster_stack_app-replica-us-west-2" {`)
		if sourceCluster < src || sourceCluster > dst || replicaCluster < dst {
			t.Errorf("stack clusters at %d and %d are not inside their accounts (%d, %d)", sourceCluster, replicaCluster, src, dst)
		}
		if !strings.Contains(dot, `label=<<B>us-west-2</B><BR ALIGN="LEFT"/><FONT POINT-SIZE="9">app-replica-us-west-2</FONT>`) {
			t.Error("the replica cluster is not labelled with its region and stack name")
		}
	})
	for _, tc := range []struct{ node, want string }{
		{"app-source/repositories", "3 ECR repositories in team/\napi, web, worker"},
		{"app-source/replication", "replication configuration\n→ account 222222222222:\nus-west-2, eu-west-1\nof team/"},
		// The deploy role's policy is an AWS::IAM::Policy, the CI role's inline.
		{"app-source/access", "IAM roles: deploy (pull), CI (push)\nKMS key"},
		// Topic policies count with their topics, CDK metadata not at all.
		{"app-source/monitoring", "monitoring\nSNS topics (3)\nEventBridge rules (2)\nCloudWatch alarm\ndashboard"},
		{"app-source/other", "other resources (2)\nAWS::Lambda::Function\nCustom::Cleanup"},
		{"app-replica-us-west-2/creation-template", "creation template team/\napplied for replication"},
		{"app-replica-us-west-2/registry-policy", "registry policy\nreplication from 111111111111"},
		{"app-replica-us-west-2/monitoring", "monitoring\nSNS topics (2), 1 subscription\nEventBridge rule\nCloudWatch alarm\nlog group"},
		{"app-replica-eu-west-1/repositories", "1 ECR repository in team/\napi"},
		{"app-replica-eu-west-1/creation-template", "creation template for every repository\napplied for pull through cache, replication"},
	} {
		if got := nodeLabel(t, dot, tc.node); got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.node, got, tc.want)
		}
	}
	t.Run("a stack shows only the kinds it has", func(t *testing.T) {
		for _, absent := range []string{"app-replica-eu-west-1/monitoring", "app-replica-eu-west-1/access", "app-replica-us-west-2/other", "app-source/creation-template"} {
			if strings.Contains(dot, quote(absent)) {
				t.Errorf("node %s exists", absent)
			}
		}
	})
}

func TestEdges(t *testing.T) {
	dot, err := FromAssembly(testAssembly)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("replication runs from the configuration to each destination's stack cluster", func(t *testing.T) {
		got := edgesMatching(dot, `"app-source/replication" -> `)
		want := []string{
			`"app-source/replication" -> "app-replica-eu-west-1/repositories" [lhead="cluster_stack_app-replica-eu-west-1", color="#D86613", penwidth=1.6];`,
			`"app-source/replication" -> "app-replica-us-west-2/repositories" [lhead="cluster_stack_app-replica-us-west-2", color="#D86613", penwidth=1.6];`,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("replication edges =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("deploy order is one dashed edge per dependency, pointing at the dependent stack", func(t *testing.T) {
		got := edgesMatching(dot, "style=dashed")
		if len(got) != 2 {
			t.Fatalf("dashed edges = %q; want 2", got)
		}
		for i, dep := range []string{"app-replica-eu-west-1", "app-replica-us-west-2"} {
			want := fmt.Sprintf(`"app-source/repositories" -> "%s/repositories" [ltail="cluster_stack_app-source", lhead="cluster_stack_%s", dir=back, style=dashed`, dep, dep)
			if !strings.HasPrefix(got[i], want) {
				t.Errorf("edge %s; want %s...", got[i], want)
			}
		}
	})
	if n := len(edges(dot)); n != 4 {
		t.Errorf("%d edges; want 4:\n%s", n, strings.Join(edges(dot), "\n"))
	}
}

func TestDeterministic(t *testing.T) {
	stacks := readTestAssembly(t)
	want := FromTemplates(stacks)
	for i := range 20 {
		// Reversed and rotated input, and freshly decoded maps (a new iteration order each time).
		shuffled := make([]Stack, len(stacks))
		for j := range stacks {
			shuffled[(len(stacks)-1-j+i)%len(stacks)] = stacks[j]
		}
		for j := range shuffled {
			b, err := json.Marshal(shuffled[j].Template)
			if err != nil {
				t.Fatal(err)
			}
			var tmpl map[string]any
			if err := json.Unmarshal(b, &tmpl); err != nil {
				t.Fatal(err)
			}
			shuffled[j].Template = tmpl
		}
		if got := FromTemplates(shuffled); got != want {
			t.Fatalf("run %d differs:\n%s\nwant\n%s", i, got, want)
		}
	}
}

// repositories returns a template with a repository of each name and, when destinations are
// given, a replication configuration to those regions of the stack's own account.
func repositories(names []string, destinations ...string) map[string]any {
	res := map[string]any{}
	for i, n := range names {
		res[fmt.Sprintf("Repository%02d", i)] = map[string]any{"Type": typeRepository, "Properties": map[string]any{"RepositoryName": n}}
	}
	if len(destinations) > 0 {
		var ds []any
		for _, d := range destinations {
			ds = append(ds, map[string]any{"Region": d, "RegistryId": map[string]any{"Ref": "AWS::AccountId"}})
		}
		res["Replication"] = map[string]any{"Type": typeReplication, "Properties": map[string]any{
			"ReplicationConfiguration": map[string]any{"Rules": []any{map[string]any{"Destinations": ds}}},
		}}
	}
	return map[string]any{"Resources": res}
}

func TestDeployTimeAccount(t *testing.T) {
	dot := FromTemplates([]Stack{
		{Name: "src", Account: UnknownAccount, Region: "us-east-1", Template: repositories([]string{"a"}, "us-west-2"), DependsOn: []string{"dst"}},
		{Name: "dst", Account: UnknownAccount, Region: "us-west-2", Template: repositories([]string{"a"})},
		{Name: "anywhere", Account: UnknownAccount, Region: UnknownRegion, Template: map[string]any{}},
	})
	for _, want := range []string{
		`subgraph "cluster_account_unknown-account" {`,
		"<B>deploy-time account</B>",
		"<B>deploy-time region</B>",
		// Ref AWS::AccountId: the source's own (deploy-time) account.
		`"src/replication" -> "dst/repositories" [lhead="cluster_stack_dst"`,
		// Same-account destinations are not prefixed with an account.
		"<BR/>→ us-west-2<BR/>of every repository>",
		// An empty stack still has a node, or its cluster would not be drawn.
		`"anywhere/empty" [label=<<B>no resources</B>>`,
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("no %s in\n%s", want, dot)
		}
	}
	if strings.Contains(dot, "account unknown-account") {
		t.Error("the deploy-time account is labelled with its placeholder")
	}
}

func TestManyRepositoriesAreSummarised(t *testing.T) {
	var names []string
	for _, n := range []string{"api", "auth", "billing/api", "billing/worker", "canary", "ledger", "payments", "reports", "search", "web", "worker", "zeta"} {
		names = append(names, "enterprise-apps/"+n)
	}
	dot := FromTemplates([]Stack{{Name: "s", Account: "111111111111", Region: "us-east-1", Template: repositories(names)}})
	want := "12 ECR repositories in enterprise-apps/\napi, auth, billing/api, billing/worker,\ncanary\nand 7 more"
	if got := nodeLabel(t, dot, "s/repositories"); got != want {
		t.Errorf("label:\n%s\nwant\n%s", got, want)
	}
	for _, hidden := range []string{"ledger", "zeta"} {
		if strings.Contains(dot, hidden) {
			t.Errorf("%s is named; only %d names are listed", hidden, maxNames)
		}
	}
	if n := strings.Count(dot, `" [label=<`); n != 1 {
		t.Errorf("%d nodes; want one for all repositories", n)
	}
	t.Run("names without a common folder are listed whole, unnamed repositories only counted", func(t *testing.T) {
		tmpl := repositories([]string{"web", "team/api"})
		tmpl["Resources"].(map[string]any)["Generated"] = map[string]any{"Type": typeRepository}
		dot := FromTemplates([]Stack{{Name: "s", Account: "111111111111", Region: "us-east-1", Template: tmpl}})
		if got, want := nodeLabel(t, dot, "s/repositories"), "3 ECR repositories\nteam/api, web"; got != want {
			t.Errorf("label:\n%s\nwant\n%s", got, want)
		}
	})
}

// fanOut returns a source stack replicating to n regions, each with its replica stack, and
// depending on every replica.
func fanOut(n int) []Stack {
	var regions []string
	for i := range n {
		regions = append(regions, fmt.Sprintf("xx-region-%02d", i+1))
	}
	stacks := []Stack{{Name: "source", Account: "111111111111", Region: "us-east-1", Template: repositories([]string{"a/b"}, regions...)}}
	for _, r := range regions {
		stacks = append(stacks, Stack{Name: "replica-" + r, Account: "111111111111", Region: r, Template: repositories([]string{"a/b"})})
		stacks[0].DependsOn = append(stacks[0].DependsOn, "replica-"+r)
	}
	return stacks
}

func TestManyRegionsAreGrouped(t *testing.T) {
	stacks := fanOut(25)
	dot := FromTemplates(stacks)
	group := "cluster_destinations_source_111111111111"
	if !strings.Contains(dot, `subgraph "`+group+`" {`) || !strings.Contains(dot, "label=<25 destination regions of us-east-1>") {
		t.Fatalf("no group of 25 destinations:\n%s", dot)
	}
	for _, s := range stacks {
		if !strings.Contains(dot, `subgraph "cluster_stack_`+s.Name+`" {`) {
			t.Errorf("no cluster for %s", s.Name)
		}
	}
	if got := edgesMatching(dot, `"source/replication" -> `, "color="); len(got) != 1 || !strings.Contains(got[0], `lhead="`+group+`"`) {
		t.Errorf("visible replication edges = %q; want one, to the group", got)
	}
	if got := edgesMatching(dot, "style=dashed"); len(got) != 1 || !strings.Contains(got[0], `lhead="`+group+`"`) {
		t.Errorf("deploy-order edges = %q; want one, to the group", got)
	}
	// Five columns of five: the first column follows the source, every later stack the one
	// five before it.
	invisible := edgesMatching(dot, "style=invis")
	if len(invisible) != 25 {
		t.Fatalf("%d invisible edges; want 25", len(invisible))
	}
	for _, want := range []string{
		`"source/replication" -> "replica-xx-region-05/repositories" [style=invis];`,
		`"replica-xx-region-01/repositories" -> "replica-xx-region-06/repositories" [style=invis];`,
		`"replica-xx-region-20/repositories" -> "replica-xx-region-25/repositories" [style=invis];`,
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("no edge %s", want)
		}
	}
	t.Run("up to six destinations are drawn one by one", func(t *testing.T) {
		dot := FromTemplates(fanOut(6))
		if strings.Contains(dot, "cluster_destinations") || len(edgesMatching(dot, `"source/replication" -> "replica-`)) != 6 || len(edgesMatching(dot, "style=dashed")) != 6 {
			t.Errorf("six destinations are grouped:\n%s", strings.Join(edges(dot), "\n"))
		}
	})
}

func TestDestinationOutsideTheApp(t *testing.T) {
	tmpl := repositories([]string{"a/b"}, "us-west-2")
	rule := tmpl["Resources"].(map[string]any)["Replication"].(map[string]any)["Properties"].(map[string]any)["ReplicationConfiguration"].(map[string]any)["Rules"].([]any)[0].(map[string]any)
	rule["Destinations"] = append(rule["Destinations"].([]any), map[string]any{"Region": "eu-west-1", "RegistryId": "999999999999"})
	dot := FromTemplates([]Stack{
		{Name: "src", Account: "111111111111", Region: "us-east-1", Template: tmpl},
		// Same region, other account: not the destination.
		{Name: "other", Account: "222222222222", Region: "eu-west-1", Template: repositories([]string{"a/b"})},
	})
	for _, want := range []string{
		`"external/111111111111/us-west-2" [label=<<B>us-west-2</B><BR/>account 111111111111<BR/>not deployed by this app>`,
		`"external/999999999999/eu-west-1" [label=<<B>eu-west-1</B><BR/>account 999999999999<BR/>not deployed by this app>`,
		`"src/replication" -> "external/999999999999/eu-west-1" [color=`,
		"→ us-west-2<BR/>→ account 999999999999:<BR/>eu-west-1",
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("no %s in\n%s", want, dot)
		}
	}
	if len(edgesMatching(dot, `-> "other/`)) != 0 {
		t.Error("replication to another account's stack")
	}
}

func TestRoles(t *testing.T) {
	policy := func(role string, actions ...string) map[string]any {
		var as []any
		for _, a := range actions {
			as = append(as, a)
		}
		return map[string]any{"Type": typePolicy, "Properties": map[string]any{
			"Roles":          []any{map[string]any{"Ref": role}},
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{"Action": as}}},
		}}
	}
	role := map[string]any{"Type": typeRole, "Properties": map[string]any{}}
	tmpl := map[string]any{"Resources": map[string]any{
		"CIRole1307643F":                   role,
		"DeployRole885297C3":               role,
		"ReplicationTemplateRoleCB76197A":  role,
		"AuditorABCDEF12":                  role,
		"CIPolicy":                         policy("CIRole1307643F", "ecr:BatchGetImage", "ecr:PutImage"),
		"DeployPolicy":                     policy("DeployRole885297C3", "ecr:BatchGetImage"),
		"TemplatePolicy":                   policy("ReplicationTemplateRoleCB76197A", "ecr:CreateRepository", "ecr:ReplicateImage", "kms:CreateGrant"),
		"AuditorPolicy":                    policy("AuditorABCDEF12", "cloudtrail:LookupEvents"),
		"RepositoryKeyAlias":               map[string]any{"Type": typeAlias},
		"RepositoryKey0F9BF672":            map[string]any{"Type": typeKey},
		"NotificationsKeyADCFA950":         map[string]any{"Type": typeKey},
		"EnhancedScanningE6161D1B":         map[string]any{"Type": typeScanning, "Properties": map[string]any{"ScanType": "ENHANCED", "Rules": []any{map[string]any{"ScanFrequency": "CONTINUOUS_SCAN"}}}},
		"ReplicationTemplateRoleDangling1": policy("Missing", "ecr:PutImage"),
	}}
	dot := FromTemplates([]Stack{{Name: "s", Account: "111111111111", Region: "us-east-1", Template: tmpl}})
	want := "IAM roles: deploy (pull), CI (push),\nreplication template (replicate), auditor\nKMS keys (2)"
	if got := nodeLabel(t, dot, "s/access"); got != want {
		t.Errorf("access:\n%s\nwant\n%s", got, want)
	}
	if got, want := nodeLabel(t, dot, "s/scanning"), "registry scanning: enhanced, continuous scan"; got != want {
		t.Errorf("scanning: %s; want %s", got, want)
	}
	if strings.Contains(dot, "other resource") {
		t.Errorf("policies and aliases are not folded into their roles and keys:\n%s", dot)
	}
	t.Run("a policy without its role's type is another resource", func(t *testing.T) {
		dot := FromTemplates([]Stack{{Name: "s", Account: "111111111111", Region: "us-east-1", Template: map[string]any{"Resources": map[string]any{
			"Lonely": policy("Elsewhere", "ecr:PutImage"),
		}}}})
		if got, want := nodeLabel(t, dot, "s/other"), "other resource\nAWS::IAM::Policy"; got != want {
			t.Errorf("%s; want %s", got, want)
		}
	})
}

func TestOtherResourcesAreCounted(t *testing.T) {
	res := map[string]any{}
	for i, typ := range []string{"AWS::Lambda::Function", "AWS::Lambda::Function", "AWS::S3::Bucket", "Custom::A", "Custom::B", "Custom::C", "Custom::D", "AWS::SQS::Queue"} {
		res[fmt.Sprintf("R%d", i)] = map[string]any{"Type": typ}
	}
	res["Typeless"] = map[string]any{}
	res["CDKMetadata"] = map[string]any{"Type": typeCDKMetadata}
	dot := FromTemplates([]Stack{{Name: "s", Account: "111111111111", Region: "us-east-1", Template: map[string]any{"Resources": res}}})
	want := "other resources (9)\n(no type)\nAWS::Lambda::Function ×2\nAWS::S3::Bucket\nAWS::SQS::Queue\nCustom::A\nand 3 more types"
	if got := nodeLabel(t, dot, "s/other"); got != want {
		t.Errorf("other:\n%s\nwant\n%s", got, want)
	}
}

func TestReadableID(t *testing.T) {
	for id, want := range map[string]string{
		"CIRole1307643F":                  "CI",
		"DeployRole885297C3":              "deploy",
		"ReplicationTemplateRoleCB76197A": "replication template",
		"Role":                            "role",
		"APIGatewayRole":                  "API gateway",
		"MyRole2":                         "my role2",
	} {
		if got := readableID(id, "Role"); got != want {
			t.Errorf("readableID(%q) = %q; want %q", id, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		items []string
		width int
		lead  string
		want  []string
	}{
		{nil, 10, "", nil},
		{nil, 10, "→ ", []string{"→ "}},
		{[]string{"a", "b"}, 10, "", []string{"a, b"}},
		{[]string{"alpha", "beta", "gamma"}, 12, "", []string{"alpha, beta,", "gamma"}},
		{[]string{"a-very-long-item"}, 5, "→ ", []string{"→ a-very-long-item"}},
	} {
		if got := wrap(tc.items, tc.width, tc.lead); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("wrap(%q, %d, %q) = %q; want %q", tc.items, tc.width, tc.lead, got, tc.want)
		}
	}
}

func TestQuoting(t *testing.T) {
	dot := FromTemplates([]Stack{{Name: `we"ird\stack`, Account: "1", Region: "r", Template: repositories([]string{"<b>&"})}})
	for _, want := range []string{`"we\"ird\\stack/repositories"`, "&lt;b&gt;&amp;", `FONT POINT-SIZE="9">we&quot;ird\stack</FONT>`} {
		if !strings.Contains(dot, want) {
			t.Errorf("no %s in\n%s", want, dot)
		}
	}
}

// TestSVGRendersEveryLabel renders the diagrams with Graphviz (compiled to WebAssembly, so
// nothing needs to be installed): the DOT parses, and the text of every HTML-like label is a
// text element of the SVG. Graphviz reports no error for a malformed label, it drops the label's
// text, so this is how a broken label shows.
func TestSVGRendersEveryLabel(t *testing.T) {
	for name, stacks := range map[string][]Stack{"assembly": readTestAssembly(t), "many regions": fanOut(9)} {
		dot := FromTemplates(stacks)
		svg, err := SVG(dot)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		texts := LabelTexts(dot)
		if len(texts) < 10 {
			t.Errorf("%s: only %d label texts in the DOT: %q", name, len(texts), texts)
		}
		rendered := svgTexts(t, svg)
		for _, want := range texts {
			if !rendered[want] {
				t.Errorf("%s: label text %q is not rendered", name, want)
			}
		}
	}
}

// TestSVGShowsBrokenLabels proves the check above can fail: a label that is not well-formed
// HTML loses its text, and a DOT syntax error is an error.
func TestSVGShowsBrokenLabels(t *testing.T) {
	dot := "digraph { a [label=<<B>bold</I> broken>]; b [label=<<B>fine</B>>]; a -> b }"
	svg, err := SVG(dot)
	if err != nil {
		t.Fatal(err)
	}
	rendered := svgTexts(t, svg)
	if !rendered["fine"] || rendered["bold"] || rendered["broken"] {
		t.Errorf("rendered texts %v; want fine only", rendered)
	}
	if got := LabelTexts(dot); !reflect.DeepEqual(got, []string{"bold", "broken", "fine"}) {
		t.Errorf("LabelTexts = %q", got)
	}
	if _, err := SVG("digraph { a -> ; }"); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("SVG of a syntax error: %v; want a syntax error", err)
	}
}

// svgTexts returns the content of every <text> element of svg.
func svgTexts(t *testing.T, svg []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = false
	var in bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			in = tok.Name.Local == "text"
		case xml.EndElement:
			in = false
		case xml.CharData:
			if in {
				out[strings.TrimSpace(string(tok))] = true
			}
		}
	}
}

// testNamespaces is a synthesized-style assembly of three namespaces (payments, data,
// web/storefront): the source stack's repositories and roles carry the RepositoryNamespace tag
// and logical ids that start with their namespace's construct id, its replication configuration
// has a rule per namespace, us-west-2 receives payments and web/storefront (a creation template
// each, whose logical ids alone tell their namespace), and ap-southeast-2, in another account,
// data alone.
const testNamespaces = "testdata/namespaces"

func TestNamespacesAreGrouped(t *testing.T) {
	stacks, err := ReadAssembly(testNamespaces)
	if err != nil {
		t.Fatal(err)
	}
	dot := FromTemplates(stacks)
	for id, want := range map[string]string{
		"teams-source/repositories":                      "4 ECR repositories in 3 namespaces\ndata/ (1): etl\npayments/ (2): api, sandbox\nweb/storefront/ (1): frontend",
		"teams-replica-us-west-2/repositories":           "3 ECR repositories in 2 namespaces\npayments/ (2): api, sandbox\nweb/storefront/ (1): frontend",
		"teams-replica-us-west-2/creation-template":      "creation templates (2), by namespace:\npayments/, web/storefront/\napplied for replication",
		"teams-replica-ap-southeast-2/repositories":      "1 ECR repository in data/\netl",
		"teams-replica-ap-southeast-2/creation-template": "creation template data/\napplied for replication",
	} {
		if got := nodeLabel(t, dot, id); got != want {
			t.Errorf("%s:\n got %q\nwant %q", id, got, want)
		}
	}
	for _, want := range []string{
		`"teams-source/replication" -> "teams-replica-us-west-2/repositories" [lhead="cluster_stack_teams-replica-us-west-2", label=<payments/, web/storefront/>, color="#D86613", penwidth=1.6];`,
		`"teams-source/replication" -> "teams-replica-ap-southeast-2/repositories" [lhead="cluster_stack_teams-replica-ap-southeast-2", label=<data/>, color="#D86613", penwidth=1.6];`,
	} {
		if got := edgesMatching(dot, want); len(got) != 1 {
			t.Errorf("no edge %s in\n%s", want, strings.Join(edges(dot), "\n"))
		}
	}
	svg, err := SVG(dot)
	if err != nil {
		t.Fatal(err)
	}
	rendered := svgTexts(t, svg)
	for _, want := range []string{"payments/, web/storefront/", "data/", "payments/ (2): api, sandbox"} {
		if !rendered[want] {
			t.Errorf("%q is not rendered", want)
		}
	}
}

func TestOneNamespaceIsNotGrouped(t *testing.T) {
	// The default assembly, every resource tagged with its one namespace as the one-namespace
	// stacks tag them: one rule, no edge label, repositories in one line of names.
	stacks := readTestAssembly(t)
	tagged := 0
	for _, s := range stacks {
		res, _ := s.Template["Resources"].(map[string]any)
		for _, r := range res {
			rm, _ := r.(map[string]any)
			if props, ok := rm["Properties"].(map[string]any); ok {
				props["Tags"] = []any{map[string]any{"Key": "RepositoryNamespace", "Value": "enterprise-apps"}}
				tagged++
			}
		}
	}
	if tagged == 0 {
		t.Fatal("nothing tagged")
	}
	dot := FromTemplates(stacks)
	for _, e := range edgesMatching(dot, "/replication\" -> ") {
		if strings.Contains(e, "label=") {
			t.Errorf("one rule: no label on %s", e)
		}
	}
	if strings.Contains(dot, "namespaces") || strings.Contains(dot, "by namespace") {
		t.Errorf("one namespace: nothing grouped:\n%s", dot)
	}
}

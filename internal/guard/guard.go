// Package guard runs AWS CloudFormation Guard (cfn-guard) with the rules of the AWS Control
// Tower proactive controls over CloudFormation templates, and reports which resources fail
// which control.
//
// Both come from the npm package @cdklabs/cdk-validator-cfnguard, pinned in the repository's
// package.json and installed by `make deps` (npm ci): its bin/ holds cfn-guard for Linux and
// macOS (x86_64 and aarch64), its rules/control-tower/ the guard rules AWS publishes for the
// proactive controls (cfn-guard/<service>/ct-*.guard) and their metadata
// (metadata/<service>/ct-*.metadata.json). Control Tower turns a proactive control on as a
// CloudFormation hook that refuses a template one of these rules fails.
//
// A rule evaluates the resource types its metadata lists (EvaluatedResourceTypes) and is
// skipped by cfn-guard for a template that has none of them; cfn-guard's time grows with rules
// times templates, so each template is checked with those rules only. The package's tests
// check that this gives the findings of every rule.
//
// The package is plain Go and imports no jsii or CDK package.
package guard

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

// NPMPackage is the npm package that ships cfn-guard and the Control Tower rules.
const NPMPackage = "@cdklabs/cdk-validator-cfnguard"

// Rules is an installed copy of NPMPackage: the cfn-guard binary and the Control Tower rules.
type Rules struct {
	// Binary is the path of the cfn-guard executable for this platform.
	Binary string
	// PackageVersion is the version of NPMPackage, GuardVersion the version of cfn-guard.
	PackageVersion, GuardVersion string

	rules []rule
}

// rule is one guard file, the rule for one control.
type rule struct {
	path    string   // the .guard file
	name    string   // its top-level rule, as cfn-guard names it in its results
	control string   // the control, e.g. CT.ECR.PR.3
	title   string   // the control's display name (metadata)
	types   []string // the resource types it evaluates (metadata)
}

// Finding is one resource of one template that fails one control.
type Finding struct {
	// Template is the template as the caller named it: its path for Check, its name for
	// CheckTemplates.
	Template string
	// Control is the control's id, e.g. "CT.ECR.PR.3".
	Control string
	// Resource is the logical id of the failing resource ("" when cfn-guard names none).
	Resource string
	// Message is the control's title, as the rule states it.
	Message string
	// Fix is the rule's remediation text ("" when the rule gives none).
	Fix string
}

// String renders a finding on one line: template, control, resource and title.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s %s: %s", f.Template, f.Control, f.Resource, f.Message)
}

// Require returns the installed rules for a test, looked for from the working directory up.
// When they are missing (or are not the version package.json pins) the test fails saying so,
// except under `go test -short`, where it is skipped.
func Require(t testing.TB) *Rules {
	t.Helper()
	wd, err := os.Getwd()
	if err == nil {
		var r *Rules
		if r, err = Locate(wd); err == nil {
			return r
		}
	}
	cfntest.ToolMissing(t, "cfn-guard and the AWS Control Tower rules of the npm package "+NPMPackage, err, "run make deps")
	return nil
}

// Locate finds the installed NPMPackage in node_modules/ of the nearest directory at or above
// dir that holds a package.json, and checks that it is the version that package.json pins.
func Locate(dir string) (*Rules, error) {
	root, err := projectRoot(dir)
	if err != nil {
		return nil, err
	}
	pkgDir := filepath.Join(root, "node_modules", filepath.FromSlash(NPMPackage))
	r := &Rules{}
	if r.PackageVersion, err = installedVersion(root, pkgDir); err != nil {
		return nil, err
	}
	var gv struct{ Version string }
	if err := readJSON(filepath.Join(pkgDir, "guard-version.json"), &gv); err != nil {
		return nil, err
	}
	r.GuardVersion = gv.Version
	if r.Binary, err = binary(pkgDir); err != nil {
		return nil, err
	}
	if r.rules, err = loadRules(filepath.Join(pkgDir, "rules", "control-tower")); err != nil {
		return nil, err
	}
	return r, nil
}

// projectRoot returns the nearest directory at or above dir that holds a package.json.
func projectRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no package.json in %s or above it", dir)
		}
		d = parent
	}
}

// installedVersion returns the version of the package installed in pkgDir, an error when it
// is missing or differs from the devDependency in root's package.json.
func installedVersion(root, pkgDir string) (string, error) {
	var project struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := readJSON(filepath.Join(root, "package.json"), &project); err != nil {
		return "", err
	}
	pinned, ok := project.DevDependencies[NPMPackage]
	if !ok {
		return "", fmt.Errorf("%s does not pin %s in devDependencies", filepath.Join(root, "package.json"), NPMPackage)
	}
	var installed struct{ Version string }
	if err := readJSON(filepath.Join(pkgDir, "package.json"), &installed); err != nil {
		return "", fmt.Errorf("%s is not installed: %w", NPMPackage, err)
	}
	if installed.Version != pinned {
		return "", fmt.Errorf("node_modules has %s %s, package.json pins %s", NPMPackage, installed.Version, pinned)
	}
	return installed.Version, nil
}

// binary returns the path of the package's cfn-guard for this platform.
func binary(pkgDir string) (string, error) {
	platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if platform == "" || arch == "" {
		return "", fmt.Errorf("%s ships cfn-guard for linux and darwin on amd64 and arm64, not %s/%s", NPMPackage, runtime.GOOS, runtime.GOARCH)
	}
	path := filepath.Join(pkgDir, "bin", platform, arch, "cfn-guard")
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not executable", path)
	}
	return path, nil
}

// topLevelRule matches the declaration of a guard file's top-level rule (the one with a when
// clause; the parameterized helper rules have none).
var topLevelRule = regexp.MustCompile(`(?m)^rule\s+([A-Za-z0-9_]+)\s+when\b`)

// loadRules reads every guard file under dir/cfn-guard with its metadata under dir/metadata.
func loadRules(dir string) ([]rule, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "cfn-guard", "*", "*.guard"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no guard rules in %s", filepath.Join(dir, "cfn-guard"))
	}
	sort.Strings(paths)
	rules := make([]rule, 0, len(paths))
	for _, p := range paths {
		r, err := loadRule(dir, p)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// loadRule reads one guard file and its metadata.
func loadRule(dir, path string) (rule, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return rule{}, err
	}
	m := topLevelRule.FindSubmatch(src)
	if m == nil {
		return rule{}, fmt.Errorf("%s declares no top-level rule", path)
	}
	service := filepath.Base(filepath.Dir(path))
	base := strings.TrimSuffix(filepath.Base(path), ".guard")
	var meta struct {
		ID                     string `json:"Id"`
		DisplayName            string
		EvaluatedResourceTypes []string
	}
	if err := readJSON(filepath.Join(dir, "metadata", service, base+".metadata.json"), &meta); err != nil {
		return rule{}, err
	}
	if meta.ID == "" {
		return rule{}, fmt.Errorf("the metadata of %s names no control", path)
	}
	return rule{path: path, name: string(m[1]), control: meta.ID, title: meta.DisplayName, types: meta.EvaluatedResourceTypes}, nil
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Controls returns the controls of the findings, sorted, each once.
func Controls(findings []Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range findings {
		if !seen[f.Control] {
			seen[f.Control] = true
			out = append(out, f.Control)
		}
	}
	sort.Strings(out)
	return out
}

package guard

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// exitFail is cfn-guard's exit status for `validate` when some rule failed; 0 means every
// rule passed or was skipped, anything else is an error (5 or 255, with a message on stderr).
const exitFail = 19

// job is one cfn-guard run: some templates with the rules that apply to them.
type job struct {
	rules     []rule
	templates []string
}

// Check runs the rules over the template files at paths and returns the findings, sorted by
// template, control and resource; Finding.Template is the path as given. Each template is
// checked with the rules of the resource types it holds.
func (r *Rules) Check(paths []string) ([]Finding, error) {
	return r.check(paths, false)
}

// canonical returns the absolute path, symbolic links resolved, under which cfn-guard names
// the results of a data file.
func canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// CheckTemplates writes each template (a decoded CloudFormation template, by name) to dir as
// <name>.template.json and checks them; Finding.Template is the name.
func (r *Rules) CheckTemplates(dir string, templates map[string]any) ([]Finding, error) {
	byPath := map[string]string{}
	var paths []string
	for name, tmpl := range templates {
		b, err := json.Marshal(tmpl)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		path := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(name)+".template.json")
		if _, dup := byPath[path]; dup {
			return nil, fmt.Errorf("templates %s and %s would share the file %s", byPath[path], name, path)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return nil, err
		}
		byPath[path] = name
		paths = append(paths, path)
	}
	sort.Strings(paths)
	findings, err := r.Check(paths)
	for i := range findings {
		findings[i].Template = byPath[findings[i].Template]
	}
	return sortFindings(findings), err
}

// check runs the rules over the files; every rule for all, else the rules of each file's types.
func (r *Rules) check(paths []string, all bool) ([]Finding, error) {
	given := map[string]string{}
	files := make([]string, len(paths))
	for i, p := range paths {
		c, err := canonical(p)
		if err != nil {
			return nil, err
		}
		given[c], files[i] = p, c
	}
	jobs, err := r.plan(files, all)
	if err != nil {
		return nil, err
	}
	results := make([][]Finding, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = r.run(j)
		}()
	}
	wg.Wait()
	var findings []Finding
	for _, fs := range results {
		for _, f := range fs {
			f.Template = given[f.Template]
			findings = append(findings, f)
		}
	}
	return sortFindings(findings), errors.Join(errs...)
}

// plan groups the templates by the rules that apply to them, and splits each group into one
// job per CPU.
func (r *Rules) plan(paths []string, all bool) ([]job, error) {
	groups := map[string]*job{}
	var order []string
	for _, p := range paths {
		types, err := resourceTypes(p)
		if err != nil {
			return nil, err
		}
		rules := r.rules
		if !all {
			rules = r.applicable(types)
		}
		if len(rules) == 0 {
			continue
		}
		key := ruleKey(rules)
		if groups[key] == nil {
			groups[key] = &job{rules: rules}
			order = append(order, key)
		}
		groups[key].templates = append(groups[key].templates, p)
	}
	var jobs []job
	for _, key := range order {
		jobs = append(jobs, split(*groups[key], runtime.NumCPU())...)
	}
	return jobs, nil
}

// split divides a job's templates into at most n jobs of nearly equal size.
func split(j job, n int) []job {
	size := (len(j.templates) + n - 1) / n
	var out []job
	for start := 0; start < len(j.templates); start += size {
		end := min(start+size, len(j.templates))
		out = append(out, job{rules: j.rules, templates: j.templates[start:end]})
	}
	return out
}

// ruleKey identifies a set of rules.
func ruleKey(rules []rule) string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.path
	}
	return strings.Join(names, "\n")
}

// applicable returns the rules that evaluate one of the types; a rule whose metadata lists no
// type is always applicable.
func (r *Rules) applicable(types map[string]bool) []rule {
	var out []rule
	for _, rl := range r.rules {
		match := len(rl.types) == 0
		for _, t := range rl.types {
			match = match || types[t]
		}
		if match {
			out = append(out, rl)
		}
	}
	return out
}

// resourceTypes returns the resource types of the template at path.
func resourceTypes(path string) (map[string]bool, error) {
	var tmpl struct {
		Resources map[string]struct{ Type string }
	}
	if err := readJSON(path, &tmpl); err != nil {
		return nil, err
	}
	types := map[string]bool{}
	for _, res := range tmpl.Resources {
		types[res.Type] = true
	}
	return types, nil
}

// run runs cfn-guard once and parses its structured JSON output.
func (r *Rules) run(j job) ([]Finding, error) {
	args := []string{"validate"}
	for _, rl := range j.rules {
		args = append(args, "--rules", rl.path)
	}
	for _, t := range j.templates {
		args = append(args, "--data", t)
	}
	args = append(args, "--output-format", "json", "--show-summary", "none", "--structured")
	cmd := exec.Command(r.Binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == exitFail) {
		return nil, fmt.Errorf("cfn-guard over %s: %v\n%s", strings.Join(j.templates, ", "), err, stderr.String())
	}
	return r.parse(stdout.Bytes(), j.templates)
}

// result is cfn-guard's structured result for one data file.
type result struct {
	Name         string `json:"name"`
	Status       string `json:"status"`
	NotCompliant []any  `json:"not_compliant"`
}

// parse turns cfn-guard's structured output into findings: one per failing resource of each
// failing rule. It fails when a template has no result or a result names an unknown rule.
func (r *Rules) parse(out []byte, templates []string) ([]Finding, error) {
	var results []result
	if err := json.Unmarshal(out, &results); err != nil {
		return nil, fmt.Errorf("cfn-guard output: %w", err)
	}
	got := map[string]bool{}
	var findings []Finding
	for _, res := range results {
		got[res.Name] = true
		for _, nc := range res.NotCompliant {
			fs, err := r.findings(res.Name, nc)
			if err != nil {
				return nil, err
			}
			findings = append(findings, fs...)
		}
	}
	for _, t := range templates {
		if !got[t] {
			return nil, fmt.Errorf("cfn-guard reported nothing for %s", t)
		}
	}
	return findings, nil
}

// findings returns the findings of one not-compliant rule of a template.
func (r *Rules) findings(template string, notCompliant any) ([]Finding, error) {
	name := ruleName(notCompliant)
	rl, ok := r.byName(name)
	if !ok {
		return nil, fmt.Errorf("cfn-guard reported rule %q for %s, which no Control Tower rule file declares", name, template)
	}
	w := &walk{resources: map[string]bool{}}
	w.visit(notCompliant)
	message, fix := w.message(rl.control)
	if message == "" {
		message = rl.title
	}
	if len(w.resources) == 0 {
		w.resources[""] = true
	}
	var out []Finding
	for id := range w.resources {
		out = append(out, Finding{Template: template, Control: rl.control, Resource: id, Message: message, Fix: fix})
	}
	return out, nil
}

// byName returns the rule with the given top-level name.
func (r *Rules) byName(name string) (rule, bool) {
	for _, rl := range r.rules {
		if rl.name == name {
			return rl, true
		}
	}
	return rule{}, false
}

// ruleName returns the name of a not-compliant entry: {"Rule": {"name": ...}}.
func ruleName(notCompliant any) string {
	m, _ := notCompliant.(map[string]any)
	for _, v := range m {
		if inner, ok := v.(map[string]any); ok {
			if name, ok := inner["name"].(string); ok {
				return name
			}
		}
	}
	return ""
}

// walk collects, from a not-compliant rule's checks, the logical ids of the resources its
// paths point into and the custom messages of its checks.
type walk struct {
	resources map[string]bool
	messages  []string
}

// visit walks a decoded JSON value.
func (w *walk) visit(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			s, isString := c.(string)
			switch {
			case k == "path" && isString && strings.HasPrefix(s, "/Resources/"):
				w.resources[strings.SplitN(s, "/", 4)[2]] = true
			case k == "custom_message" && isString:
				w.messages = append(w.messages, s)
			default:
				w.visit(c)
			}
		}
	case []any:
		for _, c := range x {
			w.visit(c)
		}
	}
}

// fixLine matches the remediation line of a Control Tower rule's message.
var fixLine = regexp.MustCompile(`^\s*\[FIX\]:\s*(.*?)\s*$`)

// message returns the title and the remediation of the control from the custom messages, in
// the form the Control Tower rules write them: "[CT.X.PR.n]: title" and "[FIX]: remediation".
func (w *walk) message(control string) (title, fix string) {
	prefix := "[" + control + "]:"
	for _, m := range w.messages {
		for _, line := range strings.Split(m, "\n") {
			line = strings.TrimSpace(line)
			if rest, ok := strings.CutPrefix(line, prefix); ok && title == "" {
				title = strings.TrimSpace(rest)
			}
			if f := fixLine.FindStringSubmatch(line); f != nil && fix == "" {
				fix = f[1]
			}
		}
	}
	return title, fix
}

// sortFindings orders findings by template, control and resource, and drops duplicates.
func sortFindings(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Template, b.Template), cmp.Compare(a.Control, b.Control),
			cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Message, b.Message), cmp.Compare(a.Fix, b.Fix))
	})
	return slices.Compact(fs)
}

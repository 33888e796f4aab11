package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is the outcome of one check.
type Status string

// Statuses. Only StatusProblem makes a report unhealthy.
const (
	// StatusOK: the check passed.
	StatusOK Status = "ok"
	// StatusProblem: something is wrong (after deploy) or would make the deploy fail
	// (preflight).
	StatusProblem Status = "problem"
	// StatusWarning: worth knowing, but nothing is broken (another team's replication rule,
	// an image still replicating, no CloudTrail trail for lifecycle notices).
	StatusWarning Status = "warning"
	// StatusSkipped: the check could not run (the endpoint does not implement the API, or
	// an earlier check already failed for the same thing); never counted as a pass.
	StatusSkipped Status = "skipped"
)

// Check is one thing verified.
type Check struct {
	// Name identifies the kind of check, e.g. "replication-rule" or "lifecycle-policy".
	Name string `json:"name"`
	// Region the check is about.
	Region string `json:"region"`
	// Account is the account of the registry the check is about, or "" where none applies.
	Account string `json:"account,omitempty"`
	// Namespace is the prefix of the namespace the check is about (its repository's, or the
	// namespace's rule, template or images), or "" for checks about a whole registry.
	Namespace string `json:"namespace,omitempty"`
	// Repository the check is about, or "" for registry-wide checks.
	Repository string `json:"repository,omitempty"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Detail says what was found and, for a problem, what to do.
	Detail string `json:"detail"`
	// Latency is how long the canary tag took to reach the region (canary mode only).
	Latency time.Duration `json:"-"`
}

// Report is the result of a run.
type Report struct {
	// Mode is "deployed", "preflight", "wait" or "canary".
	Mode string
	// Subject describes what was verified (prefix, regions, accounts), for the table's title.
	Subject string
	// Checks in the order they ran.
	Checks []Check
}

// Healthy reports whether no check found a problem.
func (r *Report) Healthy() bool {
	for _, c := range r.Checks {
		if c.Status == StatusProblem {
			return false
		}
	}
	return true
}

// counts returns how many checks have each status.
func (r *Report) counts() map[Status]int {
	n := map[Status]int{}
	for _, c := range r.Checks {
		n[c.Status]++
	}
	return n
}

type jsonCheck struct {
	Check
	LatencySeconds *float64 `json:"latency_seconds,omitempty"`
}

type jsonReport struct {
	Mode    string         `json:"mode"`
	Healthy bool           `json:"healthy"`
	Summary map[Status]int `json:"summary"`
	Checks  []jsonCheck    `json:"checks"`
}

// WriteJSON writes the report as one JSON document: mode, healthy, summary (checks per
// status) and checks (name, account and repository when they apply, region, status, detail,
// and latency_seconds for canary arrivals).
func (r *Report) WriteJSON(w io.Writer) error {
	doc := jsonReport{Mode: r.Mode, Healthy: r.Healthy(), Summary: r.counts(), Checks: []jsonCheck{}}
	for _, c := range r.Checks {
		jc := jsonCheck{Check: c}
		if c.Latency > 0 {
			s := c.Latency.Seconds()
			jc.LatencySeconds = &s
		}
		doc.Checks = append(doc.Checks, jc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// several reports whether the checks name more than one distinct value of field.
func (r *Report) several(field func(Check) string) bool {
	seen := ""
	for _, c := range r.Checks {
		v := field(c)
		if v != "" && seen != "" && v != seen {
			return true
		}
		if v != "" {
			seen = v
		}
	}
	return false
}

// WriteTable writes the report as a table with a title and a summary line. When the checks
// are about several accounts, an ACCOUNT column tells them apart; about several namespaces, a
// NAMESPACE column.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	if r.Subject != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Subject)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	accounts := r.several(func(c Check) string { return c.Account })
	namespaces := r.several(func(c Check) string { return c.Namespace })
	row := func(status, account, region, namespace, repo, name, detail string) {
		cells := []string{status}
		if accounts {
			cells = append(cells, account)
		}
		cells = append(cells, region)
		if namespaces {
			cells = append(cells, namespace)
		}
		fmt.Fprintln(tw, strings.Join(append(cells, repo, name, detail), "\t"))
	}
	row("STATUS", "ACCOUNT", "REGION", "NAMESPACE", "REPOSITORY", "CHECK", "DETAIL")
	for _, c := range r.Checks {
		status := string(c.Status)
		if c.Status == StatusProblem {
			status = "PROBLEM"
		}
		row(status, dash(c.Account), c.Region, dash(c.Namespace), dash(c.Repository), c.Name, oneLine(c.Detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := r.counts()
	fmt.Fprintf(&b, "\n%d ok, %d problem(s), %d warning(s), %d skipped: %s\n",
		n[StatusOK], n[StatusProblem], n[StatusWarning], n[StatusSkipped], r.verdict())
	_, err := io.WriteString(w, b.String())
	return err
}

// dash renders an empty cell as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Preflight problems that do not make the deploy fail: those that leave images behind, in
// repositories the stacks let go of, and those that drop replication rules of no namespace of
// the configuration (the deploy replaces the registry's whole replication configuration).
var (
	strandingChecks = map[string]bool{"rename": true, "removal": true}
	droppingChecks  = map[string]bool{"replication-foreign-rule": true}
)

// verdict ends the table's summary line.
func (r *Report) verdict() string {
	if r.Mode != "preflight" {
		if r.Healthy() {
			return "healthy"
		}
		return "NOT healthy"
	}
	var fails, strands, drops bool
	for _, c := range r.Checks {
		if c.Status == StatusProblem {
			strands = strands || strandingChecks[c.Name]
			drops = drops || droppingChecks[c.Name]
			fails = fails || (!strandingChecks[c.Name] && !droppingChecks[c.Name])
		}
	}
	var parts []string
	if fails {
		parts = append(parts, "would fail")
	}
	if strands {
		parts = append(parts, "would leave images behind")
	}
	if drops {
		parts = append(parts, "would remove replication rules of no declared namespace")
	}
	switch len(parts) {
	case 0:
		return "nothing found that would make cdk deploy fail"
	case 1:
		return "cdk deploy " + parts[0]
	}
	return "cdk deploy " + strings.Join(parts[:len(parts)-1], ", ") + ", and " + parts[len(parts)-1]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

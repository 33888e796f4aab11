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

// multiAccount reports whether the checks are about more than one account.
func (r *Report) multiAccount() bool {
	seen := ""
	for _, c := range r.Checks {
		if c.Account != "" && seen != "" && c.Account != seen {
			return true
		}
		if c.Account != "" {
			seen = c.Account
		}
	}
	return false
}

// WriteTable writes the report as a table with a title and a summary line. When the checks
// are about several accounts, an ACCOUNT column tells them apart.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	if r.Subject != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Subject)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	accounts := r.multiAccount()
	if accounts {
		fmt.Fprintln(tw, "STATUS\tACCOUNT\tREGION\tREPOSITORY\tCHECK\tDETAIL")
	} else {
		fmt.Fprintln(tw, "STATUS\tREGION\tREPOSITORY\tCHECK\tDETAIL")
	}
	for _, c := range r.Checks {
		repo := c.Repository
		if repo == "" {
			repo = "-"
		}
		status := string(c.Status)
		if c.Status == StatusProblem {
			status = "PROBLEM"
		}
		if accounts {
			account := c.Account
			if account == "" {
				account = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", status, account, c.Region, repo, c.Name, oneLine(c.Detail))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", status, c.Region, repo, c.Name, oneLine(c.Detail))
		}
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

// strandingChecks are the preflight checks whose problems do not make the deploy fail but
// leave images behind, in repositories the stacks let go of.
var strandingChecks = map[string]bool{"rename": true, "removal": true}

// verdict ends the table's summary line.
func (r *Report) verdict() string {
	if r.Mode != "preflight" {
		if r.Healthy() {
			return "healthy"
		}
		return "NOT healthy"
	}
	fails, strands := false, false
	for _, c := range r.Checks {
		if c.Status == StatusProblem {
			strands = strands || strandingChecks[c.Name]
			fails = fails || !strandingChecks[c.Name]
		}
	}
	switch {
	case fails && strands:
		return "cdk deploy would fail, and would leave images behind"
	case fails:
		return "cdk deploy would fail"
	case strands:
		return "cdk deploy would leave images behind"
	}
	return "nothing found that would make cdk deploy fail"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

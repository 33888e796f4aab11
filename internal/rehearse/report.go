package rehearse

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// Status is the outcome of one finding.
type Status string

// Statuses. Only StatusFail fails a rehearsal.
const (
	// StatusPass: what was checked is as the template (or the documentation) says.
	StatusPass Status = "pass"
	// StatusGap: moto does not realize it; the detail names the gap and its reason.
	StatusGap Status = "gap"
	// StatusSkipped: not checked, and the detail says why; never counted as a pass.
	StatusSkipped Status = "skipped"
	// StatusFail: something the rehearsal checks is wrong.
	StatusFail Status = "FAIL"
)

// Finding is one thing a rehearsal checked.
type Finding struct {
	// Check names the kind of check: "deploy", "realized", "setting", "order", "asset",
	// "verify", "destroy".
	Check string
	// Stack is the stack it is about ("" when none).
	Stack string
	// Subject is the resource (logical id, and property for a setting), verify check or
	// stack it is about.
	Subject string
	// Status is the outcome.
	Status Status
	// Detail says what was found: for a gap its reason, for a failure what differs.
	Detail string
	// Gap names a gap's kind and reason, the same for every finding of that gap, so that the
	// report can print each gap once ("" unless Status is StatusGap).
	Gap string
	// Summary marks a finding the report prints even when it passed (what a stack holds,
	// what destroy removed).
	Summary bool
}

// Report is what a rehearsal found.
type Report struct {
	// Name is the rehearsal's name, e.g. "default" or "kms".
	Name string
	// Findings in the order they were made.
	Findings []Finding
	// Timings are wall times by step (synth, bootstrap, deploy, check, verify, destroy).
	Timings []Timing
}

// Timing is the wall time of one step.
type Timing struct {
	Step    string
	Seconds float64
}

// Failed reports whether any finding failed.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if f.Status == StatusFail {
			return true
		}
	}
	return false
}

// Count returns how many findings have the status.
func (r *Report) Count(s Status) int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == s {
			n++
		}
	}
	return n
}

// add appends findings.
func (r *Report) add(fs ...Finding) { r.Findings = append(r.Findings, fs...) }

// Write prints the report: the summary findings, each gap once with how many findings it
// explains, every finding skipped or failed, a count of the passes by check, the timings and
// the verdict. With all, every finding is printed one by one instead.
func (r *Report) Write(w io.Writer, all bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "rehearsal %q\n\n", r.Name)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCHECK\tSTACK\tSUBJECT\tDETAIL")
	row := func(status Status, check, stack, subject, detail string) {
		stack = cmp.Or(stack, "-")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", status, check, stack, subject, detail)
	}
	gaps, order := map[string][]Finding{}, []string{}
	for _, f := range r.Findings {
		switch {
		case all || f.Status == StatusSkipped || f.Status == StatusFail || (f.Status == StatusPass && f.Summary):
			row(f.Status, f.Check, f.Stack, f.Subject, f.Detail)
		case f.Status == StatusGap:
			if _, seen := gaps[f.Gap]; !seen {
				order = append(order, f.Gap)
			}
			gaps[f.Gap] = append(gaps[f.Gap], f)
		}
	}
	for _, g := range order {
		fs := gaps[g]
		row(StatusGap, fs[0].Check, stacks(fs), fmt.Sprintf("%d× e.g. %s", len(fs), fs[0].Subject), g)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	r.writeTotals(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// stacks says how many stacks the findings are about ("-" for none).
func stacks(fs []Finding) string {
	names := map[string]bool{}
	for _, f := range fs {
		if f.Stack != "" {
			names[f.Stack] = true
		}
	}
	if len(names) == 0 {
		return "-"
	}
	return fmt.Sprintf("%d stack(s)", len(names))
}

// writeTotals writes the passes by check, the timings and the verdict.
func (r *Report) writeTotals(b *strings.Builder) {
	passes := map[string]int{}
	for _, f := range r.Findings {
		if f.Status == StatusPass {
			passes[f.Check]++
		}
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(passes)) {
		parts = append(parts, fmt.Sprintf("%s %d", c, passes[c]))
	}
	fmt.Fprintf(b, "\npassed: %s\n", strings.Join(parts, ", "))
	parts = parts[:0]
	for _, t := range r.Timings {
		parts = append(parts, fmt.Sprintf("%s %.1f s", t.Step, t.Seconds))
	}
	fmt.Fprintf(b, "timings: %s\n", strings.Join(parts, ", "))
	verdict := "rehearsal passed"
	if r.Failed() {
		verdict = "REHEARSAL FAILED"
	}
	fmt.Fprintf(b, "%d pass, %d gap(s), %d skipped, %d failed: %s\n",
		r.Count(StatusPass), r.Count(StatusGap), r.Count(StatusSkipped), r.Count(StatusFail), verdict)
}

package backfill

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Modes of a run.
const (
	ModeStart   = "start"   // start (or attach), do not wait
	ModeWait    = "wait"    // start (or attach), then wait until every one is terminal
	ModeStatus  = "status"  // list the registry's backfills
	ModeStop    = "stop"    // --stop ID or --stop-all
	ModeResults = "results" // --results ID
)

// tableFailures is how many failed replications the table shows per backfill (--json has
// every one).
const tableFailures = 20

// Report is the result of a run.
type Report struct {
	// Mode is one of the Mode constants.
	Mode string
	// Registry and Region are the source registry's account and region.
	Registry, Region string
	// Backfills, one per destination (start, wait) or per backfill (status, stop, results).
	Backfills []*Backfill
	// End is how a wait ended (EndDone, EndDeadline, EndDetached).
	End string
}

// OK reports whether the run did what was asked: every destination has a backfill running
// (start); every backfill COMPLETE without failed replications (wait, results); every named
// backfill stopping or stopped (stop). Listing (status) is always OK.
func (r *Report) OK() bool {
	if r.End != EndDone {
		return false
	}
	for _, e := range r.Backfills {
		switch r.Mode {
		case ModeStart:
			if e.Action != ActionStarted && e.Action != ActionAttached {
				return false
			}
		case ModeWait, ModeResults:
			if e.Problem() {
				return false
			}
		case ModeStop:
			if e.Action == ActionRefused {
				return false
			}
		}
	}
	return true
}

type jsonDestination struct {
	Region  string `json:"region"`
	Account string `json:"account"`
}

type jsonBackfill struct {
	Destination     jsonDestination `json:"destination"`
	InConfiguration bool            `json:"inConfiguration"`
	ID              string          `json:"id,omitempty"`
	Action          Action          `json:"action"`
	Status          string          `json:"status"`
	StartedAt       *time.Time      `json:"startedAt,omitempty"`
	EndedAt         *time.Time      `json:"endedAt,omitempty"`
	FailureCode     string          `json:"failureCode,omitempty"`
	Progress        *Progress       `json:"progress"`
	Failed          []ImageFailure  `json:"failedReplications"`
	Detail          string          `json:"detail,omitempty"`
	Note            string          `json:"note,omitempty"`
}

type jsonReport struct {
	Mode      string         `json:"mode"`
	OK        bool           `json:"ok"`
	Registry  string         `json:"registry"`
	Region    string         `json:"region"`
	End       string         `json:"end,omitempty"`
	Backfills []jsonBackfill `json:"backfills"`
}

// WriteJSON writes the report as one JSON document: mode, ok, registry, region, end (deadline
// or detached, when a wait did not finish) and backfills (destination, inConfiguration, id,
// action, status, startedAt, endedAt, failureCode, progress (null while preparing),
// failedReplications (every one, once terminal), detail, note).
func (r *Report) WriteJSON(w io.Writer) error {
	doc := jsonReport{Mode: r.Mode, OK: r.OK(), Registry: r.Registry, Region: r.Region, End: r.End, Backfills: []jsonBackfill{}}
	for _, e := range r.Backfills {
		failed := e.Failures
		if failed == nil {
			failed = []ImageFailure{}
		}
		doc.Backfills = append(doc.Backfills, jsonBackfill{
			Destination: jsonDestination{Region: e.Destination.Region, Account: e.Destination.Account}, InConfiguration: e.InConfiguration,
			ID: e.ID, Action: e.Action, Status: e.Status, StartedAt: e.StartedAt, EndedAt: e.EndedAt, FailureCode: e.FailureCode,
			Progress: e.Progress, Failed: failed, Detail: e.Detail, Note: e.Note,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// WriteTable writes the report as a title, a table with a line per backfill, the failed
// replications of each terminal backfill (the first tableFailures) and a summary line.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "ecr-replication backfill (%s): registry %s in %s\n\n", r.Mode, r.Registry, r.Region)
	if len(r.Backfills) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DESTINATION\tSTATUS\tCOMPLETED\tFAILED\tTOTAL\tBACKFILL\tDETAIL")
		for _, e := range r.Backfills {
			done, failed, total := "-", "-", "-"
			if p := e.Progress; p != nil {
				done, failed, total = fmt.Sprint(p.Completed), fmt.Sprint(p.Failed), fmt.Sprint(p.Total)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", label(e.Destination), e.Status, done, failed, total, orDash(e.ID), e.tableDetail())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, e := range r.Backfills {
		if err := writeFailures(&b, e); err != nil {
			return err
		}
	}
	fmt.Fprintf(&b, "\n%s\n", r.summary())
	_, err := io.WriteString(w, b.String())
	return err
}

// tableDetail is the DETAIL column: what happened, the timing, the failure codes, the notes.
func (e *Backfill) tableDetail() string {
	var parts []string
	if e.Action == ActionStarted || e.Action == ActionAttached {
		parts = append(parts, string(e.Action))
	}
	if e.Detail != "" && e.Action != ActionAttached {
		parts = append(parts, e.Detail)
	}
	if e.StartedAt != nil && e.EndedAt != nil {
		parts = append(parts, "took "+e.EndedAt.Sub(*e.StartedAt).Round(time.Second).String())
	}
	if e.FailureCode != "" {
		parts = append(parts, "backfill failure code "+e.FailureCode)
	}
	if p := e.Progress; p != nil && len(p.FailureCodes) > 0 {
		parts = append(parts, "failure codes "+strings.Join(p.FailureCodes, ", "))
	}
	if e.Status == string(types.ReplicationBackfillStatusComplete) && e.Problem() {
		parts = append(parts, "COMPLETE, but replications failed")
	}
	if e.Note != "" {
		parts = append(parts, e.Note)
	}
	return orDash(oneLine(strings.Join(parts, "; ")))
}

// writeFailures lists the first failed replications of a terminal backfill.
func writeFailures(b *strings.Builder, e *Backfill) error {
	if len(e.Failures) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\nFAILED REPLICATIONS to %s, backfill %s: %d\n", label(e.Destination), e.ID, len(e.Failures))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tIMAGE\tFAILURE CODE\tSUB-IMAGE FAILURE CODES")
	for i, f := range e.Failures {
		if i == tableFailures {
			break
		}
		sub := strings.Join(f.SubImageFailureCodes, ", ")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Repository, imageName(f), orDash(f.FailureCode), orDash(sub))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := len(e.Failures) - tableFailures; n > 0 {
		fmt.Fprintf(b, "… and %d more (--json lists every one)\n", n)
	}
	return nil
}

// imageName renders "release-1.0 (sha256:37028d4063d6…)", or the digest alone.
func imageName(f ImageFailure) string {
	digest := f.ImageDigest
	if len(digest) > 19 {
		digest = digest[:19] + "…"
	}
	switch {
	case f.ImageTag != "" && digest != "":
		return fmt.Sprintf("%s (%s)", f.ImageTag, digest)
	case f.ImageTag != "":
		return f.ImageTag
	}
	return orDash(digest)
}

// summary is the last line: how many backfills in each status, and the verdict.
func (r *Report) summary() string {
	counts := map[string]int{}
	var order []string
	for _, e := range r.Backfills {
		if counts[e.Status] == 0 {
			order = append(order, e.Status)
		}
		counts[e.Status]++
	}
	var parts []string
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	if len(parts) == 0 {
		parts = []string{"no backfill"}
	}
	return strings.Join(parts, ", ") + ": " + r.verdict()
}

// verdict says what the run's outcome means and what to do next.
func (r *Report) verdict() string {
	switch {
	case r.End == EndDetached:
		return "detached; the backfills go on in AWS (follow them with --status or --wait DURATION, stop them with --stop-all)"
	case r.End == EndDeadline:
		return "the deadline passed; the backfills still running go on in AWS (follow them with --status or --wait DURATION)"
	}
	ok := r.OK()
	switch r.Mode {
	case ModeStart:
		if ok {
			return "every destination has a backfill running; follow them with --wait DURATION or --status"
		}
		return "not every destination has a backfill running: run the same command again later (it attaches to the running ones and starts the rest), or add --wait DURATION to start them as slots free"
	case ModeStatus:
		return "listed"
	case ModeStop:
		if len(r.Backfills) == 0 {
			return "nothing to stop"
		}
		if ok {
			return "stopped (replications already running finish first)"
		}
		return "some backfills could not be stopped"
	}
	if ok {
		return "every backfill COMPLETE"
	}
	return "NOT every image was replicated: " + strings.Join(r.problems(), ", ")
}

// problems names each backfill that did not end well, and how.
func (r *Report) problems() []string {
	var out []string
	for _, e := range r.Backfills {
		if !e.Problem() {
			continue
		}
		how := e.Status
		if p := e.Progress; p != nil && p.Failed > 0 {
			how = fmt.Sprintf("%s, %d failed replications", e.Status, p.Failed)
		}
		out = append(out, fmt.Sprintf("%s %s", label(e.Destination), how))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

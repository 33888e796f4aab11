package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// bytesPerGB is the GB of AWS storage pricing (GB-month): 2^30 bytes.
const bytesPerGB = 1 << 30

// report is everything the preview prints; --json prints it as is.
type report struct {
	Repository      string       `json:"repository,omitempty"`
	PolicySource    string       `json:"policySource"`
	EvaluatedAt     time.Time    `json:"evaluatedAt"`
	PricePerGBMonth float64      `json:"pricePerGBMonth"`
	Verdicts        []verdictDoc `json:"verdicts"`
	Totals          totals       `json:"totals"`
	// Replication says, with --cdk-out, which replication configuration and rules cover the
	// repository; absent with --policy.
	Replication *replicationDoc `json:"replication,omitempty"`
	// Destinations are what happens in each destination of those rules; empty when the
	// repository is not replicated or the policy comes from --policy.
	Destinations []destinationDoc `json:"destinations"`
}

// verdictDoc is one image's verdict; verdicts are sorted newest push first.
type verdictDoc struct {
	Digest             string     `json:"digest"`
	Tags               []string   `json:"tags"`
	PushedAt           time.Time  `json:"pushedAt"`
	LastPulledAt       *time.Time `json:"lastPulledAt"`
	SizeBytes          int64      `json:"sizeBytes"`
	StorageClass       string     `json:"storageClass"`
	Verdict            string     `json:"verdict"` // kept, expire or transition
	TargetStorageClass string     `json:"targetStorageClass,omitempty"`
	RulePriority       int        `json:"rulePriority"` // 0 when kept
	Reason             string     `json:"reason"`
}

// totals sums the verdicts. ExpiredGB uses GB = 2^30 bytes.
type totals struct {
	Images            int     `json:"images"`
	Kept              int     `json:"kept"`
	Expired           int     `json:"expired"`
	Transitioned      int     `json:"transitioned"`
	ExpiredBytes      int64   `json:"expiredBytes"`
	TransitionedBytes int64   `json:"transitionedBytes"`
	ExpiredGB         float64 `json:"expiredGB"`
	MonthlySavingsUSD float64 `json:"monthlySavingsUSD"`
}

func buildReport(opts options, source string, verdicts []lifecycle.Verdict) report {
	rep := report{
		Repository:      opts.repository,
		PolicySource:    source,
		EvaluatedAt:     opts.now,
		PricePerGBMonth: opts.price,
		Verdicts:        make([]verdictDoc, 0, len(verdicts)),
		Destinations:    []destinationDoc{},
	}
	for _, v := range newestFirst(verdicts) {
		rep.Verdicts = append(rep.Verdicts, newVerdictDoc(v))
		rep.Totals.add(v)
	}
	rep.Totals.finish(opts.price)
	return rep
}

// newestFirst returns a copy of verdicts sorted by push time, newest first.
func newestFirst(verdicts []lifecycle.Verdict) []lifecycle.Verdict {
	sorted := append([]lifecycle.Verdict(nil), verdicts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Image.PushedAt.After(sorted[j].Image.PushedAt) })
	return sorted
}

func newVerdictDoc(v lifecycle.Verdict) verdictDoc {
	doc := verdictDoc{
		Digest:             v.Image.Digest,
		Tags:               v.Image.Tags,
		PushedAt:           v.Image.PushedAt,
		SizeBytes:          v.Image.SizeBytes,
		StorageClass:       string(v.Image.StorageClass),
		Verdict:            verdictWord(v),
		TargetStorageClass: string(v.TargetStorageClass),
		RulePriority:       v.RulePriority,
		Reason:             v.Reason,
	}
	if doc.Tags == nil {
		doc.Tags = []string{}
	}
	if doc.StorageClass == "" {
		doc.StorageClass = string(lifecycle.StorageStandard)
	}
	if !v.Image.LastPulledAt.IsZero() {
		pulled := v.Image.LastPulledAt
		doc.LastPulledAt = &pulled
	}
	return doc
}

// add counts one verdict.
func (t *totals) add(v lifecycle.Verdict) {
	t.Images++
	switch v.Action {
	case lifecycle.ActionExpire:
		t.Expired++
		t.ExpiredBytes += v.Image.SizeBytes
	case lifecycle.ActionTransition:
		t.Transitioned++
		t.TransitionedBytes += v.Image.SizeBytes
	default:
		t.Kept++
	}
}

// finish computes the GB and the savings at price per GB-month.
func (t *totals) finish(price float64) {
	t.ExpiredGB = float64(t.ExpiredBytes) / bytesPerGB
	t.MonthlySavingsUSD = t.ExpiredGB * price
}

func verdictWord(v lifecycle.Verdict) string {
	if v.Kept() {
		return "kept"
	}
	return string(v.Action)
}

func writeJSON(w io.Writer, rep report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

func writeTable(w io.Writer, rep report) error {
	var b strings.Builder
	subject := "the images"
	if rep.Repository != "" {
		subject = rep.Repository
	}
	fmt.Fprintf(&b, "Lifecycle preview of %s at %s\n", subject, rep.EvaluatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Policy: %s\n\n", rep.PolicySource)
	rows := make([]tableRow, len(rep.Verdicts))
	for i, v := range rep.Verdicts {
		rows[i] = tableRow{verdictDoc: v}
	}
	if err := writeRows(&b, "", rows, false); err != nil {
		return err
	}
	t := rep.Totals
	fmt.Fprintf(&b, "\nImages: %d (kept %d, expire %d, transition %d)\n", t.Images, t.Kept, t.Expired, t.Transitioned)
	writeTotals(&b, "", t, rep.PricePerGBMonth)
	if rep.Replication != nil {
		if err := writeDestinations(&b, rep); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableRow is a verdict with, in a destination, why the image goes.
type tableRow struct {
	verdictDoc
	cause string
}

// writeRows writes the verdict table, every line starting with indent.
func writeRows(b *strings.Builder, indent string, rows []tableRow, withCause bool) error {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	causeHeader := ""
	if withCause {
		causeHeader = "CAUSE\t"
	}
	fmt.Fprintf(tw, "%sTAGS\tPUSHED\tLAST PULL\tSIZE\tVERDICT\t%sRULE\tREASON\n", indent, causeHeader)
	for _, v := range rows {
		pulled := "never"
		if v.LastPulledAt != nil {
			pulled = stamp(*v.LastPulledAt)
		}
		rule := "-"
		if v.RulePriority != 0 {
			rule = strconv.Itoa(v.RulePriority)
		}
		cause := ""
		if withCause {
			cause = cmp.Or(v.cause, "-") + "\t"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%s\t%s%s\t%s\n", indent, imageLabel(v.verdictDoc), stamp(v.PushedAt), pulled, humanBytes(v.SizeBytes), v.Verdict, cause, rule, v.Reason)
	}
	return tw.Flush()
}

// imageLabel is an image's tags, or "<untagged sha256:…>", marked when archived.
func imageLabel(v verdictDoc) string {
	label := strings.Join(v.Tags, ",")
	if label == "" {
		label = "<untagged " + shortDigest(v.Digest) + ">"
	}
	if v.StorageClass == string(lifecycle.StorageArchive) {
		label += " (archived)"
	}
	return label
}

// writeTotals writes the counts, bytes and savings, every line starting with indent.
func writeTotals(b *strings.Builder, indent string, t totals, price float64) {
	fmt.Fprintf(b, "%sWould delete: %s, %s (%s bytes)\n", indent, plural(t.Expired, "image"), humanBytes(t.ExpiredBytes), groupDigits(t.ExpiredBytes))
	if t.Transitioned > 0 {
		fmt.Fprintf(b, "%sWould archive: %s, %s (%s bytes; archive storage is billed separately, 90 days minimum)\n", indent, plural(t.Transitioned, "image"), humanBytes(t.TransitionedBytes), groupDigits(t.TransitionedBytes))
	}
	fmt.Fprintf(b, "%sStorage saved: %.2f GB x $%.2f per GB-month = $%.2f per month\n", indent, t.ExpiredGB, price, t.MonthlySavingsUSD)
	fmt.Fprintf(b, "%s  (GB = 2^30 bytes, as AWS bills storage; an upper bound, since images can share layers)\n", indent)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// humanBytes renders a size with binary units: 512 B, 12.3 MiB, 1.2 GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// groupDigits renders 1234567 as 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeDestinations writes the Destinations part: the covering rules, then per destination
// what delete replication mirrors and, with its describe-images file, every image's fate.
func writeDestinations(b *strings.Builder, rep report) error {
	fmt.Fprintf(b, "\nDestinations: %s\n", rep.Replication.Note)
	labels := map[string]string{}
	for _, v := range rep.Verdicts {
		labels[v.Digest] = imageLabel(v)
	}
	for _, d := range rep.Destinations {
		account := d.Account
		if account != sourceAccount {
			account = "account " + account
		}
		fmt.Fprintf(b, "\n%s (%s), replication rule %d\n", d.Region, account, d.Rule)
		fmt.Fprintf(b, "  %s%s\n", strings.ToUpper(d.Summary[:1]), d.Summary[1:])
		if m := d.MirroredFromSource; m != nil && m.Images > 0 {
			names := make([]string, len(m.Digests))
			for i, digest := range m.Digests {
				names[i] = labels[digest]
			}
			writeWrapped(b, "    ", names, 100)
		}
		if d.Totals == nil {
			fmt.Fprintf(b, "  (the replica's own lifecycle policy: preview it with --destination-images %s=FILE, the describe-images output there)\n", d.Region)
			continue
		}
		if err := writeDestinationImages(b, d, rep.PricePerGBMonth); err != nil {
			return err
		}
	}
	return nil
}

// writeWrapped writes items separated by ", " on lines starting with indent, breaking before
// an item that would pass width columns.
func writeWrapped(b *strings.Builder, indent string, items []string, width int) {
	line := indent
	for i, item := range items {
		if i < len(items)-1 {
			item += ","
		}
		if line != indent && len(line)+1+len(item) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += item
	}
	b.WriteString(line + "\n")
}

// writeDestinationImages writes a destination's images with their fate, and its totals.
func writeDestinationImages(b *strings.Builder, d destinationDoc, price float64) error {
	fmt.Fprintf(b, "  Replica images: %s\n  Replica policy: %s\n\n", d.Images, d.ReplicaPolicySource)
	rows := make([]tableRow, len(d.Verdicts))
	for i, v := range d.Verdicts {
		rows[i] = tableRow{verdictDoc: v.verdictDoc, cause: v.Cause}
	}
	if err := writeRows(b, "  ", rows, true); err != nil {
		return err
	}
	t := d.Totals
	fmt.Fprintf(b, "\n  Images: %d (kept %d, expire %d: %d mirrored only, %d own policy only, %d both; transition %d)\n",
		t.Images, t.Kept, t.Expired, t.MirroredOnly, t.OwnPolicyOnly, t.Both, t.Transitioned)
	writeTotals(b, "  ", t.totals, price)
	if t.SourceExpiredNotHere > 0 {
		fmt.Fprintf(b, "  Not in %s: %s the source expires (not counted here)\n", d.Images, plural(t.SourceExpiredNotHere, "image"))
	}
	return nil
}

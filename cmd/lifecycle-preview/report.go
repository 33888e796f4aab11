package main

import (
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
	sorted := append([]lifecycle.Verdict(nil), verdicts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Image.PushedAt.After(sorted[j].Image.PushedAt) })
	rep := report{
		Repository:      opts.repository,
		PolicySource:    source,
		EvaluatedAt:     opts.now,
		PricePerGBMonth: opts.price,
		Verdicts:        make([]verdictDoc, 0, len(sorted)),
	}
	t := &rep.Totals
	for _, v := range sorted {
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
		rep.Verdicts = append(rep.Verdicts, doc)

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
	t.ExpiredGB = float64(t.ExpiredBytes) / bytesPerGB
	t.MonthlySavingsUSD = t.ExpiredGB * opts.price
	return rep
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

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TAGS\tPUSHED\tLAST PULL\tSIZE\tVERDICT\tRULE\tREASON")
	for _, v := range rep.Verdicts {
		tags := strings.Join(v.Tags, ",")
		if tags == "" {
			tags = "<untagged " + shortDigest(v.Digest) + ">"
		}
		if v.StorageClass == string(lifecycle.StorageArchive) {
			tags += " (archived)"
		}
		pulled := "never"
		if v.LastPulledAt != nil {
			pulled = stamp(*v.LastPulledAt)
		}
		rule := "-"
		if v.RulePriority != 0 {
			rule = strconv.Itoa(v.RulePriority)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", tags, stamp(v.PushedAt), pulled, humanBytes(v.SizeBytes), v.Verdict, rule, v.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	t := rep.Totals
	fmt.Fprintf(&b, "\nImages: %d (kept %d, expire %d, transition %d)\n", t.Images, t.Kept, t.Expired, t.Transitioned)
	fmt.Fprintf(&b, "Would delete: %s, %s (%s bytes)\n", plural(t.Expired, "image"), humanBytes(t.ExpiredBytes), groupDigits(t.ExpiredBytes))
	if t.Transitioned > 0 {
		fmt.Fprintf(&b, "Would archive: %s, %s (%s bytes; archive storage is billed separately, 90 days minimum)\n", plural(t.Transitioned, "image"), humanBytes(t.TransitionedBytes), groupDigits(t.TransitionedBytes))
	}
	fmt.Fprintf(&b, "Storage saved: %.2f GB x $%.2f per GB-month = $%.2f per month\n", t.ExpiredGB, rep.PricePerGBMonth, t.MonthlySavingsUSD)
	fmt.Fprintln(&b, "  (GB = 2^30 bytes, as AWS bills storage; an upper bound, since images can share layers)")
	_, err := io.WriteString(w, b.String())
	return err
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

package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// inputs are the files the preview reads, loaded, with every problem and warning.
type inputs struct {
	replication  *replicationConfig // with --cdk-out; nil when it holds none
	policy       lifecycle.Policy
	source       string // where the policy comes from
	images       []lifecycle.Image
	destinations map[string]destinationInput // --destination-images by region
	warnings     []string
	errs         []error
}

func (in *inputs) fail(err error) {
	if err != nil {
		in.errs = append(in.errs, err)
	}
}

// findReplication reads the replication rules from --cdk-out. It returns the usage problems of
// --destination-images: each region that is not a destination of the repository.
func (in *inputs) findReplication(opts options) []string {
	rc, warnings, err := findReplication(opts.cdkOut, opts.stack)
	in.warnings = append(in.warnings, warnings...)
	if err != nil {
		in.fail(err)
		return nil
	}
	in.replication = rc
	if opts.stack != "" && rc != nil && !inStackFamily(opts.stack, rc.stack) {
		in.warnings = append(in.warnings, fmt.Sprintf("--stack %s is not the source stack %s: the destinations take %s's policy for the source's", opts.stack, rc.stack, opts.stack))
	}
	regions := rc.destinationRegions(opts.repository)
	var problems []string
	for _, d := range opts.destinations {
		if d.region == "" || slices.Contains(regions, d.region) {
			continue // malformed values are reported by splitDestinationArgs
		}
		var why string
		switch {
		case rc == nil:
			why = fmt.Sprintf("%s has no %s, so %s has no destinations", opts.cdkOut, typeReplicationConfiguration, opts.repository)
		case len(regions) == 0:
			why = fmt.Sprintf("%s is not replicated: no rule of %s covers it", opts.repository, rc.source)
		default:
			why = fmt.Sprintf("%s is not a destination of %s (expected one of: %s)", d.region, opts.repository, strings.Join(regions, ", "))
		}
		problems = append(problems, fmt.Sprintf("--destination-images %s: %s", d.raw, why))
	}
	return problems
}

// load reads the policy, the images and every --destination-images file with its replica's
// policy, collecting every problem.
func (in *inputs) load(opts options) {
	prefer := ""
	if in.replication != nil {
		prefer = in.replication.stack
	}
	var warnings []string
	var err error
	in.policy, in.source, warnings, err = loadPolicy(opts, prefer)
	in.warnings = append(in.warnings, warnings...)
	in.fail(err)
	in.images, warnings, err = loadImages(opts.images, opts.repository, "--images")
	in.warnings = append(in.warnings, warnings...)
	in.fail(err)
	in.destinations = map[string]destinationInput{}
	for _, d := range opts.destinations {
		in.loadDestination(opts, d)
	}
}

// loadDestination reads one --destination-images file and finds its replica's policy.
func (in *inputs) loadDestination(opts options, d destinationArg) {
	images, warnings, err := loadImages(d.file, opts.repository, "--destination-images "+d.raw)
	in.warnings = append(in.warnings, warnings...)
	in.fail(err)
	if in.replication == nil {
		return // reading the replication rules failed, and that is reported
	}
	rp, err := findReplicaPolicy(opts.cdkOut, in.replication, opts.repository, d.region, in.policy, in.source)
	in.fail(err)
	if rp.warning != "" {
		in.warnings = append(in.warnings, rp.warning)
	}
	in.destinations[d.region] = destinationInput{file: d.file, images: images, policy: rp}
}

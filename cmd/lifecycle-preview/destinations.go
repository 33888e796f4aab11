package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// Why an image goes in a destination.
const (
	causeMirrored = "mirrored"   // the source expires it and the rule mirrors deletes
	causeOwn      = "own-policy" // the replica's own lifecycle policy expires it
	causeBoth     = "both"
)

// replicationDoc says which replication configuration and rules cover the repository.
type replicationDoc struct {
	Configuration string `json:"configuration,omitempty"` // "file: AWS::ECR::ReplicationConfiguration id"; empty when there is none
	Replicated    bool   `json:"replicated"`
	Rules         []int  `json:"rules"` // the covering rules, by 1-based position in Rules
	Note          string `json:"note"`
}

// destinationDoc is what happens to the repository's images in one destination of a rule.
type destinationDoc struct {
	Region            string   `json:"region"`
	Account           string   `json:"account"` // 12 digits, "the source account", or the RegistryId expression
	Rule              int      `json:"rule"`
	RepositoryFilters []string `json:"repositoryFilters"`
	DeleteReplication bool     `json:"deleteReplication"`
	Summary           string   `json:"summary"`
	// MirroredFromSource are the images the source's policy expires, which ECR also deletes
	// here; only with delete replication on.
	MirroredFromSource *mirroredDoc `json:"mirroredFromSource,omitempty"`
	// SourceTransitionsNotMirrored counts the images the source's policy archives: archive
	// transitions are not mirrored.
	SourceTransitionsNotMirrored int `json:"sourceTransitionsNotMirrored"`
	// With --destination-images for the region: the file, the replica's own policy, and every
	// image of the file with its fate (sorted newest push first).
	Images              string                  `json:"images,omitempty"`
	ReplicaPolicySource string                  `json:"replicaPolicySource,omitempty"`
	Verdicts            []destinationVerdictDoc `json:"verdicts,omitempty"`
	Totals              *destinationTotals      `json:"totals,omitempty"`
}

// mirroredDoc sums the source's expirations that delete replication mirrors.
type mirroredDoc struct {
	Images  int      `json:"images"`
	Bytes   int64    `json:"bytes"`   // sizes from the source's describe-images
	Digests []string `json:"digests"` // newest push first
}

// destinationVerdictDoc is an image of the destination: verdict "expire" when it goes for
// either cause.
type destinationVerdictDoc struct {
	verdictDoc
	Cause string `json:"cause,omitempty"` // mirrored, own-policy or both; empty unless expired
}

// destinationTotals sums a destination's verdicts (sizes from its describe-images).
type destinationTotals struct {
	totals
	MirroredOnly  int `json:"mirroredOnly"`
	OwnPolicyOnly int `json:"ownPolicyOnly"`
	Both          int `json:"both"`
	// SourceExpiredNotHere counts the mirrored source expirations whose digest the file does not list.
	SourceExpiredNotHere int `json:"sourceExpiredNotHere"`
}

// destinationInput is a --destination-images file, read, with the replica's policy.
type destinationInput struct {
	file   string
	images []lifecycle.Image
	policy replicaPolicy
}

// sourceEffects is what the source's policy does that matters to the destinations.
type sourceEffects struct {
	expired     map[string]lifecycle.Verdict // by digest
	order       []string                     // expired digests, newest push first
	bytes       int64
	transitions int
}

func newSourceEffects(verdicts []lifecycle.Verdict) sourceEffects {
	fx := sourceEffects{expired: map[string]lifecycle.Verdict{}}
	for _, v := range newestFirst(verdicts) {
		switch v.Action {
		case lifecycle.ActionExpire:
			if _, dup := fx.expired[v.Image.Digest]; !dup {
				fx.expired[v.Image.Digest] = v
				fx.order = append(fx.order, v.Image.Digest)
				fx.bytes += v.Image.SizeBytes
			}
		case lifecycle.ActionTransition:
			fx.transitions++
		}
	}
	return fx
}

// buildDestinations previews every destination of the rules covering repository. inputs are
// the --destination-images by region.
func buildDestinations(rc *replicationConfig, dir, repository string, src []lifecycle.Verdict, inputs map[string]destinationInput, now time.Time, price float64) (*replicationDoc, []destinationDoc) {
	docs := []destinationDoc{}
	if rc == nil {
		return &replicationDoc{Rules: []int{}, Note: fmt.Sprintf("%s is not replicated: %s has no %s", repository, dir, typeReplicationConfiguration)}, docs
	}
	rep := &replicationDoc{Configuration: rc.source, Rules: []int{}}
	rules := rc.covering(repository)
	if len(rules) == 0 {
		rep.Note = fmt.Sprintf("%s is not replicated: no rule of %s covers it", repository, rc.source)
		return rep, docs
	}
	fx := newSourceEffects(src)
	var names []string
	for _, r := range rules {
		rep.Rules = append(rep.Rules, r.number)
		names = append(names, fmt.Sprintf("rule %d (%s)", r.number, describeFilters(r.filters)))
		for _, d := range r.destinations {
			doc := newDestinationDoc(r, d, fx)
			if in, ok := inputs[d.region]; ok {
				doc.evaluate(in, fx, now, price)
			}
			docs = append(docs, doc)
		}
	}
	rep.Replicated = true
	rep.Note = fmt.Sprintf("%s is replicated by %s of %s", repository, strings.Join(names, " and "), rc.source)
	return rep, docs
}

// describeFilters renders a rule's filters: "filter enterprise-apps/", "no filter: every repository".
func describeFilters(filters []string) string {
	switch len(filters) {
	case 0:
		return "no filter: every repository"
	case 1:
		return "filter " + filters[0]
	}
	return "filters " + strings.Join(filters, ", ")
}

// newDestinationDoc is a destination without --destination-images: what delete replication
// does with the source's expirations.
func newDestinationDoc(r replicationRule, d destination, fx sourceEffects) destinationDoc {
	doc := destinationDoc{
		Region:                       d.region,
		Account:                      d.account,
		Rule:                         r.number,
		RepositoryFilters:            append([]string{}, r.filters...),
		DeleteReplication:            r.deleteReplication,
		SourceTransitionsNotMirrored: fx.transitions,
	}
	if !r.deleteReplication {
		doc.Summary = "delete replication off: replicas keep the images the source expires; the replica's own lifecycle policy decides"
		return doc
	}
	doc.MirroredFromSource = &mirroredDoc{Images: len(fx.order), Bytes: fx.bytes, Digests: append([]string{}, fx.order...)}
	if n := len(fx.order); n > 0 {
		doc.Summary = fmt.Sprintf("delete replication on: these %s (%s, %s bytes in the source) expired in the source are also deleted from %s",
			plural(n, "image"), humanBytes(fx.bytes), groupDigits(fx.bytes), d.region)
	} else {
		doc.Summary = fmt.Sprintf("delete replication on: the source expires no image, so mirroring deletes none from %s", d.region)
	}
	doc.Summary += "; archive transitions are not mirrored"
	if fx.transitions > 0 {
		doc.Summary += fmt.Sprintf(" (the source archives %s)", plural(fx.transitions, "image"))
	}
	return doc
}

// evaluate runs the replica's own policy on the destination's images and joins its
// expirations with the mirrored ones (matched by digest).
func (doc *destinationDoc) evaluate(in destinationInput, fx sourceEffects, now time.Time, price float64) {
	doc.Images = in.file
	doc.ReplicaPolicySource = in.policy.source
	doc.Verdicts = []destinationVerdictDoc{}
	t := &destinationTotals{}
	present := map[string]bool{}
	for _, own := range newestFirst(ownVerdicts(in, now)) {
		present[own.Image.Digest] = true
		src, mirrored := fx.expired[own.Image.Digest]
		v, cause := union(own, src, mirrored && doc.DeleteReplication)
		doc.Verdicts = append(doc.Verdicts, destinationVerdictDoc{verdictDoc: newVerdictDoc(v), Cause: cause})
		t.add(v)
		switch cause {
		case causeMirrored:
			t.MirroredOnly++
		case causeOwn:
			t.OwnPolicyOnly++
		case causeBoth:
			t.Both++
		}
	}
	if doc.DeleteReplication {
		for _, digest := range fx.order {
			if !present[digest] {
				t.SourceExpiredNotHere++
			}
		}
	}
	t.finish(price)
	doc.Totals = t
}

// ownVerdicts evaluates the replica's own policy, or keeps every image when it has none.
func ownVerdicts(in destinationInput, now time.Time) []lifecycle.Verdict {
	if in.policy.policy != nil {
		return in.policy.policy.Evaluate(in.images, now)
	}
	verdicts := make([]lifecycle.Verdict, len(in.images))
	for i, img := range in.images {
		verdicts[i] = lifecycle.Verdict{Image: img, Reason: "kept: no lifecycle policy of its own found"}
	}
	return verdicts
}

// union is an image's fate in the destination: expired when the source's expiry is mirrored,
// when its own policy expires it, or both.
func union(own, src lifecycle.Verdict, mirrored bool) (lifecycle.Verdict, string) {
	if !mirrored {
		if own.Action == lifecycle.ActionExpire {
			return own, causeOwn
		}
		return own, ""
	}
	why := fmt.Sprintf("source expiry mirrored (source rule %d); own policy: %s", src.RulePriority, own.Reason)
	if own.Action == lifecycle.ActionExpire {
		own.Reason = why
		return own, causeBoth
	}
	v := lifecycle.Verdict{Image: own.Image, Action: lifecycle.ActionExpire, Reason: why}
	return v, causeMirrored
}

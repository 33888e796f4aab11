package config

import (
	"fmt"
	"regexp"

	"github.com/acme-platform/ecr-replication/awsid"
)

// This file reads signing and signingProfileArn: ECR managed signing of the images pushed to
// the source.
//
// A signing profile's ARN is arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>
// (AWS Service Authorization Reference, "Actions, resources, and condition keys for AWS
// Signer", resource type signing-profile); the CloudFormation schema of
// AWS::ECR::SigningConfiguration (cfn-lint 1.51) accepts a rule's SigningProfileArn of at most
// 200 characters matching ^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$,
// and that of AWS::Signer::SigningProfile a ProfileName matching ^[0-9a-zA-Z_]{2,64}$. ECR's
// managed-signing guide: the profile must be in the registry's region; it may belong to
// another account.

const (
	expSigningARN = "the ARN of an existing AWS Signer signing profile in sourceRegion, arn:<partition>:signer:<sourceRegion>:<account>:/signing-profiles/<name> " +
		"(a name of 2 to 64 letters, digits or _), such as arn:aws:signer:us-east-1:111111111111:/signing-profiles/ecr_images"
	maxSigningARNLen = 200
)

var signingProfileARN = regexp.MustCompile(`^arn:([a-z-]+):signer:([a-z0-9-]+):([0-9]{12}):/signing-profiles/([^/]*)(/.*)?$`)

// signingName is a signing profile's name (AWS::Signer::SigningProfile's ProfileName).
var signingName = regexp.MustCompile(`^[0-9A-Za-z_]{2,64}$`)

// parseSigning reads signing and signingProfileArn: one or the other.
func (p *parser) parseSigning(c *Config) {
	signing, signingOK := p.boolean(keySigning, false)
	c.Signing = signing
	s, given, ok := p.text(keySigningProfileArn, expSigningARN)
	if !given || !ok {
		return
	}
	if expected := p.signingARNProblem(s); expected != "" {
		p.add(keySigningProfileArn, s, expected)
		return
	}
	c.SigningProfileArn = s
	if signing && signingOK {
		p.add(keySigning, p.rawValue(keySigning), fmt.Sprintf(
			"false when signingProfileArn is set (%s): the images are signed either with your signing profile (signingProfileArn) "+
				"or with one the app creates (signing=true), not both", s))
	}
}

// signingARNProblem returns what is expected instead of s, or "" when s is a signing
// profile's ARN in the source region.
func (p *parser) signingARNProblem(s string) string {
	m := signingProfileARN.FindStringSubmatch(s)
	switch {
	case len(s) > maxSigningARNLen:
		return fmt.Sprintf("%s; got %s", expSigningARN, characters(len(s)))
	case m == nil:
		return expSigningARN
	case m[5] != "":
		return expSigningARN + " (the profile's ARN, without the version after its name)"
	case !signingName.MatchString(m[4]):
		return expSigningARN
	case !p.sourceRegionOK:
		return "" // the region cannot be compared; sourceRegion's problem is reported
	case m[1] != awsid.PartitionOf(p.sourceRegion):
		return fmt.Sprintf("%s (this one is in the %s partition)", expSigningARN, m[1])
	case m[2] != p.sourceRegion:
		return fmt.Sprintf("a signing profile in sourceRegion %s: ECR managed signing uses profiles of the registry's own region "+
			"(this one is in %s)", p.sourceRegion, m[2])
	}
	return ""
}

// ManagedSigning reports whether images pushed to the source are signed by ECR managed
// signing: with the profile of signingProfileArn, or one the app creates (signing=true).
func (c *Config) ManagedSigning() bool { return c.Signing || c.SigningProfileArn != "" }

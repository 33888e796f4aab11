package mototest

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options say how [Launch] and [StartWith] start moto_server.
type Options struct {
	// Host is the loopback host name the server listens on and its Endpoint names:
	// "127.0.0.1" (the default) or "localhost". A CloudFormation deploy needs "localhost":
	// moto reads the bucket of a stack's S3 TemplateURL from the host name, so it reads
	// http://127.0.0.1:<port>/<bucket>/<key> as bucket "127" ("The specified bucket does not
	// exist"), and every `cdk deploy` passes its templates by TemplateURL.
	Host string
	// CloudFormationFixes applies [CloudFormationFixes] to moto's CloudFormation, so that the
	// app's stacks deploy in full (see Fix).
	CloudFormationFixes bool
}

// Fix is one change [Launch] makes to moto's CloudFormation when Options.CloudFormationFixes is
// set: a moto defect that would stop a valid template from deploying, never an AWS API of moto
// that behaves differently. A resource type moto has no model for stays unrealized: the
// rehearsal names it.
type Fix struct {
	// Name is how the server's output names the fix.
	Name string
	// Reason says what moto does wrong without it.
	Reason string
}

// CloudFormationFixes are the fixes, in the order fixes/sitecustomize.py applies them.
var CloudFormationFixes = []Fix{
	{
		Name: "kms-key-from-template",
		Reason: "moto 5.2.1 passes an AWS::KMS::Key's template Tags ([{Key, Value}]) and KeyPolicy (a JSON object) " +
			"unchanged to its KMS API model, which expects [{TagKey, TagValue}] and policy text: tagging raises " +
			"KeyError 'TagKey' and leaves the stack half-created (DescribeStackResources then fails), and DescribeKey " +
			"fails on the policy (moto/kms/models.py Key.create_from_cloudformation_json; the template's shape: " +
			"https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html)",
	},
	{
		Name: "getatt-of-unsupported-type",
		Reason: "moto skips a resource type it has no model for, but an Fn::GetAtt of such a resource then fails the " +
			"whole stack (\"instance of Fn::GetAtt references undefined resource\"), e.g. the dashboard reading an " +
			"AWS::CloudWatch::Alarm's Arn; the fix resolves it to \"moto-unrealized:<LogicalId>.<Attr>\" " +
			"(moto/cloudformation/parsing.py clean_json), and the alarm stays unrealized",
	},
}

//go:embed fixes/sitecustomize.py
var sitecustomize []byte

// fixesMarker starts the line sitecustomize.py prints when it is done.
const fixesMarker = "mototest: CloudFormation fixes "

var errFixesFailed = errors.New("the CloudFormation fixes could not be applied to this moto")

// writeFixes writes sitecustomize.py into a new temporary directory, for PYTHONPATH.
func writeFixes() (string, error) {
	dir, err := os.MkdirTemp("", "mototest-fixes-")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "sitecustomize.py"), sitecustomize, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// fixesApplied reads the server's output so far: nil when no fixes were asked for or they were
// applied, errFixesFailed when they could not be, another error while the line is not there yet.
func fixesApplied(output string, fixes bool) error {
	if !fixes {
		return nil
	}
	i := strings.Index(output, fixesMarker)
	if i < 0 {
		return errors.New("the CloudFormation fixes are not applied yet")
	}
	line, _, _ := strings.Cut(output[i+len(fixesMarker):], "\n")
	if !strings.HasPrefix(line, "applied: ") {
		return fmt.Errorf("%w: %s", errFixesFailed, line)
	}
	var names []string
	for _, f := range CloudFormationFixes {
		names = append(names, f.Name)
	}
	if got, want := strings.TrimPrefix(line, "applied: "), strings.Join(names, ", "); got != want {
		return fmt.Errorf("%w: applied %q, expected %q", errFixesFailed, got, want)
	}
	return nil
}

// joinPath puts dir before an existing PYTHONPATH.
func joinPath(dir, existing string) string {
	if existing == "" {
		return dir
	}
	return dir + string(os.PathListSeparator) + existing
}

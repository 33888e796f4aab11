package rehearse

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// PropertyGap is a template property that moto's CloudFormation accepts but does not realize
// on a resource it otherwise creates. A difference in such a property is reported as a gap
// with the reason; a difference in any other property fails the rehearsal, and a gap that
// moto no longer has fails it too (the entry must go).
type PropertyGap struct {
	Type, Property, Reason string
}

// PropertyGaps are moto 5.2.1's gaps met by this app's templates, each read in moto's source.
var PropertyGaps = []PropertyGap{
	{"AWS::ECR::Repository", "LifecyclePolicy", "moto's Repository.create_from_cloudformation_json (moto/ecr/models.py) creates the repository without its lifecycle policy"},
	{"AWS::ECR::Repository", "RepositoryPolicyText", "moto's Repository.create_from_cloudformation_json (moto/ecr/models.py) creates the repository without its repository policy"},
	{"AWS::ECR::Repository", "EncryptionConfiguration", "moto's Repository.create_from_cloudformation_json (moto/ecr/models.py) stores the template's {EncryptionType, KmsKey} where its API reads encryptionType and kmsKey: DescribeRepositories returns neither"},
	{"AWS::ECR::Repository", "ImageScanningConfiguration", "moto's Repository.create_from_cloudformation_json (moto/ecr/models.py) stores the template's {ScanOnPush} where its API reads scanOnPush: DescribeRepositories returns scanOnPush false"},
	{"AWS::IAM::Role", "Policies", "moto's Role.create_from_cloudformation_json (moto/iam/models.py) stores an inline policy's PolicyDocument object as is: GetRolePolicy returns its Python repr, not JSON"},
	{"AWS::SNS::Topic", "Tags", "moto's Topic.create_from_cloudformation_json (moto/sns/models.py) passes the properties to create_topic as attributes, and Tags is not one: the topic has no tags"},
	{"AWS::StepFunctions::StateMachine", "StateMachineType", "moto's StateMachine.create_from_cloudformation_json (moto/stepfunctions/models.py) reads only StateMachineName, DefinitionString, RoleArn and Tags: every state machine is STANDARD"},
	{"AWS::StepFunctions::StateMachine", "LoggingConfiguration", "moto's StateMachine.create_from_cloudformation_json (moto/stepfunctions/models.py) reads only StateMachineName, DefinitionString, RoleArn and Tags: logging is OFF"},
	{"AWS::StepFunctions::StateMachine", "TracingConfiguration", "moto's StateMachine.create_from_cloudformation_json (moto/stepfunctions/models.py) reads only StateMachineName, DefinitionString, RoleArn and Tags: tracing is off"},
}

// AttributeGap is an Fn::GetAtt attribute that moto's CloudFormation resolves to another value
// than CloudFormation documents. A property that differs only by it is a gap, with the reason.
type AttributeGap struct {
	Type, Attribute, Reason string
	// Moto turns the documented value (as read back through the API) into moto's.
	Moto func(documented string) string
}

// AttributeGaps are moto 5.2.1's attribute gaps met by this app's templates.
var AttributeGaps = []AttributeGap{{
	Type: "AWS::Logs::LogGroup", Attribute: "Arn",
	Reason: "moto's LogGroup.get_cfn_attribute (moto/logs/models.py) resolves Fn::GetAtt Arn without the ':*' suffix CloudFormation documents " +
		"(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html#aws-resource-logs-loggroup-return-values)",
	Moto: func(arn string) string { return strings.TrimSuffix(arn, ":*") },
}}

// propertyGap returns the known gap of a type's property.
func propertyGap(typ, prop string) (PropertyGap, bool) {
	for _, g := range PropertyGaps {
		if g.Type == typ && g.Property == prop {
			return g, true
		}
	}
	return PropertyGap{}, false
}

// Check reads back what Deploy left in moto and compares it with the assembly: the bootstrap
// stack of every environment, the resources
// moto realized and those it skipped, every realized resource's settings, the order the
// stacks were created in, and the templates published to the bootstrap bucket. It returns
// the findings and the state, which CheckVerify and CheckDestroyed use.
func Check(ctx context.Context, d *Deployment) ([]Finding, []*StackState, error) {
	var states []*StackState
	findings, err := bootstrapFindings(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range d.Stacks {
		st, err := readStackState(ctx, d.Options.Endpoint, s)
		if err != nil {
			return nil, nil, err
		}
		states = append(states, st)
		findings = append(findings, realizedFindings(st)...)
		fs, err := settingFindings(ctx, d.Options.Endpoint, st)
		if err != nil {
			return nil, nil, err
		}
		findings = append(findings, fs...)
	}
	findings = append(findings, orderFindings(states)...)
	fs, err := assetFindings(ctx, d, states)
	if err != nil {
		return nil, nil, err
	}
	return append(findings, fs...), states, nil
}

// unrealizedReason is why moto skips a resource: the type has no CloudFormation model in moto
// (it warns "Tried to parse <type> but it's not supported by moto's CloudFormation
// implementation" and lists the resource without a logical id).
const unrealizedReason = "moto's CloudFormation has no model for the type and skips it"

// realizedFindings: the stack's status, and a gap for each resource moto skipped.
func realizedFindings(st *StackState) []Finding {
	status := StatusPass
	if st.Status != "CREATE_COMPLETE" && st.Status != "UPDATE_COMPLETE" {
		status = StatusFail
	}
	out := []Finding{{Check: "deploy", Stack: st.Name, Subject: "stack", Status: status, Summary: true,
		Detail: fmt.Sprintf("%s; moto realized %d of the template's %d resources (template %d bytes)", st.Status, len(st.Physical), len(st.Types), st.TemplateBytes)}}
	out = append(out, changeSetFinding(st))
	for _, id := range slices.Sorted(maps.Keys(st.Unrealized)) {
		typ := st.Unrealized[id]
		out = append(out, Finding{Check: "realized", Stack: st.Name, Subject: id, Status: StatusGap,
			Detail: typ + " not realized", Gap: typ + " not realized: " + unrealizedReason})
	}
	return out
}

// changeSetFinding checks that the CLI deployed the stack through a change set it executed
// (cdk deploy's default method), as it does on AWS.
func changeSetFinding(st *StackState) Finding {
	f := Finding{Check: "deploy", Stack: st.Name, Subject: "change set", Status: StatusFail,
		Detail: fmt.Sprintf("no executed change set (change sets: %v)", st.ChangeSets)}
	for _, cs := range st.ChangeSets {
		if strings.HasSuffix(cs, "(EXECUTE_COMPLETE)") {
			f.Status, f.Detail = StatusPass, "deployed through change set "+cs
		}
	}
	return f
}

// settingFindings reads back every realized resource of a type the rehearsal reads, then
// compares each template property with what was read.
func settingFindings(ctx context.Context, endpoint string, st *StackState) ([]Finding, error) {
	cfg := AWSConfig(endpoint, st.Region)
	var out []Finding
	notRead := map[string]bool{}
	ids := slices.Sorted(maps.Keys(st.Physical))
	for _, id := range ids {
		typ := st.Types[id]
		read, ok := readers[typ]
		if !ok {
			notRead[typ] = true
			continue
		}
		_, props := st.resource(id)
		l, err := read(ctx, cfg, st.Physical[id], props, st.resolver())
		var ue *unresolvedError
		switch {
		case errors.As(err, &ue):
			out = append(out, Finding{Check: "setting", Stack: st.Name, Subject: id, Status: StatusSkipped, Detail: "not read back: " + ue.why})
			continue
		case notFound(err):
			out = append(out, Finding{Check: "setting", Stack: st.Name, Subject: id, Status: StatusFail,
				Detail: fmt.Sprintf("%s %s is among the stack's resources but not found through its API: %v", typ, st.Physical[id], err)})
			continue
		case err != nil:
			return nil, fmt.Errorf("stack %s: reading %s %s (%s): %s", st.Name, typ, id, st.Physical[id], session.Short(err))
		}
		st.live[id] = l
	}
	for _, typ := range slices.Sorted(maps.Keys(notRead)) {
		out = append(out, Finding{Check: "setting", Stack: st.Name, Subject: typ, Status: StatusSkipped,
			Detail: "realized; the rehearsal does not read back this type's settings"})
	}
	res := st.resolver()
	for _, id := range ids {
		if l, ok := st.live[id]; ok {
			out = append(out, compareResource(st, res, id, l)...)
		}
	}
	return out, nil
}

// compareResource compares every property of one resource's template with what was read
// back: pass, a known gap, not compared (with why), or a failure.
func compareResource(st *StackState, res *resolver, id string, l live) []Finding {
	typ := st.Types[id]
	_, props := st.resource(id)
	want, unresolved := resolveProperties(res, props)
	if prep, ok := prepare[typ]; ok {
		prep(want)
	}
	var out []Finding
	var unread []string
	for _, prop := range slices.Sorted(maps.Keys(props)) {
		got, read := l.props[prop]
		f := Finding{Check: "setting", Stack: st.Name, Subject: id + " " + prop}
		switch w, resolved := want[prop]; {
		case consumed(typ, prop):
			continue // compared within the property it is applied to (prepare)
		case !read:
			unread = append(unread, prop)
			continue
		case unresolved[prop] != nil:
			f.Status, f.Detail = StatusSkipped, "not compared: the template's value "+unresolved[prop].Error()
		case !resolved:
			f.Status, f.Detail = StatusSkipped, "not compared: the template's value is AWS::NoValue"
		default:
			f.Status, f.Detail, f.Gap = judge(st, id, typ, prop, w, got, props[prop], res)
		}
		out = append(out, f)
	}
	if len(unread) > 0 {
		out = append(out, Finding{Check: "setting", Stack: st.Name, Subject: id, Status: StatusSkipped,
			Detail: fmt.Sprintf("%s: not read back: %s", typ, strings.Join(unread, ", "))})
	}
	return out
}

// resolveProperties resolves every property; those that cannot be resolved are in unresolved.
func resolveProperties(res *resolver, props map[string]any) (map[string]any, map[string]error) {
	want, unresolved := map[string]any{}, map[string]error{}
	for prop, v := range props {
		w, err := res.resolve(v)
		if err != nil {
			unresolved[prop] = err
			continue
		}
		if w != noValue {
			want[prop] = w
		}
	}
	return want, unresolved
}

// consumed reports whether prepare applies the property to another one of its type.
func consumed(typ, prop string) bool {
	return typ == "AWS::StepFunctions::StateMachine" && prop == "DefinitionSubstitutions"
}

// prepare applies, by type, what CloudFormation does with one property to another before the
// resource is created.
var prepare = map[string]func(props map[string]any){
	// DefinitionSubstitutions replace ${key} in DefinitionString
	// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html).
	"AWS::StepFunctions::StateMachine": func(props map[string]any) {
		subs, _ := props["DefinitionSubstitutions"].(map[string]any)
		def, ok := props["DefinitionString"].(string)
		if !ok {
			return
		}
		for k, v := range subs {
			def = strings.ReplaceAll(def, "${"+k+"}", scalar(v))
		}
		props["DefinitionString"] = def
		delete(props, "DefinitionSubstitutions")
	},
}

// judge compares one resolved property with what was read back: a pass, a known property or
// attribute gap, or a failure (also when a known gap is no longer one).
func judge(st *StackState, id, typ, prop string, want, got, raw any, res *resolver) (status Status, detail, gapName string) {
	same, why := compareProperty(typ, prop, want, got, res.partition)
	gap, known := propertyGap(typ, prop)
	switch {
	case same && known:
		return StatusFail, fmt.Sprintf("moto now realizes %s of %s: remove it from rehearse.PropertyGaps", prop, typ), ""
	case same:
		return StatusPass, "", ""
	case known:
		st.Gaps = append(st.Gaps, SettingGap{LogicalID: id, PhysicalID: st.Physical[id], Type: typ, Property: prop})
		name := fmt.Sprintf("%s %s not realized: %s", typ, prop, gap.Reason)
		return StatusGap, fmt.Sprintf("%s not realized (%s)", prop, why), name
	}
	if ag, ok := attributeGapExplains(typ, prop, raw, got, res); ok {
		name := fmt.Sprintf("%s realized with moto's Fn::GetAtt %s.%s: %s", prop, ag.Type, ag.Attribute, ag.Reason)
		return StatusGap, fmt.Sprintf("%s as moto resolves %s.%s", prop, ag.Type, ag.Attribute), name
	}
	return StatusFail, fmt.Sprintf("%s (%s) differs: %s", prop, typ, why), ""
}

// attributeGapExplains resolves the property again with moto's value of each known attribute
// gap; it returns the gap when the realized value then matches.
func attributeGapExplains(typ, prop string, raw, got any, res *resolver) (AttributeGap, bool) {
	for _, ag := range AttributeGaps {
		moto := *res
		moto.attrs = map[string]map[string]string{}
		changed := false
		for id, attrs := range res.attrs {
			moto.attrs[id] = attrs
			if v, ok := attrs[ag.Attribute]; ok && res.types[id] == ag.Type {
				moto.attrs[id] = maps.Clone(attrs)
				moto.attrs[id][ag.Attribute] = ag.Moto(v)
				changed = true
			}
		}
		if !changed {
			continue
		}
		if w, err := moto.resolve(raw); err == nil {
			if same, _ := compareProperty(typ, prop, w, got, res.partition); same {
				return ag, true
			}
		}
	}
	return AttributeGap{}, false
}

package rehearse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/acme-platform/ecr-replication/policy"
)

// resolver evaluates the CloudFormation functions of a template the way the deploy did, from
// what moto realized: Ref of a resource is its physical id, Fn::GetAtt an attribute read back
// from the resource, pseudo parameters are the stack's.
type resolver struct {
	account, region, partition, stackName, stackID string
	// physical are the realized resources' physical ids, by logical id.
	physical map[string]string
	// attrs are attributes read back from realized resources, by logical id.
	attrs map[string]map[string]string
	// types are the template's resource types, by logical id.
	types map[string]string
}

// unresolvedError says why a value could not be resolved: it refers to a resource moto did
// not realize, or to something the rehearsal does not read back.
type unresolvedError struct{ why string }

func (e *unresolvedError) Error() string { return e.why }

// resolve returns v with every function evaluated, or an *unresolvedError. A value that
// resolves to AWS::NoValue is returned as noValue.
func (r *resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			rv, err := r.resolve(e)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out = append(out, rv)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.function(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.resolve(e)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out[k] = rv
			}
		}
		return out, nil
	}
	return v, nil
}

// noValue is what Ref AWS::NoValue resolves to: the property or element is left out.
var noValue = &struct{ noValue bool }{true}

// function evaluates one CloudFormation function.
func (r *resolver) function(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		return r.ref(fmt.Sprint(arg))
	case "Fn::GetAtt":
		parts := policy.Strings(arg)
		if len(parts) == 1 {
			parts = strings.SplitN(parts[0], ".", 2)
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt %v: expected [LogicalId, Attribute]", arg)
		}
		return r.getAtt(parts[0], parts[1])
	case "Fn::Join":
		return r.join(arg)
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::Select":
		return r.selectFn(arg)
	case "Fn::Split":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return nil, fmt.Errorf("Fn::Split %v: expected [delimiter, string]", arg)
		}
		s, err := r.resolveString(args[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, fmt.Sprint(args[0])) {
			out = append(out, p)
		}
		return out, nil
	}
	return nil, &unresolvedError{why: name + " is not evaluated by the rehearsal"}
}

// ref resolves a pseudo parameter or a resource's physical id.
func (r *resolver) ref(name string) (any, error) {
	switch name {
	case "AWS::AccountId":
		return r.account, nil
	case "AWS::Region":
		return r.region, nil
	case "AWS::Partition":
		return r.partition, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return r.stackName, nil
	case "AWS::StackId":
		return r.stackID, nil
	case "AWS::NoValue":
		return noValue, nil
	}
	if id, ok := r.physical[name]; ok {
		return id, nil
	}
	if t, ok := r.types[name]; ok {
		return nil, &unresolvedError{why: fmt.Sprintf("refers to %s (%s), which moto did not realize", name, t)}
	}
	return nil, &unresolvedError{why: "refers to " + name + ", not a resource of the stack"}
}

// getAtt resolves an attribute read back from a realized resource.
func (r *resolver) getAtt(id, attr string) (any, error) {
	if v, ok := r.attrs[id][attr]; ok {
		return v, nil
	}
	if _, ok := r.physical[id]; ok {
		return nil, &unresolvedError{why: fmt.Sprintf("refers to %s.%s, which the rehearsal does not read back", id, attr)}
	}
	return nil, &unresolvedError{why: fmt.Sprintf("refers to %s.%s of %s, which moto did not realize", id, attr, r.types[id])}
}

func (r *resolver) join(arg any) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("Fn::Join %v: expected [delimiter, list]", arg)
	}
	list, err := r.resolve(args[1])
	if err != nil {
		return nil, err
	}
	items, ok := list.([]any)
	if !ok {
		return nil, fmt.Errorf("Fn::Join: %v is not a list", list)
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = scalar(it)
	}
	return strings.Join(parts, fmt.Sprint(args[0])), nil
}

func (r *resolver) selectFn(arg any) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("Fn::Select %v: expected [index, list]", arg)
	}
	i, err := strconv.Atoi(scalar(args[0]))
	if err != nil {
		return nil, fmt.Errorf("Fn::Select index %v: %v", args[0], err)
	}
	list, err := r.resolve(args[1])
	if err != nil {
		return nil, err
	}
	items, ok := list.([]any)
	if !ok || i < 0 || i >= len(items) {
		return nil, fmt.Errorf("Fn::Select %d of %v: out of range", i, list)
	}
	return items[i], nil
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// sub evaluates Fn::Sub: "${Name}", "${Name.Attr}" and "${!Literal}".
func (r *resolver) sub(arg any) (any, error) {
	text, vars := "", map[string]any{}
	switch x := arg.(type) {
	case string:
		text = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("Fn::Sub %v: expected a string or [string, variables]", arg)
		}
		text = fmt.Sprint(x[0])
		m, _ := x[1].(map[string]any)
		for k, v := range m {
			vars[k] = v
		}
	}
	var firstErr error
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		var v any
		var err error
		switch given, ok := vars[name]; {
		case ok:
			v, err = r.resolve(given)
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			id, attr, _ := strings.Cut(name, ".")
			v, err = r.getAtt(id, attr)
		default:
			v, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return scalar(v)
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return strings.ReplaceAll(out, "${!", "${"), nil
}

// resolveString resolves v and renders it as a string.
func (r *resolver) resolveString(v any) (string, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return "", err
	}
	return scalar(rv), nil
}

// scalar renders a resolved scalar as CloudFormation does in a string.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// templateTypes returns the template's resource types by logical id.
func templateTypes(template map[string]any) map[string]string {
	types := map[string]string{}
	resources, _ := template["Resources"].(map[string]any)
	for id, r := range resources {
		m, _ := r.(map[string]any)
		types[id], _ = m["Type"].(string)
	}
	return types
}

package rehearse

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func testResolver() *resolver {
	return &resolver{
		account: "123456789012", region: "eu-west-1", partition: "aws", stackName: "s", stackID: "arn:stack/s",
		physical: map[string]string{"Role": "my-role", "Key": "k-1"},
		attrs:    map[string]map[string]string{"Key": {"Arn": "arn:aws:kms:eu-west-1:123456789012:key/k-1"}},
		types:    map[string]string{"Role": "AWS::IAM::Role", "Key": "AWS::KMS::Key", "Alarm": "AWS::CloudWatch::Alarm"},
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestResolveEvaluatesTheFunctionsOfATemplate(t *testing.T) {
	r := testResolver()
	for _, c := range []struct{ in, want string }{
		{`{"Ref": "AWS::Region"}`, `"eu-west-1"`},
		{`{"Ref": "Role"}`, `"my-role"`},
		{`{"Fn::GetAtt": ["Key", "Arn"]}`, `"arn:aws:kms:eu-west-1:123456789012:key/k-1"`},
		{`{"Fn::GetAtt": "Key.Arn"}`, `"arn:aws:kms:eu-west-1:123456789012:key/k-1"`},
		{`{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":role/", {"Ref": "Role"}]]}`,
			`"arn:aws:iam::123456789012:role/my-role"`},
		{`{"Fn::Sub": "${AWS::StackName}-${Key.Arn}-${!Literal}"}`, `"s-arn:aws:kms:eu-west-1:123456789012:key/k-1-${Literal}"`},
		{`{"Fn::Sub": ["${A}.${AWS::URLSuffix}", {"A": {"Ref": "Role"}}]}`, `"my-role.amazonaws.com"`},
		{`{"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}`, `"b"`},
		{`{"List": [1, {"Ref": "AWS::NoValue"}, "x"], "Gone": {"Ref": "AWS::NoValue"}, "Kept": true}`, `{"List": [1, "x"], "Kept": true}`},
	} {
		got, err := r.resolve(decode(t, c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if want := decode(t, c.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", c.in, got, want)
		}
	}
}

func TestResolveSaysWhatItCannotResolve(t *testing.T) {
	r := testResolver()
	for _, c := range []struct{ in, want string }{
		{`{"Fn::GetAtt": ["Alarm", "Arn"]}`, "refers to Alarm.Arn of AWS::CloudWatch::Alarm, which moto did not realize"},
		{`{"Ref": "Alarm"}`, "refers to Alarm (AWS::CloudWatch::Alarm), which moto did not realize"},
		{`{"Fn::GetAtt": ["Role", "RoleId"]}`, "refers to Role.RoleId, which the rehearsal does not read back"},
		{`{"Fn::Sub": "x-${Alarm.Arn}"}`, "refers to Alarm.Arn of AWS::CloudWatch::Alarm, which moto did not realize"},
		{`{"Fn::ImportValue": "shared"}`, "Fn::ImportValue is not evaluated by the rehearsal"},
		{`{"Ref": "Nothing"}`, "refers to Nothing, not a resource of the stack"},
	} {
		_, err := r.resolve(decode(t, c.in))
		var ue *unresolvedError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an unresolved error saying %q", c.in, err, c.want)
		}
	}
}

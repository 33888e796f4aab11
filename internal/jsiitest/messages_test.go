package jsiitest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

// Messages reads the annotations of the stack it is given, errors before warnings, only those
// whose text contains the substring; infos and other stacks' messages are not its.
func TestMessages(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("One"), nil)
	other := awscdk.NewStack(app, jsii.String("Other"), nil)
	param := awscdk.NewCfnWaitConditionHandle(stack, jsii.String("P"), nil)
	awscdk.Annotations_Of(param).AddWarningV2(jsii.String("w1"), jsii.String("Rule-W1: a warning"), nil)
	awscdk.Annotations_Of(param).AddError(jsii.String("Rule-E1: an error"))
	awscdk.Annotations_Of(stack).AddInfo(jsii.String("Rule-I1: an info"))
	awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("w2"), jsii.String("Other-W2: another rule"), nil)
	awscdk.NewCfnWaitConditionHandle(other, jsii.String("Q"), nil)
	awscdk.Annotations_Of(other).AddError(jsii.String("Rule-E2: the other stack's"))

	render := func(s awscdk.Stack, substr string) []string {
		var out []string
		for _, m := range jsiitest.Messages(s, substr) {
			out = append(out, fmt.Sprintf("%s %s %v", m.Level, *m.Id, m.Entry.Data))
		}
		return out
	}
	if got, want := render(stack, "Rule-"), []string{
		"ERROR /One/P Rule-E1: an error",
		"WARNING /One/P Rule-W1: a warning [ack: w1]",
	}; !slices.Equal(got, want) {
		t.Errorf("Messages(One, Rule-) = %q; want %q", got, want)
	}
	if got, want := render(stack, "Other-"), []string{"WARNING /One Other-W2: another rule [ack: w2]"}; !slices.Equal(got, want) {
		t.Errorf("Messages(One, Other-) = %q; want %q", got, want)
	}
	if got, want := render(other, "Rule-"), []string{"ERROR /Other Rule-E2: the other stack's"}; !slices.Equal(got, want) {
		t.Errorf("Messages(Other, Rule-) = %q; want %q", got, want)
	}
	if got := render(stack, "Nothing-"); len(got) != 0 {
		t.Errorf("Messages(One, Nothing-) = %q; want none", got)
	}
}

package jsiitest

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
)

// Messages returns the errors, then the warnings, that the synthesis of stack's app left on
// stack's constructs and whose text contains substr: "AwsSolutions-" for cdk-nag's unsuppressed
// AwsSolutions findings. It reads the cloud assembly of the app's synthesis (the app
// synthesizes once, on the first call, and never again), as assertions.Annotations_FromStack
// reads it, except that Annotations_FromStack synthesizes the whole app again on every call:
// with cdk-nag's aspects, that re-synthesis of every variant once per stack took the app
// tests 32 s of 56.
func Messages(stack awscdk.Stack, substr string) []*cxapi.SynthesisMessage {
	all := *awscdk.Stage_Of(stack).Synth(nil).GetStackArtifact(stack.ArtifactId()).Messages()
	var out []*cxapi.SynthesisMessage
	for _, level := range []cxapi.SynthesisMessageLevel{cxapi.SynthesisMessageLevel_ERROR, cxapi.SynthesisMessageLevel_WARNING} {
		for _, m := range all {
			if m.Level == level && strings.Contains(fmt.Sprint(m.Entry.Data), substr) {
				out = append(out, m)
			}
		}
	}
	return out
}

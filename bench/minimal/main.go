// Command minimal is the baseline of the synthesis benchmarks: a CDK for Go app with one
// resource, built from the same go.mod as the app, so that `make bench` can compare the app's
// synthesis time with what the CDK itself costs (starting Node.js, loading aws-cdk-lib,
// writing the assembly).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Minimal"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("us-east-1")},
	})
	awssns.NewTopic(stack, jsii.String("Topic"), nil)
	app.Synth(nil)
	jsii.Close()
}

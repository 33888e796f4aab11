package stacks_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

// TestPropsAreChecked: the stacks refuse bad typed props before creating anything, naming the
// stack's path, the field, the value and what is expected, all at once.
func TestPropsAreChecked(t *testing.T) {
	app := awscdk.NewApp(nil)
	cfntest.ExpectPanic(t, func() {
		stacks.NewSourceStack(app, "Source", &stacks.SourceStackProps{
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-9")}},
			Common: stacks.Common{
				RepositoryPrefix: "team",
				Repositories:     []stacks.Repository{{Name: "other/api"}, {Name: "team/web", TagMutability: "SOMETIMES"}},
			},
		})
	}, "SourceStack Source: invalid props", `Repositories[0].Name: got "other/api"; expected a repository under team/`,
		`Repositories[1].TagMutability: got "SOMETIMES"`, `Env.Region: got "us-east-9"`, "Destinations: required")
	cfntest.ExpectPanic(t, func() {
		stacks.NewDeployment(app, replication.DefaultDeploymentID, &stacks.DeploymentProps{
			SourceRegion: "us-east-1",
			Destinations: []replication.Destination{{Region: "us-west-2", Account: "210987654321"}},
		})
	}, `Destinations[0].Account: got "210987654321"; expected the source account as well`)
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("the app has %d children after refused props; want none", n)
	}
}

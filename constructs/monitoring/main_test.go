package monitoring_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/eventpattern"
	"github.com/acme-platform/ecr-replication/replication"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

const (
	sourceRegion  = "us-east-1"
	sourceAccount = "111111111111"
	replicaAcct   = "222222222222"
	namespace     = "enterprise-apps"
)

var repositories = []string{"enterprise-apps/production", "enterprise-apps/testing"}

// stackFixture is one synthesized stack of a fixture.
type stackFixture struct {
	name     string
	region   string
	stack    awscdk.Stack
	template assertions.Template
	json     map[string]interface{}
}

// fixture is an app synthesized once and shared by every test that uses it.
type fixture struct {
	name   string
	stacks []*stackFixture
}

func (f *fixture) stack(name string) *stackFixture {
	for _, s := range f.stacks {
		if s.name == name {
			return s
		}
	}
	panic("no stack " + name + " in fixture " + f.name)
}

var fixtures = map[string]*fixture{}

// featureFlags are the cdk.json context values that affect these constructs; tests do not
// read cdk.json, so they are set explicitly.
func featureFlags() *map[string]interface{} {
	return &map[string]interface{}{
		"@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope": true,
		"@aws-cdk/core:enablePartitionLiterals":                true,
	}
}

// getFixture builds (once) and returns a named fixture:
//
//   - "default": same-account mode with an unknown account (Env has only a region), source
//     us-east-1 with two repositories, destinations us-west-2 and eu-west-1, every default.
//   - "email": cross-account mode with known accounts, an alert e-mail, enhanced scanning,
//     activity alarms off, an existing key, custom replication thresholds and one
//     destination us-west-2 in account 222222222222.
func getFixture(t *testing.T, name string) *fixture {
	t.Helper()
	if f, ok := fixtures[name]; ok {
		return f
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: featureFlags()})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	f := &fixture{name: name}
	newStack := func(id, region, account string) *stackFixture {
		env := &awscdk.Environment{Region: jsii.String(region)}
		if account != "" {
			env.Account = jsii.String(account)
		}
		s := &stackFixture{name: id, region: region, stack: awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{Env: env})}
		f.stacks = append(f.stacks, s)
		return s
	}

	switch name {
	case "default":
		src := newStack("Source", sourceRegion, "")
		topics := monitoring.NewNotificationTopics(src.stack, "Topics", nil)
		monitoring.NewSourceMonitor(src.stack, "Monitoring", &monitoring.SourceMonitorProps{
			RepositoryPrefix: namespace,
			RepositoryNames:  repositories,
			Destinations:     []replication.Destination{{Region: "us-west-2"}, {Region: "eu-west-1"}},
			AlertTopic:       topics.Alert,
			SecurityTopic:    topics.Security,
			LifecycleTopic:   topics.Lifecycle,
		})
		for _, region := range []string{"us-west-2", "eu-west-1"} {
			rs := newStack("Replica-"+region, region, "")
			rt := monitoring.NewNotificationTopics(rs.stack, "Topics", &monitoring.NotificationTopicsProps{SecurityTopic: jsii.Bool(false)})
			monitoring.NewReplicationMonitor(rs.stack, "Monitoring", &monitoring.ReplicationMonitorProps{
				RepositoryPrefix: namespace,
				SourceRegion:     sourceRegion,
				AlertTopic:       rt.Alert,
				LifecycleTopic:   rt.Lifecycle,
			})
		}
	case "email":
		src := newStack("Source", sourceRegion, sourceAccount)
		key := awskms.NewKey(src.stack, jsii.String("SharedKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		topics := monitoring.NewNotificationTopics(src.stack, "Topics", &monitoring.NotificationTopicsProps{
			AlertEmail:    "ops@example.com",
			EncryptionKey: key,
		})
		monitoring.NewSourceMonitor(src.stack, "Monitoring", &monitoring.SourceMonitorProps{
			RepositoryPrefix: namespace,
			RepositoryNames:  repositories,
			SourceAccount:    sourceAccount,
			Destinations:     []replication.Destination{{Region: "us-west-2", Account: replicaAcct}},
			AlertTopic:       topics.Alert,
			SecurityTopic:    topics.Security,
			LifecycleTopic:   topics.Lifecycle,
			ActivityAlarms:   jsii.Bool(false),
			EnhancedScanning: true,
		})
		rs := newStack("Replica-us-west-2", "us-west-2", replicaAcct)
		rt := monitoring.NewNotificationTopics(rs.stack, "Topics", &monitoring.NotificationTopicsProps{
			AlertEmail:    "ops@example.com",
			SecurityTopic: jsii.Bool(false),
		})
		monitoring.NewReplicationMonitor(rs.stack, "Monitoring", &monitoring.ReplicationMonitorProps{
			RepositoryPrefix:            namespace,
			SourceRegion:                sourceRegion,
			SourceAccount:               sourceAccount,
			AlertTopic:                  rt.Alert,
			LifecycleTopic:              rt.Lifecycle,
			ReplicationFailureThreshold: jsii.Number(0),
			ReplicationMinimumAttempts:  jsii.Number(1),
			ReplicationWindow:           awscdk.Duration_Minutes(jsii.Number(15)),
		})
	default:
		t.Fatalf("unknown fixture %q", name)
	}

	for _, s := range f.stacks {
		s.template = assertions.Template_FromStack(s.stack, nil)
		s.json = *s.template.ToJSON()
	}
	fixtures[name] = f
	return f
}

// allStacks returns every stack of every fixture, built on first use.
func allStacks(t *testing.T) []*stackFixture {
	t.Helper()
	var all []*stackFixture
	for _, name := range []string{"default", "email"} {
		all = append(all, getFixture(t, name).stacks...)
	}
	return all
}

// tmpl returns the stack's template for the cfntest helpers.
func (s *stackFixture) tmpl() cfntest.Template { return cfntest.Template(s.json) }

// sampleDirs returns the repository's sample events directory, testdata/events at the
// repository root.
func sampleDirs() []string {
	return []string{eventpattern.SamplesDir(filepath.Join("..", ".."))}
}

// loadSamples returns the repository's sample events, sorted by name; it fails when the
// directory is missing or empty.
func loadSamples(t *testing.T) []eventpattern.Sample {
	t.Helper()
	samples, err := eventpattern.LoadSamples(sampleDirs()...)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

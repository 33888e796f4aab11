package monitoring_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/eventpattern"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/replication"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

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

// fixture is an app synthesized once and shared by every test that uses it, with the
// constructs it made (for the tests of their methods).
type fixture struct {
	app      awscdk.App
	name     string
	stacks   []*stackFixture
	topics   *monitoring.NotificationTopics
	source   *monitoring.SourceMonitor
	replica  *monitoring.ReplicationMonitor // the first replica stack's
	delivery *monitoring.DeliveryAlarms
	trail    *monitoring.LifecycleTrail
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
//   - "delivery": one stack (eu-west-1, account 111111111111) with DeliveryAlarms over 11 rules,
//     a tagged LifecycleTrail, and a SourceMonitor that watches one of three repositories one by
//     one (the others through the namespace rule) with the storage widgets of every region,
//     beside the region's own measurement.StorageMetrics.
func getFixture(t *testing.T, name string) *fixture {
	t.Helper()
	if f, ok := fixtures[name]; ok {
		return f
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: featureFlags()})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	f := &fixture{name: name, app: app}
	switch name {
	case "default":
		f.defaultStacks()
	case "email":
		f.emailStacks()
	case "delivery":
		f.deliveryStack(f.newStack("Delivery", "eu-west-1", sourceAccount))
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

// newStack adds a stack in region (and account, when not "") to the fixture's app.
func (f *fixture) newStack(id, region, account string) *stackFixture {
	env := &awscdk.Environment{Region: jsii.String(region)}
	if account != "" {
		env.Account = jsii.String(account)
	}
	s := &stackFixture{name: id, region: region, stack: awscdk.NewStack(f.app, jsii.String(id), &awscdk.StackProps{Env: env})}
	f.stacks = append(f.stacks, s)
	return s
}

// defaultStacks builds the "default" fixture.
func (f *fixture) defaultStacks() {
	src := f.newStack("Source", sourceRegion, "")
	f.topics = monitoring.NewNotificationTopics(src.stack, "Topics", nil)
	f.source = monitoring.NewSourceMonitor(src.stack, "Monitoring", &monitoring.SourceMonitorProps{
		RepositoryPrefix: namespace,
		RepositoryNames:  repositories,
		Destinations:     []replication.Destination{{Region: "us-west-2"}, {Region: "eu-west-1"}},
		AlertTopic:       f.topics.Alert,
		SecurityTopic:    f.topics.Security,
		LifecycleTopic:   f.topics.Lifecycle,
	})
	for _, region := range []string{"us-west-2", "eu-west-1"} {
		rs := f.newStack("Replica-"+region, region, "")
		rt := monitoring.NewNotificationTopics(rs.stack, "Topics", &monitoring.NotificationTopicsProps{SecurityTopic: jsii.Bool(false)})
		rm := monitoring.NewReplicationMonitor(rs.stack, "Monitoring", &monitoring.ReplicationMonitorProps{
			RepositoryPrefix: namespace,
			SourceRegion:     sourceRegion,
			AlertTopic:       rt.Alert,
			LifecycleTopic:   rt.Lifecycle,
		})
		if f.replica == nil {
			f.replica = rm
		}
	}
}

// emailStacks builds the "email" fixture.
func (f *fixture) emailStacks() {
	src := f.newStack("Source", sourceRegion, sourceAccount)
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
	rs := f.newStack("Replica-us-west-2", "us-west-2", replicaAcct)
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
}

// deliveryStack builds the "delivery" fixture in s.
func (f *fixture) deliveryStack(s *stackFixture) {
	f.topics = monitoring.NewNotificationTopics(s.stack, "Topics", &monitoring.NotificationTopicsProps{LifecycleTopic: jsii.Bool(false)})
	measurement.NewStorageMetrics(s.stack, "Storage", &measurement.StorageMetricsProps{
		RepositoryPrefix: namespace, RepositoryMetrics: []string{"enterprise-apps/api"}, AlertTopic: f.topics.Alert,
	})
	f.source = monitoring.NewSourceMonitor(s.stack, "Monitoring", &monitoring.SourceMonitorProps{
		RepositoryPrefix:         namespace,
		RepositoryNames:          []string{"enterprise-apps/api", "enterprise-apps/web", "enterprise-apps/worker"},
		ActivityRepositories:     []string{"enterprise-apps/api"},
		Destinations:             []replication.Destination{{Region: "us-west-2", Account: replicaAcct}},
		SourceAccount:            sourceAccount,
		AlertTopic:               f.topics.Alert,
		SecurityTopic:            f.topics.Security,
		Storage:                  true,
		StorageRepositoryMetrics: []string{"enterprise-apps/api"},
	})
	rules := make([]string, 11)
	for i := range rules {
		rules[i] = fmt.Sprintf("rule-%02d", i)
	}
	f.delivery = monitoring.NewDeliveryAlarms(s.stack, "Delivery", &monitoring.DeliveryAlarmsProps{
		RuleNames: rules, AlertTopic: f.topics.Alert, NamePrefix: "ecr-enterprise-apps",
	})
	f.trail = monitoring.NewLifecycleTrail(s.stack, "Trail", &monitoring.LifecycleTrailProps{
		NamePrefix: "ecr-enterprise-apps", Tags: []monitoring.Tag{{Key: "Project", Value: "ecr-replication"}},
	})
}

// allStacks returns every stack of every fixture, built on first use.
func allStacks(t *testing.T) []*stackFixture {
	t.Helper()
	var all []*stackFixture
	for _, name := range []string{"default", "email", "delivery"} {
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

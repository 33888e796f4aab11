package monitoring_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/internal/checkstest"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/replication"
)

// The constructs refuse bad props with a *checks.Error that lists every problem, each naming
// the field, the value and what is expected. These tests synthesize nothing.

const namespaceRule = `a repository namespace such as "enterprise-apps": lower-case letters, digits, ._- and inner /, no leading or trailing /`

// validationStack is a stack in us-east-1 with a topic, for constructs that are refused.
func validationStack() (awscdk.App, awscdk.Stack, awssns.ITopic) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Validation"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	return app, stack, awssns.NewTopic(stack, jsii.String("Topic"), nil)
}

func TestReplicationMonitorRefusesBadProps(t *testing.T) {
	_, stack, topic := validationStack()
	props := func(change func(p *monitoring.ReplicationMonitorProps)) *monitoring.ReplicationMonitorProps {
		p := &monitoring.ReplicationMonitorProps{RepositoryPrefix: "enterprise-apps", SourceRegion: "us-east-1", AlertTopic: topic}
		change(p)
		return p
	}
	for name, c := range map[string]struct {
		props *monitoring.ReplicationMonitorProps
		want  []string
	}{
		"nil props": {nil, []string{"RepositoryPrefix: required; expected " + namespaceRule,
			`SourceRegion: required; expected a known AWS region such as "us-east-1"`, "AlertTopic: required; expected the alert topic of this region"}},
		"a bad source region": {props(func(p *monitoring.ReplicationMonitorProps) { p.SourceRegion = "useast1" }),
			[]string{`SourceRegion: got "useast1"; expected a known AWS region such as "us-east-1"`}},
		"a token source region": {props(func(p *monitoring.ReplicationMonitorProps) { p.SourceRegion = *awscdk.Aws_REGION() }),
			[]string{"SourceRegion: got an unresolved token; expected a plain region name (tokens cannot cross regions without Lambda-backed cross-region references)"}},
		"a threshold of 100 percent": {props(func(p *monitoring.ReplicationMonitorProps) { p.ReplicationFailureThreshold = jsii.Number(100) }),
			[]string{"ReplicationFailureThreshold: got 100; expected a percentage from 0 to below 100"}},
		"zero minimum attempts": {props(func(p *monitoring.ReplicationMonitorProps) { p.ReplicationMinimumAttempts = jsii.Number(0) }),
			[]string{"ReplicationMinimumAttempts: got 0; expected a whole number of at least 1"}},
		"a window over a day": {props(func(p *monitoring.ReplicationMonitorProps) {
			p.ReplicationWindow = awscdk.Duration_Minutes(jsii.Number(1441))
		}),
			[]string{"ReplicationWindow: got 1441 minutes; expected whole minutes from 1 to 1440 (a CloudWatch alarm period is at most one day)"}},
		"every problem at once": {props(func(p *monitoring.ReplicationMonitorProps) {
			p.AlertTopic, p.SourceAccount, p.NamePrefix = nil, "12345", "has space"
		}),
			[]string{"AlertTopic: required; expected the alert topic of this region", `SourceAccount: got "12345"; expected a 12-digit AWS account ID such as 123456789012 or nothing`,
				`NamePrefix: got "has space"; expected 1-40 characters of A-Za-z0-9._-`}},
	} {
		t.Run(name, func(t *testing.T) {
			checkstest.ExpectProblems(t, func() { monitoring.NewReplicationMonitor(stack, "R", c.props) }, "ReplicationMonitor", c.want...)
		})
	}
}

func TestSourceMonitorRefusesBadProps(t *testing.T) {
	app, stack, topic := validationStack()
	props := func(change func(p *monitoring.SourceMonitorProps)) *monitoring.SourceMonitorProps {
		p := &monitoring.SourceMonitorProps{RepositoryPrefix: "enterprise-apps", RepositoryNames: repositories,
			Destinations: []replication.Destination{{Region: "us-west-2"}}, AlertTopic: topic}
		change(p)
		return p
	}
	agnostic := awscdk.NewStack(app, jsii.String("Agnostic"), nil)
	for name, c := range map[string]struct {
		stack awscdk.Stack
		props *monitoring.SourceMonitorProps
		want  []string
	}{
		"nil props": {stack, nil, []string{"RepositoryPrefix: required; expected " + namespaceRule,
			`RepositoryNames: required; expected at least one repository such as "enterprise-apps/production"`,
			"Destinations: required; expected at least one destination region", "AlertTopic: required; expected the alert topic of the source region"}},
		"a repository outside the namespace": {stack, props(func(p *monitoring.SourceMonitorProps) { p.RepositoryNames = []string{"enterprise-apps-legacy/api"} }),
			[]string{`RepositoryNames[0]: got "enterprise-apps-legacy/api"; expected a repository under "enterprise-apps/"`}},
		"a repository listed twice": {stack, props(func(p *monitoring.SourceMonitorProps) {
			p.RepositoryNames = []string{"enterprise-apps/a", "enterprise-apps/a"}
		}),
			[]string{`RepositoryNames[1]: got "enterprise-apps/a"; expected each repository once`}},
		"an activity repository that is not replicated": {stack, props(func(p *monitoring.SourceMonitorProps) { p.ActivityRepositories = []string{"enterprise-apps/other"} }),
			[]string{`ActivityRepositories[0]: got "enterprise-apps/other"; expected one of RepositoryNames`}},
		"too many activity repositories": {stack, props(func(p *monitoring.SourceMonitorProps) { p.ActivityRepositories = make([]string, 26) }),
			[]string{"ActivityRepositories: got 26; expected at most 25 repositories (two anomaly alarms and a dashboard widget each; the namespace rule counts the others)"}},
		"a bad or repeated destination": {stack, props(func(p *monitoring.SourceMonitorProps) {
			p.Destinations = []replication.Destination{{Region: "us-west-2", Account: "abc"}, {Region: "us-west-2", Account: "abc"}}
		}), []string{`Destinations[0].Account: got "abc"; expected a 12-digit AWS account ID such as 123456789012 or nothing`, `Destinations[1]: got "us-west-2 abc"; expected each destination once`}},
		"a negative band, a dotted dashboard name, a bad name prefix": {stack, props(func(p *monitoring.SourceMonitorProps) {
			p.AnomalyStdDevs, p.DashboardName, p.NamePrefix = -1, "team.apps", "has space"
		}), []string{"AnomalyStdDevs: got -1; expected a number above 0", `DashboardName: got "team.apps"; expected 1-255 characters of A-Za-z0-9_-`,
			`NamePrefix: got "has space"; expected 1-40 characters of A-Za-z0-9._-`}},
		"a stack without a concrete region": {agnostic, props(func(*monitoring.SourceMonitorProps) {}),
			[]string{"Env.Region: got an unresolved token; expected the stack's concrete region: rule names and the dashboard need the source region at synth time"}},
	} {
		t.Run(name, func(t *testing.T) {
			checkstest.ExpectProblems(t, func() { monitoring.NewSourceMonitor(c.stack, "S", c.props) }, "SourceMonitor", c.want...)
		})
	}
}

func TestOtherConstructsRefuseBadProps(t *testing.T) {
	_, stack, topic := validationStack()
	t.Run("NotificationTopics: a malformed e-mail", func(t *testing.T) {
		err := checkstest.ExpectProblems(t, func() {
			monitoring.NewNotificationTopics(stack, "T1", &monitoring.NotificationTopicsProps{AlertEmail: "ops at example"})
		}, "NotificationTopics", `AlertEmail: got "ops at example"; expected a plain e-mail address such as ops@example.com`)
		if err != nil && err.Path != "Validation/T1" {
			t.Errorf("path %q; want Validation/T1", err.Path)
		}
	})
	t.Run("LifecycleNotifications: no topic, no namespace", func(t *testing.T) {
		checkstest.ExpectProblems(t, func() { monitoring.NewLifecycleNotifications(stack, "L1", nil) }, "LifecycleNotifications",
			"RepositoryPrefix: required; expected "+namespaceRule, "Topic: required; expected the lifecycle topic that receives expirations")
	})
	t.Run("LifecycleTrail: an empty tag key, an overlong value, too many tags", func(t *testing.T) {
		tags := make([]monitoring.Tag, 51)
		for i := range tags {
			tags[i] = monitoring.Tag{Key: "k", Value: "v"}
		}
		tags[0].Key, tags[1].Value = "", strings.Repeat("v", 257)
		checkstest.ExpectProblems(t, func() { monitoring.NewLifecycleTrail(stack, "Trail1", &monitoring.LifecycleTrailProps{Tags: tags}) }, "LifecycleTrail",
			"Tags: got 51; expected at most 50 tags", `Tags[0].Key: got ""; expected 1 to 128 characters`, `Tags[1].Value: got "`+strings.Repeat("v", 257)+`"; expected at most 256 characters`)
	})
	t.Run("DeliveryAlarms: no rules, a bad and a repeated rule name, no topic", func(t *testing.T) {
		checkstest.ExpectProblems(t, func() { monitoring.NewDeliveryAlarms(stack, "D1", nil) }, "DeliveryAlarms",
			"RuleNames: required; expected at least one rule name", "AlertTopic: required; expected the alert topic of this region")
		checkstest.ExpectProblems(t, func() {
			monitoring.NewDeliveryAlarms(stack, "D2", &monitoring.DeliveryAlarmsProps{RuleNames: []string{"a b", "r", "r"}, AlertTopic: topic})
		}, "DeliveryAlarms", `RuleNames[0]: got "a b"; expected an EventBridge rule name of 1-64 characters of A-Za-z0-9._-`, `RuleNames[2]: got "r"; expected each rule once`)
	})
}

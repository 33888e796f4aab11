package backfill

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

func TestClientRetriesThrottlingButNotTheBackfillLimit(t *testing.T) {
	r := NewECR(aws.Config{}, "us-east-1").Options().Retryer
	if _, ok := r.(*retry.AdaptiveMode); !ok {
		t.Fatalf("retryer %T, want the SDK's adaptive mode", r)
	}
	for code, want := range map[string]bool{"ThrottlingException": true, "LimitExceededException": false, "ReplicationBackfillInProgressException": false} {
		if got := r.IsErrorRetryable(&smithy.GenericAPIError{Code: code}); got != want {
			t.Errorf("%s retryable: %v, want %v", code, got, want)
		}
	}
	// A retry mode the user chose (AWS_RETRY_MODE) is kept.
	if r := NewECR(aws.Config{RetryMode: aws.RetryModeStandard}, "us-east-1").Options().Retryer; !isStandard(r) {
		t.Errorf("with AWS_RETRY_MODE=standard the retryer is %T", r)
	}
}

func isStandard(r aws.Retryer) bool { _, ok := r.(*retry.Standard); return ok }

// registryAPI answers DescribeRegistry with rules; every other call fails the test.
type registryAPI struct {
	ECRAPI
	rules []types.ReplicationRule
	err   error
}

func (a registryAPI) DescribeRegistry(context.Context, *ecr.DescribeRegistryInput, ...func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error) {
	if a.err != nil {
		return nil, a.err
	}
	return &ecr.DescribeRegistryOutput{ReplicationConfiguration: &types.ReplicationConfiguration{Rules: a.rules}}, nil
}

func rule(filter string, dests ...replication.Destination) types.ReplicationRule {
	r := types.ReplicationRule{RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String(filter), FilterType: types.RepositoryFilterTypePrefixMatch}}}
	for _, d := range dests {
		r.Destinations = append(r.Destinations, types.ReplicationDestination{Region: aws.String(d.Region), RegistryId: aws.String(d.Account)})
	}
	return r
}

func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse(map[string]any{"repoPrefix": "enterprise-apps"}, config.Env{DefaultAccount: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCheckDeployedNotesOtherRulesToTheSameDestination(t *testing.T) {
	cfg := testConfig(t)
	west, eu := cfg.Destinations()[0], cfg.Destinations()[1]
	entries := []*Backfill{{Destination: west}, {Destination: eu}}
	api := registryAPI{rules: []types.ReplicationRule{rule("team-x/", west), rule("enterprise-apps/", west, eu)}}
	if err := checkDeployed(context.Background(), api, cfg, entries); err != nil {
		t.Fatal(err)
	}
	if want := "rule 1 of the registry (filter PREFIX_MATCH team-x/) also replicates to us-west-2: ECR backfills its images too"; entries[0].Note != want {
		t.Errorf("note %q, want %q", entries[0].Note, want)
	}
	if entries[1].Note != "" {
		t.Errorf("eu-west-1 note %q", entries[1].Note)
	}

	// A registry that cannot be read: the error, worded, exit 2.
	err := checkDeployed(context.Background(), registryAPI{err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: ecr:DescribeRegistry"}}, cfg, entries)
	var ue *session.UsageError
	if !errors.As(err, &ue) || !strings.Contains(ue.Error(), "cannot read the replication configuration of registry 123456789012 in us-east-1 (ecr:DescribeRegistry): AccessDeniedException") {
		t.Errorf("got %v", err)
	}
}

func TestSlotsCountEveryRunningBackfillOfTheRegistry(t *testing.T) {
	summary := func(id, region, account string, status types.ReplicationBackfillStatus) types.ReplicationBackfillSummary {
		return types.ReplicationBackfillSummary{ReplicationBackfillId: aws.String(id), Status: status,
			Destination: &types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(account)}}
	}
	s := newSlots([]types.ReplicationBackfillSummary{
		summary("a", "us-west-2", "999999999999", types.ReplicationBackfillStatusInProgress),
		summary("b", "eu-west-1", "123456789012", types.ReplicationBackfillStatusStopping),
		summary("c", "ap-south-1", "123456789012", types.ReplicationBackfillStatusComplete),
	})
	if s.inProgress != 2 {
		t.Errorf("%d in progress, want 2 (STOPPING counts, COMPLETE does not)", s.inProgress)
	}
	for _, tc := range []struct {
		d    replication.Destination
		want string
	}{
		{replication.Destination{Region: "us-west-2", Account: "123456789012"}, "us-west-2 already has backfill a (IN_PROGRESS, to us-west-2 (999999999999))"},
		{replication.Destination{Region: "eu-west-1", Account: "123456789012"}, "eu-west-1 already has backfill b (STOPPING"},
		{replication.Destination{Region: "ap-south-1", Account: "123456789012"}, ""},
	} {
		if got := s.blocked(tc.d); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("blocked(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if _, ok := s.running[replication.Destination{Region: "eu-west-1", Account: "123456789012"}]; ok {
		t.Error("a STOPPING backfill is not one to attach to")
	}
	for i := range 8 {
		s.take(summary(string(rune('d'+i)), "r"+string(rune('a'+i)), "123456789012", types.ReplicationBackfillStatusPreparing))
	}
	if got := s.blocked(replication.Destination{Region: "ap-south-1", Account: "123456789012"}); got != "the registry has 10 backfills in progress, ECR's limit" {
		t.Errorf("at the limit: %q", got)
	}
}

func TestReportOutcomePerMode(t *testing.T) {
	complete := &Backfill{Action: ActionStarted, Status: "COMPLETE", Progress: &Progress{Total: 2, Completed: 2}}
	failedImage := &Backfill{Action: ActionStarted, Status: "COMPLETE", Progress: &Progress{Total: 2, Completed: 1, Failed: 1}}
	queued := &Backfill{Action: ActionQueued, Status: StatusQueued}
	refused := &Backfill{Action: ActionRefused, Status: "COMPLETE"}
	other := &Backfill{Action: ActionListed, Status: "IN_PROGRESS"}
	for _, tc := range []struct {
		r    Report
		want bool
	}{
		{Report{Mode: ModeStart, Backfills: []*Backfill{complete, {Action: ActionAttached}}}, true},
		{Report{Mode: ModeStart, Backfills: []*Backfill{complete, queued}}, false},
		{Report{Mode: ModeWait, Backfills: []*Backfill{complete}}, true},
		{Report{Mode: ModeWait, Backfills: []*Backfill{complete, failedImage}}, false},
		{Report{Mode: ModeWait, Backfills: []*Backfill{complete}, End: EndDeadline}, false},
		{Report{Mode: ModeWait, Backfills: []*Backfill{{Status: "STOPPED"}}}, false},
		{Report{Mode: ModeStop, Backfills: []*Backfill{other}}, true},
		{Report{Mode: ModeStop, Backfills: []*Backfill{refused}}, false},
		{Report{Mode: ModeStatus, Backfills: []*Backfill{queued, refused}}, true},
	} {
		if got := tc.r.OK(); got != tc.want {
			t.Errorf("%s %+v: OK() = %v, want %v", tc.r.Mode, tc.r.Backfills, got, tc.want)
		}
	}
}

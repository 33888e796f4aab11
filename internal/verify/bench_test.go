package verify_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// The fleet of the scale targets (stacks/fleet_test.go): 400 repositories, half production and
// half testing, under "fleet", replicated from us-east-1 to 8 regions, every third in account
// 222222222222. VERIFY_BENCH_REPOSITORIES scales it (for a quick look).
const (
	fleetAccount = "222222222222"
	// benchLatency is what the proxy adds to every request: a real endpoint's round trip.
	benchLatency = 50 * time.Millisecond
	// imageEvery: every imageEvery-th repository holds 2 images, in the source and every
	// destination.
	imageEvery = 10
)

var fleetDestinations = []string{"us-west-2", "eu-west-1", "ap-southeast-2@" + fleetAccount, "ca-central-1", "sa-east-1",
	"eu-north-1@" + fleetAccount, "ap-northeast-1", "eu-central-1"}

// fleetContext is the context of a fleet of n repositories.
func fleetContext(n int) map[string]any {
	var prod, test []string
	for i := range n {
		if i%2 == 0 {
			prod = append(prod, fmt.Sprintf("svc-%03d", i))
		} else {
			test = append(test, fmt.Sprintf("test-%03d", i))
		}
	}
	return map[string]any{
		"repoPrefix": "fleet", "sourceAccount": sourceAccount,
		"destinationRegion": fleetDestinations[0], "secondaryRegion": fleetDestinations[1],
		"additionalRegions":      strings.Join(fleetDestinations[2:], ","),
		"productionRepositories": prod, "testingRepositories": test,
	}
}

// BenchmarkVerifyFleet deploys the 400 x 8 fleet to moto_server through the ECR API (what the
// app's stacks leave: repositories with their tag mutability and lifecycle policy, the pull
// grant on replicas in the other account, the registry policies there, the replication rule,
// and images in every tenth repository) and times `verify` through a proxy that adds 50 ms to
// every request, counting requests and the most in flight at once: with the default
// concurrency, and one request at a time. moto lacks DescribeRepositoryCreationTemplates and
// DescribeImageReplicationStatus: the proxy replays them (see replay_test.go), as ECR would
// answer for this deployment. With VERIFY_BENCH_BEFORE=<a verify binary> (for example one built
// from main) that binary is timed the same way.
func BenchmarkVerifyFleet(b *testing.B) {
	n := 400
	if v, err := strconv.Atoi(os.Getenv("VERIFY_BENCH_REPOSITORIES")); err == nil && v > 0 {
		n = v
	}
	w := newWorld(b, fleetContext(n))
	b.Setenv("AWS_MAX_ATTEMPTS", "") // the SDK's retries, as a user gets them
	dest := assumeInto(b, w.moto.endpoint, fleetAccount)
	addProfile(b, w.creds, "fleet-dest", dest)
	began := time.Now()
	seeded := seedFleet(b, w, dest)
	b.Logf("%d repositories x %d destinations seeded in moto with %d requests in %s", n, len(fleetDestinations), seeded, time.Since(began).Round(time.Second))

	p := newProxy(b, w.moto.endpoint, func() time.Duration { return benchLatency }, map[string]answer{
		"DescribeRepositoryCreationTemplates": templateAnswer(w, func(region string, tmpl map[string]any) {
			for _, d := range w.cfg.Destinations() {
				if d.Region == region && d.Account != sourceAccount {
					tmpl["repositoryPolicy"] = w.cfg.PullAccess(true).JSON()
				}
			}
		}),
		"DescribeImageReplicationStatus": statusAnswer(w, func(string, string, string) (string, string) { return "COMPLETE", "" }),
	})
	w.via(p.URL)
	args := []string{"--destination-profile", fleetAccount + "=fleet-dest", "--json"}
	for _, concurrency := range []string{strconv.Itoa(16), "1"} {
		b.Run("concurrency="+concurrency, func(b *testing.B) {
			for range b.N {
				p.stats()
				start := time.Now()
				code, out, stderr := w.run(append([]string{"--concurrency", concurrency}, args...)...)
				benchReport(b, p, time.Since(start), code, out, stderr)
			}
		})
	}
	if bin := os.Getenv("VERIFY_BENCH_BEFORE"); bin != "" {
		b.Run("before", func(b *testing.B) {
			for range b.N {
				p.stats()
				cmd := exec.Command(bin, append([]string{"--dir", w.dir}, args...)...)
				var stdout, stderr strings.Builder
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				start := time.Now()
				err := cmd.Run()
				code := cmd.ProcessState.ExitCode()
				if err != nil && code < 0 {
					b.Fatal(err)
				}
				benchReport(b, p, time.Since(start), code, stdout.String(), stderr.String())
			}
		})
	}
}

// benchReport fails the benchmark unless the run found the fleet healthy, and reports its
// duration, its requests and the most in flight at once.
func benchReport(b *testing.B, p *proxy, elapsed time.Duration, code int, out, stderr string) {
	b.Helper()
	requests, peak, perOp := p.stats()
	if code != 0 {
		if len(out) > 4000 {
			out = out[:4000]
		}
		b.Fatalf("exit %d, want 0 (the seeded fleet is healthy)\nstderr: %s\nstdout: %s", code, stderr, out)
	}
	b.ReportMetric(elapsed.Seconds(), "s/run")
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(peak), "peak-in-flight")
	var ops []string
	for op, c := range perOp {
		ops = append(ops, fmt.Sprintf("%s %d", op, c))
	}
	sort.Strings(ops)
	b.Logf("%s, %d requests (%s), at most %d in flight", elapsed.Round(100*time.Millisecond), requests, strings.Join(ops, ", "), peak)
}

// seedFleet creates in moto what deploying the fleet leaves, in parallel (moto is the limit),
// and returns the number of requests it took.
func seedFleet(b *testing.B, w *world, dest aws.Credentials) int {
	b.Helper()
	counter := newProxy(b, w.moto.endpoint, nil, nil)
	creds := map[string]aws.Credentials{sourceAccount: testingCreds, fleetAccount: dest}
	sites := []place{{w.cfg.SourceRegion, sourceAccount}}
	rule := types.ReplicationRule{RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String(w.cfg.RepoPrefix + "/"), FilterType: types.RepositoryFilterTypePrefixMatch}}}
	for _, d := range w.cfg.Destinations() {
		sites = append(sites, place{d.Region, d.Account})
		rule.Destinations = append(rule.Destinations, types.ReplicationDestination{Region: aws.String(d.Region), RegistryId: aws.String(d.Account)})
	}
	var jobs []func() error
	for _, s := range sites {
		client := ecrClient(b, counter.URL, s.region, creds[s.account])
		for i, rs := range w.cfg.RepositorySettings() {
			jobs = append(jobs, func() error { return seedRepository(w, client, s, rs.FullName, i%imageEvery == 0) })
		}
		if s.account != sourceAccount {
			jobs = append(jobs, func() error {
				_, err := client.PutRegistryPolicy(context.Background(), &ecr.PutRegistryPolicyInput{PolicyText: aws.String(w.registryPolicy(s))})
				return err
			})
		}
	}
	jobs = append(jobs, func() error {
		_, err := ecrClient(b, counter.URL, w.cfg.SourceRegion, testingCreds).PutReplicationConfiguration(context.Background(),
			&ecr.PutReplicationConfigurationInput{ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{rule}}})
		return err
	})
	if err := runJobs(jobs, 8); err != nil {
		b.Fatal(err)
	}
	requests, _, _ := counter.stats()
	return requests
}

// seedRepository creates one repository as the app's stacks do in a site, and pushes its images.
func seedRepository(w *world, client *ecr.Client, s place, name string, images bool) error {
	ctx := context.Background()
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName: aws.String(name), ImageTagMutability: types.ImageTagMutability(w.settings(name).TagMutability),
	}); err != nil {
		return fmt.Errorf("CreateRepository %s %s: %v", s.region, name, err)
	}
	text, err := w.settings(name).Lifecycle.JSON()
	if err != nil {
		return err
	}
	if _, err := client.PutLifecyclePolicy(ctx, putLifecycle(name, text)); err != nil {
		return fmt.Errorf("PutLifecyclePolicy %s %s: %v", s.region, name, err)
	}
	if s.account != sourceAccount {
		if _, err := client.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(name), PolicyText: aws.String(w.cfg.PullAccess(true).JSON())}); err != nil {
			return fmt.Errorf("SetRepositoryPolicy %s %s: %v", s.region, name, err)
		}
	}
	for i := 0; images && i < 2; i++ {
		if _, err := client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(name), ImageManifest: aws.String(manifest(name + strconv.Itoa(i))), ImageTag: aws.String("v" + strconv.Itoa(i))}); err != nil {
			return fmt.Errorf("PutImage %s %s: %v", s.region, name, err)
		}
	}
	return nil
}

// runJobs runs jobs, at most workers at once, and returns an error of theirs.
func runJobs(jobs []func() error, workers int) error {
	sem := make(chan struct{}, workers)
	errs := make(chan error, len(jobs))
	for _, job := range jobs {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- job()
		}()
	}
	for range workers {
		sem <- struct{}{}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/middleware"
)

// At most the rate starts in any one second: a burst up to it at once, the rest a second
// later, and a request asked for after a quiet second starts at once.
func TestReserveAllowsTheRateInAnySecond(t *testing.T) {
	a := &apiLimit{starts: make([]time.Time, 5)}
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	var got []time.Duration
	for range 12 {
		got = append(got, a.reserve(t0).Sub(t0))
	}
	for i, d := range got {
		if want := time.Duration(i/5) * time.Second; d != want {
			t.Errorf("request %d of 12 asked for at once starts after %s, want %s", i+1, d, want)
		}
	}
	// At 3.5 s the 5 latest starts (1 s three times, 2 s twice) lie more than a second back.
	if d := a.reserve(t0.Add(3500 * time.Millisecond)).Sub(t0); d != 3500*time.Millisecond {
		t.Errorf("after a quiet second a request starts after %s, want at once (3.5s)", d)
	}
}

// pace sleeps until the booked start.
func TestPaceWaitsForTheBookedStart(t *testing.T) {
	a := &apiLimit{starts: make([]time.Time, 1)}
	if err := a.pace(context.Background()); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if err := a.pace(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(begin); waited < 900*time.Millisecond {
		t.Errorf("the second request of a 1-a-second API started after %s, want about 1s", waited)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.pace(ctx); err == nil {
		t.Error("pace with a cancelled context: no error")
	}
}

// inFlightServer answers after a pause and records the most requests in flight at once.
type inFlightServer struct {
	mu             sync.Mutex
	inFlight, peak int
}

func (s *inFlightServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	_, _ = w.Write([]byte("{}"))
}

// send sends n requests at once through client, named operations[i%len], and waits for them.
func send(t *testing.T, client aws.HTTPClient, url string, n int, operations ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := middleware.WithOperationName(context.Background(), operations[i%len(operations)])
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
		}()
	}
	wg.Wait()
}

func TestLimitsBoundRequestsInFlight(t *testing.T) {
	for _, tc := range []struct {
		name        string
		concurrency int
		operations  []string
		min, max    int
	}{
		{"one at a time", 1, []string{"DescribeImages", "GetLifecyclePolicy"}, 1, 1},
		{"the run's bound", 3, []string{"DescribeImages", "GetLifecyclePolicy"}, 2, 3},
		{"one API's bound", 16, []string{"DescribeImages"}, 2, PerAPIInFlight},
		{"several APIs", 16, []string{"DescribeImages", "GetLifecyclePolicy", "GetRepositoryPolicy"}, PerAPIInFlight + 1, 3 * PerAPIInFlight},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &inFlightServer{}
			srv := httptest.NewServer(s)
			defer srv.Close()
			client := NewLimits(tc.concurrency).HTTPClient(http.DefaultClient, ecr.ServiceID)
			send(t, client, srv.URL, 18, tc.operations...)
			if s.peak < tc.min || s.peak > tc.max {
				t.Errorf("%d requests in flight at most, want %d to %d", s.peak, tc.min, tc.max)
			}
		})
	}
}

// The clients retry in the SDK's adaptive mode (client-side rate limiting after throttling)
// unless the configuration names a retry mode.
func TestClientsRetryAdaptively(t *testing.T) {
	for _, tc := range []struct {
		mode aws.RetryMode
		want any
	}{
		{"", &retry.AdaptiveMode{}},
		{aws.RetryModeAdaptive, &retry.AdaptiveMode{}},
		{aws.RetryModeStandard, &retry.Standard{}},
	} {
		c := NewSDKClients(aws.Config{RetryMode: tc.mode}, NewLimits(4))
		got := c.ECR("us-east-1").(*ecr.Client).Options().Retryer
		switch tc.want.(type) {
		case *retry.AdaptiveMode:
			if _, ok := got.(*retry.AdaptiveMode); !ok {
				t.Errorf("retry mode %q: retryer %T, want *retry.AdaptiveMode", tc.mode, got)
			}
		case *retry.Standard:
			if _, ok := got.(*retry.Standard); !ok {
				t.Errorf("retry mode %q: retryer %T, want *retry.Standard", tc.mode, got)
			}
		}
	}
}

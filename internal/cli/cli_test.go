package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

func TestWithDefaultsKeepsWhatIsGiven(t *testing.T) {
	env := Env{}.WithDefaults()
	if env.Getenv == nil || env.Now == nil || env.Sleep == nil {
		t.Fatalf("defaults missing: %+v", env)
	}
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	env = Env{Now: func() time.Time { return fixed }}.WithDefaults()
	if !env.Now().Equal(fixed) {
		t.Error("a given clock was replaced")
	}
}

func TestSleepReturnsEarlyWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("Sleep on a cancelled context: %v after %s", err, time.Since(start))
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep: %v", err)
	}
}

func TestPrintPrefixesEveryLine(t *testing.T) {
	var b bytes.Buffer
	Print(&b, "backfill", "first\nsecond\n")
	if want := "backfill: first\nbackfill: second\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if !IsTerminal(null) {
		t.Errorf("%s is a character device, what IsTerminal tests for", os.DevNull)
	}
}

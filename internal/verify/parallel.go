package verify

import (
	"context"
	"sync"
)

// forEach runs fn(ctx, i) for every i in [0, n) on at most limit goroutines at once and
// waits for all of them. Each call writes its results into a slot the caller indexed by i, so
// the caller assembles them in index order, whatever order they finished in: the report reads
// the same as a sequential run. The first error (in time) cancels the context of the calls
// still to run or running and is returned; the requests themselves are bounded by [Limits],
// not here.
func forEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	if limit < 1 {
		limit = 1
	}
	if limit > n {
		limit = n
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		next     int
		firstErr error
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || next >= n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	for range limit {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, ok := take(); ok; i, ok = take() {
				if err := fn(ctx, i); err != nil {
					fail(err)
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// collect runs fn for every i in [0, n) with forEach and returns the checks of each call
// concatenated in index order.
func collect(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) ([]Check, error)) ([]Check, error) {
	slots := make([][]Check, n)
	err := forEach(ctx, n, limit, func(ctx context.Context, i int) error {
		cs, err := fn(ctx, i)
		slots[i] = cs
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []Check
	for _, cs := range slots {
		out = append(out, cs...)
	}
	return out, nil
}

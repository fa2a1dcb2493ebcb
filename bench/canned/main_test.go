package canned

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test or benchmark leaves goroutines behind.
//
// Two fasthttp goroutines are ignored, both library-owned and bounded:
//   - (*workerPool).Start.func2, the worker-pool cleaner, sleeps up to MaxIdleWorkerDuration
//     (10 s) between passes and only then sees that Server.Shutdown stopped the pool;
//   - updateServerDate.func1 refreshes the cached Date header once a second for the life of
//     the process (started once, by the first server).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	)
}

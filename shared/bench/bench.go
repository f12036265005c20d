// Package bench measures GCC Onboard against its floor, in one run (`make bench`, which writes
// BENCHMARKS.md): each Lambda's size and cold start next to a hello-world aws-lambda-go function
// built the same way, warm invocations through a Lambda Runtime API stub, the DynamoDB requests
// and capacity of every step of an onboarding and what they cost, and the local server's intake
// throughput next to DynamoDB Local's own.
//
// Its tests also pin the structural facts the numbers rest on (requests per step, what each
// function links); they run with `make test`. The timed report runs only when GCC_BENCH_REPORT
// names the file to write.
package bench

import (
	"slices"
	"time"
)

// Percentile returns the q-quantile (0 <= q <= 1) of ds by the nearest-rank method: the smallest
// value at least q of the values are at or below. It returns 0 for no values.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(q*float64(len(s))+0.999999) - 1 // ceil(q*n) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// Median is Percentile(ds, 0.5).
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 0.5) }

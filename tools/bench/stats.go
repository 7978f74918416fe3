package bench

import (
	"math"
	"slices"
	"time"
)

// Summary holds the usual percentiles of a set of durations.
type Summary struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

// Summarize sorts a copy of ds and returns its percentiles (zero for an empty set).
func Summarize(ds []time.Duration) Summary {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return Summary{}
	}
	return Summary{N: len(s), P50: Percentile(s, 50), P90: Percentile(s, 90), P99: Percentile(s, 99), Max: s[len(s)-1]}
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted: the smallest
// value at least p% of the values are less than or equal to. An empty slice gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// Rate is count events per second over d (0 when d is not positive).
func Rate(count int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(count) / d.Seconds()
}

// Median is the middle of ds (the lower middle for an even count); 0 when empty.
func Median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[(len(s)-1)/2]
}

// ms renders d in milliseconds with two decimals, as the report's cells show it.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

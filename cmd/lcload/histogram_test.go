package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// within1pct reports whether got is within 1 % of want.
func within1pct(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= 0.01*float64(want)
}

func TestHistogramPercentilesWithinOnePercent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var values []time.Duration
	// Log-uniform from 1 µs to 60 s, so every decade of the range is exercised.
	for range 200_000 {
		d := time.Duration(math.Exp(rng.Float64()*math.Log(60e9/1e3)) * 1e3)
		values = append(values, d)
		h.Record(d)
	}
	slices.Sort(values)
	if h.Count() != uint64(len(values)) {
		t.Fatalf("count %d, want %d", h.Count(), len(values))
	}
	for _, q := range []float64{0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1} {
		want := values[int(math.Ceil(q*float64(len(values))))-1]
		if got := h.Quantile(q); !within1pct(got, want) {
			t.Errorf("q%g = %v, want %v within 1%%", q, got, want)
		}
	}
	if h.Max() != values[len(values)-1] {
		t.Errorf("max %v, want %v exactly", h.Max(), values[len(values)-1])
	}
}

func TestHistogramKnownValues(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ { // 1 ms .. 1000 ms
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 500 * time.Millisecond, 0.9: 900 * time.Millisecond,
		0.99: 990 * time.Millisecond, 0.999: 999 * time.Millisecond, 1: time.Second} {
		if got := h.Quantile(q); !within1pct(got, want) {
			t.Errorf("q%g = %v, want %v", q, got, want)
		}
	}
}

func TestHistogramEdges(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Max() != 0 || h.Count() != 0 {
		t.Error("an empty histogram must report zeros")
	}
	h.Record(-time.Second) // counts as 0
	h.Record(time.Microsecond)
	h.Record(10 * time.Minute) // beyond the range: counts as histMax
	if h.Count() != 3 || h.Quantile(0) != 0 || !within1pct(h.Quantile(0.5), time.Microsecond) {
		t.Errorf("count %d q0 %v q50 %v", h.Count(), h.Quantile(0), h.Quantile(0.5))
	}
	if h.Max() != histMax || h.Quantile(1) != histMax || histMax < 60*time.Second {
		t.Errorf("max %v q100 %v histMax %v", h.Max(), h.Quantile(1), histMax)
	}
	for v := uint64(0); v < uint64(histMax); v = v*17/16 + 1 { // every bucket holds what it stands for
		i := histIndex(v)
		if i < 0 || i >= histBuckets || !within1pct(histMiddle(i), time.Duration(v)) && v > 100 {
			t.Fatalf("value %d: bucket %d stands for %v", v, i, histMiddle(i))
		}
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i := range 100 {
		d := time.Duration(i+1) * time.Millisecond
		all.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	if a.Count() != all.Count() || a.Max() != all.Max() || a.Quantile(0.9) != all.Quantile(0.9) {
		t.Errorf("merged %d %v %v, want %d %v %v", a.Count(), a.Max(), a.Quantile(0.9), all.Count(), all.Max(), all.Quantile(0.9))
	}
}

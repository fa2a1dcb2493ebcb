package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram is log-linear, like HdrHistogram: values below 2·histHalf ns are counted
// exactly, and each power of two above is cut into histHalf equal buckets, so a bucket is at
// most 1/histHalf of its lower bound wide. Reported at its middle, a value is off by at most
// 1/(2·histHalf) ≈ 0.4 %, well within the 1 % asked for, from 1 µs to histMax.
const (
	histSubBits = 7                // log2 of the buckets per power of two
	histHalf    = 1 << histSubBits // buckets per power of two
	histMaxExp  = 29               // largest bucket width is 2^histMaxExp ns
	// histMax is the largest value told apart (about 137 s); larger values count as it.
	histMax     = time.Duration(1)<<(histMaxExp+histSubBits+1) - 1
	histBuckets = (histMaxExp + 2) * histHalf
)

// Histogram counts durations in log-linear buckets. Record may be called from several
// goroutines at once; read it (Quantile, Max, Count) once the recording is over.
type Histogram struct {
	counts [histBuckets]atomic.Uint64 // no separate total: one more shared counter to contend on
	max    atomic.Int64               // exact largest value recorded, ns
}

// histIndex is the bucket of a value in ns, 0 ≤ v ≤ histMax.
func histIndex(v uint64) int {
	if v < 2*histHalf {
		return int(v)
	}
	e := bits.Len64(v) - (histSubBits + 1) // v>>e is in [histHalf, 2·histHalf)
	return e*histHalf + int(v>>e)
}

// histMiddle is the value a bucket stands for: its middle (its only value below 2·histHalf).
func histMiddle(i int) time.Duration {
	if i < 2*histHalf {
		return time.Duration(i)
	}
	e := i/histHalf - 1
	low := uint64(i-e*histHalf) << e
	return time.Duration(low + (uint64(1)<<e)/2)
}

// Record counts one duration; negative ones count as 0, those above histMax as histMax.
func (h *Histogram) Record(d time.Duration) {
	d = min(max(d, 0), histMax)
	h.counts[histIndex(uint64(d))].Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c > 0 {
			h.counts[i].Add(c)
		}
	}
	if m := o.max.Load(); m > h.max.Load() {
		h.max.Store(m)
	}
}

// Count is the number of values recorded.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Max is the largest value recorded (exact), 0 when there is none.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Quantile is the value below or at which a fraction q (0–1) of the values lie, within
// 0.4 % (exact for the largest); 0 when nothing was recorded. It never exceeds Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	if rank == n {
		return h.Max() // exact
	}
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(histMiddle(i), h.Max())
		}
	}
	return h.Max()
}

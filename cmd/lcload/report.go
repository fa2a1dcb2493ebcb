package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Modes of a run, the "mode" field of the report.
const (
	modeWebOpen   = "web_open"
	modeWebClosed = "web_closed"
	modeRTM       = "rtm"
	modeRTMHold   = "rtm_hold"
)

// Report is the outcome of a run. Its JSON field names are stable: scripts read them.
// Latencies are in milliseconds; counts cover the measured part of the run (after the
// warm-up).
type Report struct {
	Mode           string           `json:"mode"`               // web_open, web_closed, rtm or rtm_hold
	Sent           int64            `json:"sent"`               // requests sent
	Answered       int64            `json:"answered"`           // requests answered (any status or success)
	DurationS      float64          `json:"duration_s"`         // first scheduled send to the end of the run
	Throughput     float64          `json:"throughput"`         // answered per second of DurationS
	P50Ms          float64          `json:"p50_ms"`             // answer latency: median
	P90Ms          float64          `json:"p90_ms"`             // answer latency: 90th percentile
	P99Ms          float64          `json:"p99_ms"`             // answer latency: 99th percentile
	P999Ms         float64          `json:"p999_ms"`            // answer latency: 99.9th percentile
	MaxMs          float64          `json:"max_ms"`             // answer latency: largest
	Errors         map[string]int64 `json:"errors"`             // by kind (listed in the package comment)
	Late           int64            `json:"late"`               // sends more than 1 ms behind schedule
	Lost           int64            `json:"lost"`               // RTM: requests never answered
	Duplicated     int64            `json:"duplicated"`         // RTM: answers beyond the first of a request
	Reordered      int64            `json:"reordered"`          // RTM: answers older than one already received
	Pushes         int64            `json:"pushes"`             // RTM: tagged pushes received
	PushLost       int64            `json:"push_lost"`          // RTM: pushes missing of the K per request
	PushDuplicated int64            `json:"push_duplicated"`    // RTM: pushes beyond the K per request
	PushReordered  int64            `json:"push_reordered"`     // RTM: pushes for an older request than one before
	PushP50Ms      float64          `json:"push_p50_ms"`        // RTM: push latency: median
	PushP99Ms      float64          `json:"push_p99_ms"`        // RTM: push latency: 99th percentile
	PushMaxMs      float64          `json:"push_max_ms"`        // RTM: push latency: largest
	Sessions       int64            `json:"sessions"`           // RTM: sessions asked for
	SessionsOpen   int64            `json:"sessions_open"`      // RTM: sessions open at the end of the run
	SessionsOpened int64            `json:"sessions_opened"`    // RTM: sessions that logged in (with --session-life, successors too)
	SessionsClosed int64            `json:"sessions_closed"`    // RTM: sessions that ended with the server's close 1000 after lcload's
	Received       int64            `json:"received"`           // RTM: frames received on the sessions, login answers included
	Interrupted    bool             `json:"interrupted"`        // SIGINT or SIGTERM ended the sending early
	Target         string           `json:"-"`                  // the load, in words, for the summary
	WarmupS        float64          `json:"warmup_s"`           // Web: seconds sent before measuring
	PushesPerReq   int              `json:"pushes_per_request"` // RTM: K
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// setLatency fills the answer latencies from h.
func (r *Report) setLatency(h *Histogram) {
	r.P50Ms, r.P90Ms, r.P99Ms = ms(h.Quantile(0.50)), ms(h.Quantile(0.90)), ms(h.Quantile(0.99))
	r.P999Ms, r.MaxMs = ms(h.Quantile(0.999)), ms(h.Max())
}

// setPushLatency fills the push latencies from h.
func (r *Report) setPushLatency(h *Histogram) {
	r.PushP50Ms, r.PushP99Ms, r.PushMaxMs = ms(h.Quantile(0.50)), ms(h.Quantile(0.99)), ms(h.Max())
}

// setDuration sets the duration and the throughput it gives.
func (r *Report) setDuration(d time.Duration) {
	r.DurationS = d.Seconds()
	if r.DurationS > 0 {
		r.Throughput = float64(r.Answered) / r.DurationS
	}
}

// write prints the report: one JSON object, or the human summary.
func (r *Report) write(w io.Writer, asJSON bool) error {
	if r.Errors == nil {
		r.Errors = map[string]int64{}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(r)
	}
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-14s %s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(&b, "lcload %s: %s\n", r.Mode, r.Target)
	if r.Interrupted {
		b.WriteString("interrupted: the counts cover the part that ran\n")
	}
	line("duration", "%.2f s", r.DurationS)
	line("sent", "%d (late by more than 1 ms: %d)", r.Sent, r.Late)
	line("answered", "%d (%.1f/s)", r.Answered, r.Throughput)
	line("latency", "p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms",
		r.P50Ms, r.P90Ms, r.P99Ms, r.P999Ms, r.MaxMs)
	line("errors", "%s", errorList(r.Errors))
	if r.Mode == modeRTM || r.Mode == modeRTMHold {
		line("frames", "%d received, login answers included", r.Received)
		line("sessions", "%d open of %d; %d opened, %d closed cleanly", r.SessionsOpen, r.Sessions, r.SessionsOpened, r.SessionsClosed)
		line("answers", "lost %d, duplicated %d, reordered %d", r.Lost, r.Duplicated, r.Reordered)
		if r.PushesPerReq > 0 {
			line("pushes", "%d received; lost %d, duplicated %d, reordered %d",
				r.Pushes, r.PushLost, r.PushDuplicated, r.PushReordered)
			line("push latency", "p50 %.3f ms  p99 %.3f ms  max %.3f ms", r.PushP50Ms, r.PushP99Ms, r.PushMaxMs)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// errorList renders errors by kind, most frequent first: "status_503 10, timeout 2".
func errorList(errs map[string]int64) string {
	if len(errs) == 0 {
		return "none"
	}
	kinds := slices.Sorted(maps.Keys(errs))
	slices.SortStableFunc(kinds, func(a, b string) int { return cmp.Compare(errs[b], errs[a]) })
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, errs[k])
	}
	return strings.Join(parts, ", ")
}

// errorCounts counts errors by kind from many goroutines; a kind seen before costs no lock.
type errorCounts struct {
	m sync.Map // kind → *atomic.Int64
}

// add counts one error of kind.
func (e *errorCounts) add(kind string) {
	c, ok := e.m.Load(kind)
	if !ok {
		c, _ = e.m.LoadOrStore(kind, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1)
}

// snapshot returns the counts so far.
func (e *errorCounts) snapshot() map[string]int64 {
	out := map[string]int64{}
	e.m.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

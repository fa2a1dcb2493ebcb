package metrics

import "github.com/prometheus/client_golang/prometheus"

// HeldFunc reports what translated RTM sessions hold now, across sessions: the client
// requests read and not yet sent upstream, and their bytes.
type HeldFunc func() (requests, bytes int64)

// WatchHeld registers the gauges of what RTM sessions hold, read by held at each scrape
// (once per Metrics): lcgate_rtm_requests_waiting and lcgate_rtm_held_bytes.
func (m *Metrics) WatchHeld(held HeldFunc) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Name: "rtm_requests_waiting",
			Help: "Client requests translated RTM sessions have read and not yet sent upstream (waiting their turn)."},
			func() float64 { n, _ := held(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Name: "rtm_held_bytes",
			Help: "Bytes of the client requests translated RTM sessions hold while they wait their turn."},
			func() float64 { _, b := held(); return float64(b) }))
}

// WatchMemoryLimit registers lcgate_memory_limit_bytes, Go's soft memory limit in force as
// limit reports it at each scrape (0: none), once per Metrics.
func (m *Metrics) WatchMemoryLimit(limit func() int64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Name: "memory_limit_bytes",
		Help: "Go's soft memory limit in force (--memory-limit; 0: none): the heap is collected harder as it nears it."},
		func() float64 { return float64(limit()) }))
}

// WatchBodies registers lcgate_web_body_held_bytes, the bytes of Web request bodies held at
// once (see --max-body-total), read by held at each scrape (once per Metrics).
func (m *Metrics) WatchBodies(held func() int64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Name: "web_body_held_bytes",
		Help: "Bytes of Web request bodies held at once (being read or served); at --max-body-total bodies get 503."},
		func() float64 { return float64(held()) }))
}

package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// A label lookup (WithLabelValues) hashes every label value on each call; the hot paths count
// through these caches instead, which find the child counter of a label set with one map read.
// Label sets are bounded (see the package doc), so the caches are too.

// childCache caches the children of a metric vector (a CounterVec, a HistogramVec) by
// their label values; with is the vector's WithLabelValues.
type childCache[K comparable, M any] struct {
	with     func(...string) M
	mu       sync.RWMutex
	children map[K]M
}

// counterCache caches the children of a CounterVec.
type counterCache[K comparable] = childCache[K, prometheus.Counter]

func (c *childCache[K, M]) get(k K, labels func() []string) M {
	c.mu.RLock()
	ctr, ok := c.children[k]
	c.mu.RUnlock()
	if ok {
		return ctr
	}
	ctr = c.with(labels()...)
	c.mu.Lock()
	if c.children == nil {
		c.children = map[K]M{}
	}
	c.children[k] = ctr
	c.mu.Unlock()
	return ctr
}

// requestLabels are the labels of Requests.
type requestLabels struct{ transport, client, upstream, action, outcome string }

// CountRequest adds one Web request to Requests; the same as
// Requests.WithLabelValues(transport, client, upstream, action, outcome).Inc(), without the
// label hashing.
func (m *Metrics) CountRequest(transport, client, upstream, action, outcome string) {
	k := requestLabels{transport, client, upstream, action, outcome}
	m.requests.get(k, func() []string { return []string{transport, client, upstream, action, outcome} }).Inc()
}

// CountLossy adds one lossy conversion of a change to Lossy.
func (m *Metrics) CountLossy(change string) {
	m.lossy.get(change, func() []string { return []string{change} }).Inc()
}

// versionPair are the labels of TranslationSeconds.
type versionPair struct{ client, upstream string }

// ObserveTranslation records lcgate's own time of a Web request in TranslationSeconds.
func (m *Metrics) ObserveTranslation(client, upstream string, seconds float64) {
	m.translation.get(versionPair{client, upstream}, func() []string { return []string{client, upstream} }).Observe(seconds)
}

// ObserveUpstream records the time of one upstream call in UpstreamSeconds.
func (m *Metrics) ObserveUpstream(upstream string, seconds float64) {
	m.upstream.get(upstream, func() []string { return []string{upstream} }).Observe(seconds)
}

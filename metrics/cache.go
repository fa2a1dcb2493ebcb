package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// A label lookup (WithLabelValues) hashes every label value on each call; the hot paths count
// through these caches instead, which find the child counter of a label set with one map read.
// Label sets are bounded (see the package doc), so the caches are too.

// counterCache caches the children of a CounterVec by their label values.
type counterCache[K comparable] struct {
	vec      *prometheus.CounterVec
	mu       sync.RWMutex
	children map[K]prometheus.Counter
}

func (c *counterCache[K]) get(k K, labels func() []string) prometheus.Counter {
	c.mu.RLock()
	ctr, ok := c.children[k]
	c.mu.RUnlock()
	if ok {
		return ctr
	}
	ctr = c.vec.WithLabelValues(labels()...)
	c.mu.Lock()
	if c.children == nil {
		c.children = map[K]prometheus.Counter{}
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

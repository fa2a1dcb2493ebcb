package proxy

import (
	"net"
	"sync"
	"time"
)

// upstreamProbe caches whether the upstream accepts TCP connections, so that a readiness
// probe polled every second costs at most one dial per upstreamProbeTTL.
type upstreamProbe struct {
	mu      sync.Mutex
	checked time.Time
	ok      bool
}

const (
	upstreamProbeTTL     = 5 * time.Second
	upstreamProbeTimeout = time.Second
)

// UpstreamReachable reports whether the upstream accepted a TCP connection recently. Safe
// for concurrent use.
func (s *Server) UpstreamReachable() bool {
	p := &s.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.checked) < upstreamProbeTTL {
		return p.ok
	}
	conn, err := net.DialTimeout("tcp", s.up.addr, upstreamProbeTimeout)
	if err == nil {
		_ = conn.Close()
	}
	p.ok, p.checked = err == nil, time.Now()
	return p.ok
}

// ReadyForTraffic is the readiness probe: serving, not draining, and the upstream reachable.
func (s *Server) ReadyForTraffic() bool { return s.Ready() && s.UpstreamReachable() }

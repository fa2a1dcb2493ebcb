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

// UpstreamReachable reports whether the default upstream accepted a TCP connection recently.
// (A canary that is down fails its own share of traffic; it does not take the gateway out
// of service.) Safe for concurrent use.
func (s *Server) UpstreamReachable() bool {
	p := &s.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.checked) < upstreamProbeTTL {
		return p.ok
	}
	addr := ""
	if b, err := s.backends.get(s.router.Table().Default().URL, s.opts); err == nil {
		addr = b.up.addr
	}
	conn, err := net.DialTimeout("tcp", addr, upstreamProbeTimeout)
	if err == nil {
		_ = conn.Close()
	}
	p.ok, p.checked = err == nil, time.Now()
	return p.ok
}

// ReadyForTraffic is the readiness probe: serving, not draining, and the upstream reachable.
func (s *Server) ReadyForTraffic() bool { return s.Ready() && s.UpstreamReachable() }

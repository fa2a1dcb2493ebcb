package proxy

import (
	"errors"
	"fmt"
	"sync"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/routing"
	"github.com/valyala/fasthttp"
)

// WebSocket buffers of both RTM legs. An idle session holds only its read buffers: RTM
// frames are small, and a larger one is read in several pieces. Write buffers are taken from a
// pool for the time of a write, so idle sessions share them.
const wsReadBufferSize = 1024

var wsWriteBuffers = &sync.Pool{}

// backend is one upstream URL the gateway reaches: its address, its pooled Web client and
// its WebSocket dialer. Backends are made on first use and kept for the Server's life, so a
// reload that keeps a URL keeps its connections.
type backend struct {
	up     upstream
	web    *fasthttp.HostClient
	dialer *websocket.Dialer
}

// backends caches the backend of each upstream URL.
type backends struct {
	mu    sync.Mutex
	byURL map[string]*backend
	conns upstreamConns // every backend's Web connections (upstream_conn.go)
}

// get returns the backend of url, making it on first use.
func (bs *backends) get(url string, opts Options) (*backend, error) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if b, ok := bs.byURL[url]; ok {
		return b, nil
	}
	up, err := parseUpstream(url)
	if err != nil {
		return nil, err
	}
	b := &backend{up: up, web: newWebClient(up, opts, bs.conns.dial),
		dialer: &websocket.Dialer{HandshakeTimeout: opts.HandshakeTimeout, TLSClientConfig: opts.upstreamTLS(up),
			ReadBufferSize: wsReadBufferSize, WriteBufferPool: wsWriteBuffers}}
	if bs.byURL == nil {
		bs.byURL = map[string]*backend{}
	}
	bs.byURL[url] = b
	return b, nil
}

// closeIdle closes the idle Web connections of every backend.
func (bs *backends) closeIdle() {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for _, b := range bs.byURL {
		b.web.CloseIdleConnections()
	}
}

// target is where one client request or session goes: the backend, the upstream's name and
// version, and whether the canary rule chose it.
type target struct {
	b       *backend
	name    string
	version string
	canary  bool
}

// choose picks the target of a key in the current routing table.
func (s *Server) choose(k routing.Key) (target, error) {
	return s.chooseIn(s.router.Table(), k)
}

// chooseIn picks the target of a key in table t.
func (s *Server) chooseIn(t *routing.Table, k routing.Key) (target, error) {
	c := t.Choose(k)
	b, err := s.backends.get(c.URL, s.opts)
	if err != nil { // the table's URLs were checked when it was loaded
		return target{}, err
	}
	return target{b: b, name: c.Upstream.Name, version: c.Upstream.Version, canary: c.Canary}, nil
}

// Reload replaces the routing table; sessions already open keep their upstream, and calls
// that arrive later use the new table. It refuses a table with a URL lcgate cannot use.
func (s *Server) Reload(t *routing.Table) error {
	if err := checkTableURLs(t); err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	s.router.Swap(t)
	return nil
}

// checkTableURLs reports every URL of the table that is not a usable upstream URL.
func checkTableURLs(t *routing.Table) error {
	var errs []error
	for _, u := range t.URLs() {
		if err := CheckUpstreamURL(u); err != nil {
			errs = append(errs, fmt.Errorf("upstream URL: %w", err))
		}
	}
	return errors.Join(errs...)
}

// singleTable is the routing table of a Server given one upstream.
func singleTable(url, version string) (*routing.Table, error) {
	return routing.New(routing.Config{Upstreams: []routing.Upstream{{Name: "default", URL: url, Version: version}}})
}

// fixedRoute is the target of every request when the table's choice depends on nothing in
// the request (one upstream, no canary share, no regions): computed once per table.
type fixedRoute struct {
	table  *routing.Table
	target target
}

// route picks the target of a request: the table's fixed target when it has one, else the
// choice for the request's key (made only then: it hashes the token).
func (s *Server) route(key func() routing.Key) (target, error) {
	t := s.router.Table()
	if f := s.fixed.Load(); f != nil && f.table == t {
		return f.target, nil
	}
	if t.SplitsCustomers() || t.HasRegions() {
		return s.chooseIn(t, key())
	}
	tg, err := s.chooseIn(t, routing.Key{})
	if err == nil {
		s.fixed.Store(&fixedRoute{table: t, target: tg})
	}
	return tg, err
}

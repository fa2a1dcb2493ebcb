// Package canned is a canned LiveChat Customer Chat API 3.2 upstream for benchmarks.
//
// It answers every 3.2 action, on the Web API (POST /v3.2/customer/action/<action>) and on
// the RTM API (WebSocket /v3.2/customer/rtm/ws), with a fixed, realistic answer built once
// by New, so that a benchmark measures the gateway in front of it rather than an upstream's
// state. Requests are not validated beyond what routing needs, authorization is not checked,
// and the handler does not allocate per request beyond what fasthttp does.
//
// The answers are mutually consistent: send_event answers an event id that is the last
// event of the thread get_chat and list_threads return, start_chat and activate_chat name
// that thread, and the thread is the chat's latest (no next_thread_id). So lcgate's
// multi-call emulations for 3.0 and 3.1 clients succeed against it.
//
// On RTM, every request is answered in order with the canned payload; after each answer but
// a ping's (a keep-alive, which causes nothing on a LiveChat server either) the
// connection gets Options.PushesPerRequest incoming_event pushes whose event text is the
// request's payload.sneak_peek_text, else payload.event.text, else its request_id, so a load
// generator can tag frames and detect lost or reordered ones.
package canned

import (
	"bytes"
	"net"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// Options configures a Server.
type Options struct {
	// PushesPerRequest is how many pushes an RTM connection gets after each answer but a
	// ping's (default 0).
	PushesPerRequest int
	// PushInterval, when > 0, makes every logged-in RTM connection also receive one push per interval on its own.
	PushInterval time.Duration
	// EchoEvents makes an RTM send_event be followed, as on LiveChat, by the incoming_event
	// push the sender's own session gets: with the request's request_id and the stored event
	// (the answer's event_id, the request's type and text).
	EchoEvents bool
}

// maxBodySize bounds a Web request body: upload_file accepts files up to 10 MB.
const maxBodySize = 16 << 20

// closeFrameWait bounds the time Shutdown spends sending close frames to RTM clients that do
// not read.
const closeFrameWait = 200 * time.Millisecond

// Paths served.
var (
	actionPrefix = []byte("/v3.2/customer/action/")
	rtmPath      = []byte("/v3.2/customer/rtm/ws")
	jsonType     = []byte("application/json")
)

// Precomputed error bodies.
var (
	errNotFound      = []byte(`{"error":{"type":"validation","message":"Not found: only /v3.2/customer/action/<action> and /v3.2/customer/rtm/ws are served"}}`)
	errUnknownAction = []byte(`{"error":{"type":"validation","message":"Unknown action"}}`)
	errMethod        = []byte(`{"error":{"type":"validation","message":"Method not allowed"}}`)
	errShuttingDown  = []byte(`{"error":{"type":"service_unavailable","message":"Server is shutting down"}}`)
)

// Server is a canned 3.2 upstream. It is safe for concurrent use.
type Server struct {
	opts     Options
	web      map[string][]byte // Web answers by action
	rtm      map[string][]byte // RTM answers by action
	getOK    map[string]bool   // Web actions also served with GET
	http     *fasthttp.Server
	upgrader websocket.FastHTTPUpgrader

	mu        sync.Mutex
	closed    bool
	listeners []net.Listener
	conns     map[*rtmConn]struct{}
	wg        sync.WaitGroup // Serve calls and RTM connections
}

// New returns a Server with all its answers precomputed.
func New(opts Options) *Server {
	if opts.PushesPerRequest < 0 {
		opts.PushesPerRequest = 0
	}
	s := &Server{
		opts:  opts,
		web:   make(map[string][]byte, len(webAnswers)),
		rtm:   make(map[string][]byte, len(webAnswers)+len(rtmOnlyAnswers)),
		getOK: getMethods,
		conns: make(map[*rtmConn]struct{}),
	}
	for action, js := range webAnswers {
		b := compact(js)
		s.web[action] = b
		s.rtm[action] = b
	}
	for action, js := range rtmOnlyAnswers {
		s.rtm[action] = compact(js)
	}
	s.upgrader = websocket.FastHTTPUpgrader{
		CheckOrigin:     func(*fasthttp.RequestCtx) bool { return true },
		ReadBufferSize:  4096,
		WriteBufferSize: 8192,
	}
	s.http = &fasthttp.Server{
		Handler:                      s.Handler,
		Name:                         "lcgate-canned",
		MaxRequestBodySize:           maxBodySize,
		DisablePreParseMultipartForm: true, // upload_file bodies are accepted unread
		NoDefaultServerHeader:        true,
		Logger:                       discardLogger{},
	}
	return s
}

// discardLogger drops fasthttp's log lines: no logging on the request path.
type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// Serve serves connections accepted on ln until Shutdown; it returns nil after Shutdown (also
// when called after Shutdown, in which case it closes ln at once).
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.listeners = append(s.listeners, ln)
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	err := s.http.Serve(ln)
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil
	}
	return err
}

// Shutdown closes the listeners and every RTM connection (with a 1001 close frame), waits for
// the Web requests in progress and for every goroutine the Server started, and returns.
func (s *Server) Shutdown() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	listeners := s.listeners
	s.listeners = nil
	// s.mu stays held while the connections are closed: a connection leaves s.conns (under
	// s.mu) before fasthttp recycles it, so none is recycled meanwhile.
	deadline := time.Now().Add(closeFrameWait)
	for c := range s.conns {
		c.closeFrame(deadline)
	}
	for c := range s.conns {
		c.close()
	}
	s.mu.Unlock()

	err := s.http.Shutdown()
	// A Serve that had not registered its listener with fasthttp yet is stopped here.
	for _, ln := range listeners {
		_ = ln.Close()
	}
	s.wg.Wait()
	// And so are the connections such a late Serve accepted meanwhile (usually a no-op).
	_ = s.http.Shutdown()
	return err
}

// Handler is the fasthttp handler of the Server, for in-memory use.
func (s *Server) Handler(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	if bytes.HasPrefix(path, actionPrefix) {
		s.serveWeb(ctx, path[len(actionPrefix):])
		return
	}
	if bytes.Equal(path, rtmPath) {
		s.serveRTM(ctx)
		return
	}
	answer(ctx, fasthttp.StatusNotFound, errNotFound)
}

// serveWeb answers a Web action with its precomputed body.
func (s *Server) serveWeb(ctx *fasthttp.RequestCtx, action []byte) {
	body, ok := s.web[string(action)]
	if !ok {
		answer(ctx, fasthttp.StatusBadRequest, errUnknownAction)
		return
	}
	if !ctx.IsPost() && !(ctx.IsGet() && s.getOK[string(action)]) {
		answer(ctx, fasthttp.StatusMethodNotAllowed, errMethod)
		return
	}
	answer(ctx, fasthttp.StatusOK, body)
}

// answer writes a JSON body without copying it (every body is immutable).
func answer(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetContentTypeBytes(jsonType)
	ctx.Response.SetBodyRaw(body)
}

// serveRTM upgrades the request to a WebSocket and runs the connection.
func (s *Server) serveRTM(ctx *fasthttp.RequestCtx) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		answer(ctx, fasthttp.StatusServiceUnavailable, errShuttingDown)
		return
	}
	// An upgrade failure has already been answered with an HTTP error.
	_ = s.upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
		c := newRTMConn(s, ws)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.closeFrame(time.Now().Add(closeFrameWait))
			return // fasthttp closes the connection
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		c.run()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	})
}

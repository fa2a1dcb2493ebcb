package proxy

import (
	"context"
	"errors"
	"fmt"
	"github.com/lcgate/lcgate/translate/jsontree"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/metrics"
	"github.com/lcgate/lcgate/routing"
	"github.com/lcgate/lcgate/translate"
	"github.com/valyala/fasthttp"
)

// Limits of the client-facing server and of the upstream Web client.
const (
	upstreamIdleTimeout = 10 * time.Second // below common upstream keep-alive timeouts
	upstreamConnWait    = 250 * time.Millisecond
)

// Server is the gateway: it accepts Customer Chat API clients and relays them to one
// upstream. Create it with New; it is safe for concurrent use. Serve may be called once
// per listener; Shutdown ends every Serve and every RTM session.
type Server struct {
	opts     Options
	log      *slog.Logger
	router   *routing.Router
	backends backends
	fixed    atomic.Pointer[fixedRoute] // the target of a table whose choice is fixed
	upgrader *websocket.Upgrader
	http     *fasthttp.Server
	sessions registry
	ready    atomic.Bool
	engine   translate.Engine
	// held bounds the client requests translated RTM sessions hold, across sessions; bodies
	// the Web request bodies being read or served (body.go).
	held   *translate.HoldBudget
	bodies *bodyBudget

	upFrames, downFrames frameCounters // RTM frames client → upstream and back
	probe                upstreamProbe

	mu        sync.Mutex     // guards listeners and closed
	listeners []net.Listener // every listener given to Serve
	closed    bool           // Shutdown has begun
}

// New checks opts and returns a Server that is not yet serving. It opens no connection:
// the upstream is dialled on the first request.
func New(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	opts = opts.withDefaults()
	table := opts.Routes
	if table == nil {
		var err error
		if table, err = singleTable(opts.Upstream, opts.UpstreamVersion); err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
	}
	jsontree.SetMaxValues(opts.MaxJSONValues)
	s := &Server{opts: opts, log: opts.Logger, router: routing.NewRouter(table),
		held: translate.NewHoldBudget(opts.MaxHeldBytes), bodies: newBodyBudget(opts.MaxBodyTotal)}
	s.watch()
	s.upgrader = newClientUpgrader(opts)
	s.http = &fasthttp.Server{
		Handler:            s.Handler,
		ErrorHandler:       s.handleParseError,
		Name:               "lcgate",
		ReadTimeout:        opts.ReadTimeout,
		WriteTimeout:       opts.ClientWriteTimeout,
		IdleTimeout:        opts.IdleTimeout,
		ReadBufferSize:     opts.MaxHeaderSize,
		MaxRequestBodySize: opts.MaxBodySize,
		// Bodies are read as they arrive, within the server's budget (body.go); multipart
		// forms are parsed from the body read so.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		HeaderReceived:               s.bodyReadTimeout,
		CloseOnShutdown:              true,
		Logger:                       fasthttpLogger{opts.Logger},
		// Upgraded connections are closed by their sessions, which run past the hijack
		// handler (see upgrade), so that fasthttp recycles the handshake's request at once.
		KeepHijackedConns: true,
	}
	return s, nil
}

// newWebClient returns the upstream client for Web requests. It never retries: a request
// that failed is answered with an error, never sent twice.
func newWebClient(up upstream, opts Options, dial fasthttp.DialFuncWithTimeout) *fasthttp.HostClient {
	return &fasthttp.HostClient{
		Addr:                      up.addr,
		IsTLS:                     up.tls,
		TLSConfig:                 opts.upstreamTLS(up),
		Name:                      "lcgate",
		NoDefaultUserAgentHeader:  true,
		MaxConns:                  opts.MaxUpstreamConns,
		MaxConnWaitTimeout:        upstreamConnWait,
		MaxIdleConnDuration:       upstreamIdleTimeout,
		ReadTimeout:               opts.UpstreamTimeout,
		WriteTimeout:              opts.UpstreamTimeout,
		MaxResponseBodySize:       opts.MaxBodySize,
		DialTimeout:               dial,
		MaxIdemponentCallAttempts: 3, // only requests that never left are sent again (retryStale)
		RetryIfErr:                retryStale,
	}
}

// Serve accepts clients on ln until Shutdown is called; it then returns nil. Shutdown
// closes ln, also when it runs before Serve: Serve then returns nil at once.
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(ln) {
		return nil
	}
	err := s.http.Serve(patientListener{Listener: ln, log: s.log})
	if s.isClosed() {
		return nil
	}
	return err
}

// track records ln for Shutdown and marks the Server ready; once Shutdown has begun it
// closes ln and reports false.
func (s *Server) track(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = ln.Close()
		return false
	}
	s.listeners = append(s.listeners, ln)
	s.ready.Store(true)
	return true
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Ready reports whether the Server is serving and not shutting down. Safe for concurrent
// use; meant for readiness probes.
func (s *Server) Ready() bool { return s.ready.Load() }

// Shutdown stops accepting clients, waits for Web requests in flight, then sends 1001
// (going away) to both legs of every RTM session and waits for the sessions to end. When
// ctx ends first, the remaining connections are cut and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.ready.Store(false)
	listeners := s.listeners
	s.mu.Unlock()
	if deadline, ok := ctx.Deadline(); ok { // cut the Web calls still waiting before it
		cut := time.AfterFunc(time.Until(deadline)-shutdownAnswerTime, s.backends.conns.cutAll)
		defer cut.Stop()
	}
	httpErr := s.http.ShutdownWithContext(ctx)
	for _, ln := range listeners { // for a Serve that had not yet reached fasthttp
		_ = ln.Close()
	}
	drainErr := s.sessions.drain(ctx)
	s.backends.closeIdle()
	return errors.Join(httpErr, drainErr)
}

// shutdownAnswerTime is how long before a shutdown's deadline the Web calls still waiting for
// the upstream are cut, so that their clients get an answer (503) before their connections
// are closed.
const shutdownAnswerTime = 250 * time.Millisecond

// Handler serves one client request. It is the fasthttp handler that Serve uses, exposed
// for in-memory listeners and embedding; it recovers from panics with a 500 reply.
func (s *Server) Handler(ctx *fasthttp.RequestCtx) {
	defer s.recoverPanic(ctx)
	t := &requestTimer{start: time.Now()}
	rt, err := parseRoute(ctx.Path())
	if err == nil && framingConflict(&ctx.Request.Header) {
		ctx.SetConnectionClose()
		err = &RequestError{Reason: "conflicting Content-Length and Transfer-Encoding"}
	}
	if err == nil && rt.kind != routeRTM && rt.kind != routeSockJS {
		var release func()
		release, err = s.readBody(ctx)
		defer release()
	}
	if err == nil {
		err = s.serve(ctx, rt, t)
	}
	if err != nil {
		s.fail(ctx, err)
	}
	if rt.kind != 0 { // a Customer Chat API path
		// Set last: the answer is complete (a relayed upstream answer replaces the
		// header), and a WebSocket handshake is written only after Handler returns.
		if v := s.answeringVersion(t); v != "" {
			ctx.Response.Header.Set(UpstreamVersionHeader, v)
		}
	}
	s.observeRequest(ctx, rt, t, err)
}

// serve is the request path: check versions, then relay or translate.
func (s *Server) serve(ctx *fasthttp.RequestCtx, rt route, t *requestTimer) error {
	if rt.kind == routeSockJSInfo {
		return s.serveSockJSInfo(ctx)
	}
	sockjs := rt.kind == routeSockJS
	if rt.kind == routeRTM || sockjs {
		return s.serveRTM(ctx, rt.version, sockjs, t)
	}
	tg, err := s.route(func() routing.Key {
		return routingKey(ctx, string(ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)))
	})
	if err != nil {
		return &UpstreamError{Op: "route", Err: err}
	}
	t.version = tg.version
	s.routed(metrics.TransportWeb, tg)
	if rt.version != tg.version {
		return s.serveTranslatedWeb(ctx, rt, t, tg)
	}
	return s.serveWeb(ctx, t, tg)
}

// answeringVersion is the upstream version an answer names: the chosen upstream's, or,
// before a choice (an RTM session routed at login, an error), the version every upstream
// of the table speaks, if they agree.
func (s *Server) answeringVersion(t *requestTimer) string {
	if t.version != "" {
		return t.version
	}
	v, _ := s.router.Table().SingleVersion()
	return v
}

// routingKey is what a request is routed by: its license_id, the customer's token and the
// region it names (X-Region).
func routingKey(ctx *fasthttp.RequestCtx, token string) routing.Key {
	return routing.KeyFrom(string(ctx.QueryArgs().Peek("license_id")), token,
		string(ctx.Request.Header.Peek(headerRegion)))
}

// fail logs err and writes the client's error reply.
func (s *Server) fail(ctx *fasthttp.RequestCtx, err error) {
	reply := ReplyFor(err)
	level := slog.LevelDebug
	if reply.Status >= fasthttp.StatusInternalServerError {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "request failed",
		"method", string(ctx.Method()), "path", string(ctx.Path()),
		"status", reply.Status, "error", loggable(err))
	writeReply(ctx, reply)
}

// loggable describes err for the log. The cause of a RequestError is left out: fasthttp's
// parse errors quote the raw request, credentials included.
func loggable(err error) string {
	var re *RequestError
	if errors.As(err, &re) {
		return "lcgate: " + re.Reason
	}
	return err.Error()
}

// fasthttpLogger receives fasthttp's own messages. Only the format is logged: the
// arguments can quote raw request bytes, credentials included.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, _ ...any) {
	l.log.Debug("fasthttp: "+format, "args", "withheld")
}

// handleParseError answers requests fasthttp could not read (too large, malformed).
func (s *Server) handleParseError(ctx *fasthttp.RequestCtx, err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() { // the read time-out, not a malformed request
		ctx.SetConnectionClose()
		s.fail(ctx, errRequestNotReceived)
		return
	}
	s.fail(ctx, &RequestError{Reason: "malformed request", Err: err})
}

func (s *Server) recoverPanic(ctx *fasthttp.RequestCtx) {
	if v := recover(); v != nil {
		if m := s.opts.Metrics; m != nil {
			m.Panics.Inc()
		}
		s.fail(ctx, fmt.Errorf("proxy: panic: %v", v))
	}
}

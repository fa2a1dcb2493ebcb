package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/lcgate/lcgate/metrics"
	"github.com/valyala/fasthttp"
)

// This file records what the gateway does into Options.Metrics. Label values are bounded:
// versions are the served ones or "none", actions pass through metrics.Action.

// watch connects the engine's and the sessions' counters to the metrics.
func (s *Server) watch() {
	m := s.opts.Metrics
	if m == nil {
		return
	}
	s.engine.OnLossy = m.CountLossy
	s.engine.OnExpand = func(action string) { m.Expansions.WithLabelValues(metrics.Action(action)).Inc() }
	m.WatchFrames(func() (up, down [4]int64) {
		u, d := s.FrameCounts()
		return [4]int64{u.In, u.Out, u.Dropped, u.Generated}, [4]int64{d.In, d.Out, d.Dropped, d.Generated}
	})
	m.WatchHeld(func() (requests, bytes int64) { return s.held.Frames(), s.held.Held() })
	m.WatchBodies(s.bodies.held.Load)
}

// requestTimer measures one Web request: its total time and the time spent upstream, and
// names the upstream version that served it ("none" before one was chosen).
type requestTimer struct {
	start    time.Time
	upstream time.Duration
	version  string
}

// upstreamVersion is the label of the upstream that served the request.
func (t *requestTimer) upstreamVersion() string {
	if t == nil || t.version == "" {
		return metrics.VersionNone
	}
	return t.version
}

// upstreamCall times one upstream call and records it.
func (s *Server) upstreamCall(t *requestTimer, call func() error) error {
	begin := time.Now()
	err := call()
	if err != nil && s.backends.conns.cut.Load() {
		err = errShutdownCut // cut by Shutdown (its drain time-out was running out)
	}
	d := time.Since(begin)
	if t != nil {
		t.upstream += d
	}
	if m := s.opts.Metrics; m != nil {
		m.ObserveUpstream(t.upstreamVersion(), d.Seconds())
	}
	return err
}

// observeRequest records a finished Web request: one log line, and the metrics. The line
// holds no token, header value, query string or body.
func (s *Server) observeRequest(ctx *fasthttp.RequestCtx, rt route, t *requestTimer, err error) {
	if rt.kind != routeWeb {
		return
	}
	total := time.Since(t.start)
	if s.log.Enabled(context.Background(), slog.LevelInfo) { // the arguments cost allocations
		s.log.Info("request", "transport", "web", "client_version", rt.version, "upstream_version", t.upstreamVersion(),
			"action", metrics.Action(rt.action), "status", ctx.Response.StatusCode(),
			"duration_ms", float64(total.Microseconds())/1000, "upstream_ms", float64(t.upstream.Microseconds())/1000)
	}
	m := s.opts.Metrics
	if m == nil {
		return
	}
	client := rt.version
	outcome := metrics.OutcomeOK
	var ue *UpstreamError
	switch status := ctx.Response.StatusCode(); {
	case errors.As(err, &ue):
		outcome = metrics.OutcomeUpstreamError
		m.UpstreamErrors.WithLabelValues(upstreamKind(ue)).Inc()
	case status >= 500 && err != nil:
		outcome = metrics.OutcomeGatewayError
	case status >= 400:
		outcome = metrics.OutcomeClientError
	}
	m.CountRequest(metrics.TransportWeb, client, t.upstreamVersion(), metrics.Action(rt.action), outcome)
	if own := total - t.upstream; own >= 0 {
		m.ObserveTranslation(client, t.upstreamVersion(), own.Seconds())
	}
}

// upstreamKind names an upstream failure for the upstream_errors_total metric.
func upstreamKind(err *UpstreamError) string {
	var netErr net.Error
	switch {
	case errors.Is(err.Err, errBadAnswer):
		return "bad_answer"
	case errors.Is(err.Err, fasthttp.ErrTimeout), errors.Is(err.Err, fasthttp.ErrDialTimeout),
		errors.As(err.Err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err.Err, fasthttp.ErrNoFreeConns):
		return "pool_full"
	case errors.Is(err.Err, fasthttp.ErrBodyTooLarge):
		return "too_large"
	}
	return "unreachable"
}

// sessionStarted counts an open RTM session of a client version on an upstream version;
// the returned function counts its end.
func (s *Server) sessionStarted(sockjs bool, client, upstream string) func() {
	m := s.opts.Metrics
	if m == nil {
		return func() {}
	}
	g := m.Sessions.WithLabelValues(transportOf(sockjs), client, upstream)
	g.Inc()
	return g.Dec
}

// transportOf names an RTM session's transport.
func transportOf(sockjs bool) string {
	if sockjs {
		return metrics.TransportSockJS
	}
	return metrics.TransportRTM
}

// routed counts one routing choice.
func (s *Server) routed(transport string, tg target) {
	if m := s.opts.Metrics; m != nil {
		m.Routed.WithLabelValues(transport, tg.name, strconv.FormatBool(tg.canary)).Inc()
	}
}

package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// headerRegion names the LiveChat region a backend client addresses ("dal", "fra").
const headerRegion = "X-Region"

// rtmForwardHeaders are the client's handshake headers the upstream handshake repeats.
// Names are in net/http's canonical form, which the websocket Dialer expects.
var rtmForwardHeaders = []string{
	"Authorization",
	"Cookie",
	"Origin",
	"User-Agent",
	headerRegion,
	"Sec-Websocket-Protocol",
}

// serveRTM relays an RTM connection. When the routing table gives every customer of the
// request the same upstream, it dials the upstream first, so that a refusal reaches the
// client as an HTTP answer before any 101, then upgrades the client and hands both legs to a
// session. When the choice depends on the customer's token, which only the login frame
// carries, the client is upgraded first and routed at login (see serveRTMAtLogin).
func (s *Server) serveRTM(ctx *fasthttp.RequestCtx, client string, sockjs bool, t *requestTimer) error {
	if !websocket.FastHTTPIsWebSocketUpgrade(ctx) {
		return &RequestError{Reason: "the RTM endpoint expects a WebSocket upgrade"}
	}
	if err := checkHandshake(ctx); err != nil { // refused before the upstream is dialled
		return &RequestError{Reason: "bad WebSocket handshake", Err: err}
	}
	if s.sessions.open.Load() >= int64(s.opts.MaxSessions) { // a soft cap: checked, then counted
		return errTooManySessions
	}
	if s.held.Available() < min(s.opts.MaxMessageSize, s.held.Max()) { // sessions already hold all they may
		return errHeldFull
	}
	table := s.router.Table()
	region := string(ctx.Request.Header.Peek(headerRegion))
	token := string(ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)) // backend clients may send it
	if token == "" && (table.SplitsCustomers() || (table.HasRegions() && region == "")) {
		s.serveRTMAtLogin(ctx, client, sockjs)
		return nil
	}
	tg, err := s.choose(routingKey(ctx, token))
	if err != nil {
		return &UpstreamError{Op: "route", Err: err}
	}
	t.version = tg.version
	s.routed(transportOf(sockjs), tg)
	upConn, resp, err := s.dialUpstream(tg, newDialRequest(ctx))
	if err != nil {
		if errors.Is(err, websocket.ErrBadHandshake) && resp != nil && resp.StatusCode >= 300 {
			s.log.Debug("upstream refused rtm handshake", "path", string(ctx.Path()), "status", resp.StatusCode)
			relayRefusal(ctx, resp)
			return nil
		}
		return &UpstreamError{Op: "dial", Err: err}
	}
	if p := upConn.Subprotocol(); p != "" {
		ctx.Response.Header.Set("Sec-WebSocket-Protocol", p) // the upgrader answers with it
	}
	h := s.newHandoff(upConn, string(ctx.Path()), client, tg)
	h.sockjs = sockjs
	s.upgrade(ctx, h.start, h.abort)
	return nil
}

// dialRequest is what the upstream handshake repeats of the client's: the query string and
// the headers of rtmForwardHeaders. It is copied out of the client's request, which fasthttp
// recycles once the handler returns.
type dialRequest struct {
	query  string
	header http.Header
}

func newDialRequest(ctx *fasthttp.RequestCtx) dialRequest {
	header := make(http.Header, len(rtmForwardHeaders))
	for _, name := range rtmForwardHeaders {
		for _, v := range ctx.Request.Header.PeekAll(name) {
			header.Add(name, string(v))
		}
	}
	return dialRequest{query: string(ctx.URI().QueryString()), header: header}
}

// dialUpstream opens the upstream leg at the RTM path of the target's version. The returned
// response, if any, has a body of at most 1 KiB.
func (s *Server) dialUpstream(tg target, r dialRequest) (*websocket.Conn, *http.Response, error) {
	url := tg.b.up.wsBase + "/v" + tg.version + rtmInfix // the upstream's version
	if r.query != "" {
		url += "?" + r.query
	}
	dialCtx, cancel := context.WithTimeout(context.Background(), s.opts.HandshakeTimeout)
	defer cancel()
	return tg.b.dialer.DialContext(dialCtx, url, r.header)
}

// relayRefusal answers the client with the upstream's refusal of the handshake.
func relayRefusal(ctx *fasthttp.RequestCtx, resp *http.Response) {
	body, _ := io.ReadAll(resp.Body) // already buffered by the dialer, at most 1 KiB
	ctx.SetStatusCode(resp.StatusCode)
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		ctx.SetContentType(ct)
	}
	ctx.SetBody(body)
}

// handoff owns the upstream leg between the dial and the start of the session: start runs
// once the 101 reached the client, abort when it could not be written; should fasthttp never
// hand the connection over, a timer closes the upstream leg. Exactly one of start, abort and
// the timer ends it.
type handoff struct {
	srv      *Server
	upstream *websocket.Conn
	path     string // for logs only
	client   string // the client's version
	target   target
	sockjs   bool // the client leg speaks SockJS's websocket transport
	timer    *time.Timer
}

func (s *Server) newHandoff(upConn *websocket.Conn, path, client string, tg target) *handoff {
	h := &handoff{srv: s, upstream: upConn, path: path, client: client, target: tg}
	s.sessions.begin()
	h.timer = time.AfterFunc(s.opts.HandshakeTimeout, func() {
		_ = upConn.Close()
		s.sessions.end(nil)
	})
	return h
}

// start starts the session on the upgraded client connection (see upgrade).
func (h *handoff) start(client *websocket.Conn) {
	if !h.timer.Stop() { // the timer already closed the upstream leg
		_ = client.Close()
		return
	}
	h.srv.startSession(newSession(client, h.upstream, h.srv.opts), sessionInfo{
		path: h.path, client: h.client, target: h.target, sockjs: h.sockjs})
}

// sessionInfo describes a session for startSession.
type sessionInfo struct {
	path   string // for logs only
	client string // the client's version
	target target
	sockjs bool
}

// startSession starts a session counted by sessions.begin; it is counted until both legs
// are closed.
func (s *Server) startSession(sess *session, info sessionInfo) {
	sess.up, sess.down = &s.upFrames, &s.downFrames
	sess.sockjs = info.sockjs
	if info.client != info.target.version {
		sess.tr = s.newRTMTranslator(sess, info.client, info.target.version)
	}
	s.sessions.attach(sess)
	stopped := s.sessionStarted(info.sockjs, info.client, info.target.version)
	s.log.Debug("rtm session started", "path", info.path)
	began := time.Now()
	sess.start(func() {
		s.log.Info("rtm session ended", "transport", transportOf(info.sockjs), "client_version", info.client,
			"upstream", info.target.name, "upstream_version", info.target.version,
			"duration_ms", time.Since(began).Milliseconds())
		stopped()
		s.sessions.end(sess)
	})
}

// abort closes the upstream leg after a failed client upgrade or 101.
func (h *handoff) abort() {
	if h.timer.Stop() {
		_ = h.upstream.Close()
		h.srv.sessions.end(nil)
	}
}

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

// rtmForwardHeaders are the client's handshake headers the upstream handshake repeats.
// Names are in net/http's canonical form, which the websocket Dialer expects.
var rtmForwardHeaders = []string{
	"Authorization",
	"Cookie",
	"Origin",
	"User-Agent",
	"X-Region",
	"Sec-Websocket-Protocol",
}

// serveRTM relays an RTM connection: dial the upstream first, so that a refusal reaches
// the client as an HTTP answer before any 101, then upgrade the client and hand both legs
// to a session.
func (s *Server) serveRTM(ctx *fasthttp.RequestCtx, client string, sockjs bool) error {
	if !websocket.FastHTTPIsWebSocketUpgrade(ctx) {
		return &RequestError{Reason: "the RTM endpoint expects a WebSocket upgrade"}
	}
	if s.sessions.open.Load() >= int64(s.opts.MaxSessions) { // a soft cap: checked, then counted
		return errTooManySessions
	}
	upConn, resp, err := s.dialUpstream(ctx)
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
	h := s.newHandoff(upConn, string(ctx.Path()), client)
	h.sockjs = sockjs
	if err := s.upgrader.Upgrade(ctx, h.start); err != nil {
		h.abort()
		return &RequestError{Reason: "bad WebSocket handshake", Err: err}
	}
	return nil
}

// dialUpstream opens the upstream leg at the same path and query string, repeating the
// headers of rtmForwardHeaders. The returned response, if any, has a body of at most 1 KiB.
func (s *Server) dialUpstream(ctx *fasthttp.RequestCtx) (*websocket.Conn, *http.Response, error) {
	target := s.up.wsBase + "/v" + s.opts.UpstreamVersion + rtmInfix // the upstream's version
	if q := ctx.URI().QueryString(); len(q) > 0 {
		target += "?" + string(q)
	}
	header := make(http.Header, len(rtmForwardHeaders))
	for _, name := range rtmForwardHeaders {
		for _, v := range ctx.Request.Header.PeekAll(name) {
			header.Add(name, string(v))
		}
	}
	dialCtx, cancel := context.WithTimeout(context.Background(), s.opts.HandshakeTimeout)
	defer cancel()
	return s.dialer.DialContext(dialCtx, target, header)
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

// handoff owns the upstream leg between the dial and the start of the session. fasthttp
// runs the hijack handler only once the 101 reached the client; if that never happens, a
// timer closes the upstream leg. Exactly one of start, abort and the timer ends it.
type handoff struct {
	srv      *Server
	upstream *websocket.Conn
	path     string // for logs only
	client   string // the client's version
	sockjs   bool   // the client leg speaks SockJS's websocket transport
	timer    *time.Timer
}

func (s *Server) newHandoff(upConn *websocket.Conn, path, client string) *handoff {
	h := &handoff{srv: s, upstream: upConn, path: path, client: client}
	s.sessions.begin()
	h.timer = time.AfterFunc(s.opts.HandshakeTimeout, func() {
		_ = upConn.Close()
		s.sessions.end(nil)
	})
	return h
}

// start runs the session on the upgraded client connection; it is the hijack handler and
// returns when both legs are closed.
func (h *handoff) start(client *websocket.Conn) {
	if !h.timer.Stop() { // the timer already closed the upstream leg
		_ = client.Close()
		return
	}
	sess := newSession(client, h.upstream, h.srv.opts)
	sess.up, sess.down = &h.srv.upFrames, &h.srv.downFrames
	sess.sockjs = h.sockjs
	if h.client != h.srv.opts.UpstreamVersion {
		sess.tr = h.srv.newRTMTranslator(sess, h.client)
	}
	h.srv.sessions.attach(sess)
	defer h.srv.sessions.end(sess)
	defer h.srv.sessionStarted(h.sockjs)()
	h.srv.log.Debug("rtm session started", "path", h.path)
	began := time.Now()
	sess.run()
	transport := "rtm"
	if h.sockjs {
		transport = "sockjs"
	}
	h.srv.log.Info("rtm session ended", "transport", transport, "client_version", h.client,
		"upstream_version", h.srv.opts.UpstreamVersion, "duration_ms", time.Since(began).Milliseconds())
}

// abort closes the upstream leg after a failed client upgrade.
func (h *handoff) abort() {
	if h.timer.Stop() {
		_ = h.upstream.Close()
		h.srv.sessions.end(nil)
	}
}

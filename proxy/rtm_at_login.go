package proxy

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/routing"
	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// maxEarlyMessages bounds the client messages held while an RTM session waits for its login
// to be routed (pings a client may send first).
const maxEarlyMessages = 16

// earlyMessage is a client message read before the upstream leg existed.
type earlyMessage struct {
	kind int
	msg  []byte
}

// serveRTMAtLogin upgrades the client at once and routes the session when its login arrives:
// the routing table splits customers (a canary) or regions, and only the login frame carries
// the customer's token and its region prefix. The client must log in within
// HandshakeTimeout; the messages before the login are held and sent upstream first, in order.
// The handshake cannot name the upstream version; when the upstream cannot be reached, the
// login gets an error answer in the client's version and the connection closes with 1011.
func (s *Server) serveRTMAtLogin(ctx *fasthttp.RequestCtx, client string, sockjs bool) {
	dial := newDialRequest(ctx)
	license := string(ctx.QueryArgs().Peek("license_id"))
	region := string(ctx.Request.Header.Peek(headerRegion))
	path := string(ctx.Path())
	s.sessions.begin()
	s.upgrade(ctx, func(conn *websocket.Conn) {
		s.routeAtLogin(conn, loginRoute{dial: dial, license: license, region: region, path: path, client: client, sockjs: sockjs})
	}, func() { s.sessions.end(nil) })
}

// loginRoute is what routeAtLogin needs of the client's handshake.
type loginRoute struct {
	dial            dialRequest
	license, region string
	path, client    string
	sockjs          bool
}

// routeAtLogin reads the client's messages up to its login, chooses the upstream, dials it
// and starts the session on the upgraded connection (see upgrade).
func (s *Server) routeAtLogin(conn *websocket.Conn, r loginRoute) {
	conn.SetReadLimit(s.opts.MaxMessageSize)
	_ = conn.SetReadDeadline(time.Now().Add(s.opts.HandshakeTimeout))
	if r.sockjs {
		_ = conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
		if conn.WriteMessage(websocket.TextMessage, []byte("o")) != nil {
			s.sessions.end(nil)
			_ = conn.Close()
			return
		}
	}
	early, login := readUntilLogin(conn, r.sockjs)
	if early == nil { // the client left, sent too much or too little in time
		s.sessions.end(nil)
		_ = conn.Close()
		return
	}
	tg, err := s.choose(routing.KeyFrom(r.license, gjson.GetBytes(login, "payload.token").String(), r.region))
	var upConn *websocket.Conn
	var resp *http.Response
	if err == nil {
		s.routed(transportOf(r.sockjs), tg)
		upConn, resp, err = s.dialUpstream(tg, r.dial)
	}
	if err != nil {
		s.refuseLogin(conn, r, login, resp, err)
		s.sessions.end(nil)
		_ = conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	sess := newSession(conn, upConn, s.opts)
	sess.early, sess.opened = early, r.sockjs
	s.startSession(sess, sessionInfo{path: r.path, client: r.client, target: tg, sockjs: r.sockjs})
}

// readUntilLogin reads client messages until one carries a frame other than a ping (the
// login, normally), and returns them all with that frame. It returns nil when the client
// closes, stays silent past the read deadline or sends maxEarlyMessages without one.
func readUntilLogin(conn *websocket.Conn, sockjs bool) ([]earlyMessage, []byte) {
	var early []earlyMessage
	for len(early) < maxEarlyMessages {
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			return nil, nil
		}
		early = append(early, earlyMessage{kind, msg})
		if kind != websocket.TextMessage {
			continue
		}
		frames := [][]byte{msg}
		if sockjs {
			frames, _ = sockJSFrames(msg)
		}
		for _, f := range frames {
			if a := gjson.GetBytes(f, "action"); a.String() != "ping" {
				return early, f // a login, or a frame the upstream will refuse in its own words
			}
		}
	}
	return nil, nil
}

// refuseLogin answers the login with the upstream's refusal, or an error of lcgate's own,
// in the client's version, then closes the connection with 1011.
func (s *Server) refuseLogin(conn *websocket.Conn, r loginRoute, login []byte, resp *http.Response, err error) {
	s.log.Warn("rtm session not routed", "path", r.path, "error", loggable(err))
	ae := &versions.APIError{Type: TypeInternal, Message: "lcgate: the upstream could not be reached"}
	if errors.Is(err, websocket.ErrBadHandshake) && resp != nil {
		body, _ := io.ReadAll(resp.Body)
		if e, ok := translate.ParseError(resp.StatusCode, body); ok {
			ae = e
		}
	}
	rid := gjson.GetBytes(login, "request_id")
	frame := translate.ErrorFrame(nil, rid.String(), rid.Exists(), gjson.GetBytes(login, "action").String(), ae)
	if r.sockjs {
		frame = sockJSArray([][]byte{frame})
	}
	_ = conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
	_ = conn.WriteMessage(websocket.TextMessage, frame)
	closing := websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "upstream unavailable")
	if r.sockjs {
		_ = conn.WriteMessage(websocket.TextMessage, sockJSClose(websocket.CloseInternalServerErr, "upstream unavailable"))
		closing = websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	}
	_ = conn.WriteControl(websocket.CloseMessage, closing, time.Now().Add(s.opts.WriteTimeout))
}

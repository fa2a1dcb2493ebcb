package proxy

import (
	"errors"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

// goingAway is the close frame every leg gets when the gateway shuts down.
var goingAway = websocket.FormatCloseMessage(websocket.CloseGoingAway, "lcgate shutting down")

// session relays one RTM connection between its client leg and its upstream leg, with
// one goroutine per direction. Each leg has one writer: the relay reading the other leg.
// Control frames (ping, pong, close) are forwarded with WriteControl, which is safe
// concurrently with that writer.
type session struct {
	client, upstream *websocket.Conn
	writeTimeout     time.Duration
	closeGrace       time.Duration

	// tr, when set, translates every text frame between the client's version and the
	// upstream's; writes to a leg then come from more than one goroutine, so each leg's data
	// frames are written under its own lock.
	tr                 frameTranslator
	clientW, upstreamW sync.Mutex

	// mu orders goAway and kill (called by Shutdown) before the end of run: once ended is
	// set, fasthttp may recycle the client connection, so neither leg may be touched.
	mu    sync.Mutex
	ended bool
}

func newSession(client, upstream *websocket.Conn, opts Options) *session {
	s := &session{client: client, upstream: upstream,
		writeTimeout: opts.WriteTimeout, closeGrace: opts.CloseGrace}
	s.wire(client, upstream, opts.MaxMessageSize)
	s.wire(upstream, client, opts.MaxMessageSize)
	return s
}

// wire makes src's control frames travel to dst instead of being answered locally, so
// that keep-alive pings reach the upstream and close frames reach the other side.
func (s *session) wire(src, dst *websocket.Conn, limit int64) {
	src.SetReadLimit(limit)
	src.SetCloseHandler(func(int, string) error { return nil }) // the relay forwards it
	src.SetPingHandler(func(data string) error {
		s.control(dst, websocket.PingMessage, []byte(data))
		return nil
	})
	src.SetPongHandler(func(data string) error {
		s.control(dst, websocket.PongMessage, []byte(data))
		return nil
	})
}

// frameTranslator rewrites text frames of a session between two versions. fromClient
// returns the frame for the upstream and/or an answer for the client (nil: none);
// fromUpstream returns the frames for the client, in order (none: dropped). stop is called
// once both relays have ended, and must return only when the translator's own goroutines
// have.
type frameTranslator interface {
	fromClient(msg []byte) (toUpstream, toClient []byte)
	fromUpstream(msg []byte) (toClient [][]byte)
	stop()
}

// writeData writes a data frame to a leg under the leg's lock.
func (s *session) writeData(dst *websocket.Conn, kind int, msg []byte) error {
	mu := &s.upstreamW
	if dst == s.client {
		mu = &s.clientW
	}
	mu.Lock()
	defer mu.Unlock()
	_ = dst.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	return dst.WriteMessage(kind, msg)
}

// run relays until both directions have ended, then closes both legs.
func (s *session) run() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.relay(s.upstream, s.client, websocket.CloseInternalServerErr)
	}()
	s.relay(s.client, s.upstream, websocket.CloseGoingAway)
	<-done
	if s.tr != nil {
		s.tr.stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	_ = s.client.Close()
	_ = s.upstream.Close()
}

// relay copies messages from src to dst in order. When src ends it sends dst the close
// frame src sent, or lostCode when src vanished without one. Either way it then bounds
// how long the opposite relay waits for dst's answer to the close.
func (s *session) relay(src, dst *websocket.Conn, lostCode int) {
	defer func() { _ = dst.SetReadDeadline(time.Now().Add(s.closeGrace)) }()
	for {
		kind, msg, err := src.ReadMessage()
		if err != nil {
			code, text := closeFor(err, lostCode)
			s.control(dst, websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
			return
		}
		if s.tr != nil && kind == websocket.TextMessage && src == s.upstream {
			for _, out := range s.tr.fromUpstream(msg) {
				if err := s.writeData(dst, kind, out); err != nil {
					return
				}
			}
			continue
		}
		if s.tr != nil && kind == websocket.TextMessage {
			var back []byte
			msg, back = s.tr.fromClient(msg)
			if back != nil {
				_ = s.writeData(src, websocket.TextMessage, back)
			}
			if msg == nil {
				continue
			}
		}
		if err := s.writeData(dst, kind, msg); err != nil {
			return
		}
	}
}

// control writes a control frame to c. Errors are dropped: a broken leg ends its relays.
func (s *session) control(c *websocket.Conn, kind int, data []byte) {
	_ = c.WriteControl(kind, data, time.Now().Add(s.writeTimeout))
}

// goAway sends 1001 to both legs and bounds the closing handshake. Safe concurrently
// with run; it does nothing once run has ended.
func (s *session) goAway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.control(s.client, websocket.CloseMessage, goingAway)
	s.control(s.upstream, websocket.CloseMessage, goingAway)
	grace := time.Now().Add(s.closeGrace)
	_ = s.client.SetReadDeadline(grace)
	_ = s.upstream.SetReadDeadline(grace)
}

// kill cuts both legs at once. Safe concurrently with run; it does nothing once run has
// ended.
func (s *session) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	_ = s.client.Close()
	_ = s.upstream.Close()
}

// closeFor picks the close frame to forward when a read from one leg ended with err: the
// leg's own close code and text, or lostCode when the leg sent no close frame (1006) or
// one that may not be repeated (1015). 1005 (a close frame without code) is repeated as a
// close frame without code.
func closeFor(err error, lostCode int) (code int, text string) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return lostCode, ""
	}
	switch ce.Code {
	case websocket.CloseAbnormalClosure, websocket.CloseTLSHandshake:
		return lostCode, ""
	}
	return ce.Code, ce.Text
}

package proxy

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// goingAway is the close frame every leg gets when the gateway shuts down.
var goingAway = websocket.FormatCloseMessage(websocket.CloseGoingAway, "lcgate shutting down")

// session relays one RTM connection between its client leg and its upstream leg, with
// one goroutine per direction and none besides (see start). Each leg has one writer: the
// relay reading the other leg. Control frames (ping, pong, close) are forwarded with WriteControl, which is safe
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
	// batch is the client leg's connection when it gathers a burst of frames into one write
	// (batch_conn.go); nil otherwise.
	batch *batchConn
	// sockjs frames the client leg with SockJS's websocket transport: "o" on open, "h"
	// heartbeats, server frames in a["…"] arrays, the close as c[code,"reason"].
	sockjs bool
	// up and down count data frames per direction (never nil once the session runs).
	up, down *frameCounters
	// early holds client messages read before the session began (while its login was
	// routed): they go upstream first. opened says the SockJS "o" was already sent.
	early  []earlyMessage
	opened bool

	// idle closes a leg that sent nothing (data or control) for that long; 0: never.
	// deadlineMu orders the idle deadlines against the closing ones: once closing is set,
	// a leg's read deadline is the close grace and is no longer pushed back.
	idle       time.Duration
	deadlineMu sync.Mutex
	closing    bool

	// mu orders goAway and kill (called by Shutdown) before the end of run: once ended is
	// set, both legs are closed and neither may be touched.
	mu    sync.Mutex
	ended bool

	// dirs are the two relays (upstream to client, client to upstream); relaying counts
	// those still running; done closes when the upstream's ends (it stops the SockJS
	// heartbeats, counted by heartbeat); onEnd is called once the session has ended.
	dirs      [2]relayDir
	relaying  atomic.Int32
	done      chan struct{}
	heartbeat sync.WaitGroup
	onEnd     func()
}

func newSession(client, upstream *websocket.Conn, opts Options) *session {
	s := &session{client: client, upstream: upstream,
		writeTimeout: opts.WriteTimeout, closeGrace: opts.CloseGrace, idle: opts.RTMIdleTimeout,
		up: &frameCounters{}, down: &frameCounters{}}
	s.wire(client, upstream, opts.MaxMessageSize)
	s.wire(upstream, client, opts.MaxMessageSize)
	s.batch, _ = client.NetConn().(*batchConn)
	return s
}

// wire makes src's control frames travel to dst instead of being answered locally, so
// that keep-alive pings reach the upstream and close frames reach the other side.
func (s *session) wire(src, dst *websocket.Conn, limit int64) {
	src.SetReadLimit(limit)
	src.SetCloseHandler(func(int, string) error { return nil }) // the relay forwards it
	src.SetPingHandler(func(data string) error {
		s.keepAlive(src)
		s.control(dst, websocket.PingMessage, []byte(data))
		return nil
	})
	src.SetPongHandler(func(data string) error {
		s.keepAlive(src)
		s.control(dst, websocket.PongMessage, []byte(data))
		return nil
	})
}

// frameTranslator rewrites text frames of a session between two versions. fromClient
// returns the frame for the upstream and/or an answer for the client (nil: none), or says
// it queued the frame (the translator then writes it, or counts it dropped, itself); it may
// wait while the session holds as much as it may (backpressure on the client).
// fromUpstream returns the frames for the client, in order (none: dropped). upstreamGone is
// called when the upstream's relay ends (work queued for it is abandoned). stop is called
// once both relays have ended, and must return only when the translator's own goroutines
// have.
type frameTranslator interface {
	fromClient(msg []byte) (toUpstream, toClient []byte, queued bool)
	fromUpstream(msg []byte) (toClient [][]byte)
	upstreamGone()
	stop()
}

// writeData writes a data frame to a leg under the leg's lock, in one write.
func (s *session) writeData(dst *websocket.Conn, kind int, msg []byte) error {
	if dst == s.client {
		_, err := s.writeClient(kind, msg)
		return err
	}
	s.upstreamW.Lock()
	defer s.upstreamW.Unlock()
	_ = dst.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	return dst.WriteMessage(kind, msg)
}

// writeClient writes data frames to the client under its lock, in one write when the leg
// gathers bursts; it returns how many were written (all or, on an error, those before it).
func (s *session) writeClient(kind int, msgs ...[]byte) (int, error) {
	s.clientW.Lock()
	defer s.clientW.Unlock()
	_ = s.client.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	if s.batch == nil {
		for i, m := range msgs {
			if err := s.client.WriteMessage(kind, m); err != nil {
				return i, err
			}
		}
		return len(msgs), nil
	}
	s.batch.begin()
	for _, m := range msgs {
		if err := s.client.WriteMessage(kind, m); err != nil {
			_ = s.batch.end()
			return 0, err
		}
	}
	if err := s.batch.end(); err != nil {
		return 0, err
	}
	return len(msgs), nil
}

// start relays both directions, each on a goroutine of its own, and returns once the
// client messages read before the session began have gone upstream. When both relays have
// ended, the one that ended last closes both legs and calls ended.
func (s *session) start(ended func()) {
	s.onEnd = ended
	s.done = make(chan struct{})
	if s.sockjs {
		s.sockJSOpen(s.done, &s.heartbeat)
	}
	s.relaying.Store(2)
	s.dirs[0] = relayDir{s: s, src: s.upstream, dst: s.client, lostCode: websocket.CloseInternalServerErr}
	s.dirs[1] = relayDir{s: s, src: s.client, dst: s.upstream, lostCode: websocket.CloseGoingAway}
	go s.dirs[0].relay()
	if !s.sendEarly() {
		s.control(s.upstream, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
		s.graceFor(s.upstream)
		s.relayEnded()
		return
	}
	go s.dirs[1].relay()
}

// relayEnded is called by each relay as it ends; the last one ends the session: once the
// SockJS heartbeats and the translator's own goroutines have stopped, it closes both legs
// and calls onEnd.
func (s *session) relayEnded() {
	if s.relaying.Add(-1) != 0 {
		return
	}
	s.heartbeat.Wait()
	if s.tr != nil {
		s.tr.stop()
	}
	s.mu.Lock()
	s.ended = true
	_ = s.client.Close()
	_ = s.upstream.Close()
	s.mu.Unlock()
	s.onEnd()
}

// sendEarly sends the client messages read before the session began, in order, as relay
// would have; false means the upstream leg failed.
func (s *session) sendEarly() bool {
	for _, m := range s.early {
		if m.kind != websocket.TextMessage || (s.tr == nil && !s.sockjs) {
			s.up.in.Add(1)
			if s.writeData(s.upstream, m.kind, m.msg) != nil {
				s.up.dropped.Add(1)
				return false
			}
			s.up.out.Add(1)
			continue
		}
		if s.fromClient(m.msg) != nil {
			return false
		}
	}
	s.early = nil
	return true
}

// relayDir is one direction of a session: messages read from src go on towards dst.
type relayDir struct {
	s        *session
	src, dst *websocket.Conn
	lostCode int // the close code dst gets when src vanishes without a close frame
}

// relay copies messages from src to dst in order, through the translator and the SockJS
// framing when the session has them, until src ends (see pass); it then bounds how long the
// opposite relay waits for dst's answer to the close, and tells the session it ended.
//
// relay is its goroutine's first function and waits for src in NextReader with nothing
// but the message loop on its frame: an idle leg's goroutine then stands in a few hundred
// bytes of stack, which lets the runtime shrink the stack a translation grew back to 4 KiB
// (it shrinks a stack when under a quarter of it is in use). The work on each message is
// in pass.
func (d *relayDir) relay() {
	d.s.keepAlive(d.src)
	for d.pass(d.src.NextReader()) {
		d.s.keepAlive(d.src)
	}
	d.s.graceFor(d.dst)
	if d.src == d.s.upstream {
		close(d.s.done)
		if d.s.tr != nil {
			d.s.tr.upstreamGone() // unblocks a client relay waiting for room
		}
	}
	d.s.relayEnded()
}

// pass handles what one NextReader call on src gave and reports whether the relay goes on.
// A message is read whole into a pooled buffer and forwarded. When src has ended, dst gets
// the close frame src sent, or lostCode when src vanished without one.
func (d *relayDir) pass(kind int, r io.Reader, err error) bool {
	s := d.s
	var buf *frameBuffer
	if err == nil {
		buf, err = readMessage(r)
	}
	if err != nil {
		code, text := closeFor(err, d.lostCode)
		if s.sockjs && d.dst == s.client {
			_ = s.writeData(d.dst, websocket.TextMessage, sockJSClose(code, text))
			code, text = websocket.CloseNormalClosure, ""
		}
		s.control(d.dst, websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
		return false
	}
	ok := s.forward(d.src, d.dst, kind, buf.data)
	buf.release() // every frame made of it has been written
	return ok
}

// forward passes one message read from src on towards dst (translated, framed, or as it
// is) and reports whether the relay goes on. Everything it writes is written before it
// returns: msg is reused afterwards.
func (s *session) forward(src, dst *websocket.Conn, kind int, msg []byte) bool {
	if kind == websocket.BinaryMessage && s.tr != nil {
		return s.refuseBinary(src)
	}
	if kind != websocket.TextMessage || (s.tr == nil && !s.sockjs) {
		c := s.counters(dst)
		c.in.Add(1)
		if err := s.writeData(dst, kind, msg); err != nil {
			c.dropped.Add(1)
			return false
		}
		c.out.Add(1)
		return true
	}
	if src == s.client {
		return s.fromClient(msg) == nil
	}
	s.down.in.Add(1)
	frames := s.fromUpstream(msg)
	switch n := int64(len(frames)); {
	case n == 0:
		s.down.dropped.Add(1)
	case n > 1:
		s.down.generated.Add(n - 1)
	}
	return s.toClient(frames) == nil
}

// refuseBinary handles a binary frame on a translated session, which cannot be translated
// (RTM frames are JSON text) and so is never forwarded. The upstream's is dropped, and the
// relay goes on (true). The client's ends its session as the API ends one: close 1003 to the
// client, 1001 to the upstream (false: the relay stops).
func (s *session) refuseBinary(src *websocket.Conn) bool {
	if src == s.upstream {
		s.down.in.Add(1)
		s.down.dropped.Add(1)
		return true
	}
	s.up.in.Add(1)
	s.up.dropped.Add(1)
	s.control(s.client, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseUnsupportedData, "lcgate: RTM frames are JSON text frames"))
	s.control(s.upstream, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
	return false
}

// fromUpstream is what the client gets for one upstream frame.
func (s *session) fromUpstream(msg []byte) [][]byte {
	if s.tr == nil {
		return [][]byte{msg}
	}
	return s.tr.fromUpstream(msg)
}

// counters are the counters of the direction towards dst.
func (s *session) counters(dst *websocket.Conn) *frameCounters {
	if dst == s.client {
		return s.down
	}
	return s.up
}

// toClient writes frames to the client: one text message each, or one SockJS array.
func (s *session) toClient(frames [][]byte) error {
	if len(frames) == 0 {
		return nil
	}
	if s.sockjs {
		if err := s.writeData(s.client, websocket.TextMessage, sockJSArray(frames)); err != nil {
			s.down.dropped.Add(int64(len(frames)))
			return err
		}
		s.down.out.Add(int64(len(frames)))
		return nil
	}
	n, err := s.writeClient(websocket.TextMessage, frames...)
	s.down.out.Add(int64(n))
	s.down.dropped.Add(int64(len(frames) - n))
	return err
}

// fromClient forwards one client text message: the frames it carries (several in a SockJS
// array), each translated, with any answer the translator gives the client at once.
func (s *session) fromClient(msg []byte) error {
	frames := [][]byte{msg}
	if s.sockjs {
		var ok bool
		if frames, ok = sockJSFrames(msg); !ok {
			return nil // not SockJS framing: nothing to forward (SockJS servers ignore it)
		}
	}
	for _, f := range frames {
		s.up.in.Add(1)
		out, back, queued := f, []byte(nil), false
		if s.tr != nil {
			out, back, queued = s.tr.fromClient(f)
		}
		if queued {
			continue
		}
		if back != nil { // the gateway's own answer to the client
			s.down.generated.Add(1)
			_ = s.toClient([][]byte{back})
		}
		if out == nil {
			s.up.dropped.Add(1)
			continue
		}
		if err := s.writeData(s.upstream, websocket.TextMessage, out); err != nil {
			s.up.dropped.Add(1)
			return err
		}
		s.up.out.Add(1)
	}
	return nil
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
	s.graceFor(s.client)
	s.graceFor(s.upstream)
}

// abort ends the session after a write failed on the translator's own goroutine (the client
// stopped reading, or a leg broke): the upstream gets 1001, and the client's connection is
// closed, which ends both relays. Safe concurrently with run; it does nothing once run has
// ended.
func (s *session) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.control(s.upstream, websocket.CloseMessage, goingAway)
	s.graceFor(s.upstream)
	_ = s.client.Close()
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

// keepAlive pushes a leg's idle deadline back, unless the session is closing.
func (s *session) keepAlive(c *websocket.Conn) {
	if s.idle <= 0 {
		return
	}
	s.deadlineMu.Lock()
	defer s.deadlineMu.Unlock()
	if !s.closing {
		_ = c.SetReadDeadline(time.Now().Add(s.idle))
	}
}

// graceFor bounds how long a leg may take to answer the close: from now on its read
// deadline is the close grace.
func (s *session) graceFor(c *websocket.Conn) {
	s.deadlineMu.Lock()
	defer s.deadlineMu.Unlock()
	s.closing = true
	_ = c.SetReadDeadline(time.Now().Add(s.closeGrace))
}

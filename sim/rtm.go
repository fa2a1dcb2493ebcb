package sim

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// outQueueSize bounds the frames waiting for a slow RTM client; a client that falls further
// behind is disconnected.
const outQueueSize = 1024

// closeGrace is how long the server waits for the client to answer its close frame before it
// stops reading (and so ends the connection) anyway.
const closeGrace = time.Second

// rtmConn is one customer RTM connection. Frames to the client are queued on out and written
// by one writer goroutine; requests are answered in order by one worker goroutine.
type rtmConn struct {
	srv      *Server
	ws       *websocket.Conn
	v        version
	license  int
	cust     *customer // set by login; guarded by the store lock
	out      chan outFrame
	closed   bool // guarded by the store lock
	loggedIn atomic.Bool
	pending  atomic.Int32
	ending   atomic.Bool // the writer has stopped: the reader must stop too (see endRead)
}

// outFrame is a text frame to write, or (closeCode > 0) the close frame that ends the writer.
type outFrame struct {
	data      []byte
	closeCode int
	reason    string
}

// rtmRequest is a decoded request frame.
type rtmRequest struct {
	requestID string
	action    string
	payload   []byte
}

// serveRTM upgrades the request and runs the connection until it ends.
func (s *Server) serveRTM(ctx *fasthttp.RequestCtx, v version) {
	license, lerr := s.checkLicense(ctx.QueryArgs().Peek("license_id"))
	if lerr != nil && lerr.typ != "license_not_found" {
		writeWebError(ctx, v, lerr)
		return
	}
	err := s.upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
		s.conns.Add(1)
		defer s.conns.Done()
		c := &rtmConn{srv: s, ws: ws, v: v, license: license, out: make(chan outFrame, outQueueSize)}
		s.st.mu.Lock()
		s.st.anon[c] = c
		if lerr != nil {
			c.disconnectLocked("license_not_found", nil)
		}
		s.st.mu.Unlock()
		c.run()
	})
	if err != nil {
		s.log.Debug("sim: websocket upgrade failed", "err", err)
	}
}

// run starts the writer and worker and reads frames until the connection ends.
func (c *rtmConn) run() {
	var wg sync.WaitGroup
	work := make(chan rtmRequest, 4*MaxPendingRequests)
	wg.Add(2)
	go func() { defer wg.Done(); c.writeLoop() }()
	go func() { defer wg.Done(); c.workLoop(work) }()
	c.readLoop(work)
	close(work)
	c.srv.st.mu.Lock()
	c.detachLocked()
	c.closeLocked(0, "")
	c.srv.st.mu.Unlock()
	wg.Wait()
	_ = c.ws.Close()
}

// readLoop reads frames, enforcing the login and idle timeouts and the pending limit.
func (c *rtmConn) readLoop(work chan<- rtmRequest) {
	opts := c.srv.opts
	loginDeadline := time.Now().Add(opts.LoginTimeout)
	c.ws.SetReadLimit(maxFrameSize)
	c.ws.SetPingHandler(func(data string) error {
		if c.loggedIn.Load() && !c.ending.Load() {
			_ = c.ws.SetReadDeadline(time.Now().Add(opts.IdleTimeout))
		}
		c.send(outFrame{data: []byte(data), closeCode: -1})
		return nil
	})
	for {
		if c.loggedIn.Load() {
			_ = c.ws.SetReadDeadline(time.Now().Add(opts.IdleTimeout))
		} else {
			_ = c.ws.SetReadDeadline(loginDeadline)
			if c.loggedIn.Load() { // logged in meanwhile: keep the idle clock the login started
				_ = c.ws.SetReadDeadline(time.Now().Add(opts.IdleTimeout))
			}
		}
		if c.ending.Load() { // checked after setting the deadline, which must not undo endRead's
			return
		}
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				c.srv.st.mu.Lock()
				c.disconnectLocked("connection_timeout", nil)
				c.srv.st.mu.Unlock()
			}
			return
		}
		if kind != websocket.TextMessage {
			c.send(outFrame{closeCode: websocket.CloseUnsupportedData, reason: "text frames only"})
			return
		}
		req, perr := decodeRequest(data)
		if perr != nil {
			c.send(outFrame{data: responseFrame(req, nil, perr)})
			continue
		}
		if c.v != v30 && c.pending.Load() >= MaxPendingRequests {
			c.send(outFrame{data: responseFrame(req, nil, errorf("pending_requests_limit_reached", "Requests limit reached"))})
			continue
		}
		c.pending.Add(1)
		select {
		case work <- req:
		default: // only 3.0 can get here: it has no documented limit, so the queue bound applies
			c.pending.Add(-1)
			c.send(outFrame{data: responseFrame(req, nil, errorf("internal", "Too many pending requests"))})
		}
	}
}

// decodeRequest reads a request frame {"request_id"?, "action", "payload"?}.
func decodeRequest(data []byte) (rtmRequest, *apiError) {
	var req rtmRequest
	if !gjson.ValidBytes(data) {
		return req, validationf("Wrong format of request: frame is not valid JSON")
	}
	doc := gjson.ParseBytes(data)
	if !doc.IsObject() {
		return req, validationf("Wrong format of request: frame must be an object")
	}
	if rid := doc.Get("request_id"); rid.Exists() {
		if rid.Type != gjson.String {
			return req, validationf("`request_id` must be a string")
		}
		req.requestID = rid.Str
	}
	a := doc.Get("action")
	if a.Type != gjson.String || a.Str == "" {
		return req, validationf("`action` is required")
	}
	req.action = a.Str
	if p := doc.Get("payload"); p.Exists() {
		req.payload = []byte(p.Raw)
	}
	return req, nil
}

// responseFrame renders a response frame for req: success with payload, or the error.
func responseFrame(req rtmRequest, payload *obj, err *apiError) []byte {
	f := newObj()
	if req.requestID != "" {
		f.set("request_id", req.requestID)
	}
	if req.action != "" {
		f.set("action", req.action)
	}
	f.set("type", "response")
	if err != nil {
		return mustMarshal(f.set("success", false).set("payload", err.body()))
	}
	if payload == nil {
		payload = newObj()
	}
	return mustMarshal(f.set("success", true).set("payload", payload))
}

// workLoop answers requests in arrival order.
func (c *rtmConn) workLoop(work <-chan rtmRequest) {
	for req := range work {
		if d := c.srv.opts.ResponseDelay; d > 0 {
			time.Sleep(d)
		}
		c.handle(req)
	}
}

// answerLocked queues the answer to req; the store lock is held. The request stops counting
// as pending before its answer is queued, so a client that has read the answer may send
// another request at once without overrunning the limit.
func (c *rtmConn) answerLocked(req rtmRequest, payload *obj, err *apiError) {
	c.pending.Add(-1)
	c.sendLocked(responseFrame(req, payload, err))
}

// answer queues the answer to req from outside the store lock.
func (c *rtmConn) answer(req rtmRequest, payload *obj, err *apiError) {
	c.srv.st.mu.Lock()
	c.answerLocked(req, payload, err)
	c.srv.st.mu.Unlock()
}

// handle runs one request and answers it (a ping before login gets no answer).
func (c *rtmConn) handle(req rtmRequest) {
	if req.action == "ping" {
		if c.loggedIn.Load() { // before login, ping is a no-op
			c.answer(req, nil, nil)
		} else {
			c.pending.Add(-1)
		}
		return
	}
	m, ok := lookupMethod(c.v, req.action)
	if !ok || !m.rtm {
		c.answer(req, nil, validationf("Unknown action %q in version %s", req.action, c.v))
		return
	}
	if !m.noAuth && !c.loggedIn.Load() {
		c.answer(req, nil, errorf("authentication", "Customer is not logged in"))
		return
	}
	p, perr := parsePayload(req.payload)
	if perr != nil {
		c.answer(req, nil, perr)
		return
	}
	// c.cust is written only by login, which runs on this same worker goroutine.
	cl := &call{st: c.srv.st, srv: c.srv, v: c.v, rtm: true, license: c.license, p: p, conn: c,
		requestID: req.requestID, cust: c.cust}
	c.srv.invoke(cl, m, func(res *obj, err *apiError) {
		if err == nil && req.action == "login" {
			// The idle clock starts with the login: the reader may be waiting with the login
			// deadline, and the client may say nothing more.
			c.loggedIn.Store(true)
			if !c.ending.Load() {
				_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.opts.IdleTimeout))
			}
		}
		c.answerLocked(req, res, err)
		if err != nil && err.typ == "misdirected_request" {
			// A token of the other data centre: after the error, RTM disconnects with
			// misdirected_connection and the right region (spec/structures.md §1.2, §5).
			c.disconnectLocked("misdirected_connection", err.data)
		}
	})
}

// send queues a frame from outside the store lock.
func (c *rtmConn) send(f outFrame) {
	c.srv.st.mu.Lock()
	c.sendFrameLocked(f)
	c.srv.st.mu.Unlock()
}

// sendLocked queues a text frame; the store lock is held.
func (c *rtmConn) sendLocked(data []byte) { c.sendFrameLocked(outFrame{data: data}) }

func (c *rtmConn) sendFrameLocked(f outFrame) {
	if c.closed {
		return
	}
	select {
	case c.out <- f:
		if f.closeCode > 0 {
			c.closed = true
			close(c.out)
		}
	default:
		c.srv.log.Warn("sim: RTM client too slow, disconnecting")
		c.closed = true
		close(c.out)
		_ = c.ws.NetConn().SetReadDeadline(time.Now()) // wake the reader
	}
}

// closeLocked ends the connection with a close frame (code 0: no close frame).
func (c *rtmConn) closeLocked(code int, reason string) {
	if c.closed {
		return
	}
	if code == 0 {
		c.closed = true
		close(c.out)
		return
	}
	c.sendFrameLocked(outFrame{closeCode: code, reason: reason})
}

// disconnectLocked sends customer_disconnected {reason, data?} and closes the connection.
func (c *rtmConn) disconnectLocked(reason string, data *obj) {
	p := newObj().set("reason", reason)
	if data != nil {
		p.set("data", data)
	}
	c.sendLocked(mustMarshal(newObj().set("action", "customer_disconnected").set("type", "push").set("payload", p)))
	c.closeLocked(websocket.CloseNormalClosure, reason)
}

// detachLocked removes the connection from the push registry.
func (c *rtmConn) detachLocked() {
	delete(c.srv.st.anon, c)
	if c.cust != nil {
		if set := c.srv.st.conns[c.cust.id]; set != nil {
			delete(set, c)
			if len(set) == 0 {
				delete(c.srv.st.conns, c.cust.id)
			}
		}
	}
}

// endRead makes the reader stop within grace (it still sees the client's answer to a close
// frame). Closing the websocket is not enough: fasthttp closes a hijacked connection only when
// the handler returns, so without this a silent client would keep the reader (and Shutdown)
// waiting for the login or idle timeout.
func (c *rtmConn) endRead(grace time.Duration) {
	c.ending.Store(true)
	_ = c.ws.NetConn().SetReadDeadline(time.Now().Add(grace))
}

// writeLoop writes queued frames in order until the queue closes or a close frame is sent.
func (c *rtmConn) writeLoop() {
	for f := range c.out {
		_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
		var err error
		switch {
		case f.closeCode == -1:
			err = c.ws.WriteMessage(websocket.PongMessage, f.data)
		case f.closeCode > 0:
			_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, f.reason))
			c.endRead(closeGrace)
			for range c.out { // drain until the reader closes the queue
			}
			return
		default:
			err = c.ws.WriteMessage(websocket.TextMessage, f.data)
		}
		if err != nil {
			c.endRead(0)
			for range c.out {
			}
			return
		}
	}
}

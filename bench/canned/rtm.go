package canned

import (
	"net"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/internal/readall"
	"github.com/tidwall/gjson"
)

// readLimit bounds an RTM frame.
const readLimit = 1 << 20

// keepReadBuf is the largest read or write buffer a connection keeps between frames.
const keepReadBuf = 64 << 10

// Frame pieces, appended into a reused buffer.
var (
	frameRequestID = []byte(`"request_id":`)
	frameAction    = []byte(`"action":`)
	frameOK        = []byte(`,"type":"response","success":true,"payload":`)
	frameFailed    = []byte(`,"type":"response","success":false,"payload":{"error":{"type":"validation","message":`)
	msgWrongFormat = []byte(`"Wrong format of request"}}}`)
	msgUnknown     = []byte(`"Unknown action"}}}`)
	pushPrefix     = []byte(`{"action":"incoming_event","type":"push","payload":{"chat_id":"` + chatID +
		`","thread_id":"` + threadID + `","event":{"id":"` + threadID + `_`)
	pushMiddle = []byte(`","created_at":"2020-05-07T07:24:30.512000Z","type":"message","author_id":"` + agentID +
		`","recipients":"all","text":`)
	pushSuffix = []byte(`,"properties":` + propsJSON + `}}}`)
	echoPrefix = []byte(`{"request_id":`)
	echoMiddle = []byte(`,"action":"incoming_event","type":"push","payload":{"chat_id":"` + chatID +
		`","thread_id":"` + threadID + `","event":{"id":"` + eventID +
		`","created_at":"2020-05-07T07:24:30.512000Z","type":"message","author_id":"` + customerID +
		`","recipients":"all","text":`)
	echoSuffix = []byte(`}}}`)
	tickPrefix = []byte(`"tick-`)
)

// rtmConn is one RTM connection. The connection's goroutine reads and answers frames; a
// ticker goroutine (PushInterval) may push too. Writes are serialized by wmu, which is held
// for an answer and its pushes together, so frames never interleave.
type rtmConn struct {
	s   *Server
	ws  *websocket.Conn
	raw net.Conn // the TCP connection under ws (fasthttp's hijacked conn does not close it)

	wmu     sync.Mutex
	wbuf    []byte // frame being written; guarded by wmu
	pushSeq int64  // number in the id of the last pushed event; guarded by wmu

	loggedIn  bool           // reader goroutine only
	ticker    sync.WaitGroup // the PushInterval goroutine
	done      chan struct{}
	closeOnce sync.Once
}

func newRTMConn(s *Server, ws *websocket.Conn) *rtmConn {
	raw := ws.NetConn()
	if u, ok := raw.(interface{ UnsafeConn() net.Conn }); ok {
		raw = u.UnsafeConn()
	}
	return &rtmConn{s: s, ws: ws, raw: raw, wbuf: make([]byte, 0, 8192), pushSeq: threadEvents,
		done: make(chan struct{})}
}

// run reads and answers frames until the connection fails or is closed, and returns once
// nothing uses the connection any more.
func (c *rtmConn) run() {
	defer c.ticker.Wait()
	defer c.close()
	c.ws.SetReadLimit(readLimit)
	var rbuf []byte
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		if rbuf, err = readall.Append(rbuf[:0], r); err != nil {
			return
		}
		if err := c.handle(rbuf); err != nil {
			return
		}
		if cap(rbuf) > keepReadBuf {
			rbuf = nil
		}
	}
}

// handle answers one request frame, then sends the pushes that follow an answer.
func (c *rtmConn) handle(frame []byte) error {
	js := b2s(frame) // the results below alias frame, which is not changed meanwhile
	requestID := gjson.Get(js, "request_id")
	action := gjson.Get(js, "action")
	if !isObject(frame) || !isString(action) {
		return c.fail(requestID, action, msgWrongFormat)
	}
	payload, ok := c.s.rtm[action.Str]
	if !ok {
		return c.fail(requestID, action, msgUnknown)
	}

	c.wmu.Lock()
	defer c.wmu.Unlock()
	defer c.trimWriteBuf()
	b := appendHead(c.wbuf[:0], requestID, action)
	b = append(b, frameOK...)
	b = append(b, payload...)
	b = append(b, '}')
	c.wbuf = b
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return err
	}
	if !c.loggedIn && action.Str == "login" {
		c.loggedIn = true
		if c.s.opts.PushInterval > 0 {
			c.startTicker() // its first push waits for c.wmu: it follows this answer
		}
	}
	if c.s.opts.EchoEvents && action.Str == "send_event" && requestID.Exists() {
		if err := c.echoLocked(requestID, js); err != nil {
			return err
		}
	}
	if c.s.opts.PushesPerRequest == 0 || action.Str == "ping" { // a keep-alive causes no push
		return nil
	}
	text := pushText(js, requestID)
	for i := 0; i < c.s.opts.PushesPerRequest; i++ {
		if err := c.pushLocked(text); err != nil {
			return err
		}
	}
	return nil
}

// trimWriteBuf drops a write buffer grown by a large frame. c.wmu must be held.
func (c *rtmConn) trimWriteBuf() {
	if cap(c.wbuf) > keepReadBuf {
		c.wbuf = make([]byte, 0, 8192)
	}
}

// pushText returns the JSON string the pushes after a request carry as event text: the
// request's payload.sneak_peek_text, else payload.event.text, else its request_id.
func pushText(js string, requestID gjson.Result) string {
	payload := gjson.Get(js, "payload")
	if payload.IsObject() {
		if t := payload.Get("sneak_peek_text"); t.Type == gjson.String {
			return t.Raw
		}
		if t := payload.Get("event.text"); t.Type == gjson.String {
			return t.Raw
		}
	}
	switch {
	case requestID.Type == gjson.String:
		return requestID.Raw
	case requestID.Exists():
		return strconv.Quote(requestID.Raw) // a number: its digits as a string
	default:
		return `""`
	}
}

// fail answers a request that cannot be served with a validation error.
func (c *rtmConn) fail(requestID, action gjson.Result, msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := appendHead(c.wbuf[:0], requestID, action)
	b = append(b, frameFailed...)
	b = append(b, msg...)
	c.wbuf = b
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// appendHead appends the frame's opening, `{"request_id":…,"action":…`. A request_id that
// is not a JSON value, or an action that is not a whole JSON string (only in a malformed
// frame), is left out; without an action the frame says "action":"".
func appendHead(b []byte, requestID, action gjson.Result) []byte {
	b = append(b, '{')
	if requestID.Exists() && gjson.Valid(requestID.Raw) {
		b = append(b, frameRequestID...)
		b = append(b, requestID.Raw...)
		b = append(b, ',')
	}
	b = append(b, frameAction...)
	if isString(action) {
		b = append(b, action.Raw...)
	} else {
		b = append(b, `""`...)
	}
	return b
}

// isString reports whether r is a whole JSON string.
func isString(r gjson.Result) bool {
	return r.Type == gjson.String && gjson.Valid(r.Raw)
}

// pushLocked writes one incoming_event push whose event text is the JSON string text.
// c.wmu must be held.
func (c *rtmConn) pushLocked(text string) error {
	c.pushSeq++
	b := append(c.wbuf[:0], pushPrefix...)
	b = strconv.AppendInt(b, c.pushSeq, 10)
	b = append(b, pushMiddle...)
	b = append(b, text...)
	b = append(b, pushSuffix...)
	c.wbuf = b
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// echoLocked writes the incoming_event push of the event a send_event stored to the sender's
// session, with its request id. c.wmu must be held.
func (c *rtmConn) echoLocked(requestID gjson.Result, js string) error {
	text := gjson.Get(js, "payload.event.text")
	b := append(c.wbuf[:0], echoPrefix...)
	b = append(b, requestID.Raw...)
	b = append(b, echoMiddle...)
	if isString(text) {
		b = append(b, text.Raw...)
	} else {
		b = append(b, `""`...)
	}
	b = append(b, echoSuffix...)
	c.wbuf = b
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// startTicker starts the goroutine that pushes "tick-<n>" once per PushInterval.
func (c *rtmConn) startTicker() {
	c.ticker.Add(1)
	go func() {
		defer c.ticker.Done()
		t := time.NewTicker(c.s.opts.PushInterval)
		defer t.Stop()
		var text []byte
		for n := int64(1); ; n++ {
			select {
			case <-c.done:
				return
			case <-t.C:
			}
			text = append(text[:0], tickPrefix...)
			text = strconv.AppendInt(text, n, 10)
			text = append(text, '"')
			c.wmu.Lock()
			err := c.pushLocked(b2s(text))
			c.wmu.Unlock()
			if err != nil {
				c.close()
				return
			}
		}
	}()
}

// closeFrame sends a 1001 (going away) close frame, waiting at most until deadline. It is
// only called while the connection's handler runs (fasthttp recycles the connection after).
func (c *rtmConn) closeFrame(deadline time.Time) {
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, deadline)
}

// close ends the connection: the reader and the ticker return. run calls it before it
// returns, so a later call (from Shutdown) does nothing.
func (c *rtmConn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.raw.Close()
	})
}

// isObject reports whether the first non-space byte of b opens a JSON object.
func isObject(b []byte) bool {
	for _, ch := range b {
		switch ch {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

// b2s views b as a string without copying; b must not change while the string is in use.
func b2s(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

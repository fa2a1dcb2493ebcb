package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// The client leg's WebSocket handshake is answered on the connection fasthttp hands over,
// not through fasthttp's response. fasthttp would hand over its own connection reader, whose
// buffer is as large as the request header limit (8 KiB by default) and which an RTM session
// would hold for its whole life; lcgate instead takes the connection from under that reader
// (see detachConn), keeping any bytes it had read ahead, and answers 101 with
// websocket.Upgrader on it.

// newClientUpgrader returns the upgrader of client legs: 1 KiB read buffers, pooled write
// buffers; Origin is the upstream's to judge, and refusals are written by the caller.
func newClientUpgrader(opts Options) *websocket.Upgrader {
	return &websocket.Upgrader{
		HandshakeTimeout: opts.HandshakeTimeout,
		ReadBufferSize:   wsReadBufferSize,
		WriteBufferPool:  wsWriteBuffers,
		// Browsers call LiveChat from any site; the upstream receives Origin and decides.
		CheckOrigin: func(*http.Request) bool { return true },
		Error:       func(http.ResponseWriter, *http.Request, int, error) {},
	}
}

// checkHandshake reports why ctx is not a WebSocket handshake lcgate answers (nil: it is):
// the checks websocket.Upgrader makes, made before the upstream is dialled and the
// connection handed over, so that a refusal is still an HTTP answer in the API's error
// format.
func checkHandshake(ctx *fasthttp.RequestCtx) error {
	h := &ctx.Request.Header
	switch {
	case !ctx.IsGet():
		return errors.New("websocket: the handshake's method is not GET")
	case !headerHasToken(h.Peek("Connection"), "upgrade"):
		return errors.New("websocket: 'upgrade' token not found in 'Connection' header")
	case !headerHasToken(h.Peek("Upgrade"), "websocket"):
		return errors.New("websocket: 'websocket' token not found in 'Upgrade' header")
	case !headerHasToken(h.Peek("Sec-WebSocket-Version"), "13"):
		return errors.New("websocket: unsupported version: 13 not found in 'Sec-WebSocket-Version' header")
	case !validChallengeKey(h.Peek("Sec-WebSocket-Key")):
		return errors.New("websocket: 'Sec-WebSocket-Key' is not the base64 of 16 bytes")
	}
	return nil
}

// headerHasToken reports whether the comma-separated header value v lists token, in any case.
func headerHasToken(v []byte, token string) bool {
	for len(v) > 0 {
		item := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if bytes.EqualFold(bytes.TrimSpace(item), []byte(token)) {
			return true
		}
	}
	return false
}

// validChallengeKey reports whether k is the base64 encoding of 16 bytes (RFC 6455 4.1).
func validChallengeKey(k []byte) bool {
	if len(k) != 24 || k[22] != '=' || k[23] != '=' {
		return false
	}
	for _, c := range k[:22] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// upgrade answers the client's WebSocket handshake with 101 once Handler has returned, then
// runs handler on the upgraded connection in a goroutine of its own: fasthttp's hijack
// handler returns at once and recycles the handshake's request. The 101 carries the
// response headers set on ctx (the negotiated subprotocol, the upstream version). When the
// 101 cannot be written (the client left), failed runs instead of handler. The server keeps
// hijacked connections: the connection is handler's to close. The caller has checked the
// handshake (checkHandshake).
func (s *Server) upgrade(ctx *fasthttp.RequestCtx, handler func(*websocket.Conn), failed func()) {
	ctx.SetStatusCode(fasthttp.StatusSwitchingProtocols) // as observed; the upgrader writes the 101
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		req, header := handshakeOf(ctx)
		conn := &batchConn{Conn: detachConn(c, s.opts.MaxHeaderSize)}
		ws, err := s.upgrader.Upgrade(hijackedWriter{conn: conn}, req, header)
		if err != nil { // the upgrader has closed the connection
			s.log.Debug("rtm handshake not answered", "error", err)
			failed()
			return
		}
		go handler(ws)
	})
}

// handshakeOf is the request websocket.Upgrader answers, and the headers of its answer: those
// set on ctx's response, but the ones the upgrader writes itself or that a 101 does not carry.
func handshakeOf(ctx *fasthttp.RequestCtx) (*http.Request, http.Header) {
	req := &http.Request{Method: http.MethodGet, Header: http.Header{}}
	for _, name := range []string{"Connection", "Upgrade", "Sec-WebSocket-Version", "Sec-WebSocket-Key"} {
		req.Header.Set(name, string(ctx.Request.Header.Peek(name)))
	}
	header := http.Header{"Server": {"lcgate"}}
	for k, v := range ctx.Response.Header.All() {
		switch http.CanonicalHeaderKey(string(k)) {
		case "Content-Type", "Content-Length", "Connection", "Upgrade", "Server", "Date", "Transfer-Encoding":
			continue
		}
		header.Add(string(k), string(v))
	}
	return req, header
}

// hijackedWriter is the http.ResponseWriter websocket.Upgrader expects, over a connection
// already handed over: it only hijacks.
type hijackedWriter struct{ conn net.Conn }

func (w hijackedWriter) Header() http.Header       { return http.Header{} }
func (w hijackedWriter) Write([]byte) (int, error) { return 0, http.ErrHijacked }
func (w hijackedWriter) WriteHeader(int)           {}

// Hijack returns the connection with empty buffers: the upgrader then reads and writes the
// connection itself, with its own buffers.
func (w hijackedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.conn, bufio.NewReadWriter(bufio.NewReaderSize(w.conn, 16), bufio.NewWriterSize(w.conn, 16)), nil
}

// detachPool holds the buffers detachConn reads fasthttp's read-ahead into.
var detachPool sync.Pool

// longAgo is a read deadline already past: a read then returns at once.
var longAgo = time.Unix(1, 0)

// detachConn returns the connection under c, the connection fasthttp handed over (which
// reads through fasthttp's reader, bufSize bytes), with the bytes that reader had already
// read in front: a conforming client sends none before the 101, but one that does loses
// nothing. With the read deadline in the past, one read of c gives the reader's buffered
// bytes without touching the network, or fails at once when it holds none. When c is not
// fasthttp's, or the check fails otherwise, c itself is returned.
func detachConn(c net.Conn, bufSize int) net.Conn {
	u, ok := c.(interface{ UnsafeConn() net.Conn })
	if !ok {
		return c
	}
	raw := u.UnsafeConn()
	bp, _ := detachPool.Get().(*[]byte)
	if bp == nil || len(*bp) < bufSize {
		b := make([]byte, bufSize)
		bp = &b
	}
	defer detachPool.Put(bp)
	if raw.SetReadDeadline(longAgo) != nil {
		return c
	}
	n, err := c.Read(*bp)
	if raw.SetReadDeadline(time.Time{}) != nil {
		return c
	}
	switch {
	case n > 0:
		return &prefixedConn{Conn: raw, prefix: bytes.Clone((*bp)[:n])}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return raw
	}
	return c // another error: the session sees it on its first read
}

// prefixedConn reads prefix first, then the connection.
type prefixedConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixedConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

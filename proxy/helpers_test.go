package proxy

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// shutdownTimeout bounds every Shutdown in tests; it is a safety net, not a sync point.
const shutdownTimeout = 10 * time.Second

// seenRequest is a copy of a request the fake upstream received.
type seenRequest struct {
	Method, RequestURI, Host string
	Header                   http.Header
	Body                     string
}

// fakeUpstream is a loopback Customer Chat API stand-in. Web requests are recorded on
// requests and answered by web; WebSocket upgrades are recorded too and run rtm.
type fakeUpstream struct {
	URL      string
	requests chan seenRequest
	web      func(ctx *fasthttp.RequestCtx)
	rtm      func(c *websocket.Conn)
	srv      *fasthttp.Server
	conns    sync.WaitGroup
}

// startUpstream serves f on 127.0.0.1 until the test ends; then it waits for its RTM
// handlers to return.
func startUpstream(t *testing.T, f *fakeUpstream) *fakeUpstream {
	t.Helper()
	f.requests = make(chan seenRequest, 16)
	f.srv = &fasthttp.Server{Handler: f.handle}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.URL = "http://" + ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := f.srv.Shutdown(); err != nil {
			t.Errorf("upstream shutdown: %v", err)
		}
		_ = ln.Close() // Serve may not have started yet: Shutdown alone would not end it
		<-served
		f.conns.Wait()
	})
	return f
}

func (f *fakeUpstream) handle(ctx *fasthttp.RequestCtx) {
	f.requests <- copyRequest(ctx)
	if websocket.FastHTTPIsWebSocketUpgrade(ctx) && f.rtm != nil {
		up := websocket.FastHTTPUpgrader{
			Subprotocols: []string{"lc-test"},
			CheckOrigin:  func(*fasthttp.RequestCtx) bool { return true },
		}
		f.conns.Add(1)
		err := up.Upgrade(ctx, func(c *websocket.Conn) {
			defer f.conns.Done()
			defer c.Close()
			f.rtm(c)
		})
		if err != nil {
			f.conns.Done()
		}
		return
	}
	if f.web != nil {
		f.web(ctx)
	}
}

func copyRequest(ctx *fasthttp.RequestCtx) seenRequest {
	h := http.Header{}
	for k, v := range ctx.Request.Header.All() {
		h.Add(string(k), string(v))
	}
	return seenRequest{
		Method:     string(ctx.Method()),
		RequestURI: string(ctx.RequestURI()),
		Host:       string(ctx.Host()),
		Header:     h,
		Body:       string(ctx.PostBody()),
	}
}

// nextRequest returns the next request the upstream saw, failing if there is none yet:
// the gateway has answered by the time a test calls it, so the request was recorded.
func (f *fakeUpstream) nextRequest(t *testing.T) seenRequest {
	t.Helper()
	select {
	case r := <-f.requests:
		return r
	default:
		t.Fatal("the upstream received no request")
		return seenRequest{}
	}
}

// noMoreRequests fails if the upstream saw a request the test did not consume.
func (f *fakeUpstream) noMoreRequests(t *testing.T) {
	t.Helper()
	select {
	case r := <-f.requests:
		t.Fatalf("the upstream received an unexpected %s %s", r.Method, r.RequestURI)
	default:
	}
}

// startGateway serves a gateway in front of upstreamURL until the test ends.
func startGateway(t *testing.T, opts Options) *gateway {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	g := &gateway{Server: srv, Addr: ln.Addr().String()}
	t.Cleanup(func() {
		g.stop(t)
		if err := <-served; err != nil {
			t.Errorf("gateway serve: %v", err)
		}
	})
	return g
}

// gateway is a Server serving on a loopback port for one test.
type gateway struct {
	*Server
	Addr    string
	stopped sync.Once
}

// stop shuts the gateway down; calls after the first do nothing.
func (g *gateway) stop(t *testing.T) {
	t.Helper()
	g.stopped.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := g.Shutdown(ctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
	})
}

// deadAddress returns a loopback address nothing listens on.
func deadAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// response is a client-side copy of an HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// send writes raw HTTP/1.1 request bytes to addr on a fresh connection and reads the
// answer. It starts no goroutine.
func send(t *testing.T, addr string, raw []byte) response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

// do sends a request built with net/http's types and reads the answer.
func do(t *testing.T, addr, method, target string, header http.Header, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	req.Close = true
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		t.Fatal(err)
	}
	return send(t, addr, raw.Bytes())
}

// rawRequest joins the request line and header lines with CRLF, ends the header block
// and appends body.
func rawRequest(body string, lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n" + body)
}

// dialRTM opens a WebSocket to the gateway; the connection is closed when the test ends.
func dialRTM(t *testing.T, addr, target string, header http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+target, header)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

// errorJSON is the body the gateway sends for its own errors.
func errorJSON(typ, message string) string {
	return string(errorBody(Reply{Type: typ, Message: message}))
}

// noDeadline is the zero time: no deadline for WriteControl.
var noDeadline time.Time

// readBody reads and closes resp.Body.
func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

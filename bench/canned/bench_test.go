package canned

import (
	"net"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// serveInmemory serves s on an in-memory listener until the benchmark ends.
func serveInmemory(b *testing.B, s *Server) *fasthttputil.InmemoryListener {
	b.Helper()
	ln := fasthttputil.NewInmemoryListener()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	b.Cleanup(func() {
		if err := s.Shutdown(); err != nil {
			b.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			b.Errorf("Serve: %v", err)
		}
	})
	return ln
}

// inmemoryClient is a fasthttp client dialing ln; its connections are closed when the
// benchmark ends.
func inmemoryClient(b *testing.B, ln *fasthttputil.InmemoryListener) *fasthttp.HostClient {
	b.Helper()
	c := &fasthttp.HostClient{
		Addr:                "canned",
		Dial:                func(string) (net.Conn, error) { return ln.Dial() },
		MaxIdleConnDuration: 50 * time.Millisecond, // so its cleaner goroutine ends soon after
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

func benchWebGetChat(b *testing.B, parallel bool) {
	s := New(Options{})
	c := inmemoryClient(b, serveInmemory(b, s))
	want := len(s.web["get_chat"])
	body := []byte(`{"chat_id":"PJ0MRSHTDG"}`)
	do := func(req *fasthttp.Request, resp *fasthttp.Response) {
		if err := c.Do(req, resp); err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode() != fasthttp.StatusOK || len(resp.Body()) != want {
			b.Fatalf("status %d, %d bytes", resp.StatusCode(), len(resp.Body()))
		}
	}
	newReq := func() *fasthttp.Request {
		req := fasthttp.AcquireRequest()
		req.Header.SetMethod(fasthttp.MethodPost)
		req.SetRequestURI("http://canned/v3.2/customer/action/get_chat?license_id=1")
		req.Header.Set("Authorization", "Bearer dal:test_1fgTbfXmgthj4cZSA")
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
		return req
	}
	b.SetBytes(int64(want))
	b.ReportAllocs()
	if parallel {
		c.MaxConns = 1024
		b.RunParallel(func(pb *testing.PB) {
			req, resp := newReq(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for pb.Next() {
				do(req, resp)
			}
		})
		return
	}
	req, resp := newReq(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	for b.Loop() {
		do(req, resp)
	}
}

// BenchmarkWebGetChat is one client's get_chat round trips (≈4 KiB answer) through an
// in-memory listener: the per-request cost of the canned upstream plus fasthttp's client.
func BenchmarkWebGetChat(b *testing.B) { benchWebGetChat(b, false) }

// BenchmarkWebGetChatParallel is the same with GOMAXPROCS concurrent clients.
func BenchmarkWebGetChatParallel(b *testing.B) { benchWebGetChat(b, true) }

// BenchmarkHandlerGetChat is the handler alone, without transport.
func BenchmarkHandlerGetChat(b *testing.B) {
	s := New(Options{})
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(fasthttp.MethodPost)
	ctx.Request.SetRequestURI("/v3.2/customer/action/get_chat?license_id=1")
	ctx.Request.SetBodyString(`{"chat_id":"PJ0MRSHTDG"}`)
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		s.Handler(&ctx)
	}
}

// BenchmarkRTMSendSneakPeek is RTM request/answer round trips through an in-memory listener,
// each answer followed by one push (Options.PushesPerRequest = 1).
func BenchmarkRTMSendSneakPeek(b *testing.B) {
	s := New(Options{PushesPerRequest: 1})
	ln := serveInmemory(b, s)
	d := websocket.Dialer{NetDial: func(string, string) (net.Conn, error) { return ln.Dial() }}
	ws, resp, err := d.Dial("ws://canned/v3.2/customer/rtm/ws?license_id=1", nil)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	defer ws.Close()
	frame := []byte(`{"request_id":"1234","action":"send_sneak_peek","payload":{"chat_id":"PJ0MRSHTDG","sneak_peek_text":"tag-1234"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, _, err := ws.NextReader(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

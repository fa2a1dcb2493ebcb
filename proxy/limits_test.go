package proxy

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// TestRequestHeadersOverTheBufferAre431: headers larger than the read buffer get 431 in the
// API's error format, and the upstream sees nothing.
func TestRequestHeadersOverTheBufferAre431(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	got := send(t, gw.Addr, rawRequest("{}",
		"POST /v3.2/customer/action/get_customer?license_id=1 HTTP/1.1",
		"Host: lcgate.test",
		"X-Huge: "+strings.Repeat("a", 16<<10),
		"Content-Length: 2",
	))
	if got.Status != 431 || !strings.Contains(got.Body, `"type":"validation"`) {
		t.Errorf("got %d %s, want 431 validation", got.Status, got.Body)
	}
	up.noMoreRequests(t)
}

// TestConflictingContentLengthAndTransferEncodingIs400: a request smuggling shape is refused
// and never forwarded.
func TestConflictingContentLengthAndTransferEncodingIs400(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	got := send(t, gw.Addr, []byte("POST /v3.2/customer/action/get_customer?license_id=1 HTTP/1.1\r\n"+
		"Host: lcgate.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"))
	if got.Status != 400 {
		t.Errorf("got %d %s, want 400", got.Status, got.Body)
	}
	up.noMoreRequests(t)
}

// TestUpstreamAnswerOverTheLimitIs502: an answer larger than MaxBodySize is not relayed.
func TestUpstreamAnswerOverTheLimitIs502(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("application/json")
		ctx.SetBodyString(`{"x":"` + strings.Repeat("a", 8192) + `"}`)
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MaxBodySize: 4096})
	for _, path := range []string{"/v3.2/customer/action/get_customer", "/v3.1/customer/action/get_groups_status"} {
		got := do(t, gw.Addr, "POST", path+"?license_id=1", http.Header{}, `{"all":true}`)
		if got.Status != 502 || !strings.Contains(got.Body, `"type":"internal"`) {
			t.Errorf("%s: got %d %s, want 502 internal", path, got.Status, got.Body)
		}
	}
}

// TestSlowUpstreamIs504RequestTimeout: an upstream slower than UpstreamTimeout gets the
// client a request_timeout, without a retry.
func TestSlowUpstreamIs504RequestTimeout(t *testing.T) {
	release := make(chan struct{})
	up := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) { <-release }})
	defer close(release)
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", UpstreamTimeout: 100 * time.Millisecond})
	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/get_groups_status?license_id=1", http.Header{}, `{"payload":{"all":true}}`)
	if got.Status != 504 || !strings.Contains(got.Body, `"type":"request_timeout"`) {
		t.Errorf("got %d %s, want 504 request_timeout", got.Status, got.Body)
	}
}

// TestDrainDeliversFramesAcceptedBeforeTheClose: answers and pushes already on their way when
// the gateway drains reach the client before its 1001.
func TestDrainDeliversFramesAcceptedBeforeTheClose(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.0/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"login","action":"login","payload":{"token":"Bearer drain"}}`))
	_, _, _ = conn.ReadMessage()
	const n = 50
	for i := 0; i < n; i++ {
		_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"q`+itoa(i)+`","action":"get_groups_status","payload":{"all":true}}`))
	}
	// Wait until the upstream has answered all of them, then drain.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, down := gw.FrameCounts(); down.Out >= n+1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	go gw.stop(t)
	got := 0
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
				t.Errorf("session ended with %v, want 1001", err)
			}
			break
		}
		got++
	}
	if got != n {
		t.Errorf("received %d answers before the close, want %d", got, n)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSessionsBeyondTheCapGet503: with MaxSessions open, the next upgrade is refused with 503
// in the API's error format; once one closes, a new one is accepted.
func TestSessionsBeyondTheCapGet503(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2", MaxSessions: 2})
	url := "ws://" + gw.Addr + "/v3.2/customer/rtm/ws?license_id=123"
	var open []*websocket.Conn
	for i := 0; i < 2; i++ {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		open = append(open, c)
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("third session: %v %v, want a 503 refusal", err, resp)
	}
	if body := readBody(t, resp); !strings.Contains(body, `"type":"internal"`) {
		t.Errorf("refusal body %s", body)
	}
	_ = open[0].Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no session accepted after one closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSilentUpstreamHandshakeIs504: an upstream that accepts the TCP connection but never
// answers the WebSocket handshake gets the client a 504 request_timeout after
// HandshakeTimeout.
func TestSilentUpstreamHandshakeIs504(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var held []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // never answered
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range held {
			_ = c.Close()
		}
	})
	gw := startGateway(t, Options{Upstream: "http://" + ln.Addr().String(), UpstreamVersion: "3.2", HandshakeTimeout: 200 * time.Millisecond})
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.2/customer/rtm/ws?license_id=1", nil)
	if err == nil || resp == nil || resp.StatusCode != 504 {
		t.Fatalf("dial: %v %v, want a 504 refusal", err, resp)
	}
	if body := readBody(t, resp); !strings.Contains(body, `"type":"request_timeout"`) {
		t.Errorf("body %s, want request_timeout", body)
	}
}

// TestSlowClientRequestIsCutAfterReadTimeout: a client that never finishes its request is
// disconnected after ReadTimeout (slow loris), and the upstream sees nothing.
func TestSlowClientRequestIsCutAfterReadTimeout(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", gw.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("POST /v3.2/customer/action/get_customer?license_id=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	for {
		_, err := conn.Read(buf)
		if err == nil {
			continue // the gateway may answer 408 before it closes
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the gateway kept the slow connection open")
		}
		break // closed by the gateway
	}
	up.noMoreRequests(t)
}

// TestRTMIdleSessionsAreClosed: with both legs silent past RTMIdleTimeout the session closes;
// a client that pings (and an upstream that answers pongs) keeps it open.
func TestRTMIdleSessionsAreClosed(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		for { // reads (answering pings with pongs) and never sends data
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", RTMIdleTimeout: 300 * time.Millisecond})
	url := "ws://" + gw.Addr + "/v3.2/customer/rtm/ws?license_id=1"

	pinging, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pinging.Close()
	readErr := make(chan error, 1)
	go func() {
		_, _, err := pinging.ReadMessage() // processes pongs; returns when the session closes
		readErr <- err
	}()
	for i := 0; i < 12; i++ { // 1.2 s: four idle timeouts
		if err := pinging.WriteControl(websocket.PingMessage, []byte("k"), time.Now().Add(time.Second)); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		select {
		case err := <-readErr:
			t.Fatalf("a pinging session was closed: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}

	silent, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = silent.ReadMessage()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a silent session stayed open")
	}
	if !websocket.IsCloseError(err, websocket.CloseGoingAway, websocket.CloseInternalServerErr) {
		t.Errorf("silent session ended with %v, want a close frame", err)
	}
}

// TestClientThatStopsReadingIsCutAfterWriteTimeout: when the client reads nothing while the
// upstream floods it, writes block until WriteTimeout, the client gets CloseGrace to answer
// the close, and the session ends; a second session
// is not held up meanwhile.
func TestClientThatStopsReadingIsCutAfterWriteTimeout(t *testing.T) {
	frame := []byte(`{"action":"incoming_multicast","type":"push","payload":{"content":{"x":"` + strings.Repeat("a", 64<<10) + `"}}}`)
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		for c.WriteMessage(websocket.TextMessage, frame) == nil {
		}
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", WriteTimeout: 200 * time.Millisecond, CloseGrace: 200 * time.Millisecond})
	url := "ws://" + gw.Addr + "/v3.2/customer/rtm/ws?license_id=1"
	stuck, _, err := websocket.DefaultDialer.Dial(url, nil) // never reads
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	other, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = other.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := 0; i < 20; i++ { // the other session keeps receiving
		if _, _, err := other.ReadMessage(); err != nil {
			t.Fatalf("the reading session got %v after %d frames", err, i)
		}
	}
	_ = other.Close()
	waitStuckSessionCut(t, gw)
}

// TestUpstreamConnectionsBeyondTheCapGet503: with MaxUpstreamConns calls in flight, another
// waits briefly for a connection and is answered 503 instead of piling up.
func TestUpstreamConnectionsBeyondTheCapGet503(t *testing.T) {
	release := make(chan struct{})
	up := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) { <-release }})
	defer close(release)
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MaxUpstreamConns: 1})
	first := make(chan response, 1)
	go func() {
		first <- do(t, gw.Addr, "POST", "/v3.2/customer/action/get_customer?license_id=1", http.Header{}, `{}`)
	}()
	select { // the first call holds the only connection once the upstream has it
	case <-up.requests:
	case <-time.After(10 * time.Second):
		t.Fatal("the first call never reached the upstream")
	}
	got := do(t, gw.Addr, "POST", "/v3.2/customer/action/get_customer?license_id=1", http.Header{}, `{}`)
	if got.Status != 503 || !strings.Contains(got.Body, `"type":"internal"`) {
		t.Errorf("second call: %d %s, want 503 internal", got.Status, got.Body)
	}
	release <- struct{}{}
	<-first
}

// TestIdleKeepAliveConnectionsAreClosed: a client connection idle past IdleTimeout is closed.
func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", IdleTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", gw.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	if _, err := conn.Read(buf); err != nil { // the 404 answer
		t.Fatal(err)
	}
	for {
		_, err := conn.Read(buf)
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the idle connection stayed open")
		}
		break
	}
}

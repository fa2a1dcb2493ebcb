package proxy

import (
	"bufio"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// keepAliveUpstream answers each request on a connection with a keep-alive 200 and then, per
// its mode, closes the connection: after the answer (closeAfterAnswer), or after reading the
// next request without answering it (dropSecond). It counts the requests it read.
type keepAliveUpstream struct {
	ln                           net.Listener
	requests                     atomic.Int32
	closed                       chan struct{} // one value per connection it closed
	closeAfterAnswer, dropSecond bool
}

func startKeepAliveUpstream(t *testing.T, u *keepAliveUpstream) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.ln, u.closed = ln, make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u.serve(c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func (u *keepAliveUpstream) serve(c net.Conn) {
	defer func() { _ = c.Close(); u.closed <- struct{}{} }()
	br := bufio.NewReader(c)
	for n := 0; ; n++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		u.requests.Add(1)
		_ = req.Body.Close()
		if u.dropSecond && n == 1 {
			return // read, then gone without an answer
		}
		body := `{"ok":true}`
		if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n" + body)); err != nil {
			return
		}
		if u.closeAfterAnswer {
			return // an idle keep-alive connection the upstream closes
		}
	}
}

// TestUpstreamKeepAliveClosedBetweenCallsIsNotA502: when the upstream closes an idle
// keep-alive connection between two calls, the next call goes out on a fresh connection
// instead of failing: it never left, so sending it is safe. The upstream sees each request once.
func TestUpstreamKeepAliveClosedBetweenCallsIsNotA502(t *testing.T) {
	defer setStaleProbeAfter(0)()
	up := &keepAliveUpstream{closeAfterAnswer: true}
	gw := startGateway(t, Options{Upstream: startKeepAliveUpstream(t, up), UpstreamVersion: "3.2"})
	for i := range 3 {
		got := do(t, gw.Addr, "POST", "/v3.2/customer/action/list_chats?license_id=1", http.Header{"Authorization": {"Bearer t"}}, "{}")
		if got.Status != 200 || got.Body != `{"ok":true}` {
			t.Fatalf("call %d: %d %s, want the upstream's 200", i, got.Status, got.Body)
		}
		<-up.closed // the upstream has closed the connection the call used
	}
	if n := up.requests.Load(); n != 3 {
		t.Errorf("the upstream read %d requests, want 3 (each once)", n)
	}
}

// TestUpstreamDroppingAReusedConnectionAfterTheRequestIs502: a request that did reach the
// upstream on a reused connection, which then closes without answering, is not sent again (it
// may have been acted on): 502 internal, and the upstream read it once.
func TestUpstreamDroppingAReusedConnectionAfterTheRequestIs502(t *testing.T) {
	defer setStaleProbeAfter(0)()
	up := &keepAliveUpstream{dropSecond: true}
	gw := startGateway(t, Options{Upstream: startKeepAliveUpstream(t, up), UpstreamVersion: "3.2"})
	first := do(t, gw.Addr, "POST", "/v3.2/customer/action/list_chats?license_id=1", http.Header{"Authorization": {"Bearer t"}}, "{}")
	if first.Status != 200 {
		t.Fatalf("first call: %d %s", first.Status, first.Body)
	}
	second := do(t, gw.Addr, "POST", "/v3.2/customer/action/send_event?license_id=1", http.Header{"Authorization": {"Bearer t"}}, "{}")
	if second.Status != 502 || second.Body != errorJSON(TypeInternal, "lcgate: upstream unreachable") {
		t.Errorf("second call: %d %s, want 502 internal", second.Status, second.Body)
	}
	if n := up.requests.Load(); n != 2 {
		t.Errorf("the upstream read %d requests, want 2: the dropped one must not be sent again", n)
	}
}

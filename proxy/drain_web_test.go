package proxy

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestWebCallCutAtTheDrainTimeoutIsAnsweredInItsFormat: a Web call still waiting for the
// upstream when the shutdown's drain time-out runs out is answered 503 internal in the API's
// format, saying the call may have been served, before its connection is closed (it is not
// just cut).
func TestWebCallCutAtTheDrainTimeoutIsAnsweredInItsFormat(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan net.Conn, 1)
	go func() { // reads the request and never answers
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = c.Read(make([]byte, 4096))
		got <- c
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		select {
		case c := <-got:
			_ = c.Close()
		default:
		}
	})
	gw := startGateway(t, Options{Upstream: "http://" + ln.Addr().String(), UpstreamVersion: "3.2"})
	answer := make(chan response, 1)
	go func() {
		answer <- do(t, gw.Addr, "POST", "/v3.2/customer/action/send_event?license_id=1", http.Header{"Authorization": {"Bearer t"}}, "{}")
	}()
	c := <-got // the call is waiting for the upstream
	got <- c
	gw.stopped.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
		defer cancel()
		_ = gw.Shutdown(ctx)
	})
	select {
	case r := <-answer:
		want := errorJSON("internal", "lcgate: the gateway shut down before the upstream answered; the call may have been served")
		if r.Status != 503 || r.Body != want {
			t.Errorf("got %d %s, want 503 %s", r.Status, r.Body, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
}

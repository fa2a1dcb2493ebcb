package main

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// runWeb parses `lcload web` with args against addr and runs it.
func runWeb(t *testing.T, addr string, args ...string) *Report {
	t.Helper()
	cli := parse(t, append([]string{"web", "--url", "http://" + addr, "--warmup", "0s"}, args...)...)
	r, err := cli.Web.run(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestOpenLoopShowsAStallInTheLatency stalls the server once for 200 ms during a 1 s run at
// 200 req/s. Measured from the scheduled send times, the requests due during the stall wait
// up to 200 ms, about 40 of 200 of them, so p99 is near 200 ms; a closed loop would show the
// stall in only one request per connection.
func TestOpenLoopShowsAStallInTheLatency(t *testing.T) {
	var first atomic.Int64
	var stalled atomic.Bool
	over := make(chan struct{})
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		switch {
		case time.Duration(now-first.Load()) > 300*time.Millisecond && stalled.CompareAndSwap(false, true):
			time.Sleep(200 * time.Millisecond)
			close(over)
		case stalled.Load():
			<-over // every request waits for the stall to end
		}
	})
	r := runWeb(t, addr, "--rate", "200", "--duration", "1s", "--conns", "8")
	if r.Sent != 200 || r.Answered != 200 || len(r.Errors) != 0 {
		t.Fatalf("sent %d answered %d errors %v", r.Sent, r.Answered, r.Errors)
	}
	if r.P99Ms < 150 {
		t.Errorf("p99 %.1f ms after a 200 ms stall, want at least 150 ms (coordinated omission)", r.P99Ms)
	}
	if r.Late == 0 {
		t.Error("the requests held back by the stall must count as late")
	}
}

func TestWebCountsStatusesByCode(t *testing.T) {
	var n atomic.Int64
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {
		switch k := n.Add(1); {
		case k <= 5:
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		case k <= 8:
			ctx.SetStatusCode(fasthttp.StatusNotFound)
		}
	})
	r := runWeb(t, addr, "--rate", "100", "--duration", "200ms")
	if r.Sent != 20 || r.Answered != 20 {
		t.Errorf("sent %d answered %d, want 20 and 20", r.Sent, r.Answered)
	}
	if len(r.Errors) != 2 || r.Errors["status_503"] != 5 || r.Errors["status_404"] != 3 {
		t.Errorf("errors %v, want status_503: 5, status_404: 3", r.Errors)
	}
}

// TestWebCountsTransportErrors runs against a server that closes every connection at once.
func TestWebCountsTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	defer func() { _ = ln.Close(); <-done }()
	r := runWeb(t, ln.Addr().String(), "--rate", "50", "--duration", "200ms")
	if r.Sent != 10 || r.Answered != 0 || r.Errors["transport"] != 10 || len(r.Errors) != 1 {
		t.Errorf("sent %d answered %d errors %v, want 10 transport errors", r.Sent, r.Answered, r.Errors)
	}
}

func TestWebCountsTimeouts(t *testing.T) {
	release := make(chan struct{})
	addr := serve(t, func(ctx *fasthttp.RequestCtx) { <-release })
	defer close(release)
	r := runWeb(t, addr, "--rate", "50", "--duration", "100ms", "--timeout", "50ms")
	if r.Sent != 5 || r.Errors["timeout"] != 5 {
		t.Errorf("sent %d errors %v, want 5 timeouts", r.Sent, r.Errors)
	}
}

// TestWebSendsTheRequestOnceBuilt checks the URL, headers and the 3.0 envelope (and --raw).
func TestWebSendsTheRequestOnceBuilt(t *testing.T) {
	type seen struct{ method, uri, auth, ctype, body string }
	var mu sync.Mutex
	var got []seen
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {
		mu.Lock()
		got = append(got, seen{string(ctx.Method()), string(ctx.RequestURI()), string(ctx.Request.Header.Peek("Authorization")),
			string(ctx.Request.Header.ContentType()), string(ctx.PostBody())})
		mu.Unlock()
	})
	for _, tc := range []struct {
		args []string
		want seen
	}{
		{[]string{"--version", "3.0", "--action", "start_chat", "--body", `{"chat":{}}`, "--token", "t0", "--license", "7"},
			seen{"POST", "/v3.0/customer/action/start_chat?license_id=7", "Bearer t0", "application/json", `{"payload":{"chat":{}}}`}},
		{[]string{"--version", "3.0", "--action", "start_chat", "--body", `{"payload":{}}`, "--raw"},
			seen{"POST", "/v3.0/customer/action/start_chat?license_id=123", "Bearer demo", "application/json", `{"payload":{}}`}},
		{[]string{"--version", "3.1", "--action", "get_customer", "--body", `{}`},
			seen{"POST", "/v3.1/customer/action/get_customer?license_id=123", "Bearer demo", "application/json", `{}`}},
	} {
		mu.Lock()
		got = nil
		mu.Unlock()
		runWeb(t, addr, append(tc.args, "--rate", "100", "--duration", "30ms")...)
		mu.Lock()
		if len(got) != 3 {
			t.Errorf("%v: %d requests, want 3", tc.args, len(got))
		}
		for _, g := range got {
			if g != tc.want {
				t.Errorf("%v: request %+v, want %+v", tc.args, g, tc.want)
			}
		}
		mu.Unlock()
	}
}

func TestWebClosedLoop(t *testing.T) {
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {})
	r := runWeb(t, addr, "--closed", "4", "--conns", "2", "--duration", "200ms")
	if r.Mode != modeWebClosed || r.Sent == 0 || r.Answered != r.Sent || len(r.Errors) != 0 || r.Throughput <= 0 {
		t.Errorf("report %+v", r)
	}
}

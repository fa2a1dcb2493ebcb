package proxy

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestWebSameVersionIsPassedThrough(t *testing.T) {
	tests := []struct {
		desc, method, target, body string
		upstreamStatus             int
		upstreamBody               string
	}{
		{
			desc: "POST start_chat", method: "POST",
			target:         "/v3.2/customer/action/start_chat?license_id=123&note=a%20b",
			body:           `{"chat":{}}`,
			upstreamStatus: 200, upstreamBody: `{"chat_id":"C1","thread_id":"T1"}`,
		},
		{
			desc: "GET list_license_properties", method: "GET",
			target:         "/v3.2/customer/action/list_license_properties?license_id=123",
			upstreamStatus: 200, upstreamBody: `{}`,
		},
		{
			desc: "upstream error keeps its status and body", method: "POST",
			target:         "/v3.2/customer/action/send_event?license_id=123",
			body:           `{"chat_id":"nope"}`,
			upstreamStatus: 401, upstreamBody: `{"error":{"type":"authentication","message":"Invalid access token"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			up := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) {
				ctx.Response.Header.Set("X-Upstream", "yes")
				ctx.SetContentType("application/json")
				ctx.SetStatusCode(tc.upstreamStatus)
				ctx.SetBodyString(tc.upstreamBody)
			}})
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

			header := http.Header{
				"Authorization": {"Bearer dal:secret-token"},
				"X-Region":      {"fra"},
				"Content-Type":  {"application/json"},
				"X-Custom":      {"kept"},
			}
			got := do(t, gw.Addr, tc.method, tc.target, header, tc.body)

			seen := up.nextRequest(t)
			if seen.Method != tc.method || seen.RequestURI != tc.target || seen.Body != tc.body {
				t.Errorf("upstream saw %s %s %q, want %s %s %q",
					seen.Method, seen.RequestURI, seen.Body, tc.method, tc.target, tc.body)
			}
			for name, values := range header {
				if seen.Header.Get(name) != values[0] {
					t.Errorf("upstream saw %s %q, want %q", name, seen.Header.Get(name), values[0])
				}
			}
			if wantHost := up.URL[len("http://"):]; seen.Host != wantHost {
				t.Errorf("upstream saw Host %q, want %q", seen.Host, wantHost)
			}
			if got.Status != tc.upstreamStatus || got.Body != tc.upstreamBody {
				t.Errorf("client got %d %q, want %d %q", got.Status, got.Body, tc.upstreamStatus, tc.upstreamBody)
			}
			if got.Header.Get("X-Upstream") != "yes" || got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("client lost upstream headers: %v", got.Header)
			}
		})
	}
}

func TestWebHopByHopHeadersAreStrippedBothWays(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("Connection", "X-Upstream-Secret")
		ctx.Response.Header.Set("X-Upstream-Secret", "hop")
		ctx.Response.Header.Set("Keep-Alive", "timeout=5")
		ctx.Response.Header.Set("Proxy-Authenticate", "Basic")
		ctx.Response.Header.Set("X-End-To-End", "kept")
		ctx.SetBodyString("{}")
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

	got := send(t, gw.Addr, rawRequest("{}",
		"POST /v3.2/customer/action/get_customer?license_id=1 HTTP/1.1",
		"Host: "+gw.Addr,
		"Connection: keep-alive, X-Client-Secret",
		"X-Client-Secret: hop",
		"Keep-Alive: timeout=5",
		"Proxy-Connection: keep-alive",
		"Proxy-Authorization: Basic eA==",
		"TE: trailers",
		"Upgrade: h2c",
		"Authorization: Bearer t",
		"X-End-To-End: kept",
		"Content-Length: 2",
	))

	seen := up.nextRequest(t)
	for _, name := range []string{"Connection", "X-Client-Secret", "Keep-Alive", "Proxy-Connection",
		"Proxy-Authorization", "Te", "Upgrade"} {
		if v, ok := seen.Header[name]; ok {
			t.Errorf("upstream received hop-by-hop %s: %q", name, v)
		}
	}
	if seen.Header.Get("Authorization") != "Bearer t" || seen.Header.Get("X-End-To-End") != "kept" {
		t.Errorf("upstream lost end-to-end headers: %v", seen.Header)
	}
	if got.Status != 200 || got.Body != "{}" {
		t.Fatalf("client got %d %q", got.Status, got.Body)
	}
	for _, name := range []string{"X-Upstream-Secret", "Keep-Alive", "Proxy-Authenticate"} {
		if v, ok := got.Header[name]; ok {
			t.Errorf("client received hop-by-hop %s: %q", name, v)
		}
	}
	if c := got.Header.Get("Connection"); c != "" && c != "close" {
		t.Errorf("client received Connection %q; only the gateway's own close may appear", c)
	}
	if got.Header.Get("X-End-To-End") != "kept" {
		t.Errorf("client lost end-to-end headers: %v", got.Header)
	}
}

func TestWebUpstreamFailureIsNotRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	done := make(chan struct{})
	go func() { // reads each request and hangs up without answering
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_, _ = c.Read(make([]byte, 4096))
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	gw := startGateway(t, Options{Upstream: "http://" + ln.Addr().String(), UpstreamVersion: "3.2"})

	got := do(t, gw.Addr, "GET", "/v3.2/customer/action/list_license_properties?license_id=1", http.Header{}, "")

	if want := errorJSON(TypeInternal, "lcgate: upstream unreachable"); got.Status != 502 || got.Body != want {
		t.Errorf("got %d %s, want 502 %s", got.Status, got.Body, want)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("upstream was called %d times, want 1 (no retry)", n)
	}
}

func TestWebBodyOverTheLimitIs413(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MaxBodySize: 1024})

	got := do(t, gw.Addr, "POST", "/v3.2/customer/action/upload_file?license_id=1", http.Header{},
		string(make([]byte, 4096)))

	if want := errorJSON(TypeEntityTooLarge, "lcgate: request body too large"); got.Status != 413 || got.Body != want {
		t.Errorf("got %d %s, want 413 %s", got.Status, got.Body, want)
	}
	up.noMoreRequests(t)
}

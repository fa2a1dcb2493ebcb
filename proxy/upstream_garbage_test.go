package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// translatedPairs are (client, upstream) version pairs of translated sessions, with the
// client's name of a call that is one upstream call (close_thread became deactivate_chat).
var translatedPairs = []struct{ client, upstream, action string }{
	{"3.0", "3.2", "close_thread"},
	{"3.1", "3.2", "close_thread"},
	{"3.2", "3.1", "deactivate_chat"},
}

// TestTranslatedWebUpstreamGarbageIs502: an upstream answer lcgate cannot read (an HTML
// error page, truncated JSON, text, invalid UTF-8) gets every translated client 502
// `internal` in its format; the client never sees part of it. Passed through (same
// version), the upstream's answer is relayed untouched: lcgate reads nothing there.
func TestTranslatedWebUpstreamGarbageIs502(t *testing.T) {
	invalid := errorJSON(TypeInternal, "lcgate: the upstream's answer is not valid")
	const page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
	for _, tc := range []struct {
		desc   string
		answer upstreamAnswer
	}{
		{"HTML 502 page", upstreamAnswer{status: 502, body: page}},
		{"truncated JSON 200", upstreamAnswer{body: `{"chat_id":"CH1","thread":{"id":`}},
		{"truncated error 500", upstreamAnswer{status: 500, body: `{"error":{"type":"internal","mess`}},
		{"text 200", upstreamAnswer{body: "OK"}},
		{"invalid UTF-8 200", upstreamAnswer{body: "{\"chat_id\":\"\xff\"}"}},
	} {
		answers := map[string]upstreamAnswer{"close_thread": tc.answer, "deactivate_chat": tc.answer}
		for _, p := range translatedPairs {
			t.Run(tc.desc+" "+p.client, func(t *testing.T) {
				gw := startGateway(t, Options{Upstream: startActionUpstream(t, answers).URL, UpstreamVersion: p.upstream})
				got := do(t, gw.Addr, "POST", "/v"+p.client+"/customer/action/"+p.action+"?license_id=1",
					http.Header{"Authorization": {"Bearer t"}}, `{"chat_id":"CH1"}`)
				if got.Status != 502 || got.Body != invalid {
					t.Errorf("client got %d %s, want 502 %s", got.Status, got.Body, invalid)
				}
			})
		}
	}
	t.Run("passed through", func(t *testing.T) {
		up := startActionUpstream(t, map[string]upstreamAnswer{"deactivate_chat": {status: 502, body: page}})
		gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
		got := do(t, gw.Addr, "POST", "/v3.2/customer/action/deactivate_chat?license_id=1", http.Header{}, `{"chat_id":"CH1"}`)
		if got.Status != 502 || got.Body != page {
			t.Errorf("client got %d %s, want the upstream's own 502 page", got.Status, got.Body)
		}
	})
}

// startDroppingUpstream accepts connections, reads one whole request from each, then drops
// it without an answer: reset (SO_LINGER 0, an RST) or closed (a FIN). It counts the
// requests it read.
func startDroppingUpstream(t *testing.T, reset bool) (url string, requests *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	requests = new(atomic.Int64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				_, _ = io.Copy(io.Discard, req.Body)
				requests.Add(1)
			}
			if reset {
				_ = c.(*net.TCPConn).SetLinger(0)
			}
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String(), requests
}

// TestUpstreamDroppingTheConnectionMidRequestIs502: an upstream that reads the request and
// then resets or closes the connection gets the client 502 `internal` in its format, from one
// attempt (a POST is never sent twice), passed through or translated.
func TestUpstreamDroppingTheConnectionMidRequestIs502(t *testing.T) {
	want := errorJSON(TypeInternal, "lcgate: upstream unreachable")
	pairs := append([]struct{ client, upstream, action string }{{"3.2", "3.2", "deactivate_chat"}}, translatedPairs...)
	for _, reset := range []bool{true, false} {
		name := map[bool]string{true: "reset", false: "closed"}[reset]
		for _, p := range pairs {
			t.Run(name+" "+p.client+" on "+p.upstream, func(t *testing.T) {
				url, requests := startDroppingUpstream(t, reset)
				gw := startGateway(t, Options{Upstream: url, UpstreamVersion: p.upstream})
				for range 2 { // the second call finds the gateway serving as before
					got := do(t, gw.Addr, "POST", "/v"+p.client+"/customer/action/"+p.action+"?license_id=1",
						http.Header{"Authorization": {"Bearer t"}}, `{"chat_id":"CH1"}`)
					if got.Status != 502 || got.Body != want {
						t.Errorf("client got %d %s, want 502 %s", got.Status, got.Body, want)
					}
				}
				gw.stop(t)
				if n := requests.Load(); n != 2 {
					t.Errorf("upstream read %d requests for 2 calls, want 2 (no retry)", n)
				}
			})
		}
	}
}

// garbageRTMUpstream answers each request as its payload's `garbage` says: "text" with text
// that is no JSON, "cut" with its answer cut short (the request id still readable), "binary"
// with its answer in a binary frame; any other properly.
func garbageRTMUpstream(c *websocket.Conn) {
	scriptedRTMUpstream(c, func(req gjson.Result, answer string) (int, string) {
		switch req.Get("payload.garbage").String() {
		case "text":
			return websocket.TextMessage, "<html>oops</html>"
		case "cut":
			return websocket.TextMessage, answer[:len(answer)-12]
		case "binary":
			return websocket.BinaryMessage, answer
		}
		return websocket.TextMessage, answer
	})
}

// TestUpstreamRTMGarbage: on a translated session, an upstream frame that is not an RTM frame
// never reaches the client. When it still names the request it answers (a truncated
// answer), that request gets `internal` at once, in the client's format, as a Web call gets
// 502; frames naming none (text that is no JSON, a binary frame) are dropped. The session
// goes on, and another session is served meanwhile. Passed through, the upstream's frames
// reach the client untouched.
func TestUpstreamRTMGarbage(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: garbageRTMUpstream})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	request := func(rid string) string {
		return `{"request_id":"` + rid + `","action":"get_groups_status","payload":{"all":true,"garbage":"` + rid + `"}}`
	}
	for _, v := range []string{"3.0", "3.1"} {
		t.Run(v, func(t *testing.T) {
			c, other := openRTM(t, gw.Addr, v), openRTM(t, gw.Addr, v)
			for _, rid := range []string{"text", "cut", "binary", "fine"} {
				c.write(request(rid))
			}
			other.write(request("other"))
			if g := c.response(); g.Get("request_id").String() != "cut" || g.Get("action").String() != "get_groups_status" ||
				g.Get("success").Bool() || g.Get("payload.error.type").String() != "internal" {
				t.Errorf("first answer %s, want the cut-short answer's request answered internal", g.Raw)
			}
			if g := c.response(); g.Get("request_id").String() != "fine" || !g.Get("success").Bool() {
				t.Errorf("second answer %s, want the request after the garbage answered", g.Raw)
			}
			if g := other.response(); g.Get("request_id").String() != "other" {
				t.Errorf("the other session got %s", g.Raw)
			}
		})
	}
	t.Run("3.2 passed through", func(t *testing.T) {
		c := openRTM(t, gw.Addr, "3.2")
		for _, rid := range []string{"text", "cut", "binary", "fine"} {
			c.write(request(rid))
		}
		answer := func(rid string) string {
			return `{"request_id":"` + rid + `","action":"get_groups_status","type":"response","success":true,"payload":{}}`
		}
		for _, want := range []struct {
			kind  int
			frame string
		}{
			{websocket.TextMessage, "<html>oops</html>"},
			{websocket.TextMessage, answer("cut")[:len(answer("cut"))-12]},
			{websocket.BinaryMessage, answer("binary")},
			{websocket.TextMessage, answer("fine")},
		} {
			kind, msg, err := c.conn.ReadMessage()
			if err != nil || kind != want.kind || string(msg) != want.frame {
				t.Errorf("client got %d %q %v, want %d %q", kind, msg, err, want.kind, want.frame)
			}
		}
	})
}

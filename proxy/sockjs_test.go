package proxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

func TestSockJSInfoAnswersWebSocketAvailable(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	got := do(t, gw.Addr, "GET", "/v3.0/customer/rtm/sjs/info", http.Header{"Origin": {"https://shop.example"}}, "")
	if got.Status != 200 || !gjson.Get(got.Body, "websocket").Bool() || gjson.Get(got.Body, "cookie_needed").Bool() ||
		!gjson.Get(got.Body, "entropy").Exists() {
		t.Fatalf("info = %d %s", got.Status, got.Body)
	}
	pre := do(t, gw.Addr, "OPTIONS", "/v3.0/customer/rtm/sjs/info", http.Header{"Origin": {"https://shop.example"}}, "")
	if pre.Status != 204 {
		t.Fatalf("preflight = %d %s", pre.Status, pre.Body)
	}
}

// sockJSClient speaks SockJS's websocket transport over a plain WebSocket.
type sockJSClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialSockJS(t *testing.T, url string) *sockJSClient {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &sockJSClient{t: t, conn: conn}
	if open := c.read(); open != "o" {
		t.Fatalf("first SockJS frame = %q, want o", open)
	}
	return c
}

func (c *sockJSClient) read() string {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return string(msg)
}

// send writes RTM frames as one SockJS array of strings.
func (c *sockJSClient) send(frames ...string) {
	c.t.Helper()
	b, _ := json.Marshal(frames)
	if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatal(err)
	}
}

// frames reads one SockJS array and returns the RTM frames in it.
func (c *sockJSClient) frames() []string {
	c.t.Helper()
	msg := c.read()
	if !strings.HasPrefix(msg, "a") {
		c.t.Fatalf("SockJS frame %q, want an a[…] array", msg)
	}
	var out []string
	if err := json.Unmarshal([]byte(msg[1:]), &out); err != nil {
		c.t.Fatalf("SockJS array %q: %v", msg, err)
	}
	return out
}

// TestSockJSSessionIsBridgedAndTranslated: a 3.0 SockJS client logs in and starts a chat
// through lcgate on a 3.2 upstream; it reads 3.0 answers and pushes in SockJS arrays, and
// gets c[…] when the upstream goes away.
func TestSockJSSessionIsBridgedAndTranslated(t *testing.T) {
	sim := startSim(t)
	gw := startGateway(t, Options{Upstream: sim, UpstreamVersion: "3.2"})
	c := dialSockJS(t, "ws://"+gw.Addr+"/v3.0/customer/rtm/sjs/123/s3ss10n/websocket?license_id=123")

	c.send(`{"request_id":"1","action":"login","payload":{"token":"Bearer sockjs-token"}}`)
	login := c.frames()
	if len(login) != 1 || gjson.Get(login[0], "request_id").String() != "1" || !gjson.Get(login[0], "payload.customer_id").Exists() {
		t.Fatalf("login through SockJS = %v, want the 3.0 answer with customer_id", login)
	}
	c.send(`{"request_id":"2","action":"start_chat","payload":{"chat":{"thread":{"events":[{"type":"message","text":"Hi"}]}}}}`)
	var got []string
	for len(got) < 2 {
		got = append(got, c.frames()...)
	}
	if gjson.Get(got[0], "action").String() != "start_chat" || !gjson.Get(got[0], "payload.chat.thread.events.0.order").Exists() ||
		gjson.Get(got[1], "action").String() != "incoming_chat_thread" || gjson.Get(got[1], "request_id").String() != "2" {
		t.Fatalf("start_chat through SockJS = %v, want the 3.0 answer then incoming_chat_thread with request_id 2", got)
	}
	customer := gjson.Get(login[0], "payload.customer_id").String()
	res, err := http.Post(sim+"/sim/agent/disconnect_customer", "application/json",
		strings.NewReader(`{"customer_id":"`+customer+`","reason":"customer_banned"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	push := c.frames()
	if len(push) != 1 || gjson.Get(push[0], "action").String() != "customer_disconnected" {
		t.Fatalf("disconnect push = %v", push)
	}
	if closing := c.read(); !strings.HasPrefix(closing, "c[") {
		t.Fatalf("after the upstream closed, got %q, want c[code,\"reason\"]", closing)
	}
}

// TestSockJSSameVersionIsBridgedUntranslated: a 3.2 SockJS client on a 3.2 upstream.
func TestSockJSSameVersionIsBridgedUntranslated(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	c := dialSockJS(t, "ws://"+gw.Addr+"/v3.2/customer/rtm/sjs/000/abc/websocket?license_id=123")
	c.send(`{"request_id":"a","action":"login","payload":{"token":"Bearer sockjs-32"}}`)
	got := c.frames()
	if len(got) != 1 || !gjson.Get(got[0], "payload.customer.id").Exists() {
		t.Fatalf("3.2 login through SockJS = %v", got)
	}
}

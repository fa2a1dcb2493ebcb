package proxy

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// echoUpstream pushes "hello", then answers every text frame m with "echo:m" until the
// client goes away.
func echoUpstream(c *websocket.Conn) {
	if err := c.WriteMessage(websocket.TextMessage, []byte("hello")); err != nil {
		return
	}
	for {
		kind, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(kind, append([]byte("echo:"), msg...)); err != nil {
			return
		}
	}
}

func TestRTMRelaysFramesBothWaysInOrder(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: echoUpstream})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	header := http.Header{
		"Authorization":          {"Bearer dal:secret-token"},
		"X-Region":               {"dal"},
		"Cookie":                 {"session=abc"},
		"User-Agent":             {"lc-test/1.0"},
		"Origin":                 {"https://shop.example"},
		"Sec-Websocket-Protocol": {"lc-test"},
	}

	client, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=123", header)
	if err != nil {
		t.Fatal(err)
	}
	if client.Subprotocol() != "lc-test" {
		t.Errorf("subprotocol %q, want the upstream's choice lc-test", client.Subprotocol())
	}
	seen := up.nextRequest(t)
	if seen.RequestURI != "/v3.2/customer/rtm/ws?license_id=123" {
		t.Errorf("upstream dialled at %s", seen.RequestURI)
	}
	for name, values := range header {
		if seen.Header.Get(name) != values[0] {
			t.Errorf("upstream handshake had %s %q, want %q", name, seen.Header.Get(name), values[0])
		}
	}

	const n = 50
	for i := range n {
		msg := fmt.Sprintf(`{"request_id":"%d","action":"ping"}`, i)
		if err := client.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"hello"}
	for i := range n {
		want = append(want, fmt.Sprintf(`echo:{"request_id":"%d","action":"ping"}`, i))
	}
	for i, w := range want {
		kind, got, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if kind != websocket.TextMessage || string(got) != w {
			t.Fatalf("frame %d = %d %q, want text %q", i, kind, got, w)
		}
	}
}

func TestRTMForwardsPingsAndPongs(t *testing.T) {
	pinged := make(chan string, 1)
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		c.SetPingHandler(func(data string) error {
			pinged <- data
			if err := c.WriteControl(websocket.PongMessage, []byte("pong:"+data), noDeadline); err != nil {
				return err
			}
			return c.WriteMessage(websocket.TextMessage, []byte("after pong"))
		})
		_, _, _ = c.ReadMessage()
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	client, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ponged := make(chan string, 1)
	client.SetPongHandler(func(data string) error { ponged <- data; return nil })

	if err := client.WriteControl(websocket.PingMessage, []byte("keepalive"), noDeadline); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := client.ReadMessage(); err != nil || string(msg) != "after pong" {
		t.Fatalf("read %q, %v", msg, err)
	}
	if got := <-pinged; got != "keepalive" {
		t.Errorf("upstream got ping %q", got)
	}
	if got := <-ponged; got != "pong:keepalive" {
		t.Errorf("client got pong %q", got)
	}
}

func TestRTMCloseCodesArePropagated(t *testing.T) {
	t.Run("client closes", func(t *testing.T) {
		closed := make(chan *websocket.CloseError, 1)
		up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
			_, _, err := c.ReadMessage()
			var ce *websocket.CloseError
			errors.As(err, &ce)
			closed <- ce
		}})
		gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
		client, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
		if err != nil {
			t.Fatal(err)
		}

		msg := websocket.FormatCloseMessage(4001, "customer left")
		if err := client.WriteControl(websocket.CloseMessage, msg, noDeadline); err != nil {
			t.Fatal(err)
		}
		ce := <-closed
		if ce == nil || ce.Code != 4001 || ce.Text != "customer left" {
			t.Errorf("upstream got close %v, want 4001 customer left", ce)
		}
		_, _, err = client.ReadMessage() // the upstream's answer to the close
		if !websocket.IsCloseError(err, 4001) {
			t.Errorf("client got %v, want the close echoed with 4001", err)
		}
	})
	t.Run("upstream closes", func(t *testing.T) {
		up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
			msg := websocket.FormatCloseMessage(4002, "connection_evicted")
			_ = c.WriteControl(websocket.CloseMessage, msg, noDeadline)
			_, _, _ = c.ReadMessage() // wait for the answer to the close
		}})
		gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
		client, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
		if err != nil {
			t.Fatal(err)
		}

		_, _, err = client.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4002 || ce.Text != "connection_evicted" {
			t.Errorf("client got %v, want close 4002 connection_evicted", err)
		}
	})
	t.Run("upstream vanishes", func(t *testing.T) {
		up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
			_ = c.NetConn().Close() // no close frame
		}})
		gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
		client, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
		if err != nil {
			t.Fatal(err)
		}

		_, _, err = client.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseInternalServerErr) {
			t.Errorf("client got %v, want close 1011", err)
		}
	})
}

func TestRTMShutdownSendsGoingAwayToBothLegs(t *testing.T) {
	upstreamGot := make(chan error, 1)
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		if err := c.WriteMessage(websocket.TextMessage, []byte("ready")); err != nil {
			return
		}
		_, _, err := c.ReadMessage()
		upstreamGot <- err
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), noDeadline)
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	client, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.ReadMessage(); err != nil { // the session is running
		t.Fatal(err)
	}

	clientGot := make(chan error, 1)
	go func() {
		_, _, err := client.ReadMessage()
		clientGot <- err
		_ = client.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), noDeadline)
	}()
	gw.stop(t)

	if err := <-clientGot; !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("client got %v, want 1001", err)
	}
	if err := <-upstreamGot; !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("upstream got %v, want 1001", err)
	}
}

func TestRTMUpstreamRefusalIsRelayed(t *testing.T) {
	const body = `{"error":{"type":"authentication","message":"Invalid access token"}}`
	up := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) {
		ctx.SetStatusCode(401)
		ctx.SetContentType("application/json")
		ctx.SetBodyString(body)
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

	_, resp, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
	if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil {
		t.Fatalf("dial: %v", err)
	}
	if got := readBody(t, resp); resp.StatusCode != 401 || got != body {
		t.Errorf("client got %d %s, want 401 %s", resp.StatusCode, got, body)
	}
}

func TestRTMEndpointRejectsPlainRequests(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

	got := do(t, gw.Addr, "GET", "/v3.2/customer/rtm/ws?license_id=1", http.Header{}, "")

	want := errorJSON(TypeValidation, "lcgate: the RTM endpoint expects a WebSocket upgrade")
	if got.Status != 400 || got.Body != want {
		t.Errorf("got %d %s, want 400 %s", got.Status, got.Body, want)
	}
	up.noMoreRequests(t)
}

package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// TestUpstreamDyingDuringAMultiCallTranslationEndsTheSessionPromptly: a 3.0 client's
// send_event needs several upstream calls; the upstream answers the first and vanishes. The
// client's session ends with 1011 at once (not after the 30 s a call may wait), the
// translation's goroutine ends with it (goleak checks), and the gateway serves the next
// session.
func TestUpstreamDyingDuringAMultiCallTranslationEndsTheSessionPromptly(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		for {
			_, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			g := gjson.ParseBytes(msg)
			rid := g.Get("request_id").Raw
			switch g.Get("action").String() {
			case "login":
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"request_id":`+rid+`,"action":"login","type":"response","success":true,"payload":{"customer":{"id":"c1"},"chats":[]}}`))
			case "send_event":
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"request_id":`+rid+`,"action":"send_event","type":"response","success":true,"payload":{"event_id":"E1"}}`))
			default: // the read-back call: the upstream dies instead of answering
				_ = c.NetConn().Close()
				return
			}
		}
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	for round := range 2 { // the second session shows the gateway still serves
		client, _, err := dialRTM(t, gw.Addr, "/v3.0/customer/rtm/ws?license_id=1", nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		_ = client.SetReadDeadline(time.Now().Add(10 * time.Second)) // well below the 30 s call timeout
		_ = client.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"1","action":"login","payload":{"token":"Bearer t"}}`))
		if _, msg, err := client.ReadMessage(); err != nil || !strings.Contains(string(msg), `"success":true`) {
			t.Fatalf("round %d: login %s %v", round, msg, err)
		}
		_ = client.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"2","action":"send_event","payload":{"chat_id":"C1","event":{"type":"message","text":"x"}}}`))
		for {
			_, msg, err := client.ReadMessage()
			if err != nil {
				if !websocket.IsCloseError(err, websocket.CloseInternalServerErr) {
					t.Errorf("round %d: session ended with %v, want close 1011", round, err)
				}
				break
			}
			// An error answer to the send_event may precede the close; never a success.
			if g := gjson.ParseBytes(msg); g.Get("request_id").String() == "2" && g.Get("success").Bool() {
				t.Errorf("round %d: a send_event whose read-back failed was answered success: %s", round, msg)
			}
		}
	}
}

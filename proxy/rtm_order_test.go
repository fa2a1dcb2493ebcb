package proxy

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// rtmTestClient is a client session whose frames are read on a goroutine of their own.
type rtmTestClient struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan gjson.Result
	paused chan struct{} // closed: the client reads no more
}

func dialRTMClient(t *testing.T, addr, version string) *rtmTestClient {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v"+version+"/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &rtmTestClient{t: t, conn: conn, frames: make(chan gjson.Result, 4096), paused: make(chan struct{})}
	go func() {
		defer close(c.frames)
		for {
			select {
			case <-c.paused:
				return
			default:
			}
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			c.frames <- gjson.ParseBytes(msg)
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return c
}

// drainOne takes one frame if one comes within d.
func (c *rtmTestClient) drainOne(d time.Duration) bool {
	select {
	case _, ok := <-c.frames:
		return ok
	case <-time.After(d):
		return false
	}
}

// stopReading makes the client read no more frames (at most the one being read).
func (c *rtmTestClient) stopReading() { close(c.paused) }

func (c *rtmTestClient) send(rid, action, payload string) {
	c.t.Helper()
	frame := `{"request_id":"` + rid + `","action":"` + action + `","payload":` + payload + `}`
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		c.t.Fatal(err)
	}
}

// answers reads frames until it has the answers to n requests, and returns them in the order
// they came; pushes are skipped.
func (c *rtmTestClient) answers(n int, within time.Duration) []gjson.Result {
	c.t.Helper()
	var got []gjson.Result
	timeout := time.After(within)
	for len(got) < n {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("the session ended after %d of %d answers", len(got), n)
			}
			if f.Get("type").String() == "response" {
				got = append(got, f)
			}
		case <-timeout:
			c.t.Fatalf("%d of %d answers within %s", len(got), n, within)
		}
	}
	return got
}

// call sends one request and returns its answer, which must be a success.
func (c *rtmTestClient) call(rid, action, payload string) gjson.Result {
	c.t.Helper()
	c.send(rid, action, payload)
	a := c.answers(1, 10*time.Second)[0]
	if a.Get("request_id").String() != rid || !a.Get("success").Bool() {
		c.t.Fatalf("%s: got %s", action, a.Raw)
	}
	return a
}

// storedTexts reads the texts of the message events of a chat from the simulator itself.
func storedTexts(t *testing.T, simBase, token, chatID string) []string {
	t.Helper()
	req, err := http.NewRequest("POST", simBase+"/v3.2/customer/action/list_threads?license_id=123",
		strings.NewReader(`{"chat_id":"`+chatID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("list_threads: %d %s", resp.StatusCode, body)
	}
	var texts []string
	for _, th := range gjson.Get(body, "threads").Array() {
		for _, ev := range th.Get("events").Array() {
			if ev.Get("type").String() == "message" && strings.HasPrefix(ev.Get("text").String(), "m") {
				texts = append(texts, ev.Get("text").String())
			}
		}
	}
	return texts
}

// TestPipelinedSendEventsAreStoredAndAnsweredInOrder: a client that sends send_event frames
// back to back, without waiting for answers (what chat SDKs do when a customer types
// quickly), gets its messages stored in the order it sent them and its answers in that
// order, on every translated pair (3.0's send_event is served with several upstream calls;
// a newer client's on an older upstream is rewritten), for 2 to 200 frames in a row.
func TestPipelinedSendEventsAreStoredAndAnsweredInOrder(t *testing.T) {
	for _, pair := range [][2]string{{"3.0", "3.1"}, {"3.0", "3.2"}, {"3.1", "3.2"}, {"3.1", "3.0"}, {"3.2", "3.0"}, {"3.2", "3.1"}} {
		client, upstream := pair[0], pair[1]
		simBase := startSim(t)
		gw := startGateway(t, Options{Upstream: simBase, UpstreamVersion: upstream})
		for _, n := range []int{2, 3, 5, 200} {
			t.Run(fmt.Sprintf("%s-on-%s/%d", client, upstream, n), func(t *testing.T) {
				token := fmt.Sprintf("order-%s-%s-%d", client, upstream, n)
				c := dialRTMClient(t, gw.Addr, client)
				c.call("login", "login", `{"token":"Bearer `+token+`"}`)
				start := c.call("start", "start_chat", `{"chat":{"thread":{"events":[{"type":"message","text":"hello"}]}}}`)
				chatID := start.Get("payload.chat_id").String()
				if client == "3.0" {
					chatID = start.Get("payload.chat.id").String()
				}
				want := make([]string, n)
				for i := range n {
					want[i] = "m" + strconv.Itoa(i)
					c.send("e"+strconv.Itoa(i), "send_event", `{"chat_id":"`+chatID+`","event":{"type":"message","text":"`+want[i]+`"}}`)
				}
				for i, a := range c.answers(n, 60*time.Second) {
					if rid := a.Get("request_id").String(); rid != "e"+strconv.Itoa(i) || !a.Get("success").Bool() {
						t.Fatalf("answer %d is %s, want the success of e%d", i, a.Raw, i)
					}
				}
				if got := storedTexts(t, simBase, token, chatID); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("stored in the order\n%v\nwant\n%v", got, want)
				}
			})
		}
	}
}

// TestPipelinedMixedRequestsAreAnsweredInOrder: requests served with several upstream calls
// and simple ones, sent back to back, are answered in the order sent: a simple request never
// overtakes a multi-call one before it.
func TestPipelinedMixedRequestsAreAnsweredInOrder(t *testing.T) {
	simBase := startSim(t)
	gw := startGateway(t, Options{Upstream: simBase, UpstreamVersion: "3.2"})
	c := dialRTMClient(t, gw.Addr, "3.0")
	c.call("login", "login", `{"token":"Bearer mixed"}`)
	start := c.call("start", "start_chat", `{"chat":{"thread":{"events":[{"type":"message","text":"hello"}]}}}`)
	chatID := start.Get("payload.chat.id").String()
	var rids []string
	for i := range 30 {
		rid := "r" + strconv.Itoa(i)
		rids = append(rids, rid)
		switch i % 3 {
		case 0: // several upstream calls
			c.send(rid, "send_event", `{"chat_id":"`+chatID+`","event":{"type":"message","text":"m`+strconv.Itoa(i)+`"}}`)
		case 1: // one upstream call
			c.send(rid, "send_sneak_peek", `{"chat_id":"`+chatID+`","sneak_peek_text":"typing"}`)
		default: // refused by the gateway itself
			c.send(rid, "nope", `{}`)
		}
	}
	var got []string
	for _, a := range c.answers(len(rids), 30*time.Second) {
		got = append(got, a.Get("request_id").String())
	}
	if strings.Join(got, " ") != strings.Join(rids, " ") {
		t.Errorf("answered in the order\n%v\nwant\n%v", got, rids)
	}
}

package proxy

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// TestTranslatedRTMAnswersBadFramesAndKeepsTheSession: invalid JSON, an unknown action, a
// Web-only method and a non-string request_id get error answers in the client's format; the
// session goes on (a login afterwards works); an oversized frame closes with 1009.
func TestTranslatedRTMAnswersBadFramesAndKeepsTheSession(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2", MaxMessageSize: 4096})
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.0/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func() gjson.Result {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return gjson.ParseBytes(msg)
	}
	for _, tc := range []struct{ frame, rid, action string }{
		{`{"request_id":"1","action":`, "", ""},
		{`{"request_id":"2","action":"deactivate_chat","payload":{}}`, "2", "deactivate_chat"},
		{`{"request_id":"3","action":"send_file","payload":{}}`, "3", "send_file"},
		{`{"request_id":4,"action":"login","payload":{}}`, "", ""},
		{`{"request_id":"5","action":"login","payload":[]}`, "5", "login"},
	} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(tc.frame)); err != nil {
			t.Fatal(err)
		}
		a := read()
		if a.Get("type").String() != "response" || a.Get("success").Bool() || a.Get("payload.error.type").String() != "validation" ||
			a.Get("request_id").String() != tc.rid || a.Get("action").String() != tc.action {
			t.Errorf("%s → %s, want a validation error response for request %q", tc.frame, a.Raw, tc.rid)
		}
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"6","action":"login","payload":{"token":"Bearer still-here"}}`)); err != nil {
		t.Fatal(err)
	}
	if a := read(); !a.Get("success").Bool() || !a.Get("payload.customer_id").Exists() {
		t.Fatalf("login after bad frames = %s", a.Raw)
	}
	big := `{"request_id":"7","action":"ping","payload":{"x":"` + strings.Repeat("a", 5000) + `"}}`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
			t.Fatalf("after an oversized frame: %v, want close 1009", err)
		}
		break
	}
}

// TestTranslatedRTMAnswersRequestsWithoutRequestID: the gateway tags an untagged request
// upstream and strips the tag on the way back, on the answer and on the pushes it causes.
func TestTranslatedRTMAnswersRequestsWithoutRequestID(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.1/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func() gjson.Result {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return gjson.ParseBytes(msg)
	}
	for _, frame := range []string{
		`{"action":"login","payload":{"token":"Bearer no-rid"}}`,
		`{"action":"start_chat","payload":{}}`,
	} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
	}
	login, start, push := read(), read(), read()
	if login.Get("action").String() != "login" || login.Get("request_id").Exists() || !login.Get("payload.customer_id").Exists() {
		t.Errorf("login answer %s, want the 3.1 answer without request_id", login.Raw)
	}
	if start.Get("action").String() != "start_chat" || start.Get("request_id").Exists() || !start.Get("payload.chat_id").Exists() {
		t.Errorf("start_chat answer %s, want it without request_id", start.Raw)
	}
	if push.Get("action").String() != "incoming_chat_thread" || push.Get("request_id").Exists() {
		t.Errorf("push %s, want incoming_chat_thread without request_id", push.Raw)
	}
}

// TestTranslatedRTMKeepsRequestsInFlightUnderTheBound: a translated session never has more
// than MaxPendingPerSession (at most translate.UpstreamPendingLimit) requests unanswered
// upstream: the next waits its turn, in order, and reaches the upstream only once an earlier
// one is done. Requests the upstream leaves unanswered for the upstream time-out get
// request_timeout in the client's format, in the order sent.
func TestTranslatedRTMKeepsRequestsInFlightUnderTheBound(t *testing.T) {
	got := make(chan string, 10)
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		for { // reads and never answers
			_, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			got <- gjson.GetBytes(msg, "request_id").String()
		}
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MaxPendingPerSession: 2, UpstreamTimeout: 300 * time.Millisecond})
	c := dialRTMClient(t, gw.Addr, "3.1")
	for i := 1; i <= 3; i++ {
		c.send("r"+strconv.Itoa(i), "get_groups_status", `{"all":true}`)
	}
	for _, want := range []string{"lcgate-1", "lcgate-2"} {
		if rid := <-got; rid != want {
			t.Fatalf("upstream got %s, want %s", rid, want)
		}
	}
	select {
	case rid := <-got:
		t.Fatalf("upstream got %s while two requests were unanswered", rid)
	case <-time.After(100 * time.Millisecond): // the third waits for one of the first two
	}
	answers := c.answers(2, 10*time.Second)
	if rid := <-got; rid != "lcgate-3" {
		t.Fatalf("upstream got %s, want lcgate-3", rid)
	}
	answers = append(answers, c.answers(1, 10*time.Second)...)
	for i, a := range answers {
		if a.Get("request_id").String() != "r"+strconv.Itoa(i+1) || a.Get("payload.error.type").String() != "request_timeout" {
			t.Errorf("answer %d is %s, want r%d refused with request_timeout", i, a.Raw, i+1)
		}
	}
}

package canned

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

func TestRTMAnswersInOrder(t *testing.T) {
	ts := start(t, Options{})
	ws := ts.dial(t)
	send(t, ws, `{"request_id":"l","action":"login","payload":{"token":"Bearer dal:test_1fgTbfXmgthj4cZSA"}}`)
	f := read(t, ws)
	if string(f.RequestID) != `"l"` || f.Action != "login" || f.Type != "response" || f.Success == nil || !*f.Success {
		t.Fatalf("login answer %+v", f)
	}
	if gjson.GetBytes(f.Payload, "customer.id").Str != customerID {
		t.Errorf("login payload %s", f.Payload)
	}
	actions := map[string]string{"a": "get_chat", "b": "send_event", "c": "list_chats"}
	for _, id := range []string{"a", "b", "c"} {
		send(t, ws, `{"request_id":"`+id+`","action":"`+actions[id]+`","payload":{"chat_id":"PJ0MRSHTDG"}}`)
	}
	s := New(Options{})
	for _, id := range []string{"a", "b", "c"} {
		f := read(t, ws)
		if string(f.RequestID) != strconv.Quote(id) || f.Action != actions[id] || f.Type != "response" || !*f.Success {
			t.Errorf("answer %q: %+v", id, f)
		}
		if !bytes.Equal(f.Payload, s.rtm[actions[id]]) {
			t.Errorf("answer %q: payload differs from the canned one", id)
		}
	}
}

func TestRTMPushesPerRequest(t *testing.T) {
	ts := start(t, Options{PushesPerRequest: 2})
	ws := ts.dial(t)
	send(t, ws, `{"request_id":"l","action":"login","payload":{"token":"Bearer x"}}`)
	if f := read(t, ws); f.Action != "login" || f.Type != "response" {
		t.Fatalf("login answer %+v", f)
	}
	for i := 0; i < 2; i++ { // tagged with the request id
		if f := read(t, ws); f.Type != "push" || gjson.GetBytes(f.Payload, "event.text").Str != "l" {
			t.Fatalf("push after login: %+v", f)
		}
	}
	send(t, ws, `{"request_id":"p","action":"ping","payload":{}}`) // answered, and no push follows
	if f := read(t, ws); string(f.RequestID) != `"p"` || f.Action != "ping" || f.Type != "response" {
		t.Fatalf("ping answer %+v", f)
	}
	for _, id := range []string{"a", "b", "c"} {
		send(t, ws, `{"request_id":"`+id+`","action":"send_sneak_peek","payload":{"chat_id":"PJ0MRSHTDG","sneak_peek_text":"peek-`+id+`"}}`)
	}
	seen := map[string]bool{}
	for _, id := range []string{"a", "b", "c"} {
		f := read(t, ws)
		if string(f.RequestID) != strconv.Quote(id) || f.Action != "send_sneak_peek" || f.Type != "response" || string(f.Payload) != "{}" {
			t.Fatalf("answer %q: %+v", id, f)
		}
		for i := 0; i < 2; i++ {
			p := read(t, ws)
			if p.Type != "push" || p.Action != "incoming_event" || p.RequestID != nil {
				t.Fatalf("after %q: %+v, want an incoming_event push", id, p)
			}
			ev := gjson.GetBytes(p.Payload, "event")
			if ev.Get("text").Str != "peek-"+id {
				t.Errorf("push after %q carries text %q", id, ev.Get("text").Str)
			}
			if gjson.GetBytes(p.Payload, "chat_id").Str != chatID || gjson.GetBytes(p.Payload, "thread_id").Str != threadID {
				t.Errorf("push payload %s", p.Payload)
			}
			if ev.Get("type").Str != "message" || ev.Get("created_at").Str == "" || ev.Get("author_id").Str == "" {
				t.Errorf("push event %s", ev.Raw)
			}
			if seen[ev.Get("id").Str] {
				t.Errorf("event id %s pushed twice", ev.Get("id").Str)
			}
			seen[ev.Get("id").Str] = true
		}
	}
	// send_event: the event's text; no text: the request id (a number becomes a string).
	send(t, ws, `{"request_id":"e","action":"send_event","payload":{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"hello \"world\" é"}}}`)
	send(t, ws, `{"request_id":42,"action":"send_sneak_peek","payload":{"chat_id":"PJ0MRSHTDG"}}`)
	if f := read(t, ws); f.Action != "send_event" || gjson.GetBytes(f.Payload, "event_id").Str != eventID {
		t.Fatalf("send_event answer %+v", f)
	}
	for i := 0; i < 2; i++ {
		if p := read(t, ws); gjson.GetBytes(p.Payload, "event.text").Str != `hello "world" é` {
			t.Errorf("push after send_event: %s", p.Payload)
		}
	}
	if f := read(t, ws); string(f.RequestID) != "42" || f.Action != "send_sneak_peek" || string(f.Payload) != "{}" {
		t.Fatalf("send_sneak_peek answer %+v", f)
	}
	for i := 0; i < 2; i++ {
		if p := read(t, ws); gjson.GetBytes(p.Payload, "event.text").Str != "42" {
			t.Errorf("push after send_sneak_peek without text: %s", p.Payload)
		}
	}
}

func TestRTMBadFrames(t *testing.T) {
	ts := start(t, Options{PushesPerRequest: 1})
	ws := ts.dial(t)
	bad := []struct {
		frame, requestID string
	}{
		{`hello`, ""},
		{`[1,2]`, ""},
		{`{"request_id":"x1","payload":{}}`, `"x1"`},    // no action
		{`{"request_id":"x2","action":7}`, `"x2"`},      // action not a string
		{`{"request_id":"x3","action":"nope"}`, `"x3"`}, // unknown action
		{`{"request_id":"x4","action":"login`, `"x4"`},  // truncated
	}
	for _, b := range bad {
		send(t, ws, b.frame)
		f := read(t, ws)
		if f.Type != "response" || f.Success == nil || *f.Success || gjson.GetBytes(f.Payload, "error.type").Str != "validation" {
			t.Errorf("%s: answer %+v", b.frame, f)
		}
		if string(f.RequestID) != b.requestID {
			t.Errorf("%s: request_id %s, want %s", b.frame, f.RequestID, b.requestID)
		}
	}
	// Still usable; a frame without request_id is answered without one.
	send(t, ws, `{"action":"send_sneak_peek","payload":{"chat_id":"PJ0MRSHTDG"}}`)
	f := read(t, ws)
	if f.Action != "send_sneak_peek" || f.RequestID != nil || !*f.Success {
		t.Errorf("send_sneak_peek answer %+v", f)
	}
	if p := read(t, ws); p.Type != "push" || gjson.GetBytes(p.Payload, "event.text").Str != "" {
		t.Errorf("push %+v", p)
	}
	// WebSocket pings get pongs.
	pong := make(chan string, 1)
	ws.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := ws.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	send(t, ws, `{"request_id":"after","action":"ping"}`)
	if f := read(t, ws); string(f.RequestID) != `"after"` { // the pong was read meanwhile
		t.Errorf("answer %+v", f)
	}
	select {
	case s := <-pong:
		if s != "p1" {
			t.Errorf("pong %q", s)
		}
	default:
		t.Error("no pong before the next answer")
	}
}

func TestRTMReadLimit(t *testing.T) {
	ts := start(t, Options{})
	ws := ts.dial(t)
	big := `{"request_id":"big","action":"send_event","payload":{"event":{"type":"message","text":"` +
		string(bytes.Repeat([]byte("x"), 900<<10)) + `"}}}`
	send(t, ws, big)
	if f := read(t, ws); string(f.RequestID) != `"big"` {
		t.Fatalf("answer %+v", f)
	}
	send(t, ws, `{"request_id":"huge","action":"ping","payload":{"x":"`+string(bytes.Repeat([]byte("x"), 1<<20))+`"}}`)
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("frame over 1 MiB: %v, want close 1009", err)
	}
}

func TestRTMPushInterval(t *testing.T) {
	ts := start(t, Options{PushInterval: 5 * time.Millisecond})
	ws := ts.dial(t)
	// Not logged in: no ticks; the answer to ping comes first.
	send(t, ws, `{"request_id":"p","action":"ping"}`)
	if f := read(t, ws); f.Action != "ping" {
		t.Fatalf("first frame %+v", f)
	}
	send(t, ws, `{"request_id":"l","action":"login","payload":{"token":"Bearer x"}}`)
	if f := read(t, ws); f.Action != "login" {
		t.Fatalf("login answer %+v", f)
	}
	for n := 1; n <= 3; n++ {
		p := read(t, ws)
		if p.Type != "push" || gjson.GetBytes(p.Payload, "event.text").Str != "tick-"+strconv.Itoa(n) {
			t.Fatalf("tick %d: %+v", n, p)
		}
	}
	// Answers still get through between ticks.
	send(t, ws, `{"request_id":"q","action":"get_customer"}`)
	for {
		f := read(t, ws)
		if f.Type == "response" {
			if string(f.RequestID) != `"q"` {
				t.Errorf("answer %+v", f)
			}
			break
		}
	}
}

func TestShutdownClosesRTM(t *testing.T) {
	ts := start(t, Options{PushInterval: time.Millisecond})
	var conns []*websocket.Conn
	for i := 0; i < 3; i++ {
		ws := ts.dial(t)
		send(t, ws, `{"request_id":"l","action":"login","payload":{"token":"Bearer x"}}`)
		if f := read(t, ws); f.Action != "login" {
			t.Fatalf("login answer %+v", f)
		}
		conns = append(conns, ws)
	}
	idle := ts.dial(t) // not logged in, never sends
	conns = append(conns, idle)
	// A keep-alive Web connection idling at Shutdown must not hold it.
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+ts.addr+"/v3.2/customer/action/get_chat?license_id=1", "application/json", bytes.NewReader([]byte("{}")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer client.CloseIdleConnections()

	if err := ts.Shutdown(); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case err := <-ts.served:
		if err != nil {
			t.Errorf("Serve returned %v, want nil", err)
		}
		ts.served <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after Shutdown")
	}
	for i, ws := range conns {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := ws.ReadMessage()
			if err == nil {
				continue // ticks sent before the close
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseGoingAway {
				t.Errorf("conn %d: close code %d, want 1001", i, ce.Code)
			}
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("conn %d still open after Shutdown", i)
			}
			break
		}
	}
	// New connections are refused, and Serve after Shutdown returns nil at once.
	if _, _, err := websocket.DefaultDialer.Dial("ws://"+ts.addr+"/v3.2/customer/rtm/ws", nil); err == nil {
		t.Error("dial after Shutdown succeeded")
	}
	if err := ts.Shutdown(); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestServeAfterShutdown(t *testing.T) {
	s := New(Options{})
	if err := s.Shutdown(); err != nil {
		t.Fatal(err)
	}
	ln := newClosedCheckListener(t)
	if err := s.Serve(ln); err != nil {
		t.Errorf("Serve after Shutdown: %v", err)
	}
	if !ln.closed {
		t.Error("listener left open")
	}
}

// A push frame is valid JSON whatever the text's source.
func TestPushFrameJSON(t *testing.T) {
	for _, js := range []string{
		`{"request_id":"r","payload":{"sneak_peek_text":"a\"b\\c\u00e9\n"}}`,
		`{"request_id":"r","payload":{"event":{"text":"x"}}}`,
		`{"request_id":{"a":"b"}}`,
		`{}`,
	} {
		text := pushText(js, gjson.Get(js, "request_id"))
		b := append([]byte(nil), pushPrefix...)
		b = append(b, '1')
		b = append(b, pushMiddle...)
		b = append(b, text...)
		b = append(b, pushSuffix...)
		if !json.Valid(b) {
			t.Errorf("%s: invalid push %s", js, b)
		}
	}
}

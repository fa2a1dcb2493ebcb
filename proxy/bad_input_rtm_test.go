package proxy

import (
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/sim"
	"github.com/tidwall/gjson"
)

// rtmClientVersions are the client versions the RTM bad-input tests run, on a 3.2 upstream:
// two translated sessions and one passed through untouched.
var rtmClientVersions = []string{"3.0", "3.1", "3.2"}

// rtmClient is a test's WebSocket to the gateway, with reads bounded by a generous deadline.
type rtmClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// openRTM dials the gateway's RTM endpoint of version v.
func openRTM(t *testing.T, addr, v string) *rtmClient {
	t.Helper()
	conn, _, err := dialRTM(t, addr, "/v"+v+"/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatalf("dial %s: %v", v, err)
	}
	return &rtmClient{t: t, conn: conn}
}

// write sends one text message.
func (c *rtmClient) write(frame string) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next reads the next data message; err is the session's end.
func (c *rtmClient) next() (gjson.Result, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := c.conn.ReadMessage()
	return gjson.ParseBytes(msg), err
}

// response reads up to the next response, skipping pushes.
func (c *rtmClient) response() gjson.Result {
	c.t.Helper()
	for {
		g, err := c.next()
		if err != nil {
			c.t.Fatalf("waiting for a response: %v", err)
		}
		if g.Get("type").String() == "response" {
			return g
		}
	}
}

// login logs in as a customer of its own and fails unless it succeeds.
func (c *rtmClient) login(token string) {
	c.t.Helper()
	c.write(`{"request_id":"login","action":"login","payload":{"token":"Bearer ` + token + `"}}`)
	if g := c.response(); g.Get("request_id").String() != "login" || !g.Get("success").Bool() {
		c.t.Fatalf("login answered %s", g.Raw)
	}
}

// usable fails unless the session still answers a protocol ping.
func (c *rtmClient) usable() {
	c.t.Helper()
	c.write(`{"request_id":"still","action":"ping","payload":{}}`)
	if g := c.response(); g.Get("request_id").String() != "still" || !g.Get("success").Bool() {
		c.t.Fatalf("ping after the bad input answered %s", g.Raw)
	}
}

// closedWith reads until the session ends and fails unless it ends with a close frame of code.
func (c *rtmClient) closedWith(code int) {
	c.t.Helper()
	for {
		_, err := c.next()
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, code) {
			c.t.Fatalf("session ended with %v, want close %d", err, code)
		}
		return
	}
}

// maskedFrame is one client frame as written on the wire: fin, opcode, a masked payload.
func maskedFrame(fin bool, opcode byte, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, 0x80|byte(n))
	case n < 1<<16:
		out = append(out, 0x80|126, 0, 0)
		binary.BigEndian.PutUint16(out[2:], uint16(n))
	default:
		out = append(out, 0x80|127, 0, 0, 0, 0, 0, 0, 0, 0)
		binary.BigEndian.PutUint64(out[2:], uint64(n))
	}
	mask := [4]byte{0x1f, 0x2e, 0x3d, 0x4c}
	out = append(out, mask[:]...)
	for i, c := range payload {
		out = append(out, c^mask[i%4])
	}
	return out
}

// WebSocket opcodes of RFC 6455 §5.2, for frames written by hand.
const (
	opContinuation = 0x0
	opText         = 0x1
	opClose        = 0x8
	opPing         = 0x9
)

// TestRTMBadInputTable sends each bad frame a WebSocket client can send, in a session of its
// own after login, for 3.0 and 3.1 clients (translated) and 3.2 clients (passed through to
// the simulator, which judges them). A frame lcgate or the upstream can read enough of gets a
// `success: false` response in the client's version's format (spec/structures.md §1.2, the
// same envelope in every version), naming the request and action when the frame had them,
// and the session goes on; a frame no RTM server takes ends the session with the close code
// the API uses: 1003 for a binary frame, 1009 beyond the message limit.
func TestRTMBadInputTable(t *testing.T) {
	upstream := startSim(t)
	for _, tc := range []struct {
		desc    string
		kind    int
		frame   string
		rid     string // the answer's request_id; "" when it has none
		action  string // the answer's action; "" when it has none
		typ     string
		lcgate  string // what lcgate's own answer says, on a translated session
		closing int    // the session ends with this close code instead of an answer
		// lcgateOnly rows are judged by lcgate on translated sessions only: passed through,
		// the upstream judges them (the simulator, reading with gjson, takes the first of
		// two keys and does not check UTF-8).
		lcgateOnly bool
	}{
		{desc: "invalid JSON", frame: `{"request_id":"1","action":`, typ: "validation", lcgate: "not valid JSON"},
		{desc: "invalid UTF-8", frame: "{\"request_id\":\"1\",\"action\":\"ping\",\"payload\":{\"x\":\"\xff\"}}", typ: "validation", lcgate: "invalid UTF-8", lcgateOnly: true},
		{desc: "not an object", frame: `[{"action":"ping"}]`, typ: "validation", lcgate: "must be a JSON object"},
		{desc: "no action", frame: `{"request_id":"2","payload":{}}`, rid: "2", typ: "validation", lcgate: "`action` is required"},
		{desc: "unknown action", frame: `{"request_id":"3","action":"nope","payload":{}}`, rid: "3", action: "nope", typ: "validation", lcgate: `unknown action "nope"`},
		{desc: "request_id a number", frame: `{"request_id":4,"action":"ping"}`, typ: "validation", lcgate: "`request_id` must be a string"},
		{desc: "payload an array", frame: `{"request_id":"5","action":"send_event","payload":[]}`, rid: "5", action: "send_event", typ: "validation", lcgate: "`payload` must be an object"},
		{desc: "wrong type in the payload", frame: `{"request_id":"6","action":"send_event","payload":{"chat_id":5,"event":{"type":"message","text":"x"}}}`, rid: "6", action: "send_event", typ: "validation"},
		{desc: "duplicate key", frame: `{"request_id":"7","action":"send_event","payload":{"chat_id":"a","chat_id":"b","event":{"type":"message","text":"x"}}}`, rid: "7", action: "send_event", typ: "validation", lcgate: `duplicate key "chat_id"`, lcgateOnly: true},
		{desc: "binary frame", kind: websocket.BinaryMessage, frame: `{"request_id":"8","action":"ping"}`, closing: websocket.CloseUnsupportedData},
		{desc: "over the message limit", frame: `{"request_id":"9","action":"ping","payload":{"x":"` + strings.Repeat("a", 5000) + `"}}`, closing: websocket.CloseMessageTooBig},
	} {
		for _, v := range rtmClientVersions {
			if tc.lcgateOnly && v == "3.2" {
				continue
			}
			t.Run(v+" "+tc.desc, func(t *testing.T) {
				gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2", MaxMessageSize: 4096})
				c := openRTM(t, gw.Addr, v)
				c.login("dal:bad-frames")
				kind := tc.kind
				if kind == 0 {
					kind = websocket.TextMessage
				}
				if err := c.conn.WriteMessage(kind, []byte(tc.frame)); err != nil {
					t.Fatal(err)
				}
				if tc.closing != 0 {
					c.closedWith(tc.closing)
					return
				}
				g := c.response()
				if g.Get("success").Bool() || g.Get("payload.error.type").String() != tc.typ ||
					g.Get("request_id").String() != tc.rid || g.Get("request_id").Exists() != (tc.rid != "") ||
					g.Get("action").String() != tc.action || !g.Get("payload.error.message").Exists() {
					t.Errorf("answer %s, want a %s error for request %q, action %q", g.Raw, tc.typ, tc.rid, tc.action)
				}
				if v != "3.2" && !strings.Contains(g.Get("payload.error.message").String(), tc.lcgate) {
					t.Errorf("lcgate answered %s, want it to say %q", g.Raw, tc.lcgate)
				}
				c.usable()
			})
		}
	}
}

// TestRTMFragmentedMessagesAreReassembled: a request split into continuation frames, with a
// ping between two of them (RFC 6455 §5.4 allows control frames there), is one request: it is
// answered, and the ping gets its pong.
func TestRTMFragmentedMessagesAreReassembled(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	for _, v := range rtmClientVersions {
		t.Run(v, func(t *testing.T) {
			c := openRTM(t, gw.Addr, v)
			c.login("dal:fragments")
			ponged := make(chan string, 1)
			c.conn.SetPongHandler(func(data string) error { ponged <- data; return nil })
			msg := []byte(`{"request_id":"frag","action":"ping","payload":{"note":"in three pieces"}}`)
			raw := maskedFrame(false, opText, msg[:10])
			raw = append(raw, maskedFrame(true, opPing, []byte("between"))...)
			raw = append(raw, maskedFrame(false, opContinuation, msg[10:40])...)
			raw = append(raw, maskedFrame(true, opContinuation, msg[40:])...)
			if _, err := c.conn.NetConn().Write(raw); err != nil {
				t.Fatal(err)
			}
			if g := c.response(); g.Get("request_id").String() != "frag" || !g.Get("success").Bool() {
				t.Errorf("fragmented request answered %s", g.Raw)
			}
			select {
			case got := <-ponged:
				if got != "between" {
					t.Errorf("pong %q, want the ping's data", got)
				}
			default:
				t.Error("the ping between the fragments got no pong before the answer")
			}
		})
	}
}

// answeringUpstream answers every request frame with an empty success for its request id
// and action, and answers pings with pongs (the websocket default), until the client goes.
func answeringUpstream(c *websocket.Conn) {
	scriptedRTMUpstream(c, func(_ gjson.Result, answer string) (int, string) { return websocket.TextMessage, answer })
}

// scriptedRTMUpstream reads request frames until the client goes and writes, for each, the
// message reply chooses, given the request and its empty success answer.
func scriptedRTMUpstream(c *websocket.Conn, reply func(req gjson.Result, answer string) (kind int, msg string)) {
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		g := gjson.ParseBytes(msg)
		kind, out := reply(g, `{"request_id":`+g.Get("request_id").Raw+`,"action":`+g.Get("action").Raw+`,"type":"response","success":true,"payload":{}}`)
		if err := c.WriteMessage(kind, []byte(out)); err != nil {
			return
		}
	}
}

// TestRTMPingFloodIsAnsweredAndHarmsNoOne: 10,000 WebSocket pings in a row each reach the
// upstream and each pong comes back; the session then answers a request, and another
// session served meanwhile is not held up.
func TestRTMPingFloodIsAnsweredAndHarmsNoOne(t *testing.T) {
	const pings = 10000
	up := startUpstream(t, &fakeUpstream{rtm: answeringUpstream})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	for _, v := range []string{"3.0", "3.2"} {
		t.Run(v, func(t *testing.T) {
			flood, other := openRTM(t, gw.Addr, v), openRTM(t, gw.Addr, v)
			var pongs atomic.Int64
			allPonged := make(chan struct{})
			flood.conn.SetPongHandler(func(string) error {
				if pongs.Add(1) == pings {
					close(allPonged)
				}
				return nil
			})
			answered := make(chan gjson.Result, 1)
			go func() { // reads (running the pong handler) until the answer after the flood
				defer close(answered)
				for {
					g, err := flood.next()
					if err != nil {
						return
					}
					if g.Get("request_id").String() == "after" {
						answered <- g
						return
					}
				}
			}()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the other session, served during the flood
				defer wg.Done()
				for i := range 20 {
					other.write(`{"request_id":"o` + itoa(i) + `","action":"get_groups_status","payload":{"all":true}}`)
					if g := other.response(); g.Get("request_id").String() != "o"+itoa(i) {
						t.Errorf("the other session got %s", g.Raw)
						return
					}
				}
			}()
			for i := range pings {
				if err := flood.conn.WriteControl(websocket.PingMessage, []byte(itoa(i)), time.Now().Add(10*time.Second)); err != nil {
					t.Fatalf("ping %d: %v", i, err)
				}
			}
			wg.Wait()
			select {
			case <-allPonged:
			case <-time.After(20 * time.Second):
				t.Fatalf("%d pongs of %d", pongs.Load(), pings)
			}
			flood.write(`{"request_id":"after","action":"get_groups_status","payload":{"all":true}}`)
			if g, ok := <-answered; !ok || !g.Get("success").Bool() {
				t.Fatalf("request after the flood: %s (answered %v)", g.Raw, ok)
			}
		})
	}
}

// TestTranslatedClientThatStopsReadingIsCut is TestClientThatStopsReadingIsCutAfterWriteTimeout
// for a translated session: pushes translated for a 3.0 client that reads nothing block at
// WriteTimeout, the session ends, and a reading client is served meanwhile.
func TestTranslatedClientThatStopsReadingIsCut(t *testing.T) {
	push := []byte(`{"action":"incoming_event","type":"push","payload":{"chat_id":"C1","thread_id":"T1","event":{"id":"E1","type":"message","text":"` +
		strings.Repeat("a", 64<<10) + `","author_id":"agent","created_at":"2020-01-01T00:00:00.000000Z"}}}`)
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		for c.WriteMessage(websocket.TextMessage, push) == nil {
		}
	}})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", WriteTimeout: 200 * time.Millisecond, CloseGrace: 200 * time.Millisecond})
	openRTM(t, gw.Addr, "3.0") // never reads
	other := openRTM(t, gw.Addr, "3.0")
	for i := range 20 {
		g, err := other.next()
		if err != nil || g.Get("action").String() != "incoming_event" {
			t.Fatalf("the reading session got %s %v after %d pushes", g.Raw, err, i)
		}
	}
	_ = other.conn.Close()
	waitStuckSessionCut(t, gw)
}

// waitStuckSessionCut waits until the gateway has no session open, failing after a generous
// deadline: the one left is a client that stopped reading, which WriteTimeout must cut.
func waitStuckSessionCut(t *testing.T, gw *gateway) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for gw.sessions.open.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still open: the stuck client was never cut off", gw.sessions.open.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRTMWithoutLogin: a request before login gets the upstream's `authentication` error in
// the client's format, and the upstream's login timeout (LiveChat closes after 30 s; the
// simulator here after 300 ms) reaches the client as its version's customer_disconnected
// push and close 1000. lcgate keeps no login clock of its own on sessions it dials before
// the upgrade: the upstream's is the one the API documents.
func TestRTMWithoutLogin(t *testing.T) {
	upstream := startSimWith(t, sim.Options{LoginTimeout: 300 * time.Millisecond})
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	for _, v := range rtmClientVersions {
		t.Run(v, func(t *testing.T) {
			c := openRTM(t, gw.Addr, v)
			c.write(`{"request_id":"early","action":"start_chat","payload":{}}`)
			g := c.response()
			if g.Get("request_id").String() != "early" || g.Get("action").String() != "start_chat" ||
				g.Get("success").Bool() || g.Get("payload.error.type").String() != "authentication" {
				t.Errorf("request before login answered %s, want an authentication error", g.Raw)
			}
			g, err := c.next()
			if err != nil || g.Get("action").String() != "customer_disconnected" || g.Get("payload.reason").String() != "connection_timeout" {
				t.Errorf("after the login timeout: %s %v, want customer_disconnected (connection_timeout)", g.Raw, err)
			}
			c.closedWith(websocket.CloseNormalClosure)
		})
	}
}

// TestRTMFramesAfterTheCloseAreIgnored: what a client sends after its close frame never
// reaches the upstream, which gets the client's close code; the client gets the close back.
func TestRTMFramesAfterTheCloseAreIgnored(t *testing.T) {
	for _, v := range []string{"3.0", "3.2"} {
		t.Run(v, func(t *testing.T) {
			up, seen := startRecordingUpstream(t)
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
			c := openRTM(t, gw.Addr, v)
			raw := maskedFrame(true, opClose, websocket.FormatCloseMessage(4001, "bye"))
			raw = append(raw, maskedFrame(true, opText, []byte(`{"request_id":"late","action":"ping"}`))...)
			raw = append(raw, maskedFrame(true, opPing, []byte("late"))...)
			if _, err := c.conn.NetConn().Write(raw); err != nil {
				t.Fatal(err)
			}
			c.closedWith(4001)
			if got := seen(); len(got) != 1 || got[0] != "close 4001" {
				t.Errorf("upstream saw %q, want only the client's close 4001", got)
			}
		})
	}
}

// startRecordingUpstream starts an upstream that records every message of its one RTM
// session ("binary:" before a binary one) and how it ended ("close N"); seen returns the
// record once the session has ended.
func startRecordingUpstream(t *testing.T) (up *fakeUpstream, seen func() []string) {
	t.Helper()
	record := make(chan string, 16)
	up = startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		defer close(record)
		for {
			kind, msg, err := c.ReadMessage()
			var ce *websocket.CloseError
			switch {
			case errors.As(err, &ce):
				record <- "close " + itoa(ce.Code)
				return
			case err != nil:
				record <- err.Error()
				return
			case kind == websocket.BinaryMessage:
				record <- "binary:" + string(msg)
			default:
				record <- string(msg)
			}
		}
	}})
	return up, func() []string {
		var got []string
		for s := range record {
			got = append(got, s)
		}
		return got
	}
}

// TestTranslatedRTMNeverForwardsBinaryFrames: a binary frame cannot be translated, so on a
// translated session it never reaches the upstream untranslated (an upstream reading JSON
// from it would get the client's version): the client gets 1003, as from the API, and the
// upstream 1001. Passed through, it is the upstream's to judge.
func TestTranslatedRTMNeverForwardsBinaryFrames(t *testing.T) {
	for _, tc := range []struct {
		client string
		want   []string
	}{
		{"3.0", []string{"close 1001"}},
		{"3.1", []string{"close 1001"}},
		{"3.2", []string{`binary:{"request_id":"b","action":"ping"}`, "close 1000"}},
	} {
		t.Run(tc.client, func(t *testing.T) {
			up, seen := startRecordingUpstream(t)
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
			c := openRTM(t, gw.Addr, tc.client)
			if err := c.conn.WriteMessage(websocket.BinaryMessage, []byte(`{"request_id":"b","action":"ping"}`)); err != nil {
				t.Fatal(err)
			}
			if tc.client == "3.2" { // passed through: the client ends the session itself
				_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(10*time.Second))
				c.closedWith(websocket.CloseNormalClosure)
			} else {
				c.closedWith(websocket.CloseUnsupportedData)
			}
			if got := seen(); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("upstream saw %q, want %q", got, tc.want)
			}
		})
	}
}

package sim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// rtmDialURL dials an RTM URL path+query of the harness and returns the outcome as is.
func (h *harness) rtmDialURL(pathQuery string) (*websocket.Conn, *http.Response, error) {
	url := strings.Replace(h.base, "http", "ws", 1) + pathQuery
	ws, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if ws != nil {
		h.t.Cleanup(func() { _ = ws.Close() })
	}
	return ws, resp, err
}

// TestRTMActionsBeforeLoginFailWithAuthentication checks that every action but login and ping
// needs a login first.
func TestRTMActionsBeforeLoginFailWithAuthentication(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		for name, m := range methodTables[v] {
			if m.rtm && !m.noAuth {
				s.fail("pre-"+name, name, `{}`, "authentication")
			}
		}
		s.login("ivy", "")
		s.ok("after", "get_predicted_agent", `{}`)
	}
}

// TestRTMPingBeforeLoginIsIgnored sends protocol pings (with and without request_id) before
// login: they get no answer, so the login answer is the first frame, and after login the next
// frame answers the next ping.
func TestRTMPingBeforeLoginIsIgnored(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		s.sendFrame(rtmFrame("early", "ping", `{}`))
		s.sendFrame(`{"action":"ping","payload":{}}`)
		s.sendFrame(rtmFrame("login", "login", `{"token":"Bearer jack"}`))
		if f := s.recv(); f.Get("request_id").String() != "login" || !f.Get("success").Bool() {
			t.Errorf("%s: first frame %s, want the login answer", v, f.Raw)
		}
		s.sendFrame(rtmFrame("late", "ping", `{}`))
		if f := s.recv(); f.Get("request_id").String() != "late" {
			t.Errorf("%s: after login, frame %s, want the answer to ping late", v, f.Raw)
		}
	}
}

// TestRTMPingAfterLoginAnswers checks the exact ping answers of spec/methods.md §1.2, with and
// without request_id and payload, and that a WebSocket control ping gets a pong.
func TestRTMPingAfterLoginAnswers(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		s.login("kate", "")
		for _, c := range []struct{ req, want string }{
			{`{"action":"ping","payload":{}}`, `{"action":"ping","type":"response","success":true,"payload":{}}`},
			{`{"action":"ping"}`, `{"action":"ping","type":"response","success":true,"payload":{}}`},
			{`{"request_id":"p1","action":"ping","payload":{}}`, `{"request_id":"p1","action":"ping","type":"response","success":true,"payload":{}}`},
		} {
			s.sendFrame(c.req)
			if got := s.recv().Raw; got != c.want {
				t.Errorf("%s: %s answered %s, want %s", v, c.req, got, c.want)
			}
		}
		pong := make(chan string, 1)
		s.c.ws.SetPongHandler(func(data string) error { pong <- data; return nil })
		if err := s.c.ws.WriteControl(websocket.PingMessage, []byte("hb"), time.Now().Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		s.quiet() // reading the ping answer processes the pong that precedes it
		select {
		case got := <-pong:
			if got != "hb" {
				t.Errorf("%s: pong %q, want hb", v, got)
			}
		default:
			t.Errorf("%s: no pong to a control ping", v)
		}
	}
}

// TestRTMLoginRejectsBadRequests checks the login errors: no usable token is
// `authentication`, a malformed request `validation`; the connection stays logged out.
func TestRTMLoginRejectsBadRequests(t *testing.T) {
	cases := []struct {
		name, payload, typ string
	}{
		{"empty token", `{"token":""}`, "authentication"},
		{"bare scheme", `{"token":"Bearer "}`, "authentication"},
		{"blank token", `{"token":"Bearer    "}`, "authentication"},
		{"no token", `{}`, "validation"},
		{"token not a string", `{"token":5}`, "validation"},
		{"group_id not a number", `{"token":"Bearer lee","group_id":"1"}`, "validation"},
		{"customer not an object", `{"token":"Bearer lee","customer":"lee"}`, "validation"},
		{"bad email", `{"token":"Bearer lee","customer":{"email":"nope"}}`, "validation"},
		{"customer_page not an object", `{"token":"Bearer lee","customer_page":[]}`, "validation"},
		{"side storage not strings", `{"token":"Bearer lee","customer_side_storage":{"a":1}}`, "validation"},
	}
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		for _, c := range cases {
			t.Run(v.String()+"/"+c.name, func(t *testing.T) {
				s := h.rtm(v, "", nil).on(t)
				s.fail("login", "login", c.payload, c.typ)
				s.fail("next", "start_chat", `{}`, "authentication")
				s.login("lee", "")
			})
		}
	}
}

// TestRTMSecondLoginFailsWithValidation checks that a connection logs in once; the first
// login stays in force.
func TestRTMSecondLoginFailsWithValidation(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		first := s.login("mia", "")
		s.fail("again", "login", `{"token":"Bearer someone-else"}`, "validation")
		again := h.rtm(v, "", nil).login("mia", "")
		if first.Get("customer_id").String() != again.Get("customer_id").String() ||
			first.Get("customer.id").String() != again.Get("customer.id").String() {
			t.Errorf("%s: the second login changed the customer", v)
		}
		s.ok("still", "get_predicted_agent", `{}`)
	}
}

// TestRTMMalformedFramesGetValidationErrors sends frames that are not valid requests. Each gets
// a `validation` error response carrying whatever request_id and action could be read; the
// connection stays usable.
func TestRTMMalformedFramesGetValidationErrors(t *testing.T) {
	cases := []struct {
		name, frame, rid, action string
	}{
		{"not JSON", `{"action":`, "", ""},
		{"not an object", `[1,2]`, "", ""},
		{"string frame", `"ping"`, "", ""},
		{"no action", `{"request_id":"m1","payload":{}}`, "m1", ""},
		{"empty action", `{"request_id":"m2","action":""}`, "m2", ""},
		{"action not a string", `{"request_id":"m3","action":7}`, "m3", ""},
		{"request_id not a string", `{"request_id":7,"action":"ping"}`, "", ""},
		{"unknown action", `{"request_id":"m4","action":"no_such_action","payload":{}}`, "m4", "no_such_action"},
		{"payload an array", `{"request_id":"m5","action":"get_form","payload":[1]}`, "m5", "get_form"},
		{"payload a string", `{"request_id":"m6","action":"get_form","payload":"x"}`, "m6", "get_form"},
		{"group_id a string", `{"request_id":"m7","action":"get_form","payload":{"group_id":"0","type":"prechat"}}`, "m7", "get_form"},
		{"chat_id a number", `{"request_id":"m8","action":"send_event","payload":{"chat_id":5,"event":{"type":"message","text":"x"}}}`, "m8", "send_event"},
		{"events not an array", `{"request_id":"m9","action":"start_chat","payload":{"chat":{"thread":{"events":"x"}}}}`, "m9", "start_chat"},
		{"url not a string", `{"request_id":"m10","action":"update_customer_page","payload":{"url":5}}`, "m10", "update_customer_page"},
		{"missing required field", `{"request_id":"m11","action":"send_sneak_peek","payload":{}}`, "m11", "send_sneak_peek"},
	}
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		s.login("ned", "")
		for _, c := range cases {
			t.Run(v.String()+"/"+c.name, func(t *testing.T) {
				s := s.on(t)
				s.sendFrame(c.frame)
				rtmCheckError(t, s.recv(), c.rid, c.action, "validation")
			})
		}
		s.ok("alive", "ping", `{}`)
	}
}

// TestRTMBinaryFrameClosesWith1003 checks that a binary frame ends the connection with close
// code 1003 (unsupported data), before and after login.
func TestRTMBinaryFrameClosesWith1003(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		for _, login := range []bool{false, true} {
			s := h.rtm(v, "", nil)
			if login {
				s.login("olga", "")
			}
			if err := s.c.ws.WriteMessage(websocket.BinaryMessage, []byte(`{"action":"ping"}`)); err != nil {
				t.Fatal(err)
			}
			if got := s.expectClose(websocket.CloseUnsupportedData); len(got) > 0 {
				t.Errorf("%s: frames before the close: %v", v, got)
			}
		}
	}
}

// TestRTMTimeoutsDisconnect checks that a connection that does not log in within
// LoginTimeout, or stays silent for IdleTimeout after login, gets customer_disconnected
// (connection_timeout) and a normal close.
func TestRTMTimeoutsDisconnect(t *testing.T) {
	cases := []struct {
		name  string
		opts  Options
		login bool
	}{
		{"no login", Options{LoginTimeout: 200 * time.Millisecond}, false},
		// The login answer is the last frame: the idle clock must start with the login, not
		// with the next request (the login timeout is an hour).
		{"idle after login", Options{LoginTimeout: time.Hour, IdleTimeout: 200 * time.Millisecond}, true},
	}
	for _, c := range cases {
		for _, v := range rtmVersions {
			t.Run(c.name+"/"+v.String(), func(t *testing.T) {
				h := newHarness(t, c.opts)
				s := h.rtm(v, "", nil)
				if c.login {
					s.sendFrame(rtmFrame("login", "login", `{"token":"Bearer pia"}`))
					rtmCheckResponse(t, s.recv(), "login", "login")
				}
				got := s.expectClose(websocket.CloseNormalClosure)
				if len(got) != 1 || got[0].Raw != `{"action":"customer_disconnected","type":"push","payload":{"reason":"connection_timeout"}}` {
					t.Errorf("frames before the close: %v, want one customer_disconnected (connection_timeout)", got)
				}
			})
		}
	}
}

// TestRTMPendingRequestLimit writes 11 requests at once to a server that holds every answer
// back: 3.1 and 3.2 refuse the 11th with pending_requests_limit_reached, 3.0 (no documented
// limit) answers all; the answered requests come back in request order.
func TestRTMPendingRequestLimit(t *testing.T) {
	for _, v := range rtmVersions {
		t.Run(v.String(), func(t *testing.T) {
			h := newHarness(t, Options{ResponseDelay: 50 * time.Millisecond})
			s := h.rtm(v, "", nil)
			s.login("quinn", "")
			for i := 1; i <= 11; i++ {
				s.c.send(rtmFrame(fmt.Sprintf("q%d", i), "get_form", `{"group_id":0,"type":"postchat"}`))
			}
			var order []string
			for i := 0; i < 11; i++ {
				f := s.recv()
				rid := f.Get("request_id").String()
				if rid == "q11" && v != v30 {
					rtmCheckError(t, f, "q11", "get_form", "pending_requests_limit_reached")
					continue
				}
				rtmCheckResponse(t, f, rid, "get_form")
				order = append(order, rid)
			}
			want := "q1 q2 q3 q4 q5 q6 q7 q8 q9 q10"
			if v == v30 {
				want += " q11"
			}
			if got := strings.Join(order, " "); got != want {
				t.Errorf("answered in order [%s], want [%s]", got, want)
			}
		})
	}
}

// TestRTMAnswersInRequestOrder writes a burst of different requests, some failing, and checks
// that the answers come back in the order of the requests.
func TestRTMAnswersInRequestOrder(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		s.login("rita", "")
		reqs := []string{
			rtmFrame("o1", "get_predicted_agent", `{}`),
			rtmFrame("o2", "no_such_action", `{}`),
			rtmFrame("o3", "start_chat", `{}`),
			rtmFrame("o4", "get_form", `{"group_id":0,"type":"prechat"}`),
			rtmFrame("o5", "ping", `{}`),
			rtmFrame("o6", "send_event", `{"chat_id":"nope","event":{"type":"message","text":"x"}}`),
			rtmFrame("o7", "get_predicted_agent", `{"group_id":1}`),
			rtmFrame("o8", "ping", `{}`),
		}
		for _, r := range reqs {
			s.c.send(r)
		}
		var got []string
		for len(got) < len(reqs) {
			f := s.recv()
			if f.Get("type").String() == "response" {
				got = append(got, f.Get("request_id").String())
			}
		}
		if strings.Join(got, " ") != "o1 o2 o3 o4 o5 o6 o7 o8" {
			t.Errorf("%s: answers in order %v", v, got)
		}
	}
}

// TestRTMUnknownLicenseDisconnects checks Options.Licenses: an unknown licence is told with a
// customer_disconnected push (reason license_not_found) and a close; a known one works.
func TestRTMUnknownLicenseDisconnects(t *testing.T) {
	h := newHarness(t, Options{Licenses: []int{1}})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil) // license_id=123
		got := s.expectClose(websocket.CloseNormalClosure)
		if len(got) != 1 || got[0].Raw != `{"action":"customer_disconnected","type":"push","payload":{"reason":"license_not_found"}}` {
			t.Errorf("%s: frames before the close: %v", v, got)
		}
		ws, _, err := h.rtmDialURL("/v" + v.String() + "/customer/rtm/ws?license_id=1")
		if err != nil {
			t.Fatalf("%s: licence 1: %v", v, err)
		}
		ok := &rtmSession{t: t, c: &rtmClient{t: t, ws: ws}, v: v}
		ok.login("sam", "")
	}
}

// TestRTMUpgradeNeedsLicenseID checks that an upgrade without a valid license_id fails with
// HTTP 400 and a validation error body.
func TestRTMUpgradeNeedsLicenseID(t *testing.T) {
	h := newHarness(t, Options{})
	for _, q := range []string{"", "?license_id=", "?license_id=abc", "?license_id=0", "?license_id=-3", "?license_id=1.5"} {
		for _, v := range rtmVersions {
			_, resp, err := h.rtmDialURL("/v" + v.String() + "/customer/rtm/ws" + q)
			if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil {
				t.Errorf("%s %q: dial error %v, want a bad handshake", v, q, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || gjson.GetBytes(body, "error.type").String() != "validation" {
				t.Errorf("%s %q: status %d body %s, want 400 validation", v, q, resp.StatusCode, body)
			}
		}
	}
}

// TestRTMWrongRegionDisconnects checks Options.Region: a token of the other data centre gets an
// error answer, then customer_disconnected with reason misdirected_connection and data.region
// naming the right region (spec/structures.md §1.2, §5), then a close. Tokens of the served
// region, or without a prefix (dal), log in.
func TestRTMWrongRegionDisconnects(t *testing.T) {
	h := newHarness(t, Options{Region: "dal"})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		e := s.fail("login", "login", `{"token":"Bearer fra:tok-1"}`, "misdirected_request")
		if e.Get("data.region").String() != "fra" {
			t.Errorf("%s: error data %s, want region fra", v, e.Get("data").Raw)
		}
		got := s.expectClose(websocket.CloseNormalClosure)
		if len(got) != 1 || got[0].Raw != `{"action":"customer_disconnected","type":"push","payload":{"reason":"misdirected_connection","data":{"region":"fra"}}}` {
			t.Errorf("%s: frames before the close: %v", v, got)
		}
		h.rtm(v, "", nil).login("dal:tok-2", "")
		h.rtm(v, "", nil).login("tok-3", "")
	}
}

// TestRTMShutdownClosesConnectionsWith1001 checks that Server.Shutdown closes logged-in and
// anonymous connections with 1001 (going away), and returns although the clients, busy
// elsewhere, do not answer the close frames (their timeouts are an hour).
func TestRTMShutdownClosesConnectionsWith1001(t *testing.T) {
	h := newHarness(t, Options{LoginTimeout: time.Hour, IdleTimeout: time.Hour})
	var conns []*rtmSession
	for _, v := range rtmVersions {
		in := h.rtm(v, "", nil)
		in.login("tom", "")
		anon := h.rtm(v, "", nil)
		anon.fail("pre", "get_predicted_agent", `{}`, "authentication") // the server runs it
		conns = append(conns, in, anon)
	}
	done := make(chan error, 1)
	go func() { done <- h.srv.Shutdown() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		for _, s := range conns { // let it finish
			_ = s.c.ws.Close()
		}
		<-done
		t.Fatal("Shutdown waits for clients to answer its close frames")
	}
	for _, s := range conns {
		if got := s.expectClose(websocket.CloseGoingAway); len(got) > 0 {
			t.Errorf("%s: frames before the close: %v", s.v, got)
		}
	}
}

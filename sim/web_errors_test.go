package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// This file checks Web errors: the shared format {"error": {type, message, data?}} (never
// wrapped in payload, spec/methods.md §1.1 and §1.3), the HTTP status per type (errors.go,
// methods.md §6), and the behaviours that fail or succeed per version.

// webErrCase is one failing Web request.
type webErrCase struct {
	note   string
	method string  // default POST
	path   string  // default webPath(v, action)
	action string  // action of the default path
	auth   *string // Authorization header; nil means "Bearer <the state's token>"
	noAuth bool    // send no Authorization header
	body   string  // inner parameters, wrapped for 3.0 unless raw
	raw    bool    // send body as it is
	status int
	typ    string
	field  string // the message must name it
}

// webAuth returns a pointer for webErrCase.auth.
func webAuth(s string) *string { return &s }

// TestWebErrorsUseTheVersionsFormatAndStatus runs the failing requests of every version and
// keeps them as testdata/web/v3.X/errors.txt.
func TestWebErrorsUseTheVersionsFormatAndStatus(t *testing.T) {
	for _, v := range webVersions {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			s := webSeed(t, h, v)
			other := gjson.Get(h.web("3.2", "start_chat", "dal:someone-else-token-e1e1", `{}`).body, "chat_id").Str
			s.ids["other"] = other
			notFound, notFoundStatus := "validation", http.StatusBadRequest
			if v == "3.2" {
				notFound, notFoundStatus = "not_found", http.StatusNotFound
			}
			threadProps := "update_chat_thread_properties"
			if v == "3.2" {
				threadProps = "update_thread_properties"
			}
			offline := "Group is offline"
			if v == "3.0" {
				offline = "Group offline"
			}
			cases := []webErrCase{
				{note: "Authorization missing", action: "start_chat", noAuth: true, body: `{}`, status: 401, typ: "authentication"},
				{note: "empty Authorization header", action: "start_chat", auth: webAuth(""), body: `{}`, status: 401, typ: "authentication"},
				{note: "Bearer scheme without a token", action: "start_chat", auth: webAuth("Bearer "), body: `{}`, status: 401, typ: "authentication"},
				{note: "Bearer scheme alone", action: "start_chat", auth: webAuth("Bearer"), body: `{}`, status: 401, typ: "authentication"},
				{note: "license_id missing", path: "/v" + v + "/customer/action/start_chat", body: `{}`, status: 400, typ: "validation", field: "license_id"},
				{note: "license_id not a number", path: "/v" + v + "/customer/action/start_chat?license_id=abc", body: `{}`, status: 400, typ: "validation", field: "license_id"},
				{note: "license_id zero", path: "/v" + v + "/customer/action/start_chat?license_id=0", body: `{}`, status: 400, typ: "validation", field: "license_id"},
				{note: "license_id negative", path: "/v" + v + "/customer/action/start_chat?license_id=-5", body: `{}`, status: 400, typ: "validation", field: "license_id"},
				{note: "malformed JSON", action: "send_event", body: `{"chat_id":`, raw: true, status: 400, typ: "validation"},
				{note: "body not an object", action: "send_event", body: `[1,2]`, raw: true, status: 400, typ: "validation"},
				{note: "chat_id of the wrong type", action: "send_event", body: `{"chat_id":5,"event":{"type":"message","text":"hi"}}`, status: 400, typ: "validation", field: "chat_id"},
				{note: "chat_id missing", action: "send_event", body: `{"event":{"type":"message","text":"hi"}}`, status: 400, typ: "validation", field: "chat_id"},
				{note: "event missing", action: "send_event", body: `{"chat_id":"{chat}"}`, status: 400, typ: "validation", field: "event"},
				{note: "event.type missing", action: "send_event", body: `{"chat_id":"{chat}","event":{"text":"hi"}}`, status: 400, typ: "validation", field: "event.type"},
				{note: "message without text", action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message"}}`, status: 400, typ: "validation", field: "event.text"},
				{note: "properties of the wrong type", action: "update_chat_properties", body: `{"chat_id":"{chat}","properties":{"rating":{"score":[1]}}}`, status: 400, typ: "validation", field: "properties.rating.score"},
				{note: "unknown action", action: "no_such_action", body: `{}`, status: 404, typ: "validation", field: "no_such_action"},
				{note: "RTM-only action", action: "update_customer_page", body: `{"url":"https://example.com"}`, status: 404, typ: "validation", field: "update_customer_page"},
				{note: "GET on a POST method", method: http.MethodGet, action: "send_sneak_peek", status: 405, typ: "validation"},
				{note: "PUT on a POST method", method: http.MethodPut, action: "send_sneak_peek", body: `{}`, status: 405, typ: "validation"},
				{note: "another customer's chat", action: "send_sneak_peek", body: `{"chat_id":"{other}","sneak_peek_text":"hi"}`, status: notFoundStatus, typ: notFound, field: other},
				{note: "unknown chat", action: "send_sneak_peek", body: `{"chat_id":"NO_SUCH_CHAT","sneak_peek_text":"hi"}`, status: notFoundStatus, typ: notFound, field: "NO_SUCH_CHAT"},
				{note: "unknown thread", action: threadProps, body: `{"chat_id":"{chat}","thread_id":"NO_SUCH_THREAD","properties":{"a":{"b":1}}}`, status: notFoundStatus, typ: notFound, field: "NO_SUCH_THREAD"},
				{note: "upload_file with a JSON body", action: "upload_file", body: `{}`, status: 400, typ: "validation"},
				{note: "start_chat in an offline group", action: "start_chat", body: `{"chat":{"access":{"group_ids":[1]}}}`, status: 400, typ: "group_offline", field: offline},
				{note: "start_chat in a missing group", action: "start_chat", body: `{"chat":{"access":{"group_ids":[99]}}}`, status: 404, typ: "group_not_found"},
			}
			if v != "3.0" { // spec/methods.md §3.12–§3.13: required from 3.1 on
				cases = append(cases, webErrCase{note: "update_customer without any field", action: "update_customer", body: `{}`, status: 400, typ: "validation"})
			}
			if v == "3.1" {
				cases = append(cases, webErrCase{note: "get_groups_status without all or groups", action: "get_groups_status", body: `{}`, status: 400, typ: "validation", field: "groups"})
			}
			tr := newWebTranscript(t, h)
			for _, c := range cases {
				method, path, body := c.method, c.path, s.fill(c.body)
				if method == "" {
					method = http.MethodPost
				}
				if path == "" {
					path = webPath(v, c.action)
				}
				if !c.raw && body != "" {
					body = webWrap(v, body)
				}
				auth := c.auth
				if auth == nil && !c.noAuth {
					auth = webAuth("Bearer " + s.token)
				}
				tr.note("%s", c.note)
				resp := tr.sendAuth(method, path, auth, "application/json", body)
				msg := webErr(t, resp, c.status, c.typ)
				if c.field != "" && !strings.Contains(msg, c.field) {
					t.Errorf("%s: message %q does not name %q", c.note, msg, c.field)
				}
			}
			golden(t, "web/v"+v+"/errors.txt", tr.String())
		})
	}
}

// TestWebUnknownLicenseIsLicenseNotFound: with Options.Licenses, another licence id is
// license_not_found (404), for authenticated methods and the 3.2 GET listings alike.
func TestWebUnknownLicenseIsLicenseNotFound(t *testing.T) {
	h := newHarness(t, Options{Licenses: []int{123}})
	const token = "dal:licence-token-4040"
	for _, v := range webVersions {
		resp := h.do(http.MethodPost, "/v"+v+"/customer/action/get_predicted_agent?license_id=999", token, "application/json", webWrap(v, `{}`))
		webErr(t, resp, http.StatusNotFound, "license_not_found")
		if resp := h.web(v, "get_predicted_agent", token, webWrap(v, `{}`)); resp.status != http.StatusOK {
			t.Errorf("%s licence 123: %d %s", v, resp.status, resp.body)
		}
	}
	resp := h.do(http.MethodGet, "/v3.2/customer/action/list_license_properties?license_id=999", "", "", "")
	webErr(t, resp, http.StatusNotFound, "license_not_found")
}

// TestWebSendEventOnInactiveChatFollowsTheVersion: 3.0 opens a new thread (unless
// require_active_thread, which fails with validation); 3.1 fails with validation and 3.2 with
// chat_inactive; attach_to_last_thread adds the event to the closed thread in every version.
func TestWebSendEventOnInactiveChatFollowsTheVersion(t *testing.T) {
	for _, v := range webVersions {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			s := webSeed(t, h, v)
			closeAction := "close_thread"
			if v == "3.2" {
				closeAction = "deactivate_chat"
			}
			s.must(closeAction, `{"chat_id":"{chat}"}`)
			tr := newWebTranscript(t, h)
			send := func(extra string) webResp {
				return tr.post(v, "send_event", s.token, webWrap(v, s.fill(`{"chat_id":"{chat}","event":{"type":"message","text":"anyone there?"}`+extra+`}`)))
			}
			if v == "3.0" {
				tr.note("require_active_thread: the chat has no active thread")
				webErr(t, send(`,"require_active_thread":true`), http.StatusBadRequest, "validation")
				tr.note("require_active_thread wins over attach_to_last_thread")
				webErr(t, send(`,"require_active_thread":true,"attach_to_last_thread":true`), http.StatusBadRequest, "validation")
			}
			tr.note("attach_to_last_thread: the event joins the closed thread")
			p := webPayload(t, v, send(`,"attach_to_last_thread":true`).body)
			if th := s.lastThread(); th.Get("id").Str != s.ids["thread"] || th.Get("active").Bool() || s.lastEvent().Get("text").Str != "anyone there?" {
				t.Errorf("attached event: %s", th.Raw)
			}
			tr.note("no flag")
			resp := send("")
			switch v {
			case "3.0":
				p = webPayload(t, v, resp.body)
				webWantKeys(t, "send_event", p, "thread_id", "event")
				th := s.lastThread()
				if p.Get("thread_id").Str == s.ids["thread"] || th.Get("id").Str != p.Get("thread_id").Str || !th.Get("active").Bool() ||
					th.Get("events.0.id").Str != p.Get("event.id").Str {
					t.Errorf("want a new active thread holding the event: answer %s, thread %s", p.Raw, th.Raw)
				}
			case "3.1":
				webErr(t, resp, http.StatusBadRequest, "validation")
			case "3.2":
				webErr(t, resp, http.StatusBadRequest, "chat_inactive")
			}
			golden(t, "web/v"+v+"/send_event_inactive.txt", tr.String())
		})
	}
}

// TestWebStartChatInOfflineGroupIsGroupOffline: a non-continuous chat in an offline group
// fails with group_offline ("Group offline" in 3.0, "Group is offline" later); a continuous
// one starts without an agent.
func TestWebStartChatInOfflineGroupIsGroupOffline(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:offline-token-0ff1"
	for _, v := range webVersions {
		want := "Group is offline"
		if v == "3.0" {
			want = "Group offline"
		}
		msg := webErr(t, h.web(v, "start_chat", token, webWrap(v, `{"chat":{"access":{"group_ids":[1]}}}`)), http.StatusBadRequest, "group_offline")
		if msg != want {
			t.Errorf("%s message = %q, want %q", v, msg, want)
		}
		resp := h.web(v, "start_chat", token, webWrap(v, `{"chat":{"access":{"group_ids":[1]}},"continuous":true}`))
		if resp.status != http.StatusOK {
			t.Errorf("%s continuous chat in an offline group: %d %s", v, resp.status, resp.body)
		}
	}
}

// TestWebWrongRegionIsMisdirectedRequest: a simulator serving one region answers a token of
// the other region with 421 misdirected_request and data.region naming the token's region.
func TestWebWrongRegionIsMisdirectedRequest(t *testing.T) {
	for _, c := range []struct{ serve, token, region string }{
		{"dal", "fra:abc", "fra"},
		{"dal", "fra-abc", "fra"},
		{"fra", "dal:abc", "dal"},
		{"fra", "plain-token", "dal"},
	} {
		h := newHarness(t, Options{Region: c.serve})
		for _, v := range webVersions {
			resp := h.web(v, "get_predicted_agent", c.token, webWrap(v, `{}`))
			webErr(t, resp, http.StatusMisdirectedRequest, "misdirected_request")
			if got := gjson.Get(resp.body, "error.data").Raw; got != `{"region":"`+c.region+`"}` {
				t.Errorf("serving %s, token %s: data = %s, want region %s", c.serve, c.token, got, c.region)
			}
		}
		if resp := h.web("3.2", "get_predicted_agent", c.serve+":own-region-token", `{}`); resp.status != http.StatusOK {
			t.Errorf("serving %s, own token: %d %s", c.serve, resp.status, resp.body)
		}
	}
}

// TestWebEachTokenIsItsOwnCustomer: distinct tokens are distinct customers whose chats are
// invisible to each other; one token is the same customer in every version.
func TestWebEachTokenIsItsOwnCustomer(t *testing.T) {
	h := newHarness(t, Options{})
	const a, b = "dal:customer-a-token-aaaa", "dal:customer-b-token-bbbb"
	idA := webPayload(t, "3.2", h.web("3.2", "get_customer", a, `{}`).body).Get("id").Str
	idB := webPayload(t, "3.2", h.web("3.2", "get_customer", b, `{}`).body).Get("id").Str
	if idA == "" || idA == idB {
		t.Fatalf("customer ids %q and %q", idA, idB)
	}
	p := webPayload(t, "3.0", h.web("3.0", "start_chat", a, `{"payload":{}}`).body)
	chatID := p.Get("chat.id").Str
	if p.Get(`chat.users.#(type=="customer").id`).Str != idA {
		t.Errorf("3.0 chat of A has customer %s, want %s", p.Get("chat.users").Raw, idA)
	}
	if got := webPayload(t, "3.2", h.web("3.2", "list_chats", a, `{}`).body).Get("chats_summary.#.id").Raw; got != `["`+chatID+`"]` {
		t.Errorf("A's chats in 3.2 = %s, want [%s]", got, chatID)
	}
	if got := webPayload(t, "3.1", h.web("3.1", "get_chats_summary", b, `{}`).body).Raw; got != `{"chats_summary":[],"total_chats":0}` {
		t.Errorf("B sees %s", got)
	}
	webErr(t, h.web("3.2", "get_chat", b, `{"chat_id":"`+chatID+`"}`), http.StatusNotFound, "not_found")
	webErr(t, h.web("3.1", "get_chat_threads", b, `{"chat_id":"`+chatID+`"}`), http.StatusBadRequest, "validation")
	webErr(t, h.web("3.0", "send_event", b, `{"payload":{"chat_id":"`+chatID+`","event":{"type":"message","text":"hi"}}}`), http.StatusBadRequest, "validation")
}

// TestWebAnotherCustomersChatIsNotFoundIn32AndValidationBefore: every method addressing a chat
// refuses another customer's chat with not_found (404) in 3.2 and validation (400) before.
func TestWebAnotherCustomersChatIsNotFoundIn32AndValidationBefore(t *testing.T) {
	h := newHarness(t, Options{})
	const owner, intruder = "dal:owner-token-0a0a", "dal:intruder-token-0b0b"
	chatID := gjson.Get(h.web("3.2", "start_chat", owner, `{}`).body, "chat_id").Str
	actions := map[string][]string{
		"3.0": {"get_chat_threads", "get_chat_threads_summary", "close_thread", "send_event", "send_sneak_peek", "update_chat_properties", "update_last_seen_timestamp"},
		"3.1": {"get_chat_threads", "get_chat_threads_summary", "close_thread", "send_event", "send_sneak_peek", "update_chat_properties", "mark_events_as_seen"},
		"3.2": {"get_chat", "list_threads", "deactivate_chat", "send_event", "send_sneak_peek", "update_chat_properties", "mark_events_as_seen"},
	}
	body := `{"chat_id":"` + chatID + `","event":{"type":"message","text":"hi"},"sneak_peek_text":"hi",` +
		`"properties":{"a":{"b":1}},"seen_up_to":"2020-05-07T07:12:00.000000Z","timestamp":1588835500}`
	for _, v := range webVersions {
		for _, action := range actions[v] {
			resp := h.web(v, action, intruder, webWrap(v, body))
			if v == "3.2" {
				webErr(t, resp, http.StatusNotFound, "not_found")
			} else {
				webErr(t, resp, http.StatusBadRequest, "validation")
			}
			if !strings.Contains(resp.body, chatID) {
				t.Errorf("%s %s: message does not name the chat: %s", v, action, resp.body)
			}
		}
		resp := h.web(v, "activate_chat", intruder, webWrap(v, `{"chat":{"id":"`+chatID+`"}}`))
		if v == "3.2" {
			webErr(t, resp, http.StatusNotFound, "not_found")
		} else {
			webErr(t, resp, http.StatusBadRequest, "validation")
		}
	}
}

// TestWebResponsesNeverRevealTheToken: neither answers nor errors contain the token or its
// secret part, in any version.
func TestWebResponsesNeverRevealTheToken(t *testing.T) {
	h := newHarness(t, Options{Region: "dal"})
	const secret = "s3cr3t-Customer-Token-9f8e7d"
	for _, token := range []string{"dal:" + secret, "fra:" + secret, secret} {
		for _, v := range webVersions {
			var bodies []string
			start := h.web(v, "start_chat", token, webWrap(v, `{"chat":{"thread":{"events":[{"type":"message","text":"hi"}]}}}`))
			bodies = append(bodies, start.body)
			for _, action := range []string{"get_chats_summary", "list_chats", "get_customer", "get_predicted_agent", "update_customer", "no_such_action"} {
				bodies = append(bodies, h.web(v, action, token, webWrap(v, `{"name":"N"}`)).body)
			}
			bodies = append(bodies, h.web(v, "send_event", token, webWrap(v, `{"chat_id":5}`)).body)
			for _, b := range bodies {
				if strings.Contains(b, secret) {
					t.Errorf("%s token %s: response reveals it: %s", v, token, b)
				}
			}
		}
	}
}

package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestWeb32EveryMethodAnswersDocumentedShape calls each of the 29 Web methods of 3.2 with
// its documented example request and checks the bare answer.
func TestWeb32EveryMethodAnswersDocumentedShape(t *testing.T) {
	runWebMethodCases(t, "3.2", web32Cases)
}

// web32NS is the property namespace of the 3.2 examples.
const web32NS = "0805e283233042b37f460ed8fbf22160"

// web32Cases: one case per 3.2 Web method.
var web32Cases = []webMethodCase{
	{action: "list_chats", params: `{}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "list_chats (one page)", p, "chats_summary", "total_chats")
		sum := p.Get("chats_summary.0")
		webWantKeys(s.t, "chat summary", sum, "id", "last_thread_id", "last_thread_created_at", "last_event_per_type", "users", "access", "properties", "active")
		if sum.Get("id").Str != s.ids["chat"] || !webDatetime.MatchString(sum.Get("last_thread_created_at").Str) {
			s.t.Errorf("summary: %s", sum.Raw)
		}
		if m := sum.Get("last_event_per_type.message"); m.Get("event.id").Str != s.ids["event"] || !webDatetime.MatchString(m.Get("thread_created_at").Str) {
			s.t.Errorf("last_event_per_type: %s", m.Raw)
		}
	}},
	{action: "list_threads", params: `{"chat_id":"{chat}"}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "list_threads (one page)", p, "threads", "found_threads")
		if p.Get("found_threads").Int() != 1 || p.Get("threads.0.id").Str != s.ids["thread"] {
			s.t.Errorf("list_threads: %s", p.Raw)
		}
	}},
	{action: "get_chat", params: `{"chat_id":"{chat}","thread_id":"{thread}"}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chat (flat, no order)", p, "id", "thread", "users", "access", "properties")
		if p.Get("id").Str != s.ids["chat"] || p.Get("thread.id").Str != s.ids["thread"] || p.Get("thread.events.#").Int() != 2 {
			s.t.Errorf("get_chat: %s", p.Raw)
		}
		if p.Get("properties.source.type").Raw != `"facebook"` {
			s.t.Errorf("plain properties: %s", p.Get("properties").Raw)
		}
	}},
	{action: "start_chat", params: `{}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "start_chat without events", p, "chat_id", "thread_id")
	}},
	{action: "activate_chat", prep: func(s *webState) { s.must("deactivate_chat", `{"chat_id":"{chat}"}`) },
		params: `{"chat":{"id":"{chat}"}}`, check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "activate_chat without events", p, "thread_id")
			th := s.lastThread()
			if th.Get("id").Str != p.Get("thread_id").Str || !th.Get("active").Bool() || th.Get("previous_thread_id").Str != s.ids["thread"] {
				s.t.Errorf("new thread %s, answer %s", th.Raw, p.Raw)
			}
		}},
	{action: "deactivate_chat", params: `{"chat_id":"{chat}"}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		if th := s.lastThread(); th.Get("active").Bool() {
			s.t.Errorf("thread still active: %s", th.Raw)
		}
	}},
	{action: "send_event", params: `{"chat_id":"{chat}","event":{"type":"message","text":"hello world","recipients":"all"}}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "send_event", p, "event_id")
			e := s.lastEvent()
			if e.Get("id").Str != p.Get("event_id").Str || e.Get("text").Str != "hello world" {
				s.t.Errorf("stored event %s, answer %s", e.Raw, p.Raw)
			}
			// 3.2 moves the requester's marker as if it had seen every event.
			if got := s.customerUser().Get("events_seen_up_to").Str; got != e.Get("created_at").Str {
				s.t.Errorf("events_seen_up_to = %q, want the event's created_at %s", got, e.Get("created_at").Str)
			}
		}},
	{action: "upload_file", send: func(s *webState, tr *webTranscript) webResp {
		body, ctype, shown := webMultipart(s.t, nil, "file", "image.png", "image/png", webPNG)
		return tr.send(http.MethodPost, webPath("3.2", "upload_file"), s.token, ctype, body, shown)
	}, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "upload_file", p, "url")
		if !strings.HasSuffix(p.Get("url").Str, "/image.png") {
			s.t.Errorf("url: %s", p.Raw)
		}
	}},
	{action: "send_rich_message_postback", params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{rich}","postback":{"id":"action_yes","toggled":true}}`, check: webEmpty},
	{action: "send_sneak_peek", params: `{"chat_id":"{chat}","sneak_peek_text":"hello world"}`, check: webEmpty},
	{action: "update_chat_properties", params: `{"chat_id":"{chat}","properties":{"` + web32NS + `":{"string_property":"Chat property value updated by Customer"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.chat().Get("properties"); props.Get(web32NS+".string_property").Raw != `"Chat property value updated by Customer"` {
				s.t.Errorf("chat properties: %s", props.Raw)
			}
		}},
	{action: "delete_chat_properties", prep: web32String("update_chat_properties", `"chat_id":"{chat}"`),
		params: `{"chat_id":"{chat}","properties":{"` + web32NS + `":["string_property"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.chat().Get("properties"); props.Get(web32NS).Exists() || !props.Get("source").Exists() {
				s.t.Errorf("chat properties after delete: %s", props.Raw)
			}
		}},
	{action: "update_thread_properties", params: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"` + web32NS + `":{"string_property":"Thread property value updated by Customer"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.lastThread().Get("properties"); props.Get(web32NS+".string_property").Raw != `"Thread property value updated by Customer"` {
				s.t.Errorf("thread properties: %s", props.Raw)
			}
		}},
	{action: "delete_thread_properties", prep: web32String("update_thread_properties", `"chat_id":"{chat}","thread_id":"{thread}"`),
		params: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"` + web32NS + `":["string_property"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.lastThread().Get("properties"); props.Get(web32NS).Exists() {
				s.t.Errorf("thread properties after delete: %s", props.Raw)
			}
		}},
	{action: "update_event_properties", params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"` + web32NS + `":{"string_property":"Event property value updated by Customer"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			e := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `")`)
			if e.Get("properties."+web32NS+".string_property").Raw != `"Event property value updated by Customer"` {
				s.t.Errorf("event properties: %s", e.Raw)
			}
		}},
	{action: "delete_event_properties", prep: web32String("update_event_properties", `"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}"`),
		params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"` + web32NS + `":["string_property"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if e := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `")`); e.Get("properties").Exists() {
				s.t.Errorf("event properties after delete: %s", e.Raw)
			}
		}},
	{action: "list_license_properties", send: func(s *webState, tr *webTranscript) webResp {
		path := "/v3.2/customer/action/list_license_properties?license_id=123&namespace=" + web32NS + "&name=string_property"
		return tr.send(http.MethodGet, path, "", "", "", "")
	}, check: func(s *webState, p gjson.Result) {
		if p.Raw != `{"`+web32NS+`":{"string_property":"string value"}}` {
			s.t.Errorf("license properties: %s", p.Raw)
		}
	}},
	{action: "list_group_properties", send: func(s *webState, tr *webTranscript) webResp {
		path := "/v3.2/customer/action/list_group_properties?license_id=123&group_id=0&namespace=" + web32NS + "&name=string_property"
		return tr.send(http.MethodGet, path, "", "", "", "")
	}, check: func(s *webState, p gjson.Result) {
		if p.Raw != `{"`+web32NS+`":{"string_property":"group 0 value"}}` {
			s.t.Errorf("group properties: %s", p.Raw)
		}
	}},
	{action: "mark_events_as_seen", params: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.010200Z"}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		if got := s.customerUser().Get("events_seen_up_to").Str; got != "2020-05-07T07:12:00.010200Z" {
			s.t.Errorf("events_seen_up_to = %q", got)
		}
	}},
	{action: "update_customer", params: web32CustomerUpdate, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		c := s.must("get_customer", `{}`)
		if c.Get("name").Str != "Thomas Anderson" || c.Get("email").Str != "t.anderson@example.com" ||
			strings.Join(webSessionFields(c.Get("session_fields")), ",") != "custom_key=custom_value,another_custom_key=another_custom_value" {
			s.t.Errorf("customer after update: %s", c.Raw)
		}
	}},
	{action: "set_customer_session_fields", params: `{"session_fields":[{"custom_key":"custom_value"},{"another_custom_key":"another_custom_value"}]}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			sf := s.customerUser().Get("session_fields")
			if sf.Raw != `[{"custom_key":"custom_value"},{"another_custom_key":"another_custom_value"}]` {
				s.t.Errorf("session_fields: %s", sf.Raw)
			}
		}},
	{action: "get_customer", prep: func(s *webState) { s.must("update_customer", web32CustomerUpdate) }, params: `{}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "get_customer", p, "id", "type", "name", "email", "avatar", "session_fields")
			if p.Get("id").Str != s.ids["customer"] || p.Get("type").Str != "customer" ||
				p.Get("session_fields").Raw != `[{"custom_key":"custom_value"},{"another_custom_key":"another_custom_value"}]` {
				s.t.Errorf("get_customer: %s", p.Raw)
			}
		}},
	{action: "list_group_statuses", params: `{"all":true}`, check: func(s *webState, p gjson.Result) {
		if p.Raw != `{"groups_status":{"0":"online","1":"offline","2":"online_for_queue"}}` {
			s.t.Errorf("groups_status: %s", p.Raw)
		}
	}},
	{action: "check_goals", params: `{"page_url":"https://mypage.com","session_fields":[{"custom_key":"custom_value"},{"another_custom_key":"another_custom_value"}],"group_id":0}`, check: webEmpty},
	{action: "get_form", params: `{"group_id":0,"type":"prechat"}`, check: webCheckFormOptions},
	{action: "get_predicted_agent", params: `{}`, check: webCheckAgentCard},
	{action: "get_url_info", params: `{"url":"https://livechatinc.com"}`, check: webCheckURLInfo},
	{action: "accept_greeting", prep: web32Greeting, params: `{"greeting_id":7,"unique_id":"{greeting}"}`, check: webEmpty},
	{action: "cancel_greeting", prep: web32Greeting, params: `{"unique_id":"{greeting}"}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		// The greeting is gone: cancelling it again finds nothing.
		resp := s.h.web("3.2", "cancel_greeting", s.token, s.fill(`{"unique_id":"{greeting}"}`))
		webErr(s.t, resp, http.StatusNotFound, "greeting_not_found")
	}},
}

// web32CustomerUpdate is the 3.2 update_customer example request.
const web32CustomerUpdate = `{"name":"Thomas Anderson","email":"t.anderson@example.com","avatar":"https://example.com/avatars/1.png",` +
	`"session_fields":[{"custom_key":"custom_value"},{"another_custom_key":"another_custom_value"}]}`

// web32String returns a prep that sets the example's string_property with an update method.
func web32String(action, target string) func(s *webState) {
	return func(s *webState) {
		s.must(action, `{`+target+`,"properties":{"`+web32NS+`":{"string_property":"set before the deletion"}}}`)
	}
}

// web32Greeting has an agent show greeting 7 to the customer and keeps its unique_id.
func web32Greeting(s *webState) {
	g := s.agentOp("send_greeting", `{"customer_id":"{customer}","greeting_id":7,"text":"Hello! Can I help you?"}`)
	s.ids["greeting"] = g.Get("unique_id").Str
}

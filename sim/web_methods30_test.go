package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestWeb30EveryMethodAnswersDocumentedShape calls each of the 25 Web methods of 3.0 with
// its documented example request (in the {"payload": …} envelope) and checks the answer.
func TestWeb30EveryMethodAnswersDocumentedShape(t *testing.T) {
	runWebMethodCases(t, "3.0", web30Cases)
}

// web30Cases: one case per 3.0 Web method.
var web30Cases = []webMethodCase{
	{action: "get_chats_summary", params: `{"offset":0,"limit":25}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chats_summary", p, "chats_summary", "total_chats")
		sum := p.Get("chats_summary.0")
		webWantKeys(s.t, "chat summary", sum, "id", "order", "last_thread_id", "last_event_per_type", "users", "access", "properties", "active")
		if p.Get("total_chats").Int() != 1 || sum.Get("id").Str != s.ids["chat"] || sum.Get("last_thread_id").Str != s.ids["thread"] || !webIsInt(sum.Get("order")) {
			s.t.Errorf("summary: %s", p.Raw)
		}
		lept := sum.Get("last_event_per_type")
		if lept.Get("message.event.id").Str != s.ids["event"] || lept.Get("rich_message.event.id").Str != s.ids["rich"] || !webIsInt(lept.Get("message.thread_order")) {
			s.t.Errorf("last_event_per_type: %s", lept.Raw)
		}
	}},
	{action: "get_chat_threads_summary", params: `{"chat_id":"{chat}","offset":0,"limit":100}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chat_threads_summary", p, "threads_summary", "total_threads")
		ts := p.Get("threads_summary.0")
		if p.Get("total_threads").Int() != 1 || ts.Get("id").Str != s.ids["thread"] || ts.Get("total_events").Int() != 2 || !webIsInt(ts.Get("order")) {
			s.t.Errorf("threads summary: %s", p.Raw)
		}
	}},
	{action: "get_chat_threads", params: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chat_threads", p, "chat")
		webWantKeys(s.t, "chat", p.Get("chat"), "id", "order", "users", "properties", "access", "threads")
		th := p.Get("chat.threads.0")
		if th.Get("id").Str != s.ids["thread"] || th.Get("events.#").Int() != 2 {
			s.t.Errorf("thread: %s", th.Raw)
		}
		if s.prop(p.Get("chat.properties"), "source", "type").Str != "facebook" {
			s.t.Errorf("chat properties: %s", p.Get("chat.properties").Raw)
		}
	}},
	{action: "start_chat", params: `{"chat":{"access":{"group_ids":[1]},"properties":{"source":{"type":"facebook"}},` +
		`"thread":{"events":[{"type":"message","custom_id":"31-0C-1C-07-DB-16","text":"hello there"},` +
		`{"type":"system_message","custom_id":"31-0C-1C-07-DB-16","text":"hello there"}],` +
		`"properties":{"source":{"type":"facebook"}}}},"continuous":true}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "start_chat", p, "chat")
			webWantKeys(s.t, "chat", p.Get("chat"), "id", "order", "users", "properties", "access", "thread")
			th := p.Get("chat.thread")
			if th.Get("events.#").Int() != 2 || th.Get("events.0.text").Str != "hello there" || th.Get("events.0.custom_id").Str != "31-0C-1C-07-DB-16" {
				s.t.Errorf("thread events: %s", th.Raw)
			}
			if p.Get("chat.access.group_ids").Raw != "[1]" || s.prop(th.Get("properties"), "source", "type").Str != "facebook" {
				s.t.Errorf("access or thread properties: %s", p.Raw)
			}
		}},
	{action: "activate_chat", prep: func(s *webState) { s.must("close_thread", `{"chat_id":"{chat}"}`) },
		params: `{"chat":{"id":"{chat}","order":343544565,"access":{"group_ids":[0]},"properties":{"source":{"type":"facebook"}},` +
			`"thread":{"events":[{"type":"message","custom_id":"31-0C-1C-07-DB-16","text":"hello there"},` +
			`{"type":"system_message","custom_id":"31-0C-1C-07-DB-16","text":"hello there"}],` +
			`"properties":{"source":{"type":"facebook"}}}}}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "activate_chat", p, "chat")
			webWantKeys(s.t, "chat (no order)", p.Get("chat"), "id", "users", "properties", "access", "threads")
			threads := p.Get("chat.threads").Array()
			if len(threads) != 1 || threads[0].Get("id").Str == s.ids["thread"] || !threads[0].Get("active").Bool() || threads[0].Get("events.#").Int() != 2 {
				s.t.Errorf("want only the new active thread: %s", p.Raw)
			}
		}},
	{action: "close_thread", params: `{"chat_id":"{chat}"}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		th := s.lastThread()
		last := th.Get("events").Array()[th.Get("events.#").Int()-1]
		if th.Get("active").Bool() || last.Get("type").Str != "system_message" {
			s.t.Errorf("thread still active or no closing system message: %s", th.Raw)
		}
	}},
	{action: "send_event", params: `{"chat_id":"{chat}","event":{"type":"message","text":"hello world","custom_id":"31-0C-1C-07-DB-16"}}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "send_event", p, "thread_id", "event")
			e := p.Get("event")
			if p.Get("thread_id").Str != s.ids["thread"] || e.Get("text").Str != "hello world" || e.Get("custom_id").Str != "31-0C-1C-07-DB-16" || e.Get("author_id").Str != s.ids["customer"] {
				s.t.Errorf("send_event: %s", p.Raw)
			}
			if got := s.lastEvent(); got.Raw != e.Raw {
				s.t.Errorf("stored event %s differs from the answered %s", got.Raw, e.Raw)
			}
		}},
	{action: "send_file", send: func(s *webState, tr *webTranscript) webResp {
		body, ctype, shown := webMultipart(s.t, [][2]string{{"payload.chat_id", s.ids["chat"]}, {"payload.custom_id", "12345-bhdsa"}},
			"payload.file", "test.png", "image/png", webPNG)
		return tr.send(http.MethodPost, webPath("3.0", "send_file"), s.token, ctype, body, shown)
	}, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "send_file", p, "url")
		e := s.lastEvent()
		if e.Get("type").Str != "file" || e.Get("url").Str != p.Get("url").Str || e.Get("custom_id").Str != "12345-bhdsa" || e.Get("width").Int() != 3 || e.Get("height").Int() != 2 {
			s.t.Errorf("file event %s for answer %s", e.Raw, p.Raw)
		}
	}},
	{action: "upload_file", send: func(s *webState, tr *webTranscript) webResp {
		body, ctype, shown := webMultipart(s.t, nil, "payload.file", "test.png", "image/png", webPNG)
		return tr.send(http.MethodPost, webPath("3.0", "upload_file"), s.token, ctype, body, shown)
	}, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "upload_file", p, "url")
		if !strings.HasSuffix(p.Get("url").Str, "/test.png") {
			s.t.Errorf("url: %s", p.Raw)
		}
	}},
	{action: "send_rich_message_postback", params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{rich}","postback":{"id":"action_yes","toggled":true}}`, check: webEmpty},
	{action: "send_sneak_peek", params: `{"chat_id":"{chat}","sneak_peek_text":"hello world"}`, check: webEmpty},
	{action: "update_chat_properties", params: `{"chat_id":"{chat}","properties":{"rating":{"score":1,"comment":"Very good, veeeery good"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			props := s.chat().Get("properties")
			if props.Get("rating.score").Raw != `{"value":1}` || s.prop(props, "rating", "comment").Str != "Very good, veeeery good" {
				s.t.Errorf("chat properties: %s", props.Raw)
			}
		}},
	{action: "delete_chat_properties", prep: web30Rating("update_chat_properties", `"chat_id":"{chat}"`),
		params: `{"chat_id":"{chat}","properties":{"rating":["score","comment"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.chat().Get("properties"); props.Get("rating").Exists() || !props.Get("source").Exists() {
				s.t.Errorf("chat properties after delete: %s", props.Raw)
			}
		}},
	{action: "update_chat_thread_properties", params: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":{"score":1,"comment":"Very good, veeeery good"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.lastThread().Get("properties"); props.Get("rating.score").Raw != `{"value":1}` {
				s.t.Errorf("thread properties: %s", props.Raw)
			}
		}},
	{action: "delete_chat_thread_properties", prep: web30Rating("update_chat_thread_properties", `"chat_id":"{chat}","thread_id":"{thread}"`),
		params: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":["score","comment"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.lastThread().Get("properties"); props.Get("rating").Exists() || !props.Get("source").Exists() {
				s.t.Errorf("thread properties after delete: %s", props.Raw)
			}
		}},
	{action: "update_event_properties", params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"score":1,"comment":"Very good, veeeery good"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			e := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `")`)
			if e.Get("properties.rating.score").Raw != `{"value":1}` {
				s.t.Errorf("event properties: %s", e.Raw)
			}
		}},
	{action: "delete_event_properties", prep: web30Rating("update_event_properties", `"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}"`),
		params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":["score","comment"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if e := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `")`); e.Get("properties.rating").Exists() {
				s.t.Errorf("event properties after delete: %s", e.Raw)
			}
		}},
	{action: "update_last_seen_timestamp", params: `{"chat_id":"{chat}","timestamp":1588835500}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "update_last_seen_timestamp", p, "timestamp")
		if p.Get("timestamp").Raw != "1588835500" || s.customerUser().Get("last_seen_timestamp").Raw != "1588835500" {
			s.t.Errorf("timestamp: %s, user %s", p.Raw, s.customerUser().Raw)
		}
	}},
	{action: "update_customer", params: `{"name":"John Doe","avatar":"https://domain.com/avatars/1.jpg","fields":{"company_size":"10-100"}}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "update_customer", p, "customer")
			c := p.Get("customer")
			if c.Get("id").Str != s.ids["customer"] || c.Get("type").Str != "customer" || c.Get("name").Str != "John Doe" ||
				c.Get("avatar").Str != "https://domain.com/avatars/1.jpg" || c.Get("fields").Raw != `{"company_size":"10-100"}` {
				s.t.Errorf("customer: %s", c.Raw)
			}
		}},
	{action: "set_customer_fields", params: `{"fields":{"company_size":"10-100"}}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		if f := s.customerUser().Get("fields"); f.Raw != `{"company_size":"10-100"}` {
			s.t.Errorf("customer fields: %s", f.Raw)
		}
	}},
	{action: "get_groups_status", params: `{"groups":[1,2,3,4]}`, check: func(s *webState, p gjson.Result) {
		if p.Raw != `{"groups_status":{"1":"offline","2":"online_for_queue"}}` {
			s.t.Errorf("groups_status (unknown groups left out): %s", p.Raw)
		}
	}},
	{action: "check_goals", params: `{"page_url":"https://mypage.com","customer_fields":{"field1":"value1"},"group_id":0}`, check: webEmpty},
	{action: "get_form", params: `{"group_id":0,"type":"prechat"}`, check: webCheckFormOptions},
	{action: "get_predicted_agent", params: `{}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_predicted_agent", p, "agent")
		webCheckAgentCard(s, p.Get("agent"))
	}},
	{action: "get_url_details", params: `{"url":"https://livechatinc.com"}`, check: webCheckURLInfo},
}

// web30Rating returns a prep that sets the example's rating properties with an update method.
func web30Rating(action, target string) func(s *webState) {
	return func(s *webState) {
		s.must(action, `{`+target+`,"properties":{"rating":{"score":1,"comment":"Very good, veeeery good"}}}`)
	}
}

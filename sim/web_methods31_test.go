package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestWeb31EveryMethodAnswersDocumentedShape calls each of the 24 Web methods of 3.1 with
// its documented example request (bare) and checks the bare answer.
func TestWeb31EveryMethodAnswersDocumentedShape(t *testing.T) {
	runWebMethodCases(t, "3.1", web31Cases)
}

// web31NS is the property namespace of the 3.1 examples.
const web31NS = "bb9e5b2f1ab480e4a715977b7b1b4279"

// web31Cases: one case per 3.1 Web method.
var web31Cases = []webMethodCase{
	{action: "get_chats_summary", params: `{}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chats_summary", p, "chats_summary", "total_chats")
		sum := p.Get("chats_summary.0")
		webWantKeys(s.t, "chat summary", sum, "id", "order", "last_thread_id", "last_event_per_type", "users", "access", "properties", "active")
		if p.Get("total_chats").Int() != 1 || sum.Get("id").Str != s.ids["chat"] || !sum.Get("active").Bool() || !webIsInt(sum.Get("order")) {
			s.t.Errorf("summary: %s", p.Raw)
		}
		if lept := sum.Get("last_event_per_type"); lept.Get("message.event.id").Str != s.ids["event"] || !webIsInt(lept.Get("message.thread_order")) {
			s.t.Errorf("last_event_per_type: %s", lept.Raw)
		}
	}},
	{action: "get_chat_threads_summary", params: `{"chat_id":"{chat}"}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chat_threads_summary", p, "threads_summary", "total_threads")
		ts := p.Get("threads_summary.0")
		webWantKeys(s.t, "thread summary", ts, "id", "order", "total_events", "active")
		if ts.Get("id").Str != s.ids["thread"] || ts.Get("total_events").Int() != 2 || !ts.Get("active").Bool() {
			s.t.Errorf("threads summary: %s", p.Raw)
		}
	}},
	{action: "get_chat_threads", params: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "get_chat_threads", p, "chat")
		webWantKeys(s.t, "chat", p.Get("chat"), "id", "order", "users", "properties", "access", "threads")
		if th := p.Get("chat.threads.0"); th.Get("id").Str != s.ids["thread"] || th.Get("events.#").Int() != 2 {
			s.t.Errorf("thread: %s", th.Raw)
		}
	}},
	{action: "start_chat", params: `{}`, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "start_chat without events", p, "chat_id", "thread_id")
		if p.Get("chat_id").Str == s.ids["chat"] || p.Get("thread_id").Str == "" {
			s.t.Errorf("start_chat: %s", p.Raw)
		}
	}},
	{action: "activate_chat", prep: func(s *webState) { s.must("close_thread", `{"chat_id":"{chat}"}`) },
		params: `{"chat":{"id":"{chat}"}}`, check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "activate_chat without events", p, "thread_id")
			if th := s.lastThread(); th.Get("id").Str != p.Get("thread_id").Str || !th.Get("active").Bool() || th.Get("id").Str == s.ids["thread"] {
				s.t.Errorf("new thread %s, answer %s", th.Raw, p.Raw)
			}
		}},
	{action: "close_thread", params: `{"chat_id":"{chat}"}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		if th := s.lastThread(); th.Get("active").Bool() {
			s.t.Errorf("thread still active: %s", th.Raw)
		}
	}},
	{action: "send_event", params: `{"chat_id":"{chat}","event":{"type":"message","text":"hello world","recipients":"all"}}`,
		check: func(s *webState, p gjson.Result) {
			webWantKeys(s.t, "send_event", p, "event_id")
			if e := s.lastEvent(); e.Get("id").Str != p.Get("event_id").Str || e.Get("text").Str != "hello world" || e.Get("recipients").Str != "all" {
				s.t.Errorf("stored event %s, answer %s", e.Raw, p.Raw)
			}
		}},
	{action: "upload_file", send: func(s *webState, tr *webTranscript) webResp {
		body, ctype, shown := webMultipart(s.t, nil, "file", "image.png", "image/png", webPNG)
		return tr.send(http.MethodPost, webPath("3.1", "upload_file"), s.token, ctype, body, shown)
	}, check: func(s *webState, p gjson.Result) {
		webWantKeys(s.t, "upload_file", p, "url")
		if !strings.HasSuffix(p.Get("url").Str, "/image.png") {
			s.t.Errorf("url: %s", p.Raw)
		}
	}},
	{action: "send_rich_message_postback", params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{rich}","postback":{"id":"action_yes","toggled":true}}`, check: webEmpty},
	{action: "send_sneak_peek", params: `{"chat_id":"{chat}","sneak_peek_text":"hello world"}`, check: webEmpty},
	{action: "update_chat_properties", params: `{"chat_id":"{chat}","properties":{"` + web31NS + `":{"score":10,"comment":"Thank you!"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.chat().Get("properties"); props.Get(web31NS+".score").Raw != `{"value":10}` || s.prop(props, web31NS, "comment").Str != "Thank you!" {
				s.t.Errorf("chat properties: %s", props.Raw)
			}
		}},
	{action: "delete_chat_properties", prep: web31Score("update_chat_properties", `"chat_id":"{chat}"`),
		params: `{"chat_id":"{chat}","properties":{"` + web31NS + `":["score","comment"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.chat().Get("properties"); props.Get(web31NS).Exists() || !props.Get("source").Exists() {
				s.t.Errorf("chat properties after delete: %s", props.Raw)
			}
		}},
	{action: "update_chat_thread_properties", params: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"` + web31NS + `":{"score":10,"comment":"Thank you!"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.lastThread().Get("properties"); props.Get(web31NS+".score").Raw != `{"value":10}` {
				s.t.Errorf("thread properties: %s", props.Raw)
			}
		}},
	{action: "delete_chat_thread_properties", prep: web31Score("update_chat_thread_properties", `"chat_id":"{chat}","thread_id":"{thread}"`),
		params: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"` + web31NS + `":["score","comment"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if props := s.lastThread().Get("properties"); props.Get(web31NS).Exists() {
				s.t.Errorf("thread properties after delete: %s", props.Raw)
			}
		}},
	{action: "update_event_properties", params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"` + web31NS + `":{"score":10,"comment":"Thank you!"}}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if e := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `")`); e.Get("properties."+web31NS+".score").Raw != `{"value":10}` {
				s.t.Errorf("event properties: %s", e.Raw)
			}
		}},
	{action: "delete_event_properties", prep: func(s *webState) {
		s.must("update_event_properties", `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"score":10,"comment":"Thank you!"}}}`)
	}, params: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":["score","comment"]}}`,
		check: func(s *webState, p gjson.Result) {
			webEmpty(s, p)
			if e := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `")`); e.Get("properties").Exists() {
				s.t.Errorf("event properties after delete: %s", e.Raw)
			}
		}},
	{action: "mark_events_as_seen", params: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.010200Z"}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		if got := s.customerUser().Get("events_seen_up_to").Str; got != "2020-05-07T07:12:00.010200Z" {
			s.t.Errorf("events_seen_up_to = %q", got)
		}
	}},
	{action: "update_customer", params: `{"name":"John Doe"}`, check: func(s *webState, p gjson.Result) {
		// The 3.1 answer is UNCONFIRMED (methods.md §3.12); the simulator answers
		// {"customer": Customer}, as doc.go records.
		webWantKeys(s.t, "update_customer", p, "customer")
		if c := p.Get("customer"); c.Get("id").Str != s.ids["customer"] || c.Get("name").Str != "John Doe" {
			s.t.Errorf("customer: %s", c.Raw)
		}
	}},
	{action: "set_customer_fields", params: `{"fields":{"company_size":"10-100"}}`, check: func(s *webState, p gjson.Result) {
		webEmpty(s, p)
		if f := s.customerUser().Get("fields"); f.Raw != `{"company_size":"10-100"}` {
			s.t.Errorf("customer fields: %s", f.Raw)
		}
	}},
	{action: "get_groups_status", params: `{"all":true}`, check: func(s *webState, p gjson.Result) {
		if p.Raw != `{"groups_status":{"0":"online","1":"offline","2":"online_for_queue"}}` {
			s.t.Errorf("groups_status: %s", p.Raw)
		}
	}},
	{action: "check_goals", params: `{"page_url":"https://mypage.com","customer_fields":{"field1":"value1"},"group_id":0}`, check: webEmpty},
	{action: "get_form", params: `{"group_id":0,"type":"prechat"}`, check: webCheckFormOptions},
	{action: "get_predicted_agent", params: `{}`, check: webCheckAgentCard},
	{action: "get_url_details", params: `{"url":"https://livechatinc.com"}`, check: webCheckURLInfo},
}

// web31Score returns a prep that sets the example's score and comment with an update method.
func web31Score(action, target string) func(s *webState) {
	return func(s *webState) {
		s.must(action, `{`+target+`,"properties":{"`+web31NS+`":{"score":10,"comment":"Thank you!"}}}`)
	}
}

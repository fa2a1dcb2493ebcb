package canned

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// catalogue32 is the 3.2 Web catalogue with the top-level keys each answer must have (nil:
// the method answers no payload, {}).
var catalogue32 = map[string][]string{
	"list_chats":                  {"chats_summary", "total_chats"},
	"list_threads":                {"threads", "found_threads"},
	"get_chat":                    {"id", "thread", "users", "access", "properties"},
	"start_chat":                  {"chat_id", "thread_id", "event_ids"},
	"activate_chat":               {"thread_id", "event_ids"},
	"deactivate_chat":             nil,
	"send_event":                  {"event_id"},
	"upload_file":                 {"url"},
	"send_rich_message_postback":  nil,
	"send_sneak_peek":             nil,
	"update_chat_properties":      nil,
	"delete_chat_properties":      nil,
	"update_thread_properties":    nil,
	"delete_thread_properties":    nil,
	"update_event_properties":     nil,
	"delete_event_properties":     nil,
	"list_license_properties":     {"0805e283233042b37f460ed8fbf22160"},
	"list_group_properties":       {"0805e283233042b37f460ed8fbf22160"},
	"mark_events_as_seen":         nil,
	"update_customer":             nil,
	"update_customer_page":        nil,
	"set_customer_session_fields": nil,
	"get_customer":                {"id", "type", "name", "email", "session_fields"},
	"list_group_statuses":         {"groups_status"},
	"check_goals":                 nil,
	"get_form":                    {"form", "enabled"},
	"get_predicted_agent":         {"id", "name", "avatar", "is_bot", "job_title", "type"},
	"get_url_info":                {"title", "description", "url", "image_url", "image_width", "image_height"},
	"accept_greeting":             nil,
	"cancel_greeting":             nil,
}

func TestCatalogueCovered(t *testing.T) {
	if len(webAnswers) != len(catalogue32) {
		t.Errorf("%d Web answers, catalogue has %d", len(webAnswers), len(catalogue32))
	}
	for action := range webAnswers {
		if _, ok := catalogue32[action]; !ok {
			t.Errorf("answer for %q, which is not in the catalogue", action)
		}
	}
}

func checkKeys(t *testing.T, action string, body []byte, want []string) {
	t.Helper()
	got := keys(t, body)
	if want == nil {
		if string(body) != "{}" {
			t.Errorf("%s: body %s, want {}", action, body)
		}
		return
	}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: no %q in %s", action, k, body)
		}
	}
}

func TestWebEveryAction(t *testing.T) {
	ts := start(t, Options{})
	for action, want := range catalogue32 {
		status, body := ts.post(t, action, `{"chat_id":"PJ0MRSHTDG"}`)
		if status != http.StatusOK {
			t.Errorf("%s: status %d: %s", action, status, body)
			continue
		}
		if !json.Valid(body) {
			t.Errorf("%s: invalid JSON %s", action, body)
			continue
		}
		checkKeys(t, action, body, want)
	}
}

func TestWebNoTokenNoBody(t *testing.T) {
	ts := start(t, Options{})
	status, body := ts.do(t, http.MethodPost, "/v3.2/customer/action/get_customer", "", nil)
	if status != http.StatusOK || gjson.GetBytes(body, "id").Str != customerID {
		t.Errorf("status %d body %s", status, body)
	}
}

func TestWebGetPropertyListings(t *testing.T) {
	ts := start(t, Options{})
	for _, action := range []string{"list_license_properties", "list_group_properties"} {
		status, body := ts.do(t, http.MethodGet, "/v3.2/customer/action/"+action+"?license_id=1&group_id=0", "", nil)
		if status != http.StatusOK {
			t.Errorf("GET %s: status %d: %s", action, status, body)
		}
		checkKeys(t, action, body, catalogue32[action])
	}
	status, body := ts.do(t, http.MethodGet, "/v3.2/customer/action/get_chat?license_id=1", "", nil)
	if status != http.StatusMethodNotAllowed || gjson.GetBytes(body, "error.type").Str != "validation" {
		t.Errorf("GET get_chat: status %d: %s", status, body)
	}
}

func TestWebUploadFileMultipart(t *testing.T) {
	ts := start(t, Options{})
	ct, body := multipartFile(t, 2<<20)
	status, out := ts.do(t, http.MethodPost, "/v3.2/customer/action/upload_file?license_id=1", ct, body)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, out)
	}
	if u := gjson.GetBytes(out, "url").Str; !strings.HasPrefix(u, "https://cdn.files-text.livechatinc.com/tmp/") {
		t.Errorf("url %q", u)
	}
}

func TestWebErrors(t *testing.T) {
	ts := start(t, Options{})
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/v3.2/customer/action/no_such_action?license_id=1", http.StatusBadRequest},
		{http.MethodPost, "/v3.2/customer/action/login?license_id=1", http.StatusBadRequest}, // RTM only
		{http.MethodPost, "/v3.2/customer/action/?license_id=1", http.StatusBadRequest},
		{http.MethodPost, "/v3.1/customer/action/get_chat?license_id=1", http.StatusNotFound},
		{http.MethodPost, "/v3.0/customer/action/send_event?license_id=1", http.StatusNotFound},
		{http.MethodPost, "/v3.3/customer/action/get_chat?license_id=1", http.StatusNotFound},
		{http.MethodGet, "/v3.1/customer/rtm/ws?license_id=1", http.StatusNotFound},
		{http.MethodGet, "/", http.StatusNotFound},
	}
	for _, c := range cases {
		status, body := ts.do(t, c.method, c.path, "application/json", []byte(`{}`))
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, status, c.status, body)
		}
		e := gjson.GetBytes(body, "error")
		if !json.Valid(body) || e.Get("type").Str != "validation" || e.Get("message").Str == "" {
			t.Errorf("%s %s: body %s, want a validation error", c.method, c.path, body)
		}
	}
}

func TestGetChatAnswer(t *testing.T) {
	ts := start(t, Options{})
	_, sent := ts.post(t, "send_event", `{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"hi"}}`)
	eventID := gjson.GetBytes(sent, "event_id").Str
	if eventID == "" {
		t.Fatalf("send_event answered %s", sent)
	}
	status, body := ts.post(t, "get_chat", `{"chat_id":"PJ0MRSHTDG"}`)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if n := len(body); n < 3584 || n > 4608 {
		t.Errorf("get_chat answer is %d bytes, want 3.5-4.5 KiB", n)
	}
	t.Logf("get_chat answer: %d bytes", len(body))

	thread := gjson.GetBytes(body, "thread")
	events := thread.Get("events").Array()
	if len(events) != 16 {
		t.Errorf("%d events, want 16", len(events))
	}
	found := false
	types := map[string]bool{}
	for _, ev := range events {
		types[ev.Get("type").Str] = true
		if ev.Get("id").Str == eventID {
			found = true
		}
		if !ev.Get("created_at").Exists() {
			t.Errorf("event without created_at: %s", ev.Raw)
		}
	}
	if !found {
		t.Errorf("send_event's event %q is not in get_chat's thread", eventID)
	}
	var seen []string
	for k := range types {
		seen = append(seen, k)
	}
	sort.Strings(seen)
	for _, want := range []string{"custom", "file", "filled_form", "message", "rich_message", "system_message"} {
		if !types[want] {
			t.Errorf("no %s event; types: %v", want, seen)
		}
	}
	if thread.Get("next_thread_id").Exists() || !thread.Get("active").Bool() || !thread.Get("previous_thread_id").Exists() {
		t.Errorf("thread is not the active latest one: %s", thread.Raw[:200])
	}
	if at := thread.Get("created_at").Str; len(at) != len("2020-05-07T07:11:28.288340Z") {
		t.Errorf("thread created_at %q is not RFC 3339 with microseconds", at)
	}
	for _, k := range []string{"user_ids", "properties", "access"} {
		if !thread.Get(k).Exists() {
			t.Errorf("thread has no %s", k)
		}
	}
	if !gjson.GetBytes(body, `thread.events.#(type=="message").properties`).Exists() {
		t.Error("no message event with properties")
	}
}

// The answers agree on ids, so lcgate's expansions (send_event + get_chat, start_chat +
// get_chat, get_chat_threads → get_chat, list_threads) find what they look for.
func TestAnswersConsistent(t *testing.T) {
	s := New(Options{})
	chat := s.web["get_chat"]
	threadID := gjson.GetBytes(chat, "thread.id").Str
	chatID := gjson.GetBytes(chat, "id").Str
	inThread := func(id string) bool {
		return gjson.GetBytes(chat, `thread.events.#(id=="`+id+`")`).Exists()
	}
	if id := gjson.GetBytes(s.web["send_event"], "event_id").Str; id != eventID || !inThread(id) {
		t.Errorf("send_event event_id %q not in the thread", id)
	}
	start := s.web["start_chat"]
	if gjson.GetBytes(start, "chat_id").Str != chatID || gjson.GetBytes(start, "thread_id").Str != threadID {
		t.Errorf("start_chat %s does not name chat %s thread %s", start, chatID, threadID)
	}
	act := s.web["activate_chat"]
	if gjson.GetBytes(act, "thread_id").Str != threadID {
		t.Errorf("activate_chat %s does not name thread %s", act, threadID)
	}
	for _, ans := range [][]byte{start, act} {
		for _, id := range gjson.GetBytes(ans, "event_ids").Array() {
			if !inThread(id.Str) {
				t.Errorf("event id %s not in the thread", id.Str)
			}
		}
	}
	threads := s.web["list_threads"]
	if got := gjson.GetBytes(threads, "threads.0").Raw; got != gjson.GetBytes(chat, "thread").Raw {
		t.Error("list_threads' thread differs from get_chat's")
	}
	if gjson.GetBytes(threads, "found_threads").Int() != 1 || gjson.GetBytes(threads, "next_page_id").Exists() {
		t.Errorf("list_threads paging: %s", threads[:80])
	}
	chats := s.web["list_chats"]
	sums := gjson.GetBytes(chats, "chats_summary").Array()
	if len(sums) < 2 || len(sums) > 3 || gjson.GetBytes(chats, "next_page_id").Exists() {
		t.Errorf("list_chats has %d summaries", len(sums))
	}
	if sums[0].Get("id").Str != chatID || sums[0].Get("last_thread_id").Str != threadID {
		t.Errorf("first summary is not the canned chat")
	}
	login := s.rtm["login"]
	for _, k := range []string{"customer.id", "customer.statistics.chats_count", "has_active_thread", "chats.0.chat_id", "__priv_dynamic_config.online_groups_ids"} {
		if !gjson.GetBytes(login, k).Exists() {
			t.Errorf("login answer has no %s", k)
		}
	}
	if gjson.GetBytes(login, "customer.id").Str != customerID || gjson.GetBytes(s.web["get_customer"], "id").Str != customerID {
		t.Error("login and get_customer disagree on the customer")
	}
	for action, b := range s.rtm {
		if !json.Valid(b) {
			t.Errorf("%s: invalid JSON", action)
		}
	}
}

// The Web handler does not allocate per request.
func TestHandlerAllocs(t *testing.T) {
	s := New(Options{})
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(fasthttp.MethodPost)
	ctx.Request.SetRequestURI("/v3.2/customer/action/get_chat?license_id=1")
	ctx.Request.SetBodyString(`{"chat_id":"PJ0MRSHTDG"}`)
	s.Handler(&ctx)
	allocs := testing.AllocsPerRun(100, func() {
		ctx.Response.Reset()
		s.Handler(&ctx)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request", allocs)
	}
	if string(ctx.Response.Body()) != string(s.web["get_chat"]) {
		t.Error("wrong body")
	}
}

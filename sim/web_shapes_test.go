package sim

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// This file checks the version-specific shapes of spec/methods.md §1.4 and §3 on one state read
// through each version: the simulator keeps one state and renders it per version.

// TestWebStartChatAnswersWholeChatIn30AndIDsLater: 3.0 answers {"chat": {…, "thread"}}, 3.1
// and 3.2 answer {chat_id, thread_id, event_ids} with the ids of the initial events.
func TestWebStartChatAnswersWholeChatIn30AndIDsLater(t *testing.T) {
	const params = `{"chat":{"thread":{"events":[{"type":"message","text":"hello there"},` +
		`{"type":"custom","custom_id":"c-1","content":{"order_no":"A-1"}}]}}}`
	for _, v := range webVersions {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			tr := newWebTranscript(t, h)
			const token = "dal:start-chat-token-77a1"
			resp := tr.post(v, "start_chat", token, webWrap(v, params))
			p := webPayload(t, v, resp.body)
			webCheckShapes(t, v, p)
			var chatID, threadID string
			var eventIDs []string
			if v == "3.0" {
				webWantKeys(t, "3.0 start_chat", p, "chat")
				webWantKeys(t, "3.0 chat", p.Get("chat"), "id", "order", "users", "properties", "access", "thread")
				chatID, threadID = p.Get("chat.id").Str, p.Get("chat.thread.id").Str
				for _, e := range p.Get("chat.thread.events").Array() {
					eventIDs = append(eventIDs, e.Get("id").Str)
				}
			} else {
				webWantKeys(t, v+" start_chat", p, "chat_id", "thread_id", "event_ids")
				chatID, threadID = p.Get("chat_id").Str, p.Get("thread_id").Str
				for _, id := range p.Get("event_ids").Array() {
					eventIDs = append(eventIDs, id.Str)
				}
			}
			// Read the thread back in 3.2 and compare ids.
			got := gjson.Parse(h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`"}`).body)
			var stored []string
			for _, e := range got.Get("thread.events").Array() {
				stored = append(stored, e.Get("id").Str)
			}
			if got.Get("thread.id").Str != threadID || strings.Join(stored, ",") != strings.Join(eventIDs, ",") || len(stored) != 2 {
				t.Errorf("answered thread %s events %v, stored %s", threadID, eventIDs, got.Raw)
			}
			golden(t, "web/v"+v+"/start_chat_with_events.txt", tr.String())
		})
	}
}

// TestWebOneEventReadsInEachVersionsTimeFormat: the same event has integer `order` and
// `timestamp` (unix seconds) in 3.0 and `created_at` (6 fractional digits) in 3.1 and 3.2,
// all naming the same instant.
func TestWebOneEventReadsInEachVersionsTimeFormat(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:time-format-token-0b3f"
	chatID := gjson.Get(h.web("3.2", "start_chat", token, `{}`).body, "chat_id").Str
	resp := h.web("3.0", "send_event", token, `{"payload":{"chat_id":"`+chatID+`","event":{"type":"message","text":"when?"}}}`)
	p := webPayload(t, "3.0", resp.body)
	webWantKeys(t, "3.0 send_event", p, "thread_id", "event")
	e30 := p.Get("event")
	webCheckEvent(t, "3.0", e30)
	threads31 := webPayload(t, "3.1", h.web("3.1", "get_chat_threads", token, `{"chat_id":"`+chatID+`"}`).body)
	e31 := threads31.Get(`chat.threads.0.events.#(id=="` + e30.Get("id").Str + `")`)
	e32 := webPayload(t, "3.2", h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`"}`).body).Get(`thread.events.#(id=="` + e30.Get("id").Str + `")`)
	webCheckEvent(t, "3.1", e31)
	webCheckEvent(t, "3.2", e32)
	if e31.Get("created_at").Str != e32.Get("created_at").Str {
		t.Errorf("3.1 created_at %s != 3.2 created_at %s", e31.Get("created_at").Str, e32.Get("created_at").Str)
	}
	at, err := time.Parse(time.RFC3339Nano, e32.Get("created_at").Str)
	if err != nil {
		t.Fatal(err)
	}
	if e30.Get("timestamp").Int() != at.Unix() {
		t.Errorf("3.0 timestamp %d is not the unix second of created_at %s", e30.Get("timestamp").Int(), e32.Get("created_at").Str)
	}
}

// TestWebPropertiesAreWrappedUpTo31AndPlainIn32: properties set with plain values read back
// as {"value": X} in 3.0 and 3.1 and as X in 3.2, on chats, threads, events and summaries.
func TestWebPropertiesAreWrappedUpTo31AndPlainIn32(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:properties-token-51de"
	start := gjson.Parse(h.web("3.2", "start_chat", token, `{"chat":{"thread":{"events":[{"type":"message","text":"hi"}]}}}`).body)
	chatID, threadID, eventID := start.Get("chat_id").Str, start.Get("thread_id").Str, start.Get("event_ids.0").Str
	ids := `"chat_id":"` + chatID + `","thread_id":"` + threadID + `"`
	const props = `{"rating":{"score":5,"good":true,"comment":"fine"}}`
	for _, req := range [][2]string{
		{"update_chat_properties", `{"chat_id":"` + chatID + `","properties":` + props + `}`},
		{"update_thread_properties", `{` + ids + `,"properties":` + props + `}`},
		{"update_event_properties", `{` + ids + `,"event_id":"` + eventID + `","properties":` + props + `}`},
	} {
		if resp := h.web("3.2", req[0], token, req[1]); resp.status != http.StatusOK {
			t.Fatalf("%s: %d %s", req[0], resp.status, resp.body)
		}
	}
	wrapped := `{"rating":{"score":{"value":5},"good":{"value":true},"comment":{"value":"fine"}}}`
	for _, c := range []struct{ v, action, chat, thread string }{
		{"3.0", "get_chat_threads", "chat", "chat.threads.0"},
		{"3.1", "get_chat_threads", "chat", "chat.threads.0"},
		{"3.2", "get_chat", "@this", "thread"},
	} {
		p := webPayload(t, c.v, h.web(c.v, c.action, token, webWrap(c.v, `{"chat_id":"`+chatID+`"}`)).body)
		want := wrapped
		if c.v == "3.2" {
			want = props
		}
		th := p.Get(c.thread)
		for what, got := range map[string]string{
			"chat":   p.Get(c.chat + ".properties").Raw,
			"thread": th.Get("properties").Raw,
			"event":  th.Get("events.0.properties").Raw,
		} {
			if got != want {
				t.Errorf("%s %s properties = %s, want %s", c.v, what, got, want)
			}
		}
	}
	for _, c := range [][2]string{{"3.0", "get_chats_summary"}, {"3.1", "get_chats_summary"}, {"3.2", "list_chats"}} {
		p := webPayload(t, c[0], h.web(c[0], c[1], token, webWrap(c[0], `{}`)).body)
		want := wrapped
		if c[0] == "3.2" {
			want = props
		}
		if got := p.Get("chats_summary.0.properties").Raw; got != want {
			t.Errorf("%s %s properties = %s, want %s", c[0], c[1], got, want)
		}
	}
}

// TestWebCustomerFieldsAreAMapUpTo31AndAnOrderedArrayIn32: 3.2 session_fields keep the order
// given, as one-key objects; 3.0 and 3.1 show the same data as the `fields` map.
func TestWebCustomerFieldsAreAMapUpTo31AndAnOrderedArrayIn32(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:fields-token-3390"
	chatID := gjson.Get(h.web("3.2", "start_chat", token, `{}`).body, "chat_id").Str
	if resp := h.web("3.2", "set_customer_session_fields", token, `{"session_fields":[{"zeta":"1"},{"alpha":"2"},{"mid":"3"}]}`); resp.status != http.StatusOK {
		t.Fatalf("set_customer_session_fields: %d %s", resp.status, resp.body)
	}
	const want32 = `[{"zeta":"1"},{"alpha":"2"},{"mid":"3"}]`
	if got := webPayload(t, "3.2", h.web("3.2", "get_customer", token, `{}`).body).Get("session_fields").Raw; got != want32 {
		t.Errorf("3.2 get_customer session_fields = %s, want %s", got, want32)
	}
	chat32 := webPayload(t, "3.2", h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`"}`).body)
	if got := chat32.Get(`users.#(type=="customer").session_fields`).Raw; got != want32 {
		t.Errorf("3.2 chat user session_fields = %s, want %s", got, want32)
	}
	for _, v := range []string{"3.0", "3.1"} {
		p := webPayload(t, v, h.web(v, "get_chat_threads", token, webWrap(v, `{"chat_id":"`+chatID+`"}`)).body)
		webCheckShapes(t, v, p)
		f := p.Get(`chat.users.#(type=="customer").fields`)
		if !f.IsObject() || f.Get("zeta").Str != "1" || f.Get("alpha").Str != "2" || f.Get("mid").Str != "3" || len(webKeys(f)) != 3 {
			t.Errorf("%s customer fields = %s", v, f.Raw)
		}
	}
	// A 3.0 map set afterwards appears in 3.2 as one more one-key object.
	resp := h.web("3.0", "update_customer", token, `{"payload":{"fields":{"plan":"pro"}}}`)
	if got := webPayload(t, "3.0", resp.body).Get("customer.fields").Raw; got != `{"zeta":"1","alpha":"2","mid":"3","plan":"pro"}` {
		t.Errorf("3.0 update_customer fields = %s", got)
	}
	got := webPayload(t, "3.2", h.web("3.2", "get_customer", token, `{}`).body).Get("session_fields")
	if strings.Join(webSessionFields(got), ",") != "zeta=1,alpha=2,mid=3,plan=pro" {
		t.Errorf("3.2 session_fields after a 3.0 update = %s", got.Raw)
	}
}

// TestWebGetChatIn32ReturnsOneThreadFlat: get_chat has no `chat` key and no `order`; without
// thread_id it returns the latest thread, with one it returns that thread and its neighbours.
func TestWebGetChatIn32ReturnsOneThreadFlat(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:get-chat-token-c0de"
	start := gjson.Parse(h.web("3.2", "start_chat", token, `{}`).body)
	chatID, first := start.Get("chat_id").Str, start.Get("thread_id").Str
	h.web("3.2", "deactivate_chat", token, `{"chat_id":"`+chatID+`"}`)
	second := gjson.Get(h.web("3.2", "activate_chat", token, `{"chat":{"id":"`+chatID+`"}}`).body, "thread_id").Str
	latest := webPayload(t, "3.2", h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`"}`).body)
	webWantKeys(t, "get_chat", latest, "id", "thread", "users", "access", "properties")
	if latest.Get("thread.id").Str != second || latest.Get("thread.previous_thread_id").Str != first || latest.Get("thread.next_thread_id").Exists() {
		t.Errorf("latest thread: %s", latest.Get("thread").Raw)
	}
	older := webPayload(t, "3.2", h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`","thread_id":"`+first+`"}`).body)
	if older.Get("thread.id").Str != first || older.Get("thread.next_thread_id").Str != second || older.Get("thread.active").Bool() {
		t.Errorf("older thread: %s", older.Get("thread").Raw)
	}
	webCheckShapes(t, "3.2", older)
}

// TestWebUpdateLastSeenTimestampAnswersTimestampIn30: 3.0 answers {timestamp}; without one it
// uses the current second; the marker shows as last_seen_timestamp in 3.0 and as
// events_seen_up_to in 3.1 and 3.2.
func TestWebUpdateLastSeenTimestampAnswersTimestampIn30(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:seen-token-91aa"
	chatID := gjson.Get(h.web("3.2", "start_chat", token, `{}`).body, "chat_id").Str
	p := webPayload(t, "3.0", h.web("3.0", "update_last_seen_timestamp", token, `{"payload":{"chat_id":"`+chatID+`"}}`).body)
	webWantKeys(t, "update_last_seen_timestamp", p, "timestamp")
	ts := p.Get("timestamp")
	if lo, hi := testStart.Unix(), testStart.Add(time.Minute).Unix(); !webIsInt(ts) || ts.Int() < lo || ts.Int() > hi {
		t.Fatalf("timestamp %s is not the current unix second", ts.Raw)
	}
	user30 := webPayload(t, "3.0", h.web("3.0", "get_chat_threads", token, `{"payload":{"chat_id":"`+chatID+`"}}`).body).Get(`chat.users.#(type=="customer")`)
	if user30.Get("last_seen_timestamp").Int() != ts.Int() {
		t.Errorf("3.0 user: %s, want last_seen_timestamp %d", user30.Raw, ts.Int())
	}
	user32 := webPayload(t, "3.2", h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`"}`).body).Get(`users.#(type=="customer")`)
	if want := time.Unix(ts.Int(), 0).UTC().Format("2006-01-02T15:04:05.000000Z"); user32.Get("events_seen_up_to").Str != want {
		t.Errorf("3.2 user: %s, want events_seen_up_to %s", user32.Raw, want)
	}
	// An explicit later timestamp is answered back as it is.
	later := ts.Int() + 100
	p = webPayload(t, "3.0", h.web("3.0", "update_last_seen_timestamp", token, `{"payload":{"chat_id":"`+chatID+`","timestamp":`+itoa(int(later))+`}}`).body)
	if p.Get("timestamp").Int() != later {
		t.Errorf("timestamp = %s, want %d", p.Raw, later)
	}
}

// TestWebPredictedAgentIsWrappedOnlyIn30: {"agent": {…}} in 3.0, the flat agent later; an
// offline group is group_offline and a queueing group group_unavailable.
func TestWebPredictedAgentIsWrappedOnlyIn30(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:agent-token-7d21"
	for _, v := range webVersions {
		p := webPayload(t, v, h.web(v, "get_predicted_agent", token, webWrap(v, `{}`)).body)
		agent := p
		if v == "3.0" {
			webWantKeys(t, "3.0 get_predicted_agent", p, "agent")
			agent = p.Get("agent")
		}
		webWantKeys(t, v+" predicted agent", agent, "id", "name", "avatar", "is_bot", "job_title", "type")
		webErr(t, h.web(v, "get_predicted_agent", token, webWrap(v, `{"group_id":1}`)), http.StatusBadRequest, "group_offline")
		webErr(t, h.web(v, "get_predicted_agent", token, webWrap(v, `{"group_id":2}`)), http.StatusBadRequest, "group_unavailable")
	}
}

// TestWebRenamedMethodsExistOnlyInTheirVersion: each renamed or removed action is an unknown
// action (404 validation) in the versions that lack it, and known in the others.
func TestWebRenamedMethodsExistOnlyInTheirVersion(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:renames-token-2f6b"
	present := map[string][3]bool{ // 3.0, 3.1, 3.2
		"close_thread":                  {true, true, false},
		"deactivate_chat":               {false, false, true},
		"get_chats_summary":             {true, true, false},
		"list_chats":                    {false, false, true},
		"get_chat_threads_summary":      {true, true, false},
		"get_chat_threads":              {true, true, false},
		"get_chat":                      {false, false, true},
		"list_threads":                  {false, false, true},
		"send_file":                     {true, false, false},
		"update_chat_thread_properties": {true, true, false},
		"delete_chat_thread_properties": {true, true, false},
		"update_thread_properties":      {false, false, true},
		"delete_thread_properties":      {false, false, true},
		"update_last_seen_timestamp":    {true, false, false},
		"mark_events_as_seen":           {false, true, true},
		"set_customer_fields":           {true, true, false},
		"set_customer_session_fields":   {false, false, true},
		"get_customer":                  {false, false, true},
		"get_groups_status":             {true, true, false},
		"list_group_statuses":           {false, false, true},
		"get_url_details":               {true, true, false},
		"get_url_info":                  {false, false, true},
		"accept_greeting":               {false, false, true},
		"cancel_greeting":               {false, false, true},
		"list_license_properties":       {false, false, true},
		"list_group_properties":         {false, false, true},
		"login":                         {false, false, false}, // RTM only
		"update_customer_page":          {false, false, false}, // RTM only
	}
	for action, in := range present {
		for i, v := range webVersions {
			resp := h.web(v, action, token, webWrap(v, `{}`))
			if in[i] {
				if resp.status == http.StatusNotFound && gjson.Get(resp.body, "error.type").Str == "validation" {
					t.Errorf("%s %s: unknown action, want it known: %s", v, action, resp.body)
				}
				continue
			}
			msg := webErr(t, resp, http.StatusNotFound, "validation")
			if !strings.Contains(msg, action) {
				t.Errorf("%s %s: message %q does not name the action", v, action, msg)
			}
		}
	}
}

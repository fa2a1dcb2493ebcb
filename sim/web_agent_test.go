package sim

import (
	"net/http"
	"testing"

	"github.com/tidwall/gjson"
)

// This file checks the agent control API (/sim/agent/<op>, agent.go) as far as the Web API
// can observe it.

// TestWebAgentEventShowsInChatReads: an event the agent posts appears in get_chat_threads
// (3.0, 3.1) and get_chat (3.2) with the agent as author and the version's time fields, and
// is the chat summary's last message.
func TestWebAgentEventShowsInChatReads(t *testing.T) {
	for _, v := range webVersions {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			s := webSeed(t, h, v)
			tr := newWebTranscript(t, h)
			body := s.fill(`{"chat_id":"{chat}","event":{"type":"message","text":"Hi, I am Agent Smith."}}`)
			resp := tr.send(http.MethodPost, "/sim/agent/send_event", "", "application/json", body, body)
			if resp.status != http.StatusOK {
				t.Fatalf("agent send_event: %d %s", resp.status, resp.body)
			}
			eventID := gjson.Get(resp.body, "event_id").Str
			read, path := "get_chat_threads", "chat.threads.0.events"
			if v == "3.2" {
				read, path = "get_chat", "thread.events"
			}
			p := webPayload(t, v, tr.post(v, read, s.token, webWrap(v, s.fill(`{"chat_id":"{chat}"}`))).body)
			webCheckShapes(t, v, p)
			e := p.Get(path + `.#(id=="` + eventID + `")`)
			if e.Get("author_id").Str != "b5657aff34dd32e198160d54666df9d8" || e.Get("text").Str != "Hi, I am Agent Smith." || e.Get("type").Str != "message" {
				t.Errorf("agent event: %s", e.Raw)
			}
			list := map[string]string{"3.0": "get_chats_summary", "3.1": "get_chats_summary", "3.2": "list_chats"}[v]
			sum := webPayload(t, v, h.web(v, list, s.token, webWrap(v, `{}`)).body)
			if got := sum.Get("chats_summary.0.last_event_per_type.message.event.id").Str; got != eventID {
				t.Errorf("last message = %s, want the agent's %s", got, eventID)
			}
			golden(t, "web/v"+v+"/agent_send_event.txt", tr.String())
		})
	}
}

// TestWebAgentPropertiesShowInResponses: properties the agent sets on a chat and an event
// read back wrapped up to 3.1 and plain in 3.2; the agent's deletion removes them.
func TestWebAgentPropertiesShowInResponses(t *testing.T) {
	for _, v := range webVersions {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			s := webSeed(t, h, v)
			s.agentOp("update_properties", `{"chat_id":"{chat}","properties":{"routing":{"idle":false,"priority":3}}}`)
			s.agentOp("update_properties", `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"score":1}}}`)
			chat := s.chat()
			idle, prio, score := `{"value":false}`, `{"value":3}`, `{"value":1}`
			if v == "3.2" {
				idle, prio, score = `false`, `3`, `1`
			}
			if got := chat.Get("properties.routing"); got.Get("idle").Raw != idle || got.Get("priority").Raw != prio {
				t.Errorf("chat properties: %s", chat.Get("properties").Raw)
			}
			if got := s.lastThread().Get(`events.#(id=="` + s.ids["event"] + `").properties.rating.score`).Raw; got != score {
				t.Errorf("event property score = %s, want %s", got, score)
			}
			s.agentOp("delete_properties", `{"chat_id":"{chat}","properties":{"routing":["idle","priority"]}}`)
			if props := s.chat().Get("properties"); props.Get("routing").Exists() || !props.Get("source").Exists() {
				t.Errorf("chat properties after the agent's deletion: %s", props.Raw)
			}
		})
	}
}

// TestWebAgentGroupStatusGovernsStartChat: set_group_status changes what get_groups_status /
// list_group_statuses report and what start_chat does: offline refuses, online_for_queue
// queues (3.2 shows the queue), online has an agent join.
func TestWebAgentGroupStatusGovernsStartChat(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:group-status-token-9c9c"
	agent := func(body string) {
		t.Helper()
		if resp := h.agent("set_group_status", body); resp.status != http.StatusOK || resp.body != "{}" {
			t.Fatalf("set_group_status %s: %d %s", body, resp.status, resp.body)
		}
	}
	agent(`{"group_id":0,"status":"offline"}`)
	for _, v := range webVersions {
		webErr(t, h.web(v, "start_chat", token, webWrap(v, `{}`)), http.StatusBadRequest, "group_offline")
	}
	if got := webPayload(t, "3.0", h.web("3.0", "get_groups_status", token, `{"payload":{"groups":[0]}}`).body).Raw; got != `{"groups_status":{"0":"offline"}}` {
		t.Errorf("3.0 groups_status = %s", got)
	}
	agent(`{"group_id":0,"status":"online_for_queue"}`)
	if got := webPayload(t, "3.2", h.web("3.2", "list_group_statuses", token, `{"group_ids":[0]}`).body).Raw; got != `{"groups_status":{"0":"online_for_queue"}}` {
		t.Errorf("3.2 groups_status = %s", got)
	}
	chatID := webPayload(t, "3.2", h.web("3.2", "start_chat", token, `{}`).body).Get("chat_id").Str
	th := webPayload(t, "3.2", h.web("3.2", "get_chat", token, `{"chat_id":"`+chatID+`"}`).body).Get("thread")
	if q := th.Get("queue"); !webIsInt(q.Get("position")) || !webIsInt(q.Get("wait_time")) || !webDatetime.MatchString(q.Get("queued_at").Str) || th.Get("user_ids.#").Int() != 1 {
		t.Errorf("queued thread: %s", th.Raw)
	}
	webErr(t, h.web("3.1", "get_predicted_agent", token, `{}`), http.StatusBadRequest, "group_unavailable")
	agent(`{"group_id":0,"status":"online"}`)
	p := webPayload(t, "3.1", h.web("3.1", "start_chat", token, `{}`).body)
	threads := webPayload(t, "3.1", h.web("3.1", "get_chat_threads", token, `{"chat_id":"`+p.Get("chat_id").Str+`"}`).body)
	if n := threads.Get("chat.threads.0.user_ids.#").Int(); n != 2 || threads.Get(`chat.users.#(type=="agent")`).Get("id").Str == "" {
		t.Errorf("online group: want the customer and an agent: %s", threads.Raw)
	}
	webErr(t, h.agent("set_group_status", `{"group_id":0,"status":"away"}`), http.StatusBadRequest, "validation")
	webErr(t, h.agent("set_group_status", `{"group_id":42,"status":"online"}`), http.StatusNotFound, "group_not_found")
}

// TestWebAgentOperationsReportErrors: the agent API answers errors in the same format: an
// unknown chat is not_found, a closed chat chat_inactive, an unknown operation 404 and GET 405.
func TestWebAgentOperationsReportErrors(t *testing.T) {
	h := newHarness(t, Options{})
	s := webSeed(t, h, "3.2")
	webErr(t, h.agent("send_event", `{"chat_id":"NO_SUCH_CHAT","event":{"type":"message","text":"x"}}`), http.StatusNotFound, "not_found")
	s.must("deactivate_chat", `{"chat_id":"{chat}"}`)
	webErr(t, h.agent("send_event", s.fill(`{"chat_id":"{chat}","event":{"type":"message","text":"x"}}`)), http.StatusBadRequest, "chat_inactive")
	webErr(t, h.agent("no_such_op", `{}`), http.StatusNotFound, "validation")
	webErr(t, h.do(http.MethodGet, "/sim/agent/send_event", "", "", ""), http.StatusMethodNotAllowed, "validation")
}

package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

const (
	rtmAgent1 = "b5657aff34dd32e198160d54666df9d8" // the simulator's first (default) agent
	rtmAgent2 = "bbb67d600796e9f277e360e842418833"
)

// rtmAgentStep is one agent-side operation and the pushes it must cause, per version
// (space-separated push actions, in order).
type rtmAgentStep struct {
	op     string
	body   string // {chat}, {thread}, {event}, {customer} are replaced by the scenario's ids
	pushes [3]string
	check  func(t *testing.T, v version, pushes []gjson.Result)
}

// rtmWrapped reports whether the property ns.name of a push payload is {"value": want}.
func rtmWrapped(p gjson.Result, ns, name, want string) bool {
	v := p.Get("properties." + ns + "." + name)
	return v.IsObject() && len(rtmKeys(v)) == 1 && v.Get("value").Raw == want
}

// rtmCheckProps checks a *_properties_updated push: wrapped up to 3.1, plain in 3.2.
func rtmCheckProps(ns, name, want string) func(t *testing.T, v version, pushes []gjson.Result) {
	return func(t *testing.T, v version, pushes []gjson.Result) {
		p := pushes[0].Get("payload")
		if v == v32 && p.Get("properties."+ns+"."+name).Raw != want {
			t.Errorf("3.2: property %s.%s not plain %s: %s", ns, name, want, p.Raw)
		}
		if v != v32 && !rtmWrapped(p, ns, name, want) {
			t.Errorf("%s: property %s.%s not wrapped {\"value\":%s}: %s", v, ns, name, want, p.Raw)
		}
	}
}

var rtmAgentSteps = []rtmAgentStep{
	{op: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message","text":"Hi, how can I help?"}}`,
		pushes: [3]string{"incoming_event", "incoming_event", "incoming_event"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			if got := pushes[0].Get("payload.event.author_id").String(); got != rtmAgent1 {
				t.Errorf("%s: agent event author %q", v, got)
			}
		}},
	{op: "update_event", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","event":{"text":"Hi! How can I help?"}}`,
		pushes: [3]string{"event_updated", "event_updated", "event_updated"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			if got := pushes[0].Get("payload.event.text").String(); got != "Hi! How can I help?" {
				t.Errorf("%s: updated text %q", v, got)
			}
		}},
	{op: "send_typing_indicator", body: `{"chat_id":"{chat}","is_typing":true}`,
		pushes: [3]string{"incoming_typing_indicator", "incoming_typing_indicator", "incoming_typing_indicator"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			ti := pushes[0].Get("payload.typing_indicator")
			if ti.Get("recipients").Exists() != (v != v30) {
				t.Errorf("%s: typing indicator recipients presence wrong (3.0 has none): %s", v, ti.Raw)
			}
			if ti.Get("timestamp").Type != gjson.Number || !ti.Get("is_typing").Bool() {
				t.Errorf("%s: typing indicator %s", v, ti.Raw)
			}
		}},
	{op: "send_multicast", body: `{"customer_id":"{customer}","author_id":"` + rtmAgent1 + `","content":{"example":{"nested":"json"}}}`,
		pushes: [3]string{"incoming_multicast", "incoming_multicast", "incoming_multicast"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			if got := pushes[0].Get("payload.content").Raw; compact(t, got) != `{"example":{"nested":"json"}}` {
				t.Errorf("%s: multicast content %s", v, got)
			}
		}},
	{op: "mark_events_as_seen", body: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:15:00.123456Z"}`,
		pushes: [3]string{"last_seen_timestamp_updated", "events_marked_as_seen", "events_marked_as_seen"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			p := pushes[0].Get("payload")
			if p.Get("user_id").String() != rtmAgent1 {
				t.Errorf("%s: seen marker of %q", v, p.Get("user_id"))
			}
			if v == v30 && (p.Get("timestamp").Int() != 1588835700 || p.Get("thread_id").String() == "") {
				t.Errorf("3.0: want thread_id and timestamp 1588835700: %s", p.Raw)
			}
			if v != v30 && p.Get("seen_up_to").String() != "2020-05-07T07:15:00.123456Z" {
				t.Errorf("%s: seen_up_to %s", v, p.Get("seen_up_to"))
			}
		}},
	{op: "update_properties", body: `{"chat_id":"{chat}","properties":{"ns":{"vip":true}}}`,
		pushes: [3]string{"chat_properties_updated", "chat_properties_updated", "chat_properties_updated"},
		check:  rtmCheckProps("ns", "vip", "true")},
	{op: "update_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"ns":{"lane":"fast"}}}`,
		pushes: [3]string{"chat_thread_properties_updated", "chat_thread_properties_updated", "thread_properties_updated"},
		check:  rtmCheckProps("ns", "lane", `"fast"`)},
	{op: "update_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"ns":{"rating":3}}}`,
		pushes: [3]string{"event_properties_updated", "event_properties_updated", "event_properties_updated"},
		check:  rtmCheckProps("ns", "rating", "3")},
	{op: "delete_properties", body: `{"chat_id":"{chat}","properties":{"ns":["vip"]}}`,
		pushes: [3]string{"chat_properties_deleted", "chat_properties_deleted", "chat_properties_deleted"}},
	{op: "delete_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"ns":["lane"]}}`,
		pushes: [3]string{"chat_thread_properties_deleted", "chat_thread_properties_deleted", "thread_properties_deleted"}},
	{op: "delete_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"ns":["rating"]}}`,
		pushes: [3]string{"event_properties_deleted", "event_properties_deleted", "event_properties_deleted"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			if got := compact(t, pushes[0].Get("payload.properties").Raw); got != `{"ns":["rating"]}` {
				t.Errorf("%s: deleted properties %s", v, got)
			}
		}},
	{op: "add_user_to_chat", body: `{"chat_id":"{chat}","agent_id":"` + rtmAgent2 + `"}`,
		pushes: [3]string{"chat_user_added", "chat_user_added", "user_added_to_chat"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			p := pushes[0].Get("payload")
			if p.Get("user.id").String() != rtmAgent2 || p.Get("user.type").String() != "agent" {
				t.Errorf("%s: added user %s", v, p.Get("user").Raw)
			}
			if v != v32 && p.Get("user_type").String() != "agent" {
				t.Errorf("%s: user_type %q", v, p.Get("user_type"))
			}
			if v == v32 && (p.Get("reason").String() != "manual" || p.Get("requester_id").String() != rtmAgent2) {
				t.Errorf("3.2: reason/requester_id %s", p.Raw)
			}
		}},
	{op: "remove_user_from_chat", body: `{"chat_id":"{chat}","agent_id":"` + rtmAgent2 + `"}`,
		pushes: [3]string{"chat_user_removed", "chat_user_removed", "user_removed_from_chat"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			if got := pushes[0].Get("payload.user_id").String(); got != rtmAgent2 {
				t.Errorf("%s: removed user %q", v, got)
			}
		}},
	{op: "transfer_chat", body: `{"chat_id":"{chat}","target":{"type":"agent","ids":["` + rtmAgent2 + `"]}}`,
		pushes: [3]string{"chat_user_added chat_transferred", "chat_user_added chat_transferred", "user_added_to_chat chat_transferred"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			p := pushes[1].Get("payload")
			if v != v32 && (p.Get("type").String() != "agent" || p.Get("ids").Raw != `["`+rtmAgent2+`"]`) {
				t.Errorf("%s: transfer to agent %s, want type agent and ids", v, p.Raw)
			}
			if v == v32 && compact(t, p.Get("transferred_to").Raw) != `{"agent_ids":["`+rtmAgent2+`"]}` {
				t.Errorf("3.2: transferred_to %s", p.Get("transferred_to").Raw)
			}
		}},
	{op: "transfer_chat", body: `{"chat_id":"{chat}","target":{"type":"group","ids":[2]}}`,
		pushes: [3]string{"chat_transferred access_set", "chat_transferred access_set", "chat_transferred"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			p := pushes[0].Get("payload")
			if v != v32 && (p.Get("type").String() != "group" || p.Get("ids").Raw != `[2]`) {
				t.Errorf("%s: transfer to group %s", v, p.Raw)
			}
			if v == v32 && compact(t, p.Get("transferred_to").Raw) != `{"group_ids":[2]}` {
				t.Errorf("3.2: transferred_to %s", p.Get("transferred_to").Raw)
			}
			if v != v32 && compact(t, pushes[1].Get("payload.access").Raw) != `{"group_ids":[2]}` {
				t.Errorf("%s: access_set %s", v, pushes[1].Raw)
			}
		}},
	{op: "update_customer_side_storage", body: `{"customer_id":"{customer}","customer_side_storage":{"customer_visits":"2"}}`,
		pushes: [3]string{"customer_side_storage_updated", "customer_side_storage_updated", "customer_side_storage_updated"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			if got := compact(t, pushes[0].Get("payload").Raw); got != `{"customer_side_storage":{"customer_visits":"2"}}` {
				t.Errorf("%s: side storage push %s", v, got)
			}
		}},
	{op: "send_greeting", body: `{"customer_id":"{customer}","text":"Psst!","greeting_id":11}`,
		pushes: [3]string{"incoming_multicast", "incoming_multicast", "incoming_greeting"},
		check:  rtmCheckGreeting("Psst!", 11)},
	{op: "send_greeting", body: `{"customer_id":"{customer}","text":"Still there?","greeting_id":12}`,
		pushes: [3]string{"incoming_multicast", "incoming_multicast", "greeting_canceled incoming_greeting"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			rtmCheckGreeting("Still there?", 12)(t, v, pushes[len(pushes)-1:])
		}},
	{op: "cancel_greeting", body: `{"customer_id":"{customer}"}`,
		pushes: [3]string{"", "", "greeting_canceled"}},
	{op: "deactivate_chat", body: `{"chat_id":"{chat}"}`,
		pushes: [3]string{"incoming_event thread_closed", "incoming_event thread_closed", "incoming_event chat_deactivated"},
		check: func(t *testing.T, v version, pushes []gjson.Result) {
			e := pushes[0].Get("payload.event")
			if e.Get("type").String() != "system_message" || e.Get("author_id").Exists() ||
				e.Get("system_message_type").String() != "manual_archived_agent" {
				t.Errorf("%s: closing event %s", v, e.Raw)
			}
			if got := pushes[1].Get("payload.user_id").String(); got != rtmAgent1 {
				t.Errorf("%s: closed by %q, want the agent", v, got)
			}
		}},
}

// rtmCheckGreeting checks a greeting push: incoming_greeting in 3.2, an incoming_multicast
// carrying {lc2: {type: "greeting", …}} before.
func rtmCheckGreeting(text string, id int) func(t *testing.T, v version, pushes []gjson.Result) {
	return func(t *testing.T, v version, pushes []gjson.Result) {
		p := pushes[0].Get("payload")
		if v == v32 {
			if p.Get("event.text").String() != text || p.Get("id").Int() != int64(id) || p.Get("unique_id").String() == "" {
				t.Errorf("3.2: incoming_greeting %s", p.Raw)
			}
			return
		}
		g := p.Get("content.lc2")
		rtmCheckKeys(t, v, "lc2 greeting", g, "type id unique_id text agent displayed_first_time")
		if g.Get("type").String() != "greeting" || g.Get("text").String() != text || g.Get("id").Int() != int64(id) {
			t.Errorf("%s: lc2 greeting %s", v, g.Raw)
		}
		if p.Get("author_id").String() != rtmAgent1 {
			t.Errorf("%s: greeting multicast author %q", v, p.Get("author_id"))
		}
	}
}

// TestRTMAgentOperationsPushToTheCustomer drives every agent operation of /sim/agent against a
// customer of each version and checks the pushes each one causes (names, version shapes, no
// request_id since no request of the customer caused them), ending with the queue and
// customer_disconnected, after which the connection closes. Transcripts:
// testdata/rtm/v3.X/agent_pushes.txt.
func TestRTMAgentOperationsPushToTheCustomer(t *testing.T) {
	for _, v := range rtmVersions {
		t.Run(v.String(), func(t *testing.T) {
			h := newHarness(t, Options{})
			tr := &rtmTranscript{}
			s := h.rtm(v, "", tr)
			login := s.login("frank", "")
			ids := map[string]string{
				"{customer}": rtmBy(v, login.Get("customer_id"), login.Get("customer_id"), login.Get("customer.id")).String(),
			}
			sc, _ := s.ok("start", "start_chat", `{}`)
			ids["{chat}"] = rtmBy(v, sc.Get("chat.id"), sc.Get("chat_id"), sc.Get("chat_id")).String()
			ids["{thread}"] = rtmBy(v, sc.Get("chat.thread.id"), sc.Get("thread_id"), sc.Get("thread_id")).String()

			for i, st := range rtmAgentSteps {
				var rep []string
				for k, val := range ids {
					rep = append(rep, k, val)
				}
				ans := h.rtmAgent(tr, st.op, strings.NewReplacer(rep...).Replace(st.body))
				if i == 0 {
					ids["{event}"] = ans.Get("event_id").String()
				}
				pushes := s.drain()
				if got := strings.Join(rtmActions(pushes), " "); got != st.pushes[v] {
					t.Errorf("%s: agent %s pushed [%s], want [%s]", v, st.op, got, st.pushes[v])
					continue
				}
				for _, p := range pushes {
					if p.Get("request_id").Exists() {
						t.Errorf("%s: agent push %s carries a request_id", v, p.Get("action"))
					}
				}
				if st.check != nil && len(pushes) > 0 {
					st.check(t, v, pushes)
				}
			}

			// A chat in group 2 (online_for_queue) waits in the queue; only 3.2 hears of its
			// position.
			q, pushes := s.ok("queued", "start_chat", `{"chat":{"access":{"group_ids":[2]}}}`)
			queued := rtmBy(v, q.Get("chat.id"), q.Get("chat_id"), q.Get("chat_id")).String()
			if v == v32 && !pushes[0].Get("payload.chat.thread.queue").Exists() {
				t.Errorf("3.2: queued thread without queue: %s", pushes[0].Raw)
			}
			h.rtmAgent(tr, "update_queue", fmt.Sprintf(`{"chat_id":%q,"position":3,"wait_time":120}`, queued))
			pushes = s.drain()
			if got := strings.Join(rtmActions(pushes), " "); got != rtmBy(v, "", "", "queue_position_updated") {
				t.Errorf("%s: update_queue pushed [%s]", v, got)
			} else if v == v32 && compact(t, pushes[0].Get("payload.queue").Raw) != `{"position":3,"wait_time":120}` {
				t.Errorf("3.2: queue %s", pushes[0].Get("payload.queue").Raw)
			}

			h.rtmAgent(tr, "disconnect_customer", fmt.Sprintf(`{"customer_id":%q,"reason":"access_token_expired"}`, ids["{customer}"]))
			got := s.expectClose(1000)
			if len(got) != 1 || got[0].Get("action").String() != "customer_disconnected" ||
				compact(t, got[0].Get("payload").Raw) != `{"reason":"access_token_expired"}` {
				t.Errorf("%s: before the close: %v, want customer_disconnected {reason}", v, got)
			}
			golden(t, "rtm/v"+v.String()+"/agent_pushes.txt", tr.String())
		})
	}
}

// rtmFanStep is a request on one of the shared customer's connections and the push each
// connection must get (space-separated, per connection version).
type rtmFanStep struct {
	from    int // index of the requesting connection
	action  [3]string
	payload string
	pushes  [3]string
}

// TestRTMPushesReachEveryConnectionOfTheCustomer opens a 3.0, a 3.1 and a 3.2 connection of
// one customer and a 3.1 connection of another. A push caused by a request reaches every
// connection of the customer in its own version's shape; only the requester's copy carries
// the request_id; the other customer gets nothing. Transcript: testdata/rtm/fanout.txt.
func TestRTMPushesReachEveryConnectionOfTheCustomer(t *testing.T) {
	h := newHarness(t, Options{})
	tr := &rtmTranscript{}
	conns := []*rtmSession{h.rtm(v30, "A3.0", tr), h.rtm(v31, "B3.1", tr), h.rtm(v32, "C3.2", tr)}
	other := h.rtm(v31, "X3.1", tr)
	var custID string
	for _, s := range conns {
		p := s.login("shared", "")
		custID = rtmBy(s.v, p.Get("customer_id"), p.Get("customer_id"), p.Get("customer.id")).String()
	}
	other.login("someone-else", "")
	for _, s := range conns {
		s.quiet()
	}

	chat := "{chat}"
	steps := []rtmFanStep{
		{from: 0, action: [3]string{"start_chat", "start_chat", "start_chat"}, payload: `{}`,
			pushes: [3]string{"incoming_chat_thread", "incoming_chat_thread", "incoming_chat"}},
		{from: 2, action: [3]string{"send_event", "send_event", "send_event"},
			payload: `{"chat_id":"{chat}","event":{"type":"message","text":"from 3.2"}}`,
			pushes:  [3]string{"incoming_event", "incoming_event", "incoming_event"}},
		{from: 1, action: [3]string{"update_chat_properties", "update_chat_properties", "update_chat_properties"},
			payload: `{"chat_id":"{chat}","properties":{"ns":{"score":7}}}`,
			pushes:  [3]string{"chat_properties_updated", "chat_properties_updated", "chat_properties_updated"}},
		{from: 2, action: [3]string{"", "", "update_thread_properties"},
			payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"ns":{"score":8}}}`,
			pushes:  [3]string{"chat_thread_properties_updated", "chat_thread_properties_updated", "thread_properties_updated"}},
		{from: 0, action: [3]string{"update_event_properties", "", ""},
			payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"ns":{"score":9}}}`,
			pushes:  [3]string{"event_properties_updated", "event_properties_updated", "event_properties_updated"}},
		{from: 1, action: [3]string{"", "delete_chat_thread_properties", ""},
			payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"ns":["score"]}}`,
			pushes:  [3]string{"chat_thread_properties_deleted", "chat_thread_properties_deleted", "thread_properties_deleted"}},
		{from: 0, action: [3]string{"update_last_seen_timestamp", "", ""},
			payload: `{"chat_id":"{chat}","timestamp":1588835600}`,
			pushes:  [3]string{"last_seen_timestamp_updated", "events_marked_as_seen", "events_marked_as_seen"}},
		{from: 2, action: [3]string{"", "", "set_customer_session_fields"},
			payload: `{"session_fields":[{"b":"2"},{"a":"1"}]}`,
			pushes:  [3]string{"customer_updated", "customer_updated", "customer_updated"}},
		{from: 1, action: [3]string{"", "update_customer", ""}, payload: `{"email":"shared@example.com"}`,
			pushes: [3]string{"customer_updated", "customer_updated", "customer_updated"}},
		{from: 0, action: [3]string{"update_customer_page", "", ""}, payload: `{"url":"https://example.com/a","title":"A"}`,
			pushes: [3]string{"customer_page_updated", "customer_page_updated", ""}},
		{from: 2, action: [3]string{"", "", "send_rich_message_postback"},
			payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","postback":{"id":"p","toggled":false}}`,
			pushes:  [3]string{"incoming_rich_message_postback", "incoming_rich_message_postback", "incoming_rich_message_postback"}},
		{from: 2, action: [3]string{"", "", "deactivate_chat"}, payload: `{"chat_id":"{chat}"}`,
			pushes: [3]string{"incoming_event thread_closed", "incoming_event thread_closed", "incoming_event chat_deactivated"}},
		// On an inactive thread a postback reaches nobody (spec/methods.md §2.2).
		{from: 1, action: [3]string{"", "send_rich_message_postback", ""},
			payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","postback":{"id":"p","toggled":true}}`},
		{from: 1, action: [3]string{"", "activate_chat", ""}, payload: `{"chat":{"id":"{chat}"}}`,
			pushes: [3]string{"incoming_chat_thread", "incoming_chat_thread", "incoming_chat"}},
	}
	ids := map[string]string{}
	for i, st := range steps {
		req := conns[st.from]
		var rep []string
		for k, val := range ids {
			rep = append(rep, k, val)
		}
		payload := strings.NewReplacer(rep...).Replace(st.payload)
		rid := fmt.Sprintf("fan-%d", i)
		resp, own := req.ok(rid, st.action[req.v], payload)
		if i == 0 {
			ids[chat] = resp.Get("chat.id").String()
			ids["{thread}"] = resp.Get("chat.thread.id").String()
		}
		if i == 1 {
			ids["{event}"] = resp.Get("event_id").String()
		}
		for j, s := range conns {
			got := own
			if j != st.from {
				got = s.drain()
			}
			if names := strings.Join(rtmActions(got), " "); names != st.pushes[s.v] {
				t.Errorf("step %d (%s from %s): %s got [%s], want [%s]", i, st.action[req.v], req.label, s.label, names, st.pushes[s.v])
				continue
			}
			for _, p := range got {
				if has := p.Get("request_id").Exists(); has != (j == st.from) {
					t.Errorf("step %d: %s push %s request_id present=%v, want %v", i, s.label, p.Get("action"), has, j == st.from)
				}
			}
			rtmCheckFanShape(t, i, s.v, got)
		}
		other.quiet()
	}

	// Greetings: an agent operation, so no connection gets a request_id; the accepted and
	// canceled pushes exist in 3.2 only.
	g := h.rtmAgent(tr, "send_greeting", fmt.Sprintf(`{"customer_id":%q,"text":"Hi all","greeting_id":5}`, custID))
	for _, s := range conns {
		want := rtmBy(s.v, "incoming_multicast", "incoming_multicast", "incoming_greeting")
		if got := strings.Join(rtmActions(s.drain()), " "); got != want {
			t.Errorf("send_greeting: %s got [%s], want [%s]", s.label, got, want)
		}
	}
	conns[2].ok("acc", "accept_greeting", fmt.Sprintf(`{"greeting_id":5,"unique_id":%q}`, g.Get("unique_id")))
	conns[0].quiet()
	conns[1].quiet()
	conns[2].ok("can", "cancel_greeting", fmt.Sprintf(`{"unique_id":%q}`, g.Get("unique_id")))
	conns[0].quiet()
	conns[1].quiet()
	other.quiet()

	// customer_disconnected closes every connection of the customer and no other.
	h.rtmAgent(tr, "disconnect_customer", fmt.Sprintf(`{"customer_id":%q,"reason":"too_many_connections"}`, custID))
	for _, s := range conns {
		got := s.expectClose(1000)
		if len(got) != 1 || got[0].Get("payload.reason").String() != "too_many_connections" {
			t.Errorf("%s: before the close: %v", s.label, got)
		}
	}
	other.quiet()
	golden(t, "rtm/fanout.txt", tr.String())
}

// rtmCheckFanShape checks the version-specific details of the fan-out pushes.
func rtmCheckFanShape(t *testing.T, step int, v version, pushes []gjson.Result) {
	t.Helper()
	for _, f := range pushes {
		p := f.Get("payload")
		switch f.Get("action").String() {
		case "incoming_chat_thread":
			if !p.Get("chat.order").Exists() {
				t.Errorf("step %d %s: incoming_chat_thread without chat.order", step, v)
			}
		case "incoming_chat":
			if p.Get("chat.order").Exists() || p.Get("requester_id").String() == "" {
				t.Errorf("step %d 3.2: incoming_chat must have requester_id and no chat.order: %s", step, p.Raw)
			}
		case "chat_properties_updated", "chat_thread_properties_updated", "thread_properties_updated", "event_properties_updated":
			want := map[string]string{"chat_properties_updated": "7", "event_properties_updated": "9"}[f.Get("action").String()]
			if want == "" {
				want = "8"
			}
			rtmCheckProps("ns", "score", want)(t, v, []gjson.Result{f})
		case "last_seen_timestamp_updated":
			if p.Get("timestamp").Int() != 1588835600 || p.Get("thread_id").String() == "" {
				t.Errorf("step %d 3.0: %s", step, p.Raw)
			}
		case "events_marked_as_seen":
			if p.Get("seen_up_to").String() != "2020-05-07T07:13:20.000000Z" || p.Get("thread_id").Exists() {
				t.Errorf("step %d %s: %s", step, v, p.Raw)
			}
		case "customer_updated":
			c := p.Get("customer")
			if v == v32 && c.Get("session_fields").Raw != `[{"b":"2"},{"a":"1"}]` {
				t.Errorf("step %d 3.2: session_fields %s", step, c.Get("session_fields").Raw)
			}
			if v != v32 && c.Get("fields").Raw != `{"b":"2","a":"1"}` {
				t.Errorf("step %d %s: fields %s", step, v, c.Get("fields").Raw)
			}
		}
	}
}

// TestRTMSendEventOnInactiveChat checks each version's thread rule for send_event on a closed
// chat (spec/methods.md §3.7): 3.0 opens a new thread (incoming_chat_thread) unless
// require_active_thread; 3.1 and 3.2 fail unless attach_to_last_thread.
func TestRTMSendEventOnInactiveChat(t *testing.T) {
	cases := []struct {
		v      version
		flags  string
		errTyp string // "" = success
		pushes string
		newTh  bool
	}{
		{v30, ``, "", "incoming_chat_thread", true},
		{v30, `,"require_active_thread":true`, "validation", "", false},
		{v30, `,"require_active_thread":true,"attach_to_last_thread":true`, "validation", "", false},
		{v30, `,"attach_to_last_thread":true`, "", "incoming_event", false},
		{v31, ``, "validation", "", false},
		{v31, `,"attach_to_last_thread":true`, "", "incoming_event", false},
		{v32, ``, "chat_inactive", "", false},
		{v32, `,"attach_to_last_thread":true`, "", "incoming_event", false},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.v, i), func(t *testing.T) {
			h := newHarness(t, Options{})
			s := h.rtm(c.v, "", nil)
			s.login("gina", "")
			sc, _ := s.ok("s", "start_chat", `{}`)
			chatID := rtmBy(c.v, sc.Get("chat.id"), sc.Get("chat_id"), sc.Get("chat_id")).String()
			oldThread := rtmBy(c.v, sc.Get("chat.thread.id"), sc.Get("thread_id"), sc.Get("thread_id")).String()
			s.ok("c", rtmBy(c.v, "close_thread", "close_thread", "deactivate_chat"), fmt.Sprintf(`{"chat_id":%q}`, chatID))
			payload := fmt.Sprintf(`{"chat_id":%q,"event":{"type":"message","text":"late"}%s}`, chatID, c.flags)
			if c.errTyp != "" {
				s.fail("e", "send_event", payload, c.errTyp)
				return
			}
			resp, pushes := s.ok("e", "send_event", payload)
			if got := strings.Join(rtmActions(pushes), " "); got != c.pushes {
				t.Fatalf("pushes [%s], want [%s]", got, c.pushes)
			}
			threadID := pushes[0].Get("payload.thread_id").String()
			if c.newTh {
				threadID = pushes[0].Get("payload.chat.thread.id").String()
				if pushes[0].Get("payload.chat.thread.events.0.text").String() != "late" {
					t.Errorf("new thread does not start with the event: %s", pushes[0].Raw)
				}
			}
			if (threadID != oldThread) != c.newTh {
				t.Errorf("event went to thread %s (old %s), new thread wanted: %v", threadID, oldThread, c.newTh)
			}
			if c.v == v30 && resp.Get("thread_id").String() != threadID {
				t.Errorf("3.0 answer thread_id %s, push thread %s", resp.Get("thread_id"), threadID)
			}
		})
	}
}

package sim

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// This file holds the per-method Web tests of every version: one case per Web method of the
// version's method table (spec/methods.md §2.1), each run on a fresh simulator holding a seeded
// chat, its request built from the version's documented example request, its whole answer kept
// as a golden transcript under testdata/web/v3.X/<action>.txt and its key facts asserted in code.

// webState is a simulator with one customer and one seeded chat.
type webState struct {
	t     *testing.T
	h     *harness
	v     string
	token string
	ids   map[string]string // chat, thread, event (the customer's first message), rich, customer
}

// webSeed starts a chat in group 0 (online, so an agent joins) with a customer message and
// chat and thread properties, then has the agent post a rich message.
func webSeed(t *testing.T, h *harness, v string) *webState {
	t.Helper()
	s := &webState{t: t, h: h, v: v, token: "dal:web-" + v + "-customer-token-5c1e9a", ids: map[string]string{}}
	p := s.must("start_chat", `{"chat":{"access":{"group_ids":[0]},"properties":{"source":{"type":"facebook"}},`+
		`"thread":{"events":[{"type":"message","custom_id":"31-0C-1C-07-DB-16","text":"hello there"}],`+
		`"properties":{"source":{"type":"facebook"}}}}}`)
	if v == "3.0" {
		s.ids["chat"], s.ids["thread"], s.ids["event"] = p.Get("chat.id").Str, p.Get("chat.thread.id").Str, p.Get("chat.thread.events.0.id").Str
	} else {
		s.ids["chat"], s.ids["thread"], s.ids["event"] = p.Get("chat_id").Str, p.Get("thread_id").Str, p.Get("event_ids.0").Str
	}
	r := s.agentOp("send_event", `{"chat_id":"{chat}","event":{"type":"rich_message","template_id":"quick_replies",`+
		`"elements":[{"title":"Was this helpful?","buttons":[`+
		`{"text":"Yes","type":"message","value":"yes","postback_id":"action_yes","user_ids":[]},`+
		`{"text":"No","type":"message","value":"no","postback_id":"action_no","user_ids":[]}]}]}}`)
	s.ids["rich"] = r.Get("event_id").Str
	s.ids["customer"] = s.chat().Get(`users.#(type=="customer").id`).Str
	for k, id := range s.ids {
		if id == "" {
			t.Fatalf("seed: no %s id (%v)", k, s.ids)
		}
	}
	return s
}

// fill replaces {chat}, {thread}, {event}, {rich}, {customer} and any other seeded id.
func (s *webState) fill(text string) string {
	var pairs []string
	for k, id := range s.ids {
		pairs = append(pairs, "{"+k+"}", id)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// must calls an action outside any transcript, in the version's envelope, and requires 200.
func (s *webState) must(action, params string) gjson.Result {
	s.t.Helper()
	resp := s.h.web(s.v, action, s.token, webWrap(s.v, s.fill(params)))
	if resp.status != http.StatusOK {
		s.t.Fatalf("%s %s: %d %s", s.v, action, resp.status, resp.body)
	}
	return webPayload(s.t, s.v, resp.body)
}

// agentOp calls the agent control API and requires 200.
func (s *webState) agentOp(op, body string) gjson.Result {
	s.t.Helper()
	resp := s.h.agent(op, s.fill(body))
	if resp.status != http.StatusOK {
		s.t.Fatalf("agent %s: %d %s", op, resp.status, resp.body)
	}
	return gjson.Parse(resp.body)
}

// chat reads the seeded chat in the version's own method: get_chat_threads (every thread) up to
// 3.1, get_chat (latest thread) in 3.2.
func (s *webState) chat() gjson.Result {
	s.t.Helper()
	if s.v == "3.2" {
		return s.must("get_chat", `{"chat_id":"{chat}"}`)
	}
	return s.must("get_chat_threads", `{"chat_id":"{chat}"}`).Get("chat")
}

// lastThread is the newest thread of the seeded chat.
func (s *webState) lastThread() gjson.Result {
	s.t.Helper()
	ch := s.chat()
	if s.v == "3.2" {
		return ch.Get("thread")
	}
	threads := ch.Get("threads").Array()
	if len(threads) == 0 {
		s.t.Fatalf("chat has no threads: %s", ch.Raw)
	}
	return threads[len(threads)-1]
}

// lastEvent is the newest event of the seeded chat.
func (s *webState) lastEvent() gjson.Result {
	s.t.Helper()
	events := s.lastThread().Get("events").Array()
	if len(events) == 0 {
		s.t.Fatal("thread has no events")
	}
	return events[len(events)-1]
}

// customerUser is the customer as a user of the seeded chat.
func (s *webState) customerUser() gjson.Result {
	s.t.Helper()
	return s.chat().Get(`users.#(type=="customer")`)
}

// prop reads one property from a properties object in the version's response form: up to 3.1
// the wrapped {"value": X} is unwrapped; in 3.2 X is read as it is.
func (s *webState) prop(props gjson.Result, ns, name string) gjson.Result {
	r := props.Get(gjson.Escape(ns) + "." + gjson.Escape(name))
	if s.v != "3.2" {
		return r.Get("value")
	}
	return r
}

// webMethodCase is one Web method called on a seeded state.
type webMethodCase struct {
	action string
	prep   func(s *webState)                            // extra state before the call
	params string                                       // inner parameters; {ids} are filled
	send   func(s *webState, tr *webTranscript) webResp // instead of params: a custom request
	check  func(s *webState, p gjson.Result)            // p is the unwrapped payload
}

// runWebMethodCases runs every case on its own simulator and checks that the cases cover
// exactly the Web methods of the version's method table.
func runWebMethodCases(t *testing.T, v string, cases []webMethodCase) {
	t.Helper()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.action] = true
	}
	var missing, extra []string
	for name, m := range methodTables[webVersion(t, v)] {
		if m.web && !covered[name] {
			missing = append(missing, name)
		}
		delete(covered, name)
	}
	for name := range covered {
		extra = append(extra, name)
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s cases: missing Web methods %v, unknown methods %v", v, missing, extra)
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			s := webSeed(t, h, v)
			if c.prep != nil {
				c.prep(s)
			}
			tr := newWebTranscript(t, h)
			var resp webResp
			if c.send != nil {
				resp = c.send(s, tr)
			} else {
				resp = tr.post(v, c.action, s.token, webWrap(v, s.fill(c.params)))
			}
			if resp.status != http.StatusOK {
				t.Fatalf("%s %s: status %d: %s", v, c.action, resp.status, resp.body)
			}
			p := webPayload(t, v, resp.body)
			webCheckShapes(t, v, p)
			if c.check != nil {
				c.check(s, p)
			}
			golden(t, "web/v"+v+"/"+c.action+".txt", tr.String())
		})
	}
}

// webEmpty checks a "no payload" answer: {} (wrapped in 3.0 by webPayload).
func webEmpty(s *webState, p gjson.Result) {
	s.t.Helper()
	if p.Raw != "{}" {
		s.t.Errorf("want an empty payload, got %s", p.Raw)
	}
}

// webCheckFormOptions checks the group_chooser options of a get_form answer: {group_id, label,
// checked} up to 3.1, {id, group_id, label} in 3.2 (spec/methods.md §3.14).
func webCheckFormOptions(s *webState, p gjson.Result) {
	s.t.Helper()
	if !p.Get("enabled").Bool() {
		s.t.Fatalf("form not enabled: %s", p.Raw)
	}
	opts := p.Get(`form.fields.#(type=="group_chooser").options`).Array()
	if len(opts) == 0 {
		s.t.Fatalf("no group_chooser options: %s", p.Raw)
	}
	for _, o := range opts {
		if s.v == "3.2" {
			webWantKeys(s.t, "3.2 group_chooser option", o, "id", "group_id", "label")
		} else {
			webWantKeys(s.t, s.v+" group_chooser option", o, "group_id", "label", "checked")
		}
	}
}

// webCheckURLInfo checks get_url_details / get_url_info: image_original_url only in 3.2.
func webCheckURLInfo(s *webState, p gjson.Result) {
	s.t.Helper()
	keys := []string{"title", "description", "url", "image_url", "image_width", "image_height"}
	if s.v == "3.2" {
		keys = append(keys, "image_original_url")
	}
	webWantKeys(s.t, "url info", p, keys...)
	if p.Get("url").Str != "https://livechatinc.com" {
		s.t.Errorf("url = %s", p.Get("url").Raw)
	}
}

// webCheckAgentCard checks the predicted agent's fields.
func webCheckAgentCard(s *webState, a gjson.Result) {
	s.t.Helper()
	webWantKeys(s.t, "predicted agent", a, "id", "name", "avatar", "is_bot", "job_title", "type")
	if a.Get("type").Str != "agent" || !a.Get("is_bot").IsBool() {
		s.t.Errorf("predicted agent: %s", a.Raw)
	}
}

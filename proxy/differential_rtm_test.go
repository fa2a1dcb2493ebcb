package proxy

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/versions"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// rtmStep is one step of an RTM scenario: a request frame (payload may use {chat}, {thread},
// {event}), or an agent operation on the simulator. After each step the client reads frames
// until the request's answer and then drains the pushes that follow within a short quiet
// period; agent steps only drain pushes.
type rtmStep struct {
	action  string
	payload string
	agent   bool
	capture map[string]string // gjson paths in the answer's payload
}

// rtmTranscript runs steps over one RTM connection and returns, per step, the frames the
// client received (the answer first, pushes sorted by action for a stable comparison).
func rtmTranscript(t *testing.T, wsURL, simBase string, steps []rtmStep) [][]string {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", wsURL, err)
	}
	// One reader feeds a channel: a read deadline that expires would break the connection.
	frames := make(chan string, 256)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer close(frames)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			frames <- string(msg)
		}
	}()
	defer func() { _ = conn.Close(); <-readerDone }()
	next := func(wait time.Duration) string {
		select {
		case f := <-frames:
			return f
		case <-time.After(wait):
			return ""
		}
	}
	vars := map[string]string{}
	var out [][]string
	for i, st := range steps {
		payload := st.payload
		for k, v := range vars {
			payload = strings.ReplaceAll(payload, "{"+k+"}", v)
		}
		rid := fmt.Sprintf("r%d", i)
		var got []string
		if st.agent {
			res, err := http.Post(simBase+"/sim/agent/"+st.action, "application/json", strings.NewReader(payload))
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
		} else {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"request_id":%q,"action":%q,"payload":%s}`, rid, st.action, payload))); err != nil {
				t.Fatal(err)
			}
			for {
				f := next(10 * time.Second)
				if f == "" {
					t.Fatalf("step %d %s: no answer", i, st.action)
				}
				g := gjson.Parse(f)
				got = append(got, f)
				if g.Get("type").String() == "response" && g.Get("request_id").String() == rid {
					for name, path := range st.capture {
						vars[name] = g.Get("payload." + path).String()
					}
					break
				}
			}
		}
		for f := next(150 * time.Millisecond); f != ""; f = next(150 * time.Millisecond) {
			got = append(got, f)
		}
		out = append(out, got)
	}
	return out
}

// rtmUnavailable are the members a 3.2 upstream has no source for, documented as lost when
// translating down (spec/methods.md R22, structures.md §7 A6): they are not compared.
var rtmUnavailable = []string{
	"payload.__priv_dynamic_config.customer_data.last_visit_timestamp",
	"payload.__priv_dynamic_config.customer_data.client_version",
	"payload.__priv_dynamic_config.customer_data.group_id",
	"payload.__priv_dynamic_config.global_properties",
	"payload.__priv_dynamic_config.static_config_version",
	"payload.__priv_dynamic_config.predicted_agent",
	"payload.__priv_dynamic_config.customer_groups.chats",
}

// rtmDocumentedLoss removes from frames what lcgate is documented to lose for a newer client
// on an older upstream (README, "Version pairs"), so both transcripts compare without it:
// members 3.1 and 3.0 have no source for (R22 login statistics.threads_count; a greeting
// event's id, time and recipients; R20 image_original_url; requester_id of incoming_chat and
// the user pushes), sub-second seen markers on 3.0 (R4), and 3.2's own error types, which an
// older server reports as the type spec/methods.md §6 maps them to.
func rtmDocumentedLoss(client, upstream string, frames []string) []string {
	if client == upstream || client < upstream {
		return frames
	}
	out := make([]string, len(frames))
	for i, f := range frames {
		g := gjson.Parse(f)
		if upstream == "3.0" {
			f = seenMarker.ReplaceAllString(f, `"$1":"$2"`)
		}
		if client == "3.2" {
			for _, path := range []string{"payload.customer.statistics.threads_count", "payload.image_original_url"} {
				f, _ = sjson.Delete(f, path)
			}
			switch g.Get("action").String() {
			case "incoming_greeting":
				for _, k := range []string{"id", "created_at", "recipients"} {
					f, _ = sjson.Delete(f, "payload.event."+k)
				}
			case "incoming_chat", "user_added_to_chat", "user_removed_from_chat":
				// lcgate fills incoming_chat's requester_id only for the session's own requests.
				if g.Get("type").String() == "push" && (g.Get("action").String() != "incoming_chat" || !g.Get("request_id").Exists()) {
					f, _ = sjson.Delete(f, "payload.requester_id")
				}
				for _, k := range []string{"queue", "previous_thread_id", "next_thread_id"} {
					f, _ = sjson.Delete(f, "payload.chat.thread."+k)
				}
			}
			if typ := g.Get("payload.error.type").String(); typ != "" {
				if older, ok := versions.StepUp(versions.V31).ErrorTypesDown[typ]; ok {
					f, _ = sjson.Set(f, "payload.error.type", older)
				}
			}
		}
		out[i] = f
	}
	return out
}

// seenMarker is a seen marker with its fraction of a second, which 3.0 does not keep.
var seenMarker = regexp.MustCompile(`"(events_seen_up_to|seen_up_to)":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+Z"`)

// normaliseFrames normalises each frame of a step, keeping their order.
func normaliseFrames(t *testing.T, client, upstream string, frames []string) string {
	var parts []string
	for _, f := range frames {
		g := gjson.Parse(f)
		if g.Get("action").String() == "login" && client != "3.2" && upstream == "3.2" {
			for _, path := range rtmUnavailable {
				f, _ = sjson.Delete(f, path)
			}
		}
		if g.Get("action").String() == "last_seen_timestamp_updated" {
			f, _ = sjson.Delete(f, "payload.thread_id") // not in a 3.1+ push: omitted (A6)
		}
		parts = append(parts, normalise(t, f))
	}
	return strings.Join(parts, "\n") // frame by frame, in order
}

// TestDifferentialRTMEveryPair runs each client version's RTM scenario through lcgate on an
// upstream of each version (the nine pairs) and compares it, frame by frame, with the
// simulator's own endpoint of the client's version.
func TestDifferentialRTMEveryPair(t *testing.T) {
	for _, client := range []string{"3.0", "3.1", "3.2"} {
		for _, upstream := range []string{"3.0", "3.1", "3.2"} {
			t.Run(client+" on "+upstream, func(t *testing.T) {
				t.Parallel()
				steps := rtmScenario(client)
				direct := startSim(t)
				want := rtmTranscript(t, strings.Replace(direct, "http", "ws", 1)+"/v"+client+"/customer/rtm/ws?license_id=123", direct, steps)
				upstreamSim := startSim(t)
				gw := startGateway(t, Options{Upstream: upstreamSim, UpstreamVersion: upstream})
				got := rtmTranscript(t, "ws://"+gw.Addr+"/v"+client+"/customer/rtm/ws?license_id=123", upstreamSim, steps)
				for i := range steps {
					if msg, ok := unavailableOn(client, upstream, steps[i].action, true); ok {
						if len(got[i]) != 1 || gjson.Get(got[i][0], "success").Bool() ||
							gjson.Get(got[i][0], "payload.error.type").String() != "validation" || !strings.Contains(got[i][0], msg) {
							t.Errorf("%s step %d %s on %s: got %v, want one validation error naming %q", client, i, steps[i].action, upstream, got[i], msg)
						}
						continue
					}
					if w, g := normaliseFrames(t, client, upstream, rtmDocumentedLoss(client, upstream, want[i])),
						normaliseFrames(t, client, upstream, rtmDocumentedLoss(client, upstream, got[i])); w != g {
						t.Errorf("%s step %d %s:\n  simulator:\n%s\n  lcgate %s→%s:\n%s", client, i, steps[i].action, indent(want[i]), client, upstream, indent(got[i]))
					}
				}
			})
		}
	}
}

func indent(frames []string) string { return "    " + strings.Join(frames, "\n    ") }

func rtmScenario(v string) []rtmStep {
	if v == "3.2" {
		return rtmScenario32()
	}
	capture := map[string]string{"chat": "chat.id", "thread": "chat.thread.id"}
	event := map[string]string{"event": "event.id"}
	seen := rtmStep{action: "update_last_seen_timestamp", payload: `{"chat_id":"{chat}","timestamp":1588835520}`}
	if v != "3.0" {
		capture = map[string]string{"chat": "chat_id", "thread": "thread_id"}
		event = map[string]string{"event": "event_id"}
		seen = rtmStep{action: "mark_events_as_seen", payload: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.000000Z"}`}
	}
	steps := []rtmStep{
		{action: "login", payload: `{"token":"Bearer rtm-diff","customer":{"name":"Ann","fields":{"plan":"pro"}},"customer_page":{"url":"https://example.com"}}`,
			capture: map[string]string{"customer": "customer_id"}},
		{agent: true, action: "send_greeting", payload: `{"customer_id":"{customer}","text":"Need help?","greeting_id":7}`},
		{action: "ping", payload: `{}`},
		{action: "get_form", payload: `{"group_id":0,"type":"prechat"}`},
		{action: "get_predicted_agent", payload: `{}`},
		{action: "get_url_details", payload: `{"url":"https://www.livechat.com"}`},
		{action: "get_groups_status", payload: `{"all":true}`},
		{action: "start_chat", payload: `{"chat":{"thread":{"events":[{"type":"message","text":"Hi"}]}}}`, capture: capture},
		{action: "send_event", payload: `{"chat_id":"{chat}","event":{"type":"message","text":"Second"}}`, capture: event},
		{action: "send_sneak_peek", payload: `{"chat_id":"{chat}","sneak_peek_text":"typing"}`},
		{action: "send_rich_message_postback", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","postback":{"id":"a","toggled":true}}`},
		{agent: true, action: "send_event", payload: `{"chat_id":"{chat}","event":{"type":"message","text":"Agent here","properties":{"rating":{"score":1}}}}`},
		{agent: true, action: "update_event", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","event":{"text":"Edited"}}`},
		{action: "update_chat_properties", payload: `{"chat_id":"{chat}","properties":{"source":{"type":"rtm"}}}`},
		{action: "delete_chat_properties", payload: `{"chat_id":"{chat}","properties":{"source":["type"]}}`},
		{action: "update_chat_thread_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":{"score":3}}}`},
		{action: "delete_chat_thread_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":["score"]}}`},
		{action: "update_event_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"comment":"ok"}}}`},
		{action: "delete_event_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":["comment"]}}`},
		{agent: true, action: "update_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"routing":{"idle":true}}}`},
		seen,
		{agent: true, action: "mark_events_as_seen", payload: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:30.500000Z"}`},
		{action: "set_customer_fields", payload: `{"fields":{"team":"red"}}`},
		{action: "update_customer", payload: `{"name":"Ann B","fields":{"plan":"max"}}`},
		{action: "update_customer_page", payload: `{"url":"https://example.com/pricing","title":"Pricing"}`},
		{action: "get_chat_threads", payload: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`},
		{action: "get_chat_threads_summary", payload: `{"chat_id":"{chat}"}`},
		{action: "get_chats_summary", payload: `{}`},
	}
	steps = append(steps, rtmAgentSteps()...)
	return append(steps, []rtmStep{
		{action: "close_thread", payload: `{"chat_id":"{chat}"}`},
		{action: "send_event", payload: `{"chat_id":"{chat}","attach_to_last_thread":true,"event":{"type":"message","text":"Late"}}`},
		{action: "activate_chat", payload: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Back"}]}}}`},
		{action: "nope", payload: `{}`},
		{action: "send_event", payload: `{"chat_id":"NOPE","event":{"type":"message","text":"x"}}`},
		{agent: true, action: "update_customer_side_storage", payload: `{"customer_id":"{customer}","customer_side_storage":{"visit":"2"}}`},
		{agent: true, action: "disconnect_customer", payload: `{"customer_id":"{customer}","reason":"customer_banned"}`},
	}...)
}

// rtmAgentSteps are agents acting on the chat: typing, joining, leaving, transfers, a
// multicast.
func rtmAgentSteps() []rtmStep {
	return []rtmStep{
		{agent: true, action: "send_typing_indicator", payload: `{"chat_id":"{chat}","is_typing":true}`},
		{agent: true, action: "add_user_to_chat", payload: `{"chat_id":"{chat}","agent_id":"0a6ccb1b7b3bd03d2a6d1c8a4e9d1f2c"}`},
		{agent: true, action: "remove_user_from_chat", payload: `{"chat_id":"{chat}","agent_id":"0a6ccb1b7b3bd03d2a6d1c8a4e9d1f2c"}`},
		{agent: true, action: "transfer_chat", payload: `{"chat_id":"{chat}","target":{"type":"agent","ids":["bbb67d600796e9f277e360e842418833"]}}`},
		{agent: true, action: "transfer_chat", payload: `{"chat_id":"{chat}","target":{"type":"group","ids":[2]}}`},
		{agent: true, action: "send_multicast", payload: `{"content":{"hello":"all"}}`},
	}
}

package proxy

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
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

// normaliseFrames normalises each frame of a step and sorts them.
func normaliseFrames(t *testing.T, frames []string) string {
	var parts []string
	for _, f := range frames {
		g := gjson.Parse(f)
		if g.Get("action").String() == "login" {
			for _, path := range rtmUnavailable {
				f, _ = sjson.Delete(f, path)
			}
		}
		if g.Get("action").String() == "last_seen_timestamp_updated" {
			f, _ = sjson.Delete(f, "payload.thread_id") // not in a 3.1+ push: omitted (A6)
		}
		parts = append(parts, normalise(t, f))
	}
	// The answer and the pushes may interleave differently on the two paths (an expansion
	// answers after its calls' pushes): compare them as a set.
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

func TestDifferentialRTM30And31OnA32Upstream(t *testing.T) {
	for _, client := range []string{"3.0", "3.1"} {
		t.Run(client, func(t *testing.T) {
			steps := rtmScenario(client)
			direct := startSim(t)
			want := rtmTranscript(t, strings.Replace(direct, "http", "ws", 1)+"/v"+client+"/customer/rtm/ws?license_id=123", direct, steps)
			upstream := startSim(t)
			gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
			got := rtmTranscript(t, "ws://"+gw.Addr+"/v"+client+"/customer/rtm/ws?license_id=123", upstream, steps)
			for i := range steps {
				if w, g := normaliseFrames(t, want[i]), normaliseFrames(t, got[i]); w != g {
					t.Errorf("%s step %d %s:\n  simulator:\n%s\n  lcgate %s→3.2:\n%s", client, i, steps[i].action, indent(want[i]), client, indent(got[i]))
				}
			}
		})
	}
}

func indent(frames []string) string { return "    " + strings.Join(frames, "\n    ") }

func rtmScenario(v string) []rtmStep {
	capture := map[string]string{"chat": "chat.id", "thread": "chat.thread.id"}
	closeThread := "close_thread"
	seen := rtmStep{action: "update_last_seen_timestamp", payload: `{"chat_id":"{chat}","timestamp":1588835520}`}
	if v != "3.0" {
		capture = map[string]string{"chat": "chat_id", "thread": "thread_id"}
		seen = rtmStep{action: "mark_events_as_seen", payload: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.000000Z"}`}
	}
	return []rtmStep{
		{action: "login", payload: `{"token":"Bearer rtm-diff","customer":{"name":"Ann","fields":{"plan":"pro"}}}`},
		{action: "ping", payload: `{}`},
		{action: "start_chat", payload: `{"chat":{"thread":{"events":[{"type":"message","text":"Hi"}]}}}`, capture: capture},
		{action: "send_event", payload: `{"chat_id":"{chat}","event":{"type":"message","text":"Second"}}`},
		{agent: true, action: "send_event", payload: `{"chat_id":"{chat}","event":{"type":"message","text":"Agent here","properties":{"rating":{"score":1}}}}`},
		{action: "update_chat_properties", payload: `{"chat_id":"{chat}","properties":{"source":{"type":"rtm"}}}`},
		{action: "update_chat_thread_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":{"score":3}}}`},
		seen,
		{action: "set_customer_fields", payload: `{"fields":{"team":"red"}}`},
		{action: "get_chat_threads", payload: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`},
		{action: "get_chats_summary", payload: `{}`},
		{action: "get_groups_status", payload: `{"all":true}`},
		{agent: true, action: "send_typing_indicator", payload: `{"chat_id":"{chat}","is_typing":true}`},
		{agent: true, action: "transfer_chat", payload: `{"chat_id":"{chat}","target":{"type":"agent","ids":["bbb67d600796e9f277e360e842418833"]}}`},
		{action: closeThread, payload: `{"chat_id":"{chat}"}`},
		{action: "nope", payload: `{}`},
	}
}

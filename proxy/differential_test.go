package proxy

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lcgate/lcgate/sim"
	"github.com/tidwall/gjson"
)

// The differential tests run one scenario twice, each on a fresh simulator with the same
// deterministic clock: once against the simulator's own endpoint of the client's version,
// once through lcgate on the simulator's 3.2 endpoint. Every answer must be the same
// document, after normalising what the two paths cannot agree on (see normalise).

// diffStart is the instant both simulators' clocks start at.
var diffStart = time.Date(2020, 5, 7, 7, 11, 28, 288340000, time.UTC)

// diffStep is one call of a scenario. body may use {chat}, {thread}, {event}, {chat2},
// {url}, {thread_old}, which take the values captured from this path's earlier answers.
type diffStep struct {
	action string
	body   string
	file   string // multipart: the name of a file part; body then lists form values k=v&…
	agent  bool   // an agent operation of the simulator (/sim/agent/<action>), not a client call
	// capture names values to keep from the answer (gjson paths, after 3.0 unwrapping).
	capture map[string]string
}

// startSim runs a simulator on a loopback port with the test clock.
func startSim(t *testing.T) string {
	t.Helper()
	s := sim.New(sim.Options{Clock: sim.NewStepClock(diffStart, 1500*time.Millisecond)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown() })
	return "http://" + ln.Addr().String()
}

// diffAnswer is one answer of a path.
type diffAnswer struct {
	status int
	body   string
}

// runScenario plays steps against base (a simulator or the gateway) as a client of version v.
func runScenario(t *testing.T, base, simBase, v string, steps []diffStep) []diffAnswer {
	t.Helper()
	vars := map[string]string{}
	var out []diffAnswer
	for _, st := range steps {
		body := st.body
		for k, val := range vars {
			body = strings.ReplaceAll(body, "{"+k+"}", val)
		}
		var req *http.Request
		url := base + "/v" + v + "/customer/action/" + st.action + "?license_id=123"
		switch {
		case st.agent:
			req, _ = http.NewRequest("POST", simBase+"/sim/agent/"+st.action, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		case st.file != "":
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			prefix := ""
			if v == "3.0" {
				prefix = "payload."
			}
			for _, kv := range strings.Split(body, "&") {
				if k, val, ok := strings.Cut(kv, "="); ok {
					_ = mw.WriteField(prefix+k, val)
				}
			}
			fw, _ := mw.CreateFormFile(prefix+"file", st.file)
			_, _ = fw.Write([]byte("file content"))
			_ = mw.Close()
			req, _ = http.NewRequest("POST", url, &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		default:
			if v == "3.0" {
				body = `{"payload":` + body + `}`
			}
			req, _ = http.NewRequest("POST", url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer diff-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		_ = res.Body.Close()
		ans := diffAnswer{res.StatusCode, b.String()}
		out = append(out, ans)
		payload := gjson.Parse(ans.body)
		if v == "3.0" && payload.Get("payload").Exists() {
			payload = payload.Get("payload")
		}
		for name, path := range st.capture {
			if got := payload.Get(path); got.Exists() {
				vars[name] = got.String()
			}
		}
	}
	return out
}

// Fields the two paths cannot agree on, replaced by placeholders before comparing:
// generated ids and every time value (the paths make different numbers of calls, and each
// call can read the clock), and error messages (the gateway's own words).
var (
	idPattern  = regexp.MustCompile(`"(CH|TH)\d{8}(_\d+)?"`)
	urlPattern = regexp.MustCompile(`https://cdn\.files-text\.livechatinc\.com/(tmp|lc/att)/\d+/`)
	timeKeys   = map[string]bool{"timestamp": true, "order": true, "thread_order": true,
		"created_at": true, "last_seen_timestamp": true, "events_seen_up_to": true}
)

// normalise re-encodes a JSON answer with ids, times and error messages replaced.
func normalise(t *testing.T, body string) string {
	t.Helper()
	body = idPattern.ReplaceAllString(body, `"<id>"`)
	body = urlPattern.ReplaceAllString(body, "https://cdn/<file>/")
	var doc any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return "not JSON: " + body
	}
	doc = scrub(doc, "")
	b, _ := json.Marshal(doc)
	return string(b)
}

func scrub(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		// A 3.2 upstream moves the sender's seen marker on send_event (spec/methods.md §3.7);
		// 3.0 and 3.1 servers do not, so the marker of a chat user is not compared.
		if x["type"] == "customer" && x["present"] != nil {
			delete(x, "last_seen_timestamp")
			delete(x, "events_seen_up_to")
		}
		for k, val := range x {
			x[k] = scrub(val, k)
		}
		if _, isErr := x["type"].(string); isErr && x["message"] != nil && len(x) <= 3 {
			x["message"] = "<message>"
		}
		return x
	case []any:
		for i := range x {
			x[i] = scrub(x[i], key)
		}
		return x
	}
	if timeKeys[key] {
		return "<time>"
	}
	return v
}

// compareScenario plays steps directly and through a gateway on a 3.2 simulator, and
// reports every answer that differs.
func compareScenario(t *testing.T, client string, steps []diffStep) {
	t.Helper()
	directSim := startSim(t)
	direct := runScenario(t, directSim, directSim, client, steps)
	upstream := startSim(t)
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	viaGateway := runScenario(t, "http://"+gw.Addr, upstream, client, steps)
	for i, st := range steps {
		d, g := direct[i], viaGateway[i]
		nd, ng := normalise(t, d.body), normalise(t, g.body)
		if d.status != g.status || nd != ng {
			t.Errorf("%s step %d %s:\n  simulator %s: %d %s\n  lcgate    %s→3.2: %d %s",
				client, i, st.action, client, d.status, d.body, client, g.status, g.body)
		}
	}
}

func TestDifferential30And31OnA32Upstream(t *testing.T) {
	for _, client := range []string{"3.0", "3.1"} {
		t.Run(client, func(t *testing.T) {
			compareScenario(t, client, scenarioEveryWebMethod(client))
		})
		t.Run(client+" agent activity", func(t *testing.T) {
			compareScenario(t, client, scenarioAgentActivity(client))
		})
	}
}

// scenarioAgentActivity reads back what agents did: events of every type with properties,
// a transfer, a queued chat, seen markers of an agent, a second agent joining.
func scenarioAgentActivity(v string) []diffStep {
	capture := map[string]string{"chat": "chat.id", "thread": "chat.thread.id"}
	if v != "3.0" {
		capture = map[string]string{"chat": "chat_id", "thread": "thread_id"}
	}
	read := diffStep{action: "get_chat_threads", body: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`}
	return []diffStep{
		{action: "start_chat", body: `{"chat":{"thread":{"events":[{"type":"message","text":"Hi"}]}}}`, capture: capture},
		{agent: true, action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message","text":"Hello, how can I help?","properties":{"rating":{"score":4}}}}`},
		{agent: true, action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"rich_message","template_id":"quick_replies","elements":[{"title":"Pick","buttons":[{"text":"A","type":"message","value":"a","postback_id":"p1","user_ids":[]}]}]}}`},
		{agent: true, action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"system_message","text":"Agent joined","system_message_type":"routing.assigned"}}`},
		{agent: true, action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"custom","content":{"order":"A-1"}}}`},
		{agent: true, action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"filled_form","form_id":"f1","fields":[{"type":"name","id":"1","label":"Name","answer":"Jo"}]}}`},
		{agent: true, action: "mark_events_as_seen", body: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:11:40.123456Z"}`},
		{agent: true, action: "add_user_to_chat", body: `{"chat_id":"{chat}","agent_id":"bbb67d600796e9f277e360e842418833"}`},
		{agent: true, action: "update_properties", body: `{"chat_id":"{chat}","properties":{"routing":{"idle":true}}}`},
		read,
		{action: "get_chats_summary", body: `{}`},
		{action: "get_chat_threads_summary", body: `{"chat_id":"{chat}"}`},
		{agent: true, action: "transfer_chat", body: `{"chat_id":"{chat}","target":{"type":"group","ids":[2]}}`},
		{agent: true, action: "deactivate_chat", body: `{"chat_id":"{chat}"}`},
		{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Queued?"}]}}}`},
		{action: "get_chat_threads", body: `{"chat_id":"{chat}"}`},
		{action: "get_chats_summary", body: `{"limit":1}`},
	}
}

// scenarioEveryWebMethod calls every Web method of the client's version on a realistic state.
func scenarioEveryWebMethod(v string) []diffStep {
	chatOf := map[string]string{"chat": "chat.id", "thread": "chat.thread.id", "event": "chat.thread.events.0.id"}
	if v != "3.0" {
		chatOf = map[string]string{"chat": "chat_id", "thread": "thread_id", "event": "event_ids.0"}
	}
	seen := diffStep{action: "mark_events_as_seen", body: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.000000Z"}`}
	closeThread := "close_thread"
	if v == "3.0" {
		seen = diffStep{action: "update_last_seen_timestamp", body: `{"chat_id":"{chat}","timestamp":1588835520}`}
	}
	steps := []diffStep{
		{action: "start_chat", body: `{"chat":{"properties":{"source":{"type":"web"}},"thread":{"events":[{"type":"message","text":"Hello","custom_id":"c1"}]}}}`, capture: chatOf},
		{action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message","text":"Second","custom_id":"c2"}}`},
		{action: "get_chat_threads", body: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`},
		{action: "get_chat_threads_summary", body: `{"chat_id":"{chat}"}`},
		{action: "get_chats_summary", body: `{}`},
		{action: "update_chat_properties", body: `{"chat_id":"{chat}","properties":{"source":{"type":"mobile"}}}`},
		{action: "update_chat_thread_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":{"score":5}}}`},
		{action: "update_event_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"comment":"ok"}}}`},
		{action: "get_chat_threads", body: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`},
		{action: "delete_event_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":["comment"]}}`},
		{action: "delete_chat_thread_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":["score"]}}`},
		{action: "delete_chat_properties", body: `{"chat_id":"{chat}","properties":{"source":["type"]}}`},
		seen,
		{action: "set_customer_fields", body: `{"fields":{"plan":"pro","team":"blue"}}`},
		{action: "update_customer", body: `{"name":"Jane","email":"jane@example.com","fields":{"plan":"enterprise"}}`},
		{action: "get_chat_threads", body: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`},
		{action: "get_groups_status", body: `{"all":true}`},
		{action: "get_groups_status", body: `{"groups":[0,2,7]}`},
		{action: "get_form", body: `{"group_id":0,"type":"prechat"}`},
		{action: "get_predicted_agent", body: `{}`},
		{action: "get_url_details", body: `{"url":"https://www.livechat.com/pricing"}`},
		{action: "check_goals", body: `{"page_url":"https://example.com","group_id":0,"customer_fields":{"plan":"pro"}}`},
		{action: "send_sneak_peek", body: `{"chat_id":"{chat}","sneak_peek_text":"typing…"}`},
		{action: "send_rich_message_postback", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","postback":{"id":"yes","toggled":true}}`},
		{action: "upload_file", file: "notes.txt", capture: map[string]string{"url": "url"}},
		{action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"file","url":"{url}"}}`},
		{action: closeThread, body: `{"chat_id":"{chat}"}`},
		{action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message","text":"After close"}}`},
		{action: "get_chat_threads_summary", body: `{"chat_id":"{chat}"}`},
		{action: "get_chats_summary", body: `{"offset":0,"limit":5}`},
		{action: "send_event", body: `{"chat_id":"NOPE","event":{"type":"message","text":"x"}}`},
		{action: "start_chat", body: `{"chat":{"access":{"group_ids":[1]}}}`},
		{action: "get_chat_threads", body: `{"chat_id":"{chat}"}`},
	}
	if v == "3.0" {
		steps = append(steps,
			diffStep{action: closeThread, body: `{"chat_id":"{chat}"}`},
			diffStep{action: "send_file", file: "photo.txt", body: "chat_id={chat}&custom_id=f1"},
			diffStep{action: closeThread, body: `{"chat_id":"{chat}"}`},
			diffStep{action: "send_event", body: `{"chat_id":"{chat}","require_active_thread":true,"event":{"type":"message","text":"x"}}`},
			diffStep{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Back"}]}}}`},
			diffStep{action: "get_chat_threads", body: `{"chat_id":"{chat}","thread_ids":["{thread}"]}`},
		)
	} else {
		steps = append(steps,
			diffStep{action: closeThread, body: `{"chat_id":"{chat}"}`},
			diffStep{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Back"}]}}}`},
		)
	}
	return steps
}

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
	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
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
	return startSimWith(t, sim.Options{Clock: sim.NewStepClock(diffStart, 1500*time.Millisecond)})
}

// startSimWith runs a simulator with opts on a loopback port.
func startSimWith(t *testing.T, opts sim.Options) string {
	t.Helper()
	s := sim.New(opts)
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
		"created_at": true, "last_seen_timestamp": true, "events_seen_up_to": true,
		"last_thread_created_at": true, "thread_created_at": true, "queued_at": true}
	// pageKeys hold page ids, which each server makes its own way.
	pageKeys = map[string]bool{"next_page_id": true, "previous_page_id": true}
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
	if pageKeys[key] {
		return "<page>"
	}
	return v
}

// compareScenario plays steps directly and through a gateway on a simulator speaking
// upstream, and reports every answer that differs. A step the upstream's version cannot
// serve (unavailable) must get the documented validation error instead.
func compareScenario(t *testing.T, client, upstream string, steps []diffStep) {
	t.Helper()
	directSim := startSim(t)
	direct := runScenario(t, directSim, directSim, client, steps)
	upstreamSim := startSim(t)
	gw := startGateway(t, Options{Upstream: upstreamSim, UpstreamVersion: upstream})
	viaGateway := runScenario(t, "http://"+gw.Addr, upstreamSim, client, steps)
	for i, st := range steps {
		d, g := direct[i], viaGateway[i]
		if want, ok := unavailableOn(client, upstream, st.action, false); ok {
			if g.status != 400 || gjson.Get(unwrap30(client, g.body), "error.type").String() != "validation" ||
				!strings.Contains(g.body, want) {
				t.Errorf("%s step %d %s on %s: got %d %s, want 400 validation naming %q", client, i, st.action, upstream, g.status, g.body, want)
			}
			continue
		}
		d = documentedLoss(t, client, upstream, d)
		nd, ng := normalise(t, d.body), normalise(t, g.body)
		if d.status != g.status || nd != ng {
			t.Errorf("%s step %d %s:\n  simulator %s: %d %s\n  lcgate    %s→%s: %d %s",
				client, i, st.action, client, d.status, d.body, client, upstream, g.status, g.body)
		}
	}
}

// documentedLoss turns the simulator's answer to a client into what lcgate is documented to
// answer on an older upstream (README, "Version pairs"): members the upstream's version has
// no source for are left out (get_url_info's image_original_url, R20; a queued thread's
// queue, R12), and errors carry the older server's type, as 3.2's own types do not exist
// there (the inverse of spec/methods.md §6, with its status).
func documentedLoss(t *testing.T, client, upstream string, a diffAnswer) diffAnswer {
	t.Helper()
	if client != "3.2" || upstream == "3.2" {
		return a
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.body), &doc); err != nil {
		return a
	}
	if e, ok := doc["error"].(map[string]any); ok {
		typ, _ := e["type"].(string)
		if older, ok := versions.StepUp(versions.V31).ErrorTypesDown[typ]; ok {
			e["type"] = older
			a.status = translate.Status(&versions.APIError{Type: older})
		}
	}
	delete(doc, "image_original_url")
	if th, ok := doc["thread"].(map[string]any); ok {
		delete(th, "queue")
	}
	if ths, ok := doc["threads"].([]any); ok {
		for _, th := range ths {
			if th, ok := th.(map[string]any); ok {
				delete(th, "queue")
			}
		}
	}
	b, _ := json.Marshal(doc)
	a.body = string(b)
	return a
}

// unwrap30 is a 3.0 Web error body without its payload envelope, if any.
func unwrap30(client, body string) string {
	if p := gjson.Get(body, "payload"); client == "3.0" && p.Exists() {
		return p.Raw
	}
	return body
}

// unavailableOn names the capability in the error a client's call gets when the upstream's
// version has nothing to serve it with (spec/methods.md R18, R23, R24). Over RTM the
// session answers get_customer itself.
func unavailableOn(client, upstream, action string, rtm bool) (string, bool) {
	if client != "3.2" || upstream == "3.2" {
		return "", false
	}
	switch action {
	case "get_customer":
		return action + ": ", !rtm
	case "accept_greeting", "cancel_greeting", "list_license_properties", "list_group_properties":
		return action + ": ", true
	}
	return "", false
}

// TestDifferentialEveryPair runs the scenarios of each client version through lcgate on an
// upstream of each version: the nine pairs.
func TestDifferentialEveryPair(t *testing.T) {
	for _, client := range []string{"3.0", "3.1", "3.2"} {
		for _, upstream := range []string{"3.0", "3.1", "3.2"} {
			t.Run(client+" on "+upstream, func(t *testing.T) {
				t.Parallel()
				compareScenario(t, client, upstream, scenarioEveryWebMethod(client))
			})
			t.Run(client+" on "+upstream+" agent activity", func(t *testing.T) {
				t.Parallel()
				compareScenario(t, client, upstream, scenarioAgentActivity(client))
			})
		}
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
	if v == "3.2" {
		return scenarioAgentActivity32(capture)
	}
	return append(agentActivityOpening(capture),
		read,
		diffStep{action: "get_chats_summary", body: `{}`},
		diffStep{action: "get_chat_threads_summary", body: `{"chat_id":"{chat}"}`},
		diffStep{agent: true, action: "transfer_chat", body: `{"chat_id":"{chat}","target":{"type":"group","ids":[2]}}`},
		diffStep{agent: true, action: "deactivate_chat", body: `{"chat_id":"{chat}"}`},
		diffStep{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Queued?"}]}}}`},
		diffStep{action: "get_chat_threads", body: `{"chat_id":"{chat}"}`},
		diffStep{action: "get_chats_summary", body: `{"limit":1}`},
	)
}

// agentActivityOpening starts a chat and lets agents act in it: events of every type with
// properties, a seen marker, a second agent, chat properties.
func agentActivityOpening(capture map[string]string) []diffStep {
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
	}
}

// scenarioEveryWebMethod calls every Web method of the client's version on a realistic state.
func scenarioEveryWebMethod(v string) []diffStep {
	if v == "3.2" {
		return scenarioEveryWebMethod32()
	}
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

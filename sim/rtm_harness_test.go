package sim

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// This file holds the RTM test helpers: sessions that record transcripts, frame-shape checks
// and the documented payload keys of every push (spec/structures.md §4).

// rtmVersions lists the rtmVersions the simulator speaks, in order.
var rtmVersions = []version{v30, v31, v32}

// rtmTranscript collects the frames a test exchanged, in the order it saw them. Each frame is a
// marker line ("> login", "< push incoming_event", "# agent send_event") followed by the JSON
// document, which the golden helper indents.
type rtmTranscript struct{ b strings.Builder }

func (tr *rtmTranscript) add(marker, doc string) {
	if tr == nil {
		return
	}
	tr.b.WriteString(marker)
	tr.b.WriteByte('\n')
	if doc != "" {
		tr.b.WriteString(doc)
		tr.b.WriteByte('\n')
	}
}

func (tr *rtmTranscript) String() string { return tr.b.String() }

// rtmSession is a logged-in (or not yet logged-in) RTM connection that records every frame it
// sends and receives, and checks every frame against the documented envelope and push shapes.
type rtmSession struct {
	t        *testing.T
	c        *rtmClient
	v        version
	label    string // prefix of the rtmTranscript markers when several connections share one
	tr       *rtmTranscript
	loggedIn bool
	syncs    int
}

// session dials an RTM connection of version v.
func (h *harness) rtm(v version, label string, tr *rtmTranscript) *rtmSession {
	h.t.Helper()
	return &rtmSession{t: h.t, c: h.dial(v.String()), v: v, label: label, tr: tr}
}

// on returns a view of the session that reports to t, for subtests sharing a connection.
func (s *rtmSession) on(t *testing.T) *rtmSession {
	c := *s.c
	c.t = t
	cp := *s
	cp.t, cp.c = t, &c
	return &cp
}

func (s *rtmSession) marker(dir, what string) string {
	if s.label != "" {
		return dir + " " + s.label + " " + what
	}
	return dir + " " + what
}

// frame builds a request frame; an empty rid leaves request_id out, an empty payload leaves
// payload out.
func rtmFrame(rid, action, payload string) string {
	var b strings.Builder
	b.WriteByte('{')
	if rid != "" {
		fmt.Fprintf(&b, `"request_id":%q,`, rid)
	}
	fmt.Fprintf(&b, `"action":%q`, action)
	if payload != "" {
		fmt.Fprintf(&b, `,"payload":%s`, payload)
	}
	b.WriteByte('}')
	return b.String()
}

// sendFrame writes and records a request frame.
func (s *rtmSession) sendFrame(f string) {
	s.t.Helper()
	doc := gjson.Parse(f)
	s.tr.add(s.marker(">", doc.Get("action").String()), f)
	s.c.send(f)
}

// recv reads the next frame, records it and checks its envelope (and, for a push, that the
// push exists in the session's version with its documented keys).
func (s *rtmSession) recv() gjson.Result {
	s.t.Helper()
	raw := s.c.read()
	if !gjson.Valid(raw) {
		s.t.Fatalf("%s: frame is not JSON: %q", s.v, raw)
	}
	f := gjson.Parse(raw)
	s.tr.add(s.marker("<", f.Get("type").String()+" "+f.Get("action").String()), raw)
	rtmCheckEnvelope(s.t, s.v, f)
	return f
}

// call sends a request and returns its response. Frames arriving before the response are
// test errors (every test drains the pushes it causes). Once logged in, the pushes the request
// caused are collected (see drain).
func (s *rtmSession) call(rid, action, payload string) (resp gjson.Result, pushes []gjson.Result) {
	s.t.Helper()
	if payload == "" {
		payload = "{}"
	}
	s.sendFrame(rtmFrame(rid, action, payload))
	for {
		f := s.recv()
		if f.Get("type").String() == "response" && f.Get("request_id").String() == rid {
			resp = f
			break
		}
		s.t.Errorf("%s: frame before the response to %s: %s", s.v, action, f.Raw)
	}
	if action == "login" && resp.Get("success").Bool() {
		s.loggedIn = true
	}
	if s.loggedIn {
		pushes = s.drain()
	}
	return resp, pushes
}

// ok calls an action that must succeed, checks its response frame and returns the response
// payload and the pushes it caused, each of which must carry the request's request_id.
func (s *rtmSession) ok(rid, action, payload string) (gjson.Result, []gjson.Result) {
	s.t.Helper()
	resp, pushes := s.call(rid, action, payload)
	rtmCheckResponse(s.t, resp, rid, action)
	for _, p := range pushes {
		if got := p.Get("request_id").String(); got != rid {
			s.t.Errorf("%s: push %s caused by %s carries request_id %q, want %q", s.v,
				p.Get("action"), action, got, rid)
		}
	}
	return resp.Get("payload"), pushes
}

// fail calls an action that must fail with error type typ and returns the error object.
func (s *rtmSession) fail(rid, action, payload, typ string) gjson.Result {
	s.t.Helper()
	resp, pushes := s.call(rid, action, payload)
	rtmCheckError(s.t, resp, rid, action, typ)
	if len(pushes) > 0 {
		s.t.Errorf("%s: failed %s caused pushes: %v", s.v, action, pushes)
	}
	return resp.Get("payload.error")
}

// login logs in with token and the extra login fields (a JSON object body without braces,
// e.g. `"group_id":0`), and returns the response payload.
func (s *rtmSession) login(token, extra string) gjson.Result {
	s.t.Helper()
	p := fmt.Sprintf(`{"token":"Bearer %s"}`, token)
	if extra != "" {
		p = fmt.Sprintf(`{"token":"Bearer %s",%s}`, token, extra)
	}
	payload, _ := s.ok("login", "login", p)
	return payload
}

// drain returns the frames that arrived before the answer to a protocol ping it sends. A
// connection answers in order and queues the pushes a request causes before it reads the
// next request, so these are exactly the pushes caused by everything sent earlier. The ping
// itself is not recorded.
func (s *rtmSession) drain() []gjson.Result {
	s.t.Helper()
	if !s.loggedIn {
		s.t.Fatalf("%s: drain needs a logged-in connection (ping is a no-op before login)", s.v)
	}
	s.syncs++
	rid := fmt.Sprintf("sync-%d", s.syncs)
	s.c.send(rtmFrame(rid, "ping", "{}"))
	var got []gjson.Result
	for {
		raw := s.c.read()
		f := gjson.Parse(raw)
		if f.Get("type").String() == "response" && f.Get("request_id").String() == rid {
			rtmCheckResponse(s.t, f, rid, "ping")
			return got
		}
		s.tr.add(s.marker("<", f.Get("type").String()+" "+f.Get("action").String()), raw)
		rtmCheckEnvelope(s.t, s.v, f)
		got = append(got, f)
	}
}

// quiet checks that nothing arrived for the connection.
func (s *rtmSession) quiet() {
	s.t.Helper()
	if got := s.drain(); len(got) > 0 {
		s.t.Errorf("%s %s: unexpected frames: %v", s.v, s.label, got)
	}
}

// expectClose reads until the connection closes and checks the close code. The frames read
// before the close are returned (and recorded).
func (s *rtmSession) expectClose(code int) []gjson.Result {
	s.t.Helper()
	var got []gjson.Result
	for {
		_ = s.c.ws.SetReadDeadline(time.Now().Add(testReadTimeout))
		_, data, err := s.c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				s.t.Fatalf("%s: connection ended without a close frame: %v", s.v, err)
			}
			s.tr.add(s.marker("<", fmt.Sprintf("close %d", ce.Code)), "")
			if ce.Code != code {
				s.t.Errorf("%s: close code %d (%q), want %d", s.v, ce.Code, ce.Text, code)
			}
			return got
		}
		f := gjson.ParseBytes(data)
		s.tr.add(s.marker("<", f.Get("type").String()+" "+f.Get("action").String()), string(data))
		rtmCheckEnvelope(s.t, s.v, f)
		got = append(got, f)
	}
}

// rtmAgent calls /sim/agent/<op>, which must succeed, records it and returns its answer.
func (h *harness) rtmAgent(tr *rtmTranscript, op, body string) gjson.Result {
	h.t.Helper()
	tr.add("# agent "+op, body)
	r := h.agent(op, body)
	if r.status != http.StatusOK {
		h.t.Fatalf("agent %s: status %d: %s", op, r.status, r.body)
	}
	tr.add("# answer", r.body)
	return gjson.Parse(r.body)
}

// keys returns the keys of a JSON object in document order.
func rtmKeys(r gjson.Result) []string {
	var out []string
	r.ForEach(func(k, _ gjson.Result) bool { out = append(out, k.Str); return true })
	return out
}

// actions returns the action of each frame.
func rtmActions(frames []gjson.Result) []string {
	out := []string{}
	for _, f := range frames {
		out = append(out, f.Get("action").String())
	}
	return out
}

// rtmCheckEnvelope checks a received frame against spec/methods.md §1.2: a response is
// {request_id?, action?, type, success, payload}, a push {request_id?, action, type, payload}
// whose action and payload keys are documented for the version.
func rtmCheckEnvelope(t *testing.T, v version, f gjson.Result) {
	t.Helper()
	var want []string
	switch f.Get("type").String() {
	case "response":
		want = []string{"request_id", "action", "type", "success", "payload"}
	case "push":
		want = []string{"request_id", "action", "type", "payload"}
		rtmCheckPushShape(t, v, f.Get("action").String(), f.Get("payload"))
	default:
		t.Errorf("%s: frame type %q: %s", v, f.Get("type"), f.Raw)
		return
	}
	got := rtmKeys(f)
	i := 0
	for _, k := range got {
		for i < len(want) && want[i] != k {
			i++
		}
		if i == len(want) {
			t.Errorf("%s: frame keys %v, want (in order) a subset of %v: %s", v, got, want, f.Raw)
			return
		}
	}
	if !f.Get("payload").IsObject() {
		t.Errorf("%s: frame payload is not an object: %s", v, f.Raw)
	}
	if rid := f.Get("request_id"); rid.Exists() && (rid.Type != gjson.String || rid.Str == "") {
		t.Errorf("%s: request_id must be a non-empty string: %s", v, f.Raw)
	}
}

// rtmCheckResponse checks a success response frame of action to request rid.
func rtmCheckResponse(t *testing.T, f gjson.Result, rid, action string) {
	t.Helper()
	want := []string{"request_id", "action", "type", "success", "payload"}
	if rid == "" {
		want = want[1:]
	}
	if got := rtmKeys(f); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("response keys %v, want %v: %s", got, want, f.Raw)
	}
	if f.Get("request_id").String() != rid || f.Get("action").String() != action ||
		f.Get("type").String() != "response" || f.Get("success").Type != gjson.True ||
		!f.Get("payload").IsObject() {
		t.Errorf("want a successful %s response to %q, got %s", action, rid, f.Raw)
	}
}

// rtmCheckError checks an error response frame (spec/methods.md §1.2, §6):
// {request_id?, action?, type:"response", success:false, payload:{error:{type, message, data?}}}.
func rtmCheckError(t *testing.T, f gjson.Result, rid, action, typ string) {
	t.Helper()
	var want []string
	if rid != "" {
		want = append(want, "request_id")
	}
	if action != "" {
		want = append(want, "action")
	}
	want = append(want, "type", "success", "payload")
	if got := rtmKeys(f); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("error response keys %v, want %v: %s", got, want, f.Raw)
	}
	if f.Get("request_id").String() != rid || f.Get("action").String() != action ||
		f.Get("type").String() != "response" || f.Get("success").Type != gjson.False {
		t.Errorf("want a failed %s response to %q, got %s", action, rid, f.Raw)
	}
	if got := rtmKeys(f.Get("payload")); strings.Join(got, ",") != "error" {
		t.Errorf("error payload keys %v, want [error]: %s", got, f.Raw)
	}
	e := f.Get("payload.error")
	ek := strings.Join(rtmKeys(e), ",")
	if ek != "type,message" && ek != "type,message,data" {
		t.Errorf("error object keys %q, want type,message[,data]: %s", ek, f.Raw)
	}
	if e.Get("type").String() != typ {
		t.Errorf("error type %q, want %q: %s", e.Get("type"), typ, f.Raw)
	}
	if e.Get("message").String() == "" {
		t.Errorf("error without a message: %s", f.Raw)
	}
}

// rtmPushShapes lists, per version, every push a customer can receive and the keys of its
// payload (spec/structures.md §4); "?" marks an optional key. Entries "<push>.<path>" give the
// keys of a nested object. A push absent from a version's table does not exist there.
var rtmPushShapes = [3]map[string]string{
	v30: rtmSharedPushShapes(map[string]string{
		"incoming_chat_thread":                       "chat",
		"incoming_chat_thread.chat":                  "id order users properties access thread",
		"incoming_chat_thread.chat.thread":           "id timestamp active order user_ids events properties? access?",
		"thread_closed":                              "chat_id thread_id user_id?",
		"access_set":                                 "resource id access",
		"chat_transferred":                           "chat_id thread_id requester_id type ids",
		"chat_user_added":                            "chat_id thread_id user user_type",
		"chat_user_removed":                          "chat_id thread_id user_id user_type",
		"chat_thread_properties_updated":             "chat_id thread_id properties",
		"chat_thread_properties_deleted":             "chat_id thread_id properties",
		"customer_page_updated":                      "url title timestamp",
		"last_seen_timestamp_updated":                "user_id chat_id thread_id timestamp",
		"incoming_typing_indicator.typing_indicator": "author_id timestamp is_typing",
		"customer_updated.customer":                  "id type name? email? avatar? fields? present? last_seen_timestamp?",
	}),
	v31: rtmSharedPushShapes(map[string]string{
		"incoming_chat_thread":                       "chat",
		"incoming_chat_thread.chat":                  "id order users properties access thread",
		"incoming_chat_thread.chat.thread":           "id timestamp active order user_ids events properties? access?",
		"thread_closed":                              "chat_id thread_id user_id?",
		"access_set":                                 "resource id access",
		"chat_transferred":                           "chat_id thread_id requester_id type ids",
		"chat_user_added":                            "chat_id thread_id user user_type",
		"chat_user_removed":                          "chat_id thread_id user_id user_type",
		"chat_thread_properties_updated":             "chat_id thread_id properties",
		"chat_thread_properties_deleted":             "chat_id thread_id properties",
		"customer_page_updated":                      "url title timestamp",
		"events_marked_as_seen":                      "user_id chat_id seen_up_to",
		"incoming_typing_indicator.typing_indicator": "author_id recipients timestamp is_typing",
		"customer_updated.customer":                  "id type name? email? avatar? fields? present? events_seen_up_to?",
	}),
	v32: rtmSharedPushShapes(map[string]string{
		"incoming_chat":                              "requester_id? chat transferred_from?",
		"incoming_chat.chat":                         "id users properties access thread transferred_from?",
		"incoming_chat.chat.thread":                  "id created_at active user_ids events properties access previous_thread_id? next_thread_id? queue?",
		"chat_deactivated":                           "chat_id thread_id user_id?",
		"chat_transferred":                           "chat_id thread_id? requester_id? reason? transferred_to queue?",
		"chat_transferred.transferred_to":            "group_ids? agent_ids?",
		"user_added_to_chat":                         "chat_id thread_id? user reason requester_id?",
		"user_removed_from_chat":                     "chat_id thread_id? user_id reason requester_id?",
		"thread_properties_updated":                  "chat_id thread_id properties",
		"thread_properties_deleted":                  "chat_id thread_id properties",
		"events_marked_as_seen":                      "user_id chat_id seen_up_to",
		"incoming_typing_indicator.typing_indicator": "author_id recipients timestamp is_typing",
		"customer_updated.customer":                  "id type name? email? avatar? session_fields? present? events_seen_up_to?",
		"incoming_greeting":                          "id unique_id displayed_first_time addon? event agent",
		"incoming_greeting.agent":                    "id name avatar job_title is_bot",
		"greeting_accepted":                          "unique_id",
		"greeting_canceled":                          "unique_id",
		"queue_position_updated":                     "chat_id thread_id queue",
		"queue_position_updated.queue":               "position wait_time",
	}),
}

// rtmSharedPushShapes adds the pushes named and shaped alike in every version.
func rtmSharedPushShapes(m map[string]string) map[string]string {
	for k, v := range map[string]string{
		"incoming_event":                          "chat_id thread_id event",
		"event_updated":                           "chat_id thread_id event",
		"incoming_rich_message_postback":          "user_id chat_id thread_id event_id postback",
		"incoming_rich_message_postback.postback": "id toggled",
		"chat_properties_updated":                 "chat_id properties",
		"chat_properties_deleted":                 "chat_id properties",
		"event_properties_updated":                "chat_id thread_id event_id properties",
		"event_properties_deleted":                "chat_id thread_id event_id properties",
		"customer_updated":                        "customer",
		"customer_side_storage_updated":           "customer_side_storage",
		"customer_disconnected":                   "reason data?",
		"incoming_typing_indicator":               "chat_id thread_id typing_indicator",
		"incoming_multicast":                      "author_id? content",
	} {
		m[k] = v
	}
	return m
}

// rtmCheckPushShape checks a push payload against rtmPushShapes: the push must exist in the version,
// carry every required key and no undocumented one.
func rtmCheckPushShape(t *testing.T, v version, action string, payload gjson.Result) {
	t.Helper()
	shapes := rtmPushShapes[v]
	top, ok := shapes[action]
	if !ok {
		t.Errorf("%s: push %q does not exist in this version: %s", v, action, payload.Raw)
		return
	}
	rtmCheckKeys(t, v, action, payload, top)
	var paths []string
	for k := range shapes {
		if strings.HasPrefix(k, action+".") {
			paths = append(paths, k)
		}
	}
	sort.Strings(paths)
	for _, k := range paths {
		sub := payload.Get(strings.TrimPrefix(k, action+"."))
		if sub.Exists() {
			rtmCheckKeys(t, v, k, sub, shapes[k])
		}
	}
}

func rtmCheckKeys(t *testing.T, v version, what string, o gjson.Result, spec string) {
	t.Helper()
	if !o.IsObject() {
		t.Errorf("%s: %s is not an object: %s", v, what, o.Raw)
		return
	}
	allowed := map[string]bool{}
	for _, k := range strings.Fields(spec) {
		name := strings.TrimSuffix(k, "?")
		allowed[name] = true
		if !strings.HasSuffix(k, "?") && !o.Get(name).Exists() {
			t.Errorf("%s: %s lacks %q: %s", v, what, name, o.Raw)
		}
	}
	for _, k := range rtmKeys(o) {
		if !allowed[k] {
			t.Errorf("%s: %s has undocumented key %q: %s", v, what, k, o.Raw)
		}
	}
}

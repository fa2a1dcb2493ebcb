package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// This file holds the helpers of the Web API tests (web_*_test.go): transcripts for golden
// files, the version envelope, and checks of the data formats of spec/structures.md §2–§3.

// webVersions are the versions the simulator speaks, as they appear in URLs.
var webVersions = []string{"3.0", "3.1", "3.2"}

// webDatetime is the 3.1+ datetime format: RFC 3339 UTC with exactly 6 fractional digits.
var webDatetime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// webPath is the URL path of a Web action with the harness's licence.
func webPath(v, action string) string {
	return "/v" + v + "/customer/action/" + action + "?license_id=123"
}

// webWrap puts request parameters in the version's envelope: {"payload": …} in 3.0, bare later.
func webWrap(v, params string) string {
	if v == "3.0" {
		return `{"payload":` + params + `}`
	}
	return params
}

// webVersion maps "3.0" to the simulator's version value.
func webVersion(t *testing.T, v string) version {
	t.Helper()
	ver, ok := parseVersion("v" + v)
	if !ok {
		t.Fatalf("unknown version %q", v)
	}
	return ver
}

// webTranscript records Web calls as "> METHOD path", the request body, "< status" and the
// response body, for a golden file. It also fails the test when a response body contains the
// token of the request.
type webTranscript struct {
	t   *testing.T
	h   *harness
	buf strings.Builder
}

func newWebTranscript(t *testing.T, h *harness) *webTranscript {
	return &webTranscript{t: t, h: h}
}

// post sends a JSON body to a Web action and records the exchange.
func (tr *webTranscript) post(v, action, token, body string) webResp {
	tr.t.Helper()
	return tr.send(http.MethodPost, webPath(v, action), token, "application/json", body, body)
}

// send performs any request; shown describes its body in the transcript: the body itself
// (printed as JSON), a description such as "(multipart) …" (printed as it is), or "" (none).
func (tr *webTranscript) send(method, path, token, ctype, body, shown string) webResp {
	tr.t.Helper()
	resp := tr.h.do(method, path, token, ctype, body)
	if shown == body {
		shown = webShowBody(body)
	}
	tr.record(method, path, shown, resp)
	if token != "" && strings.Contains(resp.body, token) {
		tr.t.Errorf("%s %s: the response body reveals the token: %s", method, path, resp.body)
	}
	return resp
}

// sendAuth performs a request with exactly the given Authorization header (none when auth is
// nil) and records it with a line naming that header.
func (tr *webTranscript) sendAuth(method, path string, auth *string, ctype, body string) webResp {
	tr.t.Helper()
	resp := webDo(tr.t, tr.h, method, path, auth, ctype, body)
	if auth == nil {
		tr.note("no Authorization header")
	} else {
		tr.note("Authorization: %q", *auth)
	}
	tr.record(method, path, webShowBody(body), resp)
	return resp
}

// webDo sends a request with exactly the given Authorization header (none when auth is nil).
func webDo(t *testing.T, h *harness, method, path string, auth *string, ctype, body string) webResp {
	t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		req.Header.Set("Authorization", *auth)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return webResp{res.StatusCode, b.String()}
}

// record appends one exchange to the transcript.
func (tr *webTranscript) record(method, path, shown string, resp webResp) {
	fmt.Fprintf(&tr.buf, "> %s %s\n", method, path)
	if shown != "" {
		tr.buf.WriteString(shown + "\n")
	}
	fmt.Fprintf(&tr.buf, "< %d\n%s\n", resp.status, resp.body)
}

// note adds a comment line to the transcript.
func (tr *webTranscript) note(format string, args ...any) {
	fmt.Fprintf(&tr.buf, "# "+format+"\n", args...)
}

func (tr *webTranscript) String() string { return tr.buf.String() }

// webShowBody prints a request body on one line: compact when it is JSON, otherwise quoted
// after "(raw)" so the golden helper keeps it as text; "" for an empty body.
func webShowBody(body string) string {
	if body == "" {
		return ""
	}
	var b bytes.Buffer
	if strings.TrimSpace(body) != "" && json.Compact(&b, []byte(body)) == nil {
		return b.String()
	}
	return "(raw) " + fmt.Sprintf("%q", body)
}

// webPayload checks the success envelope and returns the response payload: 3.0 answers
// {"payload": X} with no other key, 3.1 and 3.2 answer X itself.
func webPayload(t *testing.T, v string, body string) gjson.Result {
	t.Helper()
	if !gjson.Valid(body) {
		t.Fatalf("response is not JSON: %q", body)
	}
	doc := gjson.Parse(body)
	if !doc.IsObject() {
		t.Fatalf("response is not a JSON object: %s", body)
	}
	if v == "3.0" {
		if keys := webKeys(doc); len(keys) != 1 || keys[0] != "payload" || !doc.Get("payload").IsObject() {
			t.Fatalf("3.0 response must be {\"payload\": {…}} alone, got keys %v: %s", keys, body)
		}
		return doc.Get("payload")
	}
	if doc.Get("payload").Exists() {
		t.Fatalf("%s response must be bare, got a payload key: %s", v, body)
	}
	return doc
}

// webErr checks an error answer: the status, the body {"error": {type, message, data?}} in
// every version (never wrapped in payload), and the type. It returns the message.
func webErr(t *testing.T, resp webResp, status int, typ string) string {
	t.Helper()
	if resp.status != status {
		t.Errorf("status = %d, want %d (%s)", resp.status, status, resp.body)
	}
	if !gjson.Valid(resp.body) {
		t.Fatalf("error body is not JSON: %q", resp.body)
	}
	doc := gjson.Parse(resp.body)
	if keys := webKeys(doc); len(keys) != 1 || keys[0] != "error" {
		t.Errorf("error body must hold only \"error\", got keys %v: %s", keys, resp.body)
	}
	e := doc.Get("error")
	for _, k := range webKeys(e) {
		if k != "type" && k != "message" && k != "data" {
			t.Errorf("unexpected error key %q in %s", k, resp.body)
		}
	}
	if got := e.Get("type").String(); got != typ {
		t.Errorf("error type = %q, want %q (%s)", got, typ, resp.body)
	}
	msg := e.Get("message")
	if msg.Type != gjson.String || msg.Str == "" {
		t.Errorf("error message must be a non-empty string: %s", resp.body)
	}
	return msg.Str
}

// webKeys lists an object's keys in document order.
func webKeys(r gjson.Result) []string {
	var keys []string
	r.ForEach(func(k, _ gjson.Result) bool {
		keys = append(keys, k.Str)
		return true
	})
	return keys
}

// webWantKeys asserts that an object has exactly these keys (in any order).
func webWantKeys(t *testing.T, what string, r gjson.Result, want ...string) {
	t.Helper()
	got := webKeys(r)
	sort.Strings(got)
	w := append([]string(nil), want...)
	sort.Strings(w)
	if strings.Join(got, ",") != strings.Join(w, ",") {
		t.Errorf("%s keys = %v, want %v: %s", what, got, w, r.Raw)
	}
}

// webIsInt reports whether r is a JSON number without a fractional part.
func webIsInt(r gjson.Result) bool {
	return r.Type == gjson.Number && !strings.ContainsAny(r.Raw, ".eE")
}

// webForbidden lists keys that never occur anywhere in a response of the version: the
// time and order fields, seen markers and customer fields of the other versions
// (spec/structures.md §2–§3, methods.md §1.4).
var webForbidden = map[string][]string{
	"3.0": {"created_at", "events_seen_up_to", "session_fields", "last_thread_created_at", "thread_created_at"},
	"3.1": {"session_fields", "last_seen_timestamp", "last_thread_created_at", "thread_created_at"},
	"3.2": {"order", "thread_order", "timestamp", "last_seen_timestamp"},
}

// webCheckShapes checks the data formats of the version everywhere in a response payload:
// events, threads, properties, customers and users.
func webCheckShapes(t *testing.T, v string, doc gjson.Result) {
	t.Helper()
	webWalk(doc, func(key string, val gjson.Result) {
		for _, bad := range webForbidden[v] {
			if key == bad {
				t.Errorf("%s response carries %q: %s", v, key, val.Raw)
			}
		}
		switch {
		case key == "events" && val.IsArray():
			for _, e := range val.Array() {
				webCheckEvent(t, v, e)
			}
		case key == "event" && val.IsObject():
			webCheckEvent(t, v, val)
		case key == "threads" && val.IsArray():
			for _, th := range val.Array() {
				webCheckThread(t, v, th)
			}
		case key == "thread" && val.IsObject():
			webCheckThread(t, v, val)
		case key == "properties" && val.IsObject():
			webCheckProps(t, v, val)
		case key == "users" && val.IsArray():
			for _, u := range val.Array() {
				webCheckUser(t, v, u)
			}
		case key == "customer" && val.IsObject():
			webCheckCustomer(t, v, val)
		}
	})
	if doc.Get("type").String() == "customer" {
		webCheckCustomer(t, v, doc)
	}
}

// webWalk calls f for every member of every object inside r.
func webWalk(r gjson.Result, f func(key string, val gjson.Result)) {
	switch {
	case r.IsObject():
		r.ForEach(func(k, val gjson.Result) bool {
			f(k.Str, val)
			webWalk(val, f)
			return true
		})
	case r.IsArray():
		for _, it := range r.Array() {
			webWalk(it, f)
		}
	}
}

// webCheckEvent: 3.0 events carry integer `order` and `timestamp` (unix seconds) and no
// `created_at`; later events carry `created_at` with 6 fractional digits. System messages have
// no author.
func webCheckEvent(t *testing.T, v string, e gjson.Result) {
	t.Helper()
	if e.Get("id").String() == "" || e.Get("type").String() == "" {
		t.Errorf("event without id or type: %s", e.Raw)
	}
	if v == "3.0" {
		ts := e.Get("timestamp")
		if !webIsInt(e.Get("order")) || !webIsInt(ts) {
			t.Errorf("3.0 event needs integer order and timestamp: %s", e.Raw)
		}
		if lo, hi := testStart.Unix(), testStart.Add(time.Hour).Unix(); ts.Int() < lo || ts.Int() > hi {
			t.Errorf("3.0 event timestamp %d is not the unix second of the test clock: %s", ts.Int(), e.Raw)
		}
		if e.Get("created_at").Exists() {
			t.Errorf("3.0 event carries created_at: %s", e.Raw)
		}
	} else {
		if !webDatetime.MatchString(e.Get("created_at").String()) {
			t.Errorf("%s event created_at must be RFC 3339 with 6 fractional digits: %s", v, e.Raw)
		}
		if e.Get("order").Exists() || e.Get("timestamp").Exists() {
			t.Errorf("%s event carries order or timestamp: %s", v, e.Raw)
		}
	}
	if e.Get("type").String() == "system_message" {
		if e.Get("author_id").Exists() {
			t.Errorf("system_message carries author_id: %s", e.Raw)
		}
	} else if e.Get("author_id").String() == "" {
		t.Errorf("event without author_id: %s", e.Raw)
	}
}

// webCheckThread: 3.0 threads have `order` (and no timestamp, the simulator's documented
// choice), 3.1 threads `timestamp` and `order`, 3.2 threads `created_at` only.
func webCheckThread(t *testing.T, v string, th gjson.Result) {
	t.Helper()
	if th.Get("id").String() == "" || !th.Get("active").IsBool() || !th.Get("user_ids").IsArray() || !th.Get("events").IsArray() {
		t.Errorf("thread needs id, active, user_ids and events: %s", th.Raw)
	}
	switch v {
	case "3.0", "3.1": // 3.0's `timestamp` is undocumented but kept (sim/doc.go, A9)
		if !webIsInt(th.Get("order")) || !webIsInt(th.Get("timestamp")) || th.Get("created_at").Exists() {
			t.Errorf("%s thread needs integer order and timestamp: %s", v, th.Raw)
		}
	default:
		if !webDatetime.MatchString(th.Get("created_at").String()) || th.Get("order").Exists() {
			t.Errorf("3.2 thread needs created_at and no order: %s", th.Raw)
		}
	}
}

// webCheckProps: property values are {"value": X} in responses up to 3.1 and plain in 3.2.
func webCheckProps(t *testing.T, v string, props gjson.Result) {
	t.Helper()
	props.ForEach(func(ns, names gjson.Result) bool {
		if !names.IsObject() {
			t.Errorf("properties namespace %s is not an object: %s", ns.Str, props.Raw)
			return true
		}
		names.ForEach(func(name, val gjson.Result) bool {
			inner := val
			if v != "3.2" {
				if keys := webKeys(val); !val.IsObject() || len(keys) != 1 || keys[0] != "value" {
					t.Errorf("%s property %s.%s must be {\"value\": X}: %s", v, ns.Str, name.Str, val.Raw)
					return true
				}
				inner = val.Get("value")
			}
			if inner.IsObject() || inner.IsArray() || inner.Type == gjson.Null {
				t.Errorf("%s property %s.%s has a non-scalar value: %s", v, ns.Str, name.Str, val.Raw)
			}
			return true
		})
		return true
	})
}

// webCheckUser checks a chat user's seen marker and, for customers, the customer fields.
func webCheckUser(t *testing.T, v string, u gjson.Result) {
	t.Helper()
	if u.Get("type").String() == "customer" {
		webCheckCustomer(t, v, u)
	}
	if v == "3.0" {
		if m := u.Get("last_seen_timestamp"); m.Exists() && !webIsInt(m) {
			t.Errorf("3.0 last_seen_timestamp must be unix seconds: %s", u.Raw)
		}
	} else if m := u.Get("events_seen_up_to"); m.Exists() && !webDatetime.MatchString(m.String()) {
		t.Errorf("%s events_seen_up_to must be RFC 3339 µs: %s", v, u.Raw)
	}
}

// webCheckCustomer: `fields` is a map of strings up to 3.1; 3.2 has `session_fields`, an array
// of one-key objects.
func webCheckCustomer(t *testing.T, v string, c gjson.Result) {
	t.Helper()
	if v == "3.2" {
		if c.Get("fields").Exists() {
			t.Errorf("3.2 customer carries fields: %s", c.Raw)
		}
		if sf := c.Get("session_fields"); sf.Exists() {
			ok := sf.IsArray()
			for _, it := range sf.Array() {
				ok = ok && it.IsObject() && len(webKeys(it)) == 1
			}
			if !ok {
				t.Errorf("3.2 session_fields must be an array of one-key objects: %s", c.Raw)
			}
		}
		return
	}
	if f := c.Get("fields"); f.Exists() && !f.IsObject() {
		t.Errorf("%s customer fields must be an object: %s", v, c.Raw)
	}
}

// webSessionFields renders session_fields pairs as "k=v" strings in document order.
func webSessionFields(r gjson.Result) []string {
	var out []string
	for _, it := range r.Array() {
		it.ForEach(func(k, val gjson.Result) bool {
			out = append(out, k.Str+"="+val.Str)
			return true
		})
	}
	return out
}

// webMultipart builds a multipart/form-data body with string fields (in order) and one file.
// It returns the body, its content type, and a one-line description for transcripts.
func webMultipart(t *testing.T, fields [][2]string, fileField, fileName, fileType string, data []byte) (body, ctype, shown string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if err := w.SetBoundary("lcgate-web-test-boundary"); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%q", f[0], f[1]))
	}
	if fileField != "" {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, fileField, fileName))
		hdr.Set("Content-Type", fileType)
		pw, err := w.CreatePart(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(data); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=@%s (%s, %d bytes)", fileField, fileName, fileType, len(data)))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType(), "(multipart) " + strings.Join(parts, " ")
}

// webPNG is a 3×2 RGB PNG image (83 bytes).
var webPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12, 0x16, 0xf1,
	0x4d, 0x00, 0x00, 0x00, 0x1a, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x62, 0xf9, 0xcf, 0xc0, 0xc0,
	0x10, 0x00, 0x42, 0x2c, 0x0c, 0x0c, 0x29, 0x0c, 0x60, 0x00, 0x08, 0x00, 0x00, 0xff, 0xff, 0x1e,
	0xa5, 0x02, 0x0c, 0x39, 0x94, 0x30, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
}

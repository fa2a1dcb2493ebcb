package proxy

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/sim"
)

// Errors on the translated Web path: the gateway's own, the upstream's mapped to the
// client's version, and calls that did half of their work.

// clientError is the error object a client received.
type clientError struct {
	Type    string          `json:"type"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// errorOf reads an error answer, failing unless the body is exactly {"error": {…}} with a
// type and a message (never wrapped in "payload") and the Content-Type is JSON.
func errorOf(t *testing.T, got response) clientError {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(got.Body), &doc); err != nil || len(doc) != 1 || doc["error"] == nil {
		t.Fatalf("client got %d %s, want an error object {\"error\": {…}}", got.Status, got.Body)
	}
	var e clientError
	if err := json.Unmarshal(doc["error"], &e); err != nil || e.Type == "" || e.Message == "" {
		t.Fatalf("client got %s, want an error with a type and a message", got.Body)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("client got Content-Type %q, want application/json", ct)
	}
	return e
}

func TestTranslatedWebRejectsUnreadableRequestsWith400Validation(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000)
	deepArray := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	tests := []struct {
		desc, target, contentType, body string
	}{
		{"3.0 invalid JSON", "/v3.0/customer/action/close_thread", "application/json", `{"payload":{"chat_id":`},
		{"3.1 invalid JSON", "/v3.1/customer/action/close_thread", "application/json", `{"chat_id":"CH1"`},
		{"3.1 trailing garbage", "/v3.1/customer/action/close_thread", "application/json", `{"chat_id":"CH1"} x`},
		{"3.0 JSON array", "/v3.0/customer/action/close_thread", "application/json", `[{"chat_id":"CH1"}]`},
		{"3.1 JSON array", "/v3.1/customer/action/close_thread", "application/json", `[]`},
		{"3.0 JSON string", "/v3.0/customer/action/close_thread", "application/json", `"CH1"`},
		{"3.1 JSON string", "/v3.1/customer/action/close_thread", "application/json", `"CH1"`},
		{"3.1 JSON number", "/v3.1/customer/action/close_thread", "application/json", `42`},
		{"3.0 envelope holding an array", "/v3.0/customer/action/close_thread", "application/json", `{"payload":[1]}`},
		{"3.0 envelope holding a string", "/v3.0/customer/action/close_thread", "application/json", `{"payload":"CH1"}`},
		{"3.0 1000 levels deep", "/v3.0/customer/action/close_thread", "application/json", `{"payload":` + deep + `}`},
		{"3.1 1000 levels deep", "/v3.1/customer/action/close_thread", "application/json", deep},
		{"3.1 1000 arrays deep", "/v3.1/customer/action/send_event", "application/json", deepArray},
		{"3.0 upload_file with a JSON body", "/v3.0/customer/action/upload_file", "application/json", `{"payload":{}}`},
		{"3.1 upload_file with an empty body", "/v3.1/customer/action/upload_file", "application/json", ``},
		{"3.1 upload_file with a form but no file", "/v3.1/customer/action/upload_file",
			"multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--B--\r\n"},
		{"3.1 upload_file with a malformed form", "/v3.1/customer/action/upload_file",
			"multipart/form-data; boundary=B", "not a form"},
		{"3.0 send_file without a form", "/v3.0/customer/action/send_file", "application/json", `{"payload":{"chat_id":"CH1"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			up := startActionUpstream(t, nil)
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

			got := do(t, gw.Addr, "POST", tc.target+"?license_id=123",
				http.Header{"Authorization": {"Bearer t"}, "Content-Type": {tc.contentType}}, tc.body)

			e := errorOf(t, got)
			if got.Status != 400 || e.Type != TypeValidation {
				t.Errorf("client got %d %s, want 400 validation", got.Status, got.Body)
			}
			up.noMoreRequests(t)
		})
	}
}

func TestTranslatedWebAnswersActionsTheClientsVersionLacksWith404Validation(t *testing.T) {
	tests := []struct {
		desc, target, body string
	}{
		{"unknown action", "/v3.0/customer/action/nope", `{}`},
		{"unknown action in 3.1", "/v3.1/customer/action/nope", ``},
		{"3.2 name of a 3.0 action", "/v3.0/customer/action/deactivate_chat", `{"payload":{"chat_id":"CH1"}}`},
		{"3.2 name of a 3.1 action", "/v3.1/customer/action/list_group_statuses", `{}`},
		{"3.2-only action on 3.1", "/v3.1/customer/action/list_license_properties", ``},
		{"3.2-only action on 3.0", "/v3.0/customer/action/get_customer", ``},
		{"3.0-only action on 3.1", "/v3.1/customer/action/send_file", `{}`},
		{"3.0 seen marker on 3.1", "/v3.1/customer/action/update_last_seen_timestamp", `{}`},
		{"3.1 seen marker on 3.0", "/v3.0/customer/action/mark_events_as_seen", `{}`},
		{"RTM-only login on 3.0", "/v3.0/customer/action/login", `{"payload":{"token":"Bearer t"}}`},
		{"RTM-only login on 3.1", "/v3.1/customer/action/login", `{}`},
		{"RTM-only update_customer_page", "/v3.1/customer/action/update_customer_page", `{}`},
		{"unknown action with an unreadable body", "/v3.0/customer/action/nope", `{"payload":`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			up := startActionUpstream(t, nil)
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

			got := do(t, gw.Addr, "POST", tc.target+"?license_id=123",
				http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}}, tc.body)

			e := errorOf(t, got)
			if got.Status != 404 || e.Type != TypeValidation {
				t.Errorf("client got %d %s, want 404 validation", got.Status, got.Body)
			}
			up.noMoreRequests(t)
		})
	}
}

func TestTranslatedWebUpstreamFailuresAre502Internal(t *testing.T) {
	unreachable := errorJSON(TypeInternal, "lcgate: upstream unreachable")
	invalid := errorJSON(TypeInternal, "lcgate: the upstream's answer is not valid")
	tests := []struct {
		desc   string
		answer *upstreamAnswer // nil: nothing listens
		want   string
	}{
		{"upstream down", nil, unreachable},
		{"non-JSON 200", &upstreamAnswer{body: "<html>ok</html>"}, invalid},
		{"JSON array 200", &upstreamAnswer{body: `[1,2]`}, invalid},
		{"JSON string 200", &upstreamAnswer{body: `"ok"`}, invalid},
		{"1000 levels deep 200", &upstreamAnswer{body: strings.Repeat("[", 1000) + strings.Repeat("]", 1000)}, invalid},
		{"non-JSON 503", &upstreamAnswer{status: 503, body: "Service Unavailable"}, invalid},
		{"JSON that is no error object, 500", &upstreamAnswer{status: 500, body: `{"oops":true}`}, invalid},
	}
	for _, tc := range tests {
		for _, client := range []string{"3.0", "3.1"} {
			t.Run(tc.desc+" "+client, func(t *testing.T) {
				upstream := "http://" + deadAddress(t)
				if tc.answer != nil {
					upstream = startActionUpstream(t, map[string]upstreamAnswer{"deactivate_chat": *tc.answer}).URL
				}
				gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})

				got := do(t, gw.Addr, "POST", "/v"+client+"/customer/action/close_thread?license_id=123",
					http.Header{"Authorization": {"Bearer t"}}, `{"chat_id":"CH1"}`)

				if got.Status != 502 || got.Body != tc.want {
					t.Errorf("client got %d %s, want 502 %s", got.Status, got.Body, tc.want)
				}
			})
		}
	}
}

func TestTranslatedWebMapsUpstreamErrorsToTheClientsVersion(t *testing.T) {
	tests := []struct {
		desc, client, action string
		upstreamAction       string
		upstreamStatus       int
		upstreamType         string
		data                 string // raw JSON of error.data, or ""
		wantStatus           int
		wantType             string
	}{
		{"not_found for 3.1", "3.1", "close_thread", "deactivate_chat", 404, "not_found", "", 400, "validation"},
		{"not_found for 3.0", "3.0", "close_thread", "deactivate_chat", 404, "not_found", "", 400, "validation"},
		{"chat_inactive for 3.1", "3.1", "send_event", "send_event", 400, "chat_inactive", "", 400, "validation"},
		{"chat_inactive for 3.0", "3.0", "close_thread", "deactivate_chat", 409, "chat_inactive", "", 400, "validation"},
		{"not_allowed for 3.1", "3.1", "close_thread", "deactivate_chat", 403, "not_allowed", "", 403, "authorization"},
		{"not_allowed for 3.0", "3.0", "update_chat_properties", "update_chat_properties", 405, "not_allowed", "", 403, "authorization"},
		{"limit_reached for 3.1", "3.1", "close_thread", "deactivate_chat", 429, "limit_reached", "", 400, "validation"},
		{"service_unavailable for 3.0", "3.0", "close_thread", "deactivate_chat", 503, "service_unavailable", "", 500, "internal"},
		{"too_many_requests for 3.0", "3.0", "close_thread", "deactivate_chat", 429, "too_many_requests", "", 504, "request_timeout"},
		{"too_many_requests kept for 3.1", "3.1", "close_thread", "deactivate_chat", 429, "too_many_requests", "", 429, "too_many_requests"},
		{"groups_offline for 3.0", "3.0", "get_groups_status", "list_group_statuses", 400, "groups_offline", "", 400, "group_offline"},
		{"authentication kept with its status", "3.0", "close_thread", "deactivate_chat", 401, "authentication", "", 401, "authentication"},
		{"misdirected_request keeps data for 3.0", "3.0", "close_thread", "deactivate_chat", 421, "misdirected_request",
			`{"region":"fra"}`, 421, "misdirected_request"},
		{"misdirected_request keeps data for 3.1", "3.1", "set_customer_fields", "set_customer_session_fields", 421,
			"misdirected_request", `{"region":"dal"}`, 421, "misdirected_request"},
		{"not_found on the first call of an expansion", "3.0", "start_chat", "start_chat", 404, "not_found", "", 400, "validation"},
		{"not_found on a 3.1 expansion", "3.1", "get_chat_threads", "get_chat", 404, "not_found", "", 400, "validation"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			const message = "Upstream's own words"
			upErr := `{"error":{"type":"` + tc.upstreamType + `","message":"` + message + `"`
			if tc.data != "" {
				upErr += `,"data":` + tc.data
			}
			upErr += `}}`
			up := startActionUpstream(t, map[string]upstreamAnswer{
				tc.upstreamAction: {status: tc.upstreamStatus, body: upErr}})
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
			body := `{"chat_id":"CH1","thread_ids":["TH1"],"event":{"type":"message","text":"x"},` +
				`"properties":{"a":{"b":1}},"fields":{"k":"v"},"groups":[1]}`

			got := do(t, gw.Addr, "POST", "/v"+tc.client+"/customer/action/"+tc.action+"?license_id=123",
				http.Header{"Authorization": {"Bearer t"}}, body)

			e := errorOf(t, got)
			if got.Status != tc.wantStatus || e.Type != tc.wantType || e.Message != message {
				t.Errorf("client got %d %s, want %d %s with the upstream's message", got.Status, got.Body,
					tc.wantStatus, tc.wantType)
			}
			if compact(string(e.Data)) != compact(tc.data) && !(tc.data == "" && e.Data == nil) {
				t.Errorf("client got data %s, want %s", e.Data, tc.data)
			}
			if r := up.nextRequest(t); r.RequestURI != actionURI(tc.upstreamAction) {
				t.Errorf("first upstream call %s, want %s", r.RequestURI, actionURI(tc.upstreamAction))
			}
		})
	}
}

func TestTranslatedWebMisdirectedRequestFromTheSimulatorKeepsItsRegion(t *testing.T) {
	s := sim.New(sim.Options{Region: "dal"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown() })
	gw := startGateway(t, Options{Upstream: "http://" + ln.Addr().String(), UpstreamVersion: "3.2"})

	for _, client := range []string{"3.0", "3.1"} {
		got := do(t, gw.Addr, "POST", "/v"+client+"/customer/action/get_chats_summary?license_id=123",
			http.Header{"Authorization": {"Bearer fra:sim-token"}}, `{}`)

		e := errorOf(t, got)
		if got.Status != 421 || e.Type != "misdirected_request" || compact(string(e.Data)) != `{"region":"fra"}` {
			t.Errorf("%s client got %d %s, want 421 misdirected_request with data.region fra", client, got.Status, got.Body)
		}
	}
}

func TestTranslatedWebReportsCallsThatDidHalfTheirWork(t *testing.T) {
	const fileURL = "https://cdn.files-text.livechatinc.com/tmp/123/photo.txt"
	form, formType := multipartBody(t, map[string]string{"payload.chat_id": "CH77"},
		"payload.file", "photo.txt", "text/plain", "file content")
	tests := []struct {
		desc        string
		answers     map[string]upstreamAnswer
		action      string
		contentType string
		body        string
		wantStatus  int
		wantType    string
		wantWords   []string
	}{
		{
			desc: "start_chat whose read-back fails",
			answers: map[string]upstreamAnswer{
				"start_chat": {body: `{"chat_id":"CH42","thread_id":"TH42","event_ids":[]}`},
				"get_chat":   {status: 500, body: `{"error":{"type":"internal","message":"read failed"}}`},
			},
			action: "start_chat", contentType: "application/json", body: `{"payload":{}}`,
			wantStatus: 500, wantType: "internal", wantWords: []string{"started", "CH42", "read failed"},
		},
		{
			desc: "start_chat whose read-back is refused with a 3.2-only type",
			answers: map[string]upstreamAnswer{
				"start_chat": {body: `{"chat_id":"CH43","thread_id":"TH43","event_ids":[]}`},
				"get_chat":   {status: 404, body: `{"error":{"type":"not_found","message":"no such chat"}}`},
			},
			action: "start_chat", contentType: "application/json", body: `{"payload":{}}`,
			wantStatus: 400, wantType: "validation", wantWords: []string{"started", "CH43"},
		},
		{
			desc: "send_file whose send_event fails",
			answers: map[string]upstreamAnswer{
				"upload_file": {body: `{"url":"` + fileURL + `"}`},
				"send_event":  {status: 500, body: `{"error":{"type":"internal","message":"send failed"}}`},
			},
			action: "send_file", contentType: formType, body: form,
			wantStatus: 500, wantType: "internal", wantWords: []string{"uploaded", "not sent", "send failed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			up := startActionUpstream(t, tc.answers)
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

			got := do(t, gw.Addr, "POST", "/v3.0/customer/action/"+tc.action+"?license_id=123",
				http.Header{"Authorization": {"Bearer t"}, "Content-Type": {tc.contentType}}, tc.body)

			e := errorOf(t, got)
			if got.Status != tc.wantStatus || e.Type != tc.wantType {
				t.Errorf("client got %d %s, want %d %s", got.Status, got.Body, tc.wantStatus, tc.wantType)
			}
			for _, w := range tc.wantWords {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q does not say %q", e.Message, w)
				}
			}
			if n := len(up.allRequests()); n != 2 {
				t.Errorf("upstream got %d calls, want 2 (the work done, then the failed call)", n)
			}
		})
	}
}

// startOneShotUpstream answers the first Web call with status 200 and body, closing its
// listener before it answers: every later call finds nothing listening.
func startOneShotUpstream(t *testing.T, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		_ = req.Body.Close()
		ln.Close()
		resp := &http.Response{StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1, Close: true,
			Header:        http.Header{"Content-Type": {"application/json"}},
			ContentLength: int64(len(body)), Body: io.NopCloser(strings.NewReader(body))}
		_ = resp.Write(c)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func TestTranslatedWebHalfDoneCallsNeverShowTheUpstreamAddress(t *testing.T) {
	upstream := startOneShotUpstream(t, `{"chat_id":"CH42","thread_id":"TH42","event_ids":[]}`)
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	addr := strings.TrimPrefix(upstream, "http://")
	_, port, _ := net.SplitHostPort(addr)

	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/start_chat?license_id=123",
		http.Header{"Authorization": {"Bearer t"}}, `{"payload":{}}`)

	e := errorOf(t, got)
	if got.Status != 502 || e.Type != TypeInternal || !strings.Contains(e.Message, "CH42") {
		t.Errorf("client got %d %s, want 502 internal naming the started chat CH42", got.Status, got.Body)
	}
	if strings.Contains(got.Body, addr) || strings.Contains(got.Body, ":"+port) || strings.Contains(got.Body, "dial") {
		t.Errorf("client got %s, which shows the upstream's address or network error", got.Body)
	}
}

func TestTranslatedWebNeverLeaksTheAuthorizationToken(t *testing.T) {
	const secret = "very-secret-translated-token"
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	up := startActionUpstream(t, map[string]upstreamAnswer{
		"deactivate_chat": {status: 404, body: `{"error":{"type":"not_found","message":"Chat not found"}}`},
		"start_chat":      {body: `{"chat_id":"CH1","thread_id":"TH1","event_ids":[]}`},
		"get_chat":        {status: 500, body: `{"error":{"type":"internal","message":"boom"}}`},
		"get_url_info":    {body: `not json`},
	})
	live := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", Logger: logger})
	dead := startGateway(t, Options{Upstream: "http://" + deadAddress(t), UpstreamVersion: "3.2", Logger: logger})
	header := http.Header{"Authorization": {"Bearer dal:" + secret}, "Proxy-Authorization": {"Basic " + secret}}
	calls := []struct {
		gw           *gateway
		target, body string
	}{
		{live, "/v3.1/customer/action/close_thread", `{"chat_id":"CH1"}`},
		{live, "/v3.0/customer/action/start_chat", `{"payload":{}}`},
		{live, "/v3.0/customer/action/get_url_details", `{"payload":{"url":"u"}}`},
		{live, "/v3.0/customer/action/close_thread", `{"payload":`},
		{live, "/v3.0/customer/action/nope", `{}`},
		{live, "/v3.1/customer/action/login", `{"token":"Bearer dal:` + secret + `"}`},
		{live, "/v3.1/customer/action/upload_file", `{}`},
		{dead, "/v3.0/customer/action/start_chat", `{"payload":{}}`},
		{dead, "/v3.1/customer/action/get_chats_summary", `{}`},
	}
	for _, c := range calls {
		got := do(t, c.gw.Addr, "POST", c.target+"?license_id=123", header, c.body)
		if got.Status == 200 {
			t.Errorf("%s answered 200 %s; the test needs it to fail", c.target, got.Body)
		}
		if strings.Contains(got.Body, secret) {
			t.Errorf("%s answered %s, which holds the token", c.target, got.Body)
		}
	}
	live.stop(t)
	dead.stop(t)

	if n := strings.Count(logs.String(), "request failed"); n != len(calls) {
		t.Fatalf("the logs hold %d failed requests, want %d, so the test checks less than it claims:\n%s",
			n, len(calls), logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("logs contain the token:\n%s", logs.String())
	}
}

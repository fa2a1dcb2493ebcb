package proxy

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestBadInputTable sends the malformed requests a gateway meets and checks each answer: the
// status and error type, in the client's version's error format, from lcgate itself or from
// the upstream when the request is the upstream's to judge (license, token).
func TestBadInputTable(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	auth := http.Header{"Authorization": {"Bearer dal:t"}, "Content-Type": {"application/json"}}
	deep := strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100)
	const start30 = "/v3.0/customer/action/start_chat?license_id=123"
	for _, tc := range []struct {
		desc, method, path string
		header             http.Header
		body               string
		status             int
		typ, says          string
	}{
		{"invalid JSON", "POST", start30, auth, `{"payload":`, 400, "validation", "not valid JSON"},
		{"truncated JSON", "POST", start30, auth, `{"payload":{"chat":{}`, 400, "validation", "unterminated object"},
		{"nested 100 deep", "POST", start30, auth, `{"payload":` + deep + `}`, 400, "validation", "nested too deeply"},
		{"non-UTF-8 string", "POST", "/v3.0/customer/action/send_event?license_id=123", auth, "{\"payload\":{\"chat_id\":\"\xff\"}}", 400, "validation", "invalid UTF-8"},
		{"huge number", "POST", "/v3.0/customer/action/get_chats_summary?license_id=123", auth, `{"payload":{"limit":1e999}}`, 400, "validation", "`limit` must be an integer"},
		{"wrong type", "POST", "/v3.0/customer/action/send_event?license_id=123", auth, `{"payload":{"chat_id":5,"event":{"type":"message","text":"x"}}}`, 400, "validation", "`chat_id` must be a non-empty string"},
		{"unknown version v2.0", "POST", "/v2.0/customer/action/start_chat?license_id=123", auth, `{}`, 404, "validation", `"v2.0" is not served`},
		{"unknown version v3.9", "POST", "/v3.9/customer/action/start_chat?license_id=123", auth, `{}`, 404, "validation", `"v3.9" is not served`},
		{"unknown action", "POST", "/v3.0/customer/action/nope?license_id=123", auth, `{}`, 404, "validation", `unknown action "nope"`},
		{"PUT on a translated call", "PUT", start30, auth, `{"payload":{}}`, 405, "validation", "method PUT is not allowed"},
		{"DELETE passed through", "DELETE", "/v3.2/customer/action/start_chat?license_id=123", auth, `{}`, 405, "validation", "not allowed"},
		{"missing license_id", "POST", "/v3.0/customer/action/start_chat", auth, `{"payload":{}}`, 400, "validation", "license_id"},
		{"malformed license_id", "POST", "/v3.0/customer/action/start_chat?license_id=abc", auth, `{"payload":{}}`, 400, "validation", "license_id"},
		{"missing Authorization", "POST", start30, http.Header{}, `{"payload":{}}`, 401, "authentication", ""},
		{"Bearer without token", "POST", start30, http.Header{"Authorization": {"Bearer"}}, `{"payload":{}}`, 401, "authentication", ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got := do(t, gw.Addr, tc.method, tc.path, tc.header, tc.body)
			e := gjson.Get(got.Body, "error")
			if got.Status != tc.status || e.Get("type").String() != tc.typ || !strings.Contains(e.Get("message").String(), tc.says) {
				t.Errorf("%d %s, want %d %s saying %q", got.Status, got.Body, tc.status, tc.typ, tc.says)
			}
			if keys := gjson.Parse(got.Body).Map(); len(keys) != 1 {
				t.Errorf("error body %s is not {\"error\": …}", got.Body)
			}
		})
	}
}

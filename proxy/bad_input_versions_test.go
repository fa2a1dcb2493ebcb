package proxy

import (
	"net/http"
	"strings"
	"testing"
)

// badWebRow is one malformed Web request of a client of some version and the error it gets.
type badWebRow struct {
	desc, method, action string
	header               http.Header
	query, body          string
	status               int
	typ, says            string
}

// badWebRows are the rows of TestBadInputTable written for a 3.1 or 3.2 client: bare
// payloads, and each version's own action names. The answer is the same error object in
// every version (spec/structures.md §6), from lcgate, or from the upstream when the request
// is the upstream's to judge (license, token, a value of the wrong type).
func badWebRows(v string) []badWebRow {
	auth := http.Header{"Authorization": {"Bearer dal:t"}, "Content-Type": {"application/json"}}
	deep := strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100)
	summary := map[string]string{"3.1": "get_chats_summary", "3.2": "list_chats"}[v]
	const lic = "license_id=123"
	return []badWebRow{
		{"invalid JSON", "POST", "start_chat", auth, lic, `{"chat":`, 400, "validation", "not valid JSON"},
		{"truncated JSON", "POST", "start_chat", auth, lic, `{"chat":{}`, 400, "validation", "unterminated object"},
		{"trailing garbage", "POST", "start_chat", auth, lic, `{"chat":{}} x`, 400, "validation", "data after the top-level value"},
		{"byte order mark", "POST", "start_chat", auth, lic, "\xef\xbb\xbf{}", 400, "validation", "not valid JSON"},
		{"nested 100 deep", "POST", "start_chat", auth, lic, deep, 400, "validation", "nested too deeply"},
		{"non-UTF-8 string", "POST", "send_event", auth, lic, "{\"chat_id\":\"\xff\"}", 400, "validation", "invalid UTF-8"},
		{"non-UTF-8 key", "POST", "send_event", auth, lic, "{\"chat_\xc3\":\"x\"}", 400, "validation", "invalid UTF-8"},
		{"non-UTF-8 outside strings", "POST", "send_event", auth, lic, "{\"chat_id\":\xff}", 400, "validation", "not valid JSON"},
		{"duplicate key", "POST", "send_event", auth, lic, `{"chat_id":"a","event":{},"chat_id":"b"}`, 400, "validation", "duplicate key \"chat_id\""},
		{"duplicate nested key", "POST", "send_event", auth, lic, `{"chat_id":"a","event":{"type":"message","type":"file"}}`, 400, "validation", "duplicate key \"type\""},
		{"JSON array", "POST", "start_chat", auth, lic, `[]`, 400, "validation", "must be a JSON object"},
		{"huge number", "POST", summary, auth, lic, `{"limit":1e999}`, 400, "validation", "`limit` must be an integer"},
		{"wrong type", "POST", "send_event", auth, lic, `{"chat_id":5,"event":{"type":"message","text":"x"}}`, 400, "validation", "`chat_id` must be a string"},
		{"unknown action", "POST", "nope", auth, lic, `{}`, 404, "validation", `unknown action "nope"`},
		{"RTM-only action", "POST", "login", auth, lic, `{}`, 404, "validation", "is an RTM method"},
		{"PUT on a translated call", "PUT", "start_chat", auth, lic, `{}`, 405, "validation", "method PUT is not allowed"},
		{"DELETE on a translated call", "DELETE", "start_chat", auth, lic, `{}`, 405, "validation", "method DELETE is not allowed"},
		{"missing license_id", "POST", "start_chat", auth, "", `{}`, 400, "validation", "license_id"},
		{"malformed license_id", "POST", "start_chat", auth, "license_id=abc", `{}`, 400, "validation", "license_id"},
		{"missing Authorization", "POST", "start_chat", http.Header{}, lic, `{}`, 401, "authentication", ""},
		{"Bearer without token", "POST", "start_chat", http.Header{"Authorization": {"Bearer"}}, lic, `{}`, 401, "authentication", ""},
	}
}

// TestBadInputTableNewerClients runs the bad-input table for a 3.1 client (on a 3.2
// upstream) and a 3.2 client (on a 3.1 upstream): each gets its error in its own version's
// format, {"error": {type, message}}, with the status of spec/methods.md §6.
func TestBadInputTableNewerClients(t *testing.T) {
	for _, pair := range []struct{ client, upstream string }{{"3.1", "3.2"}, {"3.2", "3.1"}} {
		gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: pair.upstream})
		for _, tc := range badWebRows(pair.client) {
			t.Run(pair.client+" "+tc.desc, func(t *testing.T) {
				target := "/v" + pair.client + "/customer/action/" + tc.action
				if tc.query != "" {
					target += "?" + tc.query
				}
				got := do(t, gw.Addr, tc.method, target, tc.header, tc.body)
				e := errorOf(t, got)
				if got.Status != tc.status || e.Type != tc.typ || !strings.Contains(e.Message, tc.says) {
					t.Errorf("%d %s, want %d %s saying %q", got.Status, got.Body, tc.status, tc.typ, tc.says)
				}
			})
		}
	}
}

// TestTranslatedWebForwardsEscapesAsWritten: a lone surrogate escape is valid JSON syntax
// (RFC 8259 §8.2 leaves its meaning to the reader); lcgate copies it as written, so the
// upstream judges it, and an escaped key that collides with a plain one is a duplicate.
func TestTranslatedWebForwardsEscapesAsWritten(t *testing.T) {
	up := startActionUpstream(t, nil)
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	auth := http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}}
	got := do(t, gw.Addr, "POST", "/v3.1/customer/action/close_thread?license_id=1", auth, `{"chat_id":"\ud800"}`)
	if got.Status != 200 {
		t.Fatalf("client got %d %s, want the upstream's 200", got.Status, got.Body)
	}
	if r := up.nextRequest(t); r.Body != `{"chat_id":"\ud800"}` {
		t.Errorf("upstream got %s, want the escape as written", r.Body)
	}
	got = do(t, gw.Addr, "POST", "/v3.1/customer/action/close_thread?license_id=1", auth, `{"chat_id":"a","chat\u005fid":"b"}`)
	if e := errorOf(t, got); got.Status != 400 || e.Type != TypeValidation || !strings.Contains(e.Message, `duplicate key "chat_id"`) {
		t.Errorf("client got %d %s, want 400 validation naming the duplicate key", got.Status, got.Body)
	}
	up.noMoreRequests(t)
}

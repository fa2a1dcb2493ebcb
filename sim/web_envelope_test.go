package sim

import (
	"net/http"
	"strings"
	"testing"
)

// This file checks the request envelope (spec/methods.md §1.1): 3.0 wraps parameters in
// {"payload": …}, later versions send them bare; the simulator reads both, and reads an
// empty or null body as {}.

// TestWeb30AcceptsWrappedAndBareRequests: a 3.0 request is read the same wrapped or bare, and
// the answer is wrapped either way.
func TestWeb30AcceptsWrappedAndBareRequests(t *testing.T) {
	h := newHarness(t, Options{})
	s := webSeed(t, h, "3.0")
	tr := newWebTranscript(t, h)
	params := s.fill(`{"chat_id":"{chat}","event":{"type":"message","text":"wrapped or not"}}`)
	wrapped := webPayload(t, "3.0", tr.post("3.0", "send_event", s.token, `{"payload":`+params+`}`).body)
	bare := webPayload(t, "3.0", tr.post("3.0", "send_event", s.token, params).body)
	for name, p := range map[string]string{"wrapped": wrapped.Raw, "bare": bare.Raw} {
		if !strings.Contains(p, `"text":"wrapped or not"`) || !strings.Contains(p, `"thread_id":"`+s.ids["thread"]+`"`) {
			t.Errorf("%s request: answer %s", name, p)
		}
	}
	if wrapped.Get("event.id").Str == bare.Get("event.id").Str {
		t.Errorf("both requests answered event %s", wrapped.Get("event.id").Str)
	}
	sum := func(body string) string {
		return webPayload(t, "3.0", h.web("3.0", "get_chats_summary", s.token, body).body).Raw
	}
	if a, b := sum(`{"payload":{"limit":1}}`), sum(`{"limit":1}`); a != b {
		t.Errorf("get_chats_summary wrapped %s, bare %s", a, b)
	}
	golden(t, "web/v3.0/envelope.txt", tr.String())
}

// TestWebEmptyOrNullBodyActsAsEmptyObject: an empty body, `null`, `{}` and the 3.0 forms
// {"payload": null} and {"payload": {}} all read as no parameters, in every version.
func TestWebEmptyOrNullBodyActsAsEmptyObject(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:empty-body-token-e0e0"
	h.web("3.2", "start_chat", token, `{}`)
	list := map[string]string{"3.0": "get_chats_summary", "3.1": "get_chats_summary", "3.2": "list_chats"}
	for _, v := range webVersions {
		for _, action := range []string{list[v], "get_predicted_agent"} {
			want := webPayload(t, v, h.web(v, action, token, `{}`).body).Raw
			for _, body := range []string{"", "null", " \n ", `{"payload":null}`, `{"payload":{}}`} {
				resp := h.web(v, action, token, body)
				if resp.status != http.StatusOK {
					t.Errorf("%s %s body %q: %d %s", v, action, body, resp.status, resp.body)
					continue
				}
				if got := webPayload(t, v, resp.body).Raw; got != want {
					t.Errorf("%s %s body %q: %s, want %s", v, action, body, got, want)
				}
			}
		}
		// A method with a required parameter then fails naming it, as it would with {}.
		for _, body := range []string{"", "null"} {
			msg := webErr(t, h.web(v, "send_sneak_peek", token, body), http.StatusBadRequest, "validation")
			if !strings.Contains(msg, "chat_id") {
				t.Errorf("%s body %q: message %q does not name chat_id", v, body, msg)
			}
		}
	}
}

// TestWebErrorsAreNeverWrapped: even in 3.0, where answers are wrapped, errors are the bare
// {"error": …} object.
func TestWebErrorsAreNeverWrapped(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:unwrapped-errors-token-1234"
	for _, v := range webVersions {
		body := h.web(v, "send_event", token, webWrap(v, `{"chat_id":"NO_SUCH_CHAT","event":{"type":"message","text":"x"}}`)).body
		if strings.HasPrefix(body, `{"payload"`) || !strings.HasPrefix(body, `{"error":{`) {
			t.Errorf("%s error body: %s", v, body)
		}
	}
}

package translate

import (
	"testing"

	"github.com/lcgate/lcgate/versions"
)

// TestRTMAnswersTheRequestOfAMalformedUpstreamAnswer: a broken upstream frame that names a
// pending request and its action answers that request with internal; one that names no
// pending request, another action, or says it is a push is dropped, and the request stays
// pending for its real answer.
func TestRTMAnswersTheRequestOfAMalformedUpstreamAnswer(t *testing.T) {
	var e Engine
	r := NewRTM(&e, RTMConfig{Client: versions.V31, Upstream: versions.V32,
		SendUp: func([]byte, bool) error { return nil }, SendClient: func(...[]byte) error { return nil }})
	defer r.Stop()
	if up, _, _ := r.FromClient([]byte(`{"request_id":"x","action":"get_groups_status","payload":{}}`)); up == nil {
		t.Fatal("the request was not forwarded")
	}
	for _, dropped := range []string{
		`<html>`,
		`{"request_id":"lcgate-9","action":"list_group_statuses","type":"response"`,
		`{"request_id":"lcgate-1","action":"incoming_event","type":"response"`,
		`{"request_id":"lcgate-1","action":"list_group_statuses","type":"push"`,
		`{"text":"{\"request_id\":\"lcgate-1\",\"action\":\"list_group_statuses\"`,
	} {
		if got := r.FromUpstream([]byte(dropped)); len(got) != 0 {
			t.Errorf("%s gave the client %q, want nothing", dropped, got)
		}
	}
	got := r.FromUpstream([]byte(`{"request_id" : "lcgate-1", "action":"list_group_statuses","type":"response","success":true,"payload":{"x`))
	const want = `{"request_id":"x","action":"get_groups_status","type":"response","success":false,"payload":{"error":{"type":"internal","message":"lcgate: the upstream's answer is not valid"}}}`
	if len(got) != 1 || string(got[0]) != want {
		t.Errorf("client got %q, want %s", got, want)
	}
}

package proxy

import (
	"net/http"
	"testing"
)

// Every answer to a Customer Chat API path of a served version names the upstream's version: relayed and
// translated Web answers, the gateway's own errors, and the WebSocket handshake.
func TestUpstreamVersionHeader(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	auth := http.Header{"Authorization": {"Bearer header-token"}, "Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name, target string
		status       int
	}{
		{"same version", "/v3.2/customer/action/list_chats?license_id=1", 200},
		{"translated", "/v3.1/customer/action/get_chats_summary?license_id=1", 200},
		{"unknown action", "/v3.1/customer/action/no_such_action?license_id=1", 404},
	} {
		r := do(t, gw.Addr, "POST", tc.target, auth, "{}")
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, r.Status, tc.status, r.Body)
		}
		if got := r.Header.Get(UpstreamVersionHeader); got != "3.2" {
			t.Errorf("%s: %s = %q, want 3.2", tc.name, UpstreamVersionHeader, got)
		}
	}
	if r := do(t, gw.Addr, "POST", "/v3.3/customer/action/list_chats", auth, "{}"); r.Status != 404 || r.Header.Get(UpstreamVersionHeader) != "" {
		t.Errorf("a version lcgate does not serve: status %d, %s = %q; want 404 and none",
			r.Status, UpstreamVersionHeader, r.Header.Get(UpstreamVersionHeader))
	}
	_, resp, err := dialRTM(t, gw.Addr, "/v3.0/customer/rtm/ws?license_id=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get(UpstreamVersionHeader); got != "3.2" {
		t.Errorf("RTM handshake: %s = %q, want 3.2", UpstreamVersionHeader, got)
	}
}

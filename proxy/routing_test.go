package proxy

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/routing"
	"github.com/lcgate/lcgate/sim"
	"github.com/tidwall/gjson"
)

// startRegionSim runs a simulator that serves one region only: a token of the other
// region gets misdirected_request.
func startRegionSim(t *testing.T, region string) string {
	t.Helper()
	return startSimWith(t, sim.Options{Region: region, Clock: sim.NewStepClock(diffStart, time.Second)})
}

// TestRegionChoosesTheUpstreamURL fronts a dal and a fra simulator with one upstream: the
// token's prefix, or X-Region, picks the URL, over Web and over RTM (routed at login).
func TestRegionChoosesTheUpstreamURL(t *testing.T) {
	dal, fra := startRegionSim(t, "dal"), startRegionSim(t, "fra")
	tab, err := routing.New(routing.Config{Upstreams: []routing.Upstream{
		{Name: "live", URL: dal, Version: "3.2", Regions: map[string]string{"fra": fra}}}})
	if err != nil {
		t.Fatal(err)
	}
	gw := startGateway(t, Options{Routes: tab})
	for _, tc := range []struct {
		desc   string
		token  string
		header string
	}{
		{"dal token", "dal:tok-1", ""},
		{"fra token", "fra:tok-2", ""},
		{"fra header", "fra:tok-3", "fra"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			h := http.Header{"Authorization": {"Bearer " + tc.token}}
			if tc.header != "" {
				h.Set("X-Region", tc.header)
			}
			got := do(t, gw.Addr, "POST", "/v3.2/customer/action/list_chats?license_id=123", h, `{}`)
			if got.Status != 200 {
				t.Errorf("Web: %d %s (a simulator of the other region refuses the token)", got.Status, got.Body)
			}
			var dialHeader http.Header
			if tc.header != "" {
				dialHeader = http.Header{"X-Region": {tc.header}}
			}
			conn, _, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=123", dialHeader)
			if err != nil {
				t.Fatal(err)
			}
			_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"1","action":"login","payload":{"token":"Bearer `+tc.token+`"}}`))
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, msg, err := conn.ReadMessage()
			if err != nil || !gjson.GetBytes(msg, "success").Bool() {
				t.Errorf("RTM login: %s %v", msg, err)
			}
		})
	}
}

// TestRTMLoginOnADeadCanaryGetsAnErrorInTheClientsVersion routes at login to an upstream
// that is down: the login gets an error answer in the client's format, then 1011.
func TestRTMLoginOnADeadCanaryGetsAnErrorInTheClientsVersion(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	_ = ln.Close()
	gw := startGateway(t, Options{Routes: canaryTable(t, dead, dead, 50), Logger: slog.New(slog.DiscardHandler)})
	for _, client := range []string{"3.0", "3.2"} {
		conn, resp, err := dialRTM(t, gw.Addr, "/v"+client+"/customer/rtm/ws?license_id=123", nil)
		if err != nil {
			t.Fatal(err)
		}
		if v := resp.Header.Get(UpstreamVersionHeader); v != "" {
			t.Errorf("handshake names upstream version %q before the session is routed", v)
		}
		_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"r1","action":"login","payload":{"token":"Bearer x"}}`))
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := conn.ReadMessage()
		want := `{"request_id":"r1","action":"login","type":"response","success":false,"payload":{"error":{"type":"internal","message":"lcgate: the upstream could not be reached"}}}`
		if err != nil || string(msg) != want {
			t.Errorf("%s: got %s %v, want %s", client, msg, err, want)
		}
		_, _, err = conn.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseInternalServerErr {
			t.Errorf("%s: after the error: %v, want close 1011", client, err)
		}
	}
}

// TestReloadRefusesAnUnusableURL keeps the running table when the new one has a bad URL.
func TestReloadRefusesAnUnusableURL(t *testing.T) {
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	bad, err := routing.New(routing.Config{Upstreams: []routing.Upstream{{Name: "x", URL: "ftp://nope", Version: "3.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Reload(bad); err == nil {
		t.Fatal("Reload accepted ftp://nope")
	}
	got := do(t, gw.Addr, "POST", "/v3.2/customer/action/list_chats?license_id=123", http.Header{"Authorization": {"Bearer t"}}, `{}`)
	if got.Status != 200 || got.Header.Get(UpstreamVersionHeader) != "3.2" {
		t.Errorf("after a refused reload: %d %s", got.Status, got.Header.Get(UpstreamVersionHeader))
	}
}

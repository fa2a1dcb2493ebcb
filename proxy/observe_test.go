package proxy

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/metrics"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// TestMetricsCountRequestsSessionsAndExpansions drives a gateway with metrics and checks the
// counters it must move, and that no token or id reaches a label.
func TestMetricsCountRequestsSessionsAndExpansions(t *testing.T) {
	m := metrics.New(nil)
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2", Metrics: m})
	auth := http.Header{"Authorization": {"Bearer secret-metrics-token"}}
	do(t, gw.Addr, "POST", "/v3.0/customer/action/start_chat?license_id=123", auth, `{"payload":{}}`)
	do(t, gw.Addr, "POST", "/v3.2/customer/action/start_chat?license_id=123", auth, `{}`)
	do(t, gw.Addr, "POST", "/v3.0/customer/action/CH00000001?license_id=123", auth, `{}`)
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.1/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"1","action":"login","payload":{"token":"Bearer secret-metrics-token"}}`))
	_, _, _ = conn.ReadMessage()
	if got := testutil.ToFloat64(m.Sessions.WithLabelValues(metrics.TransportRTM, "3.1", "3.2")); got != 1 {
		t.Errorf("open sessions = %v, want 1", got)
	}
	_ = conn.Close()
	gw.stop(t)

	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"web", "3.0", "3.2", "start_chat", "ok"}, 1},
		{[]string{"web", "3.2", "3.2", "start_chat", "ok"}, 1},
		{[]string{"web", "3.0", "3.2", "other", "client_error"}, 1},
	} {
		if got := testutil.ToFloat64(m.Requests.WithLabelValues(c.labels...)); got != c.want {
			t.Errorf("requests_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if got := testutil.ToFloat64(m.Expansions.WithLabelValues("start_chat")); got != 1 {
		t.Errorf("expansions_total{start_chat} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Sessions.WithLabelValues(metrics.TransportRTM, "3.1", "3.2")); got != 0 {
		t.Errorf("open sessions after close = %v, want 0", got)
	}
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	exposition := buf.Bytes()
	for _, secret := range []string{"secret-metrics-token", "CH00000001"} {
		if bytes.Contains(exposition, []byte(secret)) {
			t.Errorf("the exposition contains %q", secret)
		}
	}
	if !strings.Contains(string(exposition), `lcgate_rtm_frames_total{direction="up",disposition="in"} 1`) {
		t.Errorf("the frame counters are not exposed:\n%s", exposition)
	}
}

// TestMetricsCountUpstreamFailures: a dead upstream is an upstream_error request and an
// unreachable upstream error.
func TestMetricsCountUpstreamFailures(t *testing.T) {
	m := metrics.New(nil)
	gw := startGateway(t, Options{Upstream: "http://" + deadAddress(t), UpstreamVersion: "3.2", Metrics: m})
	do(t, gw.Addr, "POST", "/v3.2/customer/action/get_customer?license_id=123", http.Header{}, `{}`)
	if got := testutil.ToFloat64(m.UpstreamErrors.WithLabelValues("unreachable")); got != 1 {
		t.Errorf("upstream_errors_total{unreachable} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("web", "3.2", "3.2", "get_customer", "upstream_error")); got != 1 {
		t.Errorf("requests_total{upstream_error} = %v, want 1", got)
	}
}

// TestMetricsCountDroppedFramesByReason: a refused client frame and a push the client's
// version lacks are counted with their reasons.
func TestMetricsCountDroppedFramesByReason(t *testing.T) {
	m := metrics.New(nil)
	sim := startSim(t)
	gw := startGateway(t, Options{Upstream: sim, UpstreamVersion: "3.2", Metrics: m})
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.0/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"1","action":"login","payload":{"token":"Bearer drop"}}`))
	_, login, _ := conn.ReadMessage()
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"2","action":"nope","payload":{}}`))
	_, _, _ = conn.ReadMessage()
	customer := gjson.GetBytes(login, "payload.customer_id").String()
	for _, op := range []string{"send_greeting", "cancel_greeting"} { // 3.0 has no greeting_canceled push
		body := `{"customer_id":"` + customer + `","text":"Hi"}`
		res, err := http.Post(sim+"/sim/agent/"+op, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
	}
	_, greeting, _ := conn.ReadMessage() // the greeting as incoming_multicast
	if gjson.GetBytes(greeting, "action").String() != "incoming_multicast" {
		t.Fatalf("greeting push = %s", greeting)
	}
	// The upstream queued greeting_canceled before this answer: once the answer is here,
	// the push has been through the gateway.
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"3","action":"get_groups_status","payload":{"all":true}}`))
	if _, a, _ := conn.ReadMessage(); gjson.GetBytes(a, "request_id").String() != "3" {
		t.Fatalf("frame after the greeting: %s", a)
	}
	_ = conn.Close()
	gw.stop(t)
	if got := testutil.ToFloat64(m.FramesDropped.WithLabelValues("up", metrics.DropRefused)); got != 1 {
		t.Errorf("dropped{up,refused} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.FramesDropped.WithLabelValues("down", metrics.DropNoCounterpart)); got != 1 {
		t.Errorf("dropped{down,no_counterpart} = %v, want 1 (greeting_canceled)", got)
	}
}

// TestPanicsBecome500AndAreCounted: a panic in a request's handling is answered 500 in the
// API's error format and counted; the process goes on.
func TestPanicsBecome500AndAreCounted(t *testing.T) {
	m := metrics.New(nil)
	s, err := New(Options{Upstream: "http://127.0.0.1:1", UpstreamVersion: "3.2", Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	var ctx fasthttp.RequestCtx
	func() {
		defer s.recoverPanic(&ctx)
		panic("boom")
	}()
	if ctx.Response.StatusCode() != 500 || !strings.Contains(string(ctx.Response.Body()), `"type":"internal"`) {
		t.Errorf("answer %d %s, want 500 internal", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	if got := testutil.ToFloat64(m.Panics); got != 1 {
		t.Errorf("panics_total = %v, want 1", got)
	}
}

// TestMetricsCountEmulationsAndLossesOfANewerClient: a 3.2 client on a 3.1 upstream has its
// get_chat emulated and the thread's time brought up without sub-second precision; both are
// counted, with the pair's labels on the request.
func TestMetricsCountEmulationsAndLossesOfANewerClient(t *testing.T) {
	m := metrics.New(nil)
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.1", Metrics: m})
	auth := http.Header{"Authorization": {"Bearer t"}}
	started := do(t, gw.Addr, "POST", "/v3.2/customer/action/start_chat?license_id=123", auth, `{}`)
	chat := gjson.Get(started.Body, "chat_id").String()
	if got := do(t, gw.Addr, "POST", "/v3.2/customer/action/get_chat?license_id=123", auth, `{"chat_id":"`+chat+`"}`); got.Status != 200 {
		t.Fatalf("get_chat: %d %s", got.Status, got.Body)
	}
	gw.stop(t)
	if got := testutil.ToFloat64(m.Expansions.WithLabelValues("get_chat")); got != 1 {
		t.Errorf("expansions_total{get_chat} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Lossy.WithLabelValues("B2 thread timestamp to created_at (no sub-second precision)")); got != 1 {
		t.Errorf("lossy_conversions_total{B2 up} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("web", "3.2", "3.1", "get_chat", "ok")); got != 1 {
		t.Errorf("requests_total{3.2 on 3.1, get_chat} = %v, want 1", got)
	}
}

package main

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/internal/needtool"
)

// promtoolPath finds Prometheus's promtool (see needtool.Path; CI sets LCGATE_REQUIRE_PROMTOOL=1).
func promtoolPath(t *testing.T) string {
	return needtool.Path(t, "promtool", "LCGATE_REQUIRE_PROMTOOL", "Debian: apt-get install prometheus")
}

// rtmSession opens an RTM session at url, logs in, sends one start_chat, waits for its
// answer and closes the session with 1000, waiting for the gateway's close.
func rtmSession(t *testing.T, url string) {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	// answer sends a request and reads frames (pushes may come first) until its response.
	answer := func(id, frame string) string {
		t.Helper()
		if err := conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("waiting for the answer to request %s: %v", id, err)
			}
			if strings.Contains(string(msg), `"request_id":"`+id+`"`) {
				return string(msg)
			}
		}
	}
	if msg := answer("1", `{"request_id":"1","action":"login","payload":{"token":"`+testToken+`"}}`); !strings.Contains(msg, `"success":true`) {
		t.Fatalf("login answer %s", msg)
	}
	if msg := answer("2", `{"request_id":"2","action":"start_chat","payload":{}}`); !strings.Contains(msg, `"success":true`) {
		t.Fatalf("start_chat answer %s", msg)
	}
	if err := conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")); err != nil {
		t.Fatal(err)
	}
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("session ended with %v, want the gateway's 1000", err)
			}
			return
		}
	}
}

// TestMetricsExpositionPassesPromtoolAfterWebAndRTMTraffic serves passed-through,
// translated and refused Web calls and a translated RTM session through a gateway with its
// embedded simulator, then feeds the metrics listener's /metrics to `promtool check
// metrics`: every metric family lcgate exposes (its own, the Go and process collectors)
// must pass Prometheus's lint (names, _total on counters, units, HELP) without a complaint.
func TestMetricsExpositionPassesPromtoolAfterWebAndRTMTraffic(t *testing.T) {
	promtool := promtoolPath(t)
	cmd := &ServeCmd{Config: testConfig()}
	cmd.Config.Log.LogLevel = "warn"
	out, stop := runCommand(t, cmd.Run, "Try: curl")
	web := out.url(t, "http://", "/v3.2/customer/action/start_chat?license_id=123")
	rtm := out.url(t, "ws://", "/v3.2/customer/rtm/ws?license_id=123")
	scrape := out.url(t, "http://", "/metrics")

	v30, v31 := strings.Replace(web, "/v3.2/", "/v3.0/", 1), strings.Replace(web, "/v3.2/", "/v3.1/", 1)
	calls := []struct {
		what, url, body string
		status          int
	}{
		{"3.2 start_chat, passed through", web, `{}`, 200},
		{"3.0 start_chat, translated into several upstream calls", v30, `{"payload":{}}`, 200},
		{"3.1 start_chat, translated", v31, `{}`, 200},
		{"3.0 unknown action, refused by lcgate", strings.Replace(v30, "/start_chat", "/nope", 1), `{}`, 404},
		{"3.2 unreadable JSON, a client error", web, `{"payload":`, 400},
	}
	for _, c := range calls {
		if status, body := request(t, "POST", c.url, c.body); status != c.status {
			t.Errorf("%s: POST %s = %d %s, want %d", c.what, c.url, status, body, c.status)
		}
	}
	rtmSession(t, strings.Replace(rtm, "/v3.2/", "/v3.0/", 1))

	status, exposition := request(t, "GET", scrape, "")
	if status != 200 {
		t.Fatalf("GET %s = %d %s", scrape, status, exposition)
	}
	// The traffic above must show, so promtool checks every family lcgate fills, histograms
	// and the RTM frame counters included.
	for _, want := range []string{
		`lcgate_requests_total{action="start_chat",client_version="3.2",outcome="ok",transport="web",upstream_version="3.2"} 1`,
		`lcgate_requests_total{action="start_chat",client_version="3.0",outcome="ok",transport="web",upstream_version="3.2"} 1`,
		`lcgate_requests_total{action="other",client_version="3.0",outcome="client_error",transport="web",upstream_version="3.2"} 1`,
		`lcgate_translation_seconds_bucket{client_version="3.0",upstream_version="3.2",le="+Inf"} `,
		`lcgate_upstream_seconds_count{upstream_version="3.2"} `,
		`lcgate_expansions_total{action="start_chat"} `,
		`lcgate_sessions{client_version="3.0",transport="rtm",upstream_version="3.2"} `,
		`lcgate_rtm_frames_total{direction="up",disposition="in"} `,
		"# HELP go_goroutines ",
		"# HELP process_cpu_seconds_total ",
	} {
		if !strings.Contains(exposition, want) {
			t.Errorf("the exposition lacks %s", want)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	check := exec.CommandContext(ctx, promtool, "check", "metrics")
	check.Stdin = strings.NewReader(exposition)
	var report bytes.Buffer
	check.Stdout, check.Stderr = &report, &report
	if err := check.Run(); err != nil || report.Len() > 0 {
		t.Errorf("promtool check metrics: %v\n%s\nexposition:\n%s", err, report.String(), exposition)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v\n%s", err, out.String())
	}
}

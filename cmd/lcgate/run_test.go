package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/fasthttp/websocket"
)

// output collects what a command writes to stderr (from any goroutine) and closes ready
// once a line containing marker has been written.
type output struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	ready  chan struct{}
}

func newOutput(marker string) *output { return &output{marker: marker, ready: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, _ := o.buf.Write(p)
	if o.marker != "" && strings.Contains(o.buf.String(), o.marker) {
		o.marker = ""
		close(o.ready)
	}
	return n, nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// url returns the first URL in the output that starts with prefix and contains part.
func (o *output) url(t *testing.T, prefix, part string) string {
	t.Helper()
	for _, u := range regexp.MustCompile(`(?:https?|ws)://\S+`).FindAllString(o.String(), -1) {
		if strings.HasPrefix(u, prefix) && strings.Contains(u, part) {
			return strings.TrimRight(u, "'")
		}
	}
	t.Fatalf("no %s URL with %q in:\n%s", prefix, part, o.String())
	return ""
}

// runCommand runs cmd until the test calls the returned stop, which waits for Run's result.
func runCommand(t *testing.T, run func(runtime) error, marker string) (*output, func() error) {
	t.Helper()
	out := newOutput(marker)
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() { result <- run(runtime{ctx: ctx, stdout: out, stderr: out}) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-result
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case <-out.ready:
	case err := <-result:
		stopped = true
		t.Fatalf("command ended before it was ready: %v\n%s", err, out.String())
	}
	return out, stop
}

// testToken is the customer token of these tests; it must never appear in the output.
const testToken = "Bearer secret-token-of-the-tests"

// request sends one request without keeping the connection.
func request(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Close = true
	req.Header.Set("Authorization", testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func testConfig() Config {
	return Config{Listen: "127.0.0.1:0", Upstream: UpstreamEmbedded, UpstreamVersion: "3.2",
		MetricsListen: "127.0.0.1:0", V30Answers: DefaultV30Answers, Limits: DefaultLimits(), Log: LogConfig{LogLevel: "debug", LogFormat: "text"}}
}

func TestServeWithTheEmbeddedSimulator(t *testing.T) {
	cmd := &ServeCmd{Config: testConfig()}
	out, stop := runCommand(t, cmd.Run, "Try: curl")
	web := out.url(t, "http://", "/v3.2/customer/action/start_chat?license_id=123")
	rtm := out.url(t, "ws://", "/v3.2/customer/rtm/ws?license_id=123")
	health := out.url(t, "http://", "/healthz")
	ready := out.url(t, "http://", "/readyz")
	out.url(t, "http://", "/sim/agent/")

	for _, u := range []string{health, ready} {
		if status, body := request(t, "GET", u, ""); status != 200 || body != "ok" {
			t.Errorf("GET %s = %d %q", u, status, body)
		}
	}
	if status, body := request(t, "POST", web, "{}"); status != 200 || !strings.Contains(body, `"chat_id"`) {
		t.Errorf("start_chat through the gateway = %d %s", status, body)
	}
	v30 := strings.Replace(web, "/v3.2/", "/v3.0/", 1)
	// A 3.0 client is translated: its answer is the whole 3.0 Chat, wrapped in payload.
	if status, body := request(t, "POST", v30, `{"payload":{}}`); status != 200 ||
		!strings.HasPrefix(body, `{"payload":{"chat":{"id":"`) || !strings.Contains(body, `"order":`) {
		t.Errorf("3.0 client = %d %s", status, body)
	}

	conn, _, err := websocket.DefaultDialer.Dial(rtm, http.Header{"Authorization": {testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	login := `{"request_id":"1","action":"login","payload":{"token":"` + testToken + `"}}`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(login)); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := conn.ReadMessage(); err != nil || !strings.Contains(string(msg), `"success":true`) {
		t.Fatalf("login answer %s, %v", msg, err)
	}
	closed := make(chan error, 1)
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				closed <- err
				return
			}
		}
	}()

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v\n%s", err, out.String())
	}
	if err := <-closed; !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("RTM client got %v on shutdown, want 1001", err)
	}
	if strings.Contains(out.String(), "secret-token") {
		t.Errorf("the output shows the token:\n%s", out.String())
	}
}

func TestServeFailsWhenItsPortIsTaken(t *testing.T) {
	first := &ServeCmd{Config: testConfig()}
	out, _ := runCommand(t, first.Run, "Try: curl")
	taken := strings.TrimPrefix(out.url(t, "http://", "/v3.2/customer/action/"), "http://")
	taken = taken[:strings.Index(taken, "/")]

	second := &ServeCmd{Config: testConfig()}
	second.Config.Listen = taken
	err := second.Run(runtime{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "listen:") {
		t.Fatalf("err = %v, want a listen error", err)
	}
}

func TestSimCommandServesEveryVersion(t *testing.T) {
	cmd := &SimCmd{Listen: "127.0.0.1:0", Log: LogConfig{LogLevel: "info", LogFormat: "json"}}
	out, stop := runCommand(t, cmd.Run, "Agent control")
	web := out.url(t, "http://", "/v3.2/customer/action/start_chat?license_id=123")
	for _, v := range []string{"/v3.0/", "/v3.1/", "/v3.2/"} {
		u := strings.Replace(web, "/v3.2/", v, 1)
		if status, body := request(t, "POST", u, "{}"); status != 200 {
			t.Errorf("POST %s = %d %s", u, status, body)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestVersionCommandPrintsTheVersion(t *testing.T) {
	var out bytes.Buffer
	if err := (VersionCmd{}).Run(runtime{ctx: context.Background(), stdout: &out, stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if out.String() != version+"\n" {
		t.Errorf("printed %q, want %q", out.String(), version+"\n")
	}
}

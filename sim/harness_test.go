package sim

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// testStart is the instant the test clock starts at.
var testStart = time.Date(2020, 5, 7, 7, 11, 28, 288340000, time.UTC)

// harness is a simulator on a loopback port with a deterministic clock.
type harness struct {
	t    *testing.T
	srv  *Server
	base string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = NewStepClock(testStart, 1500*time.Millisecond)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(opts)
	go func() { _ = s.Serve(ln) }()
	h := &harness{t: t, srv: s, base: "http://" + ln.Addr().String()}
	t.Cleanup(func() {
		if err := s.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return h
}

// webResp is an HTTP answer.
type webResp struct {
	status int
	body   string
}

// web calls POST /v<v>/customer/action/<action>?license_id=123 with a JSON body.
func (h *harness) web(v, action, token, body string) webResp {
	h.t.Helper()
	return h.do(http.MethodPost, "/v"+v+"/customer/action/"+action+"?license_id=123", token, "application/json", body)
}

func (h *harness) do(method, path, token, ctype, body string) webResp {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return webResp{res.StatusCode, string(b)}
}

// agent calls POST /sim/agent/<op>.
func (h *harness) agent(op, body string) webResp {
	h.t.Helper()
	return h.do(http.MethodPost, "/sim/agent/"+op, "", "application/json", body)
}

// rtmClient is a test RTM connection.
type rtmClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func (h *harness) dial(v string) *rtmClient {
	h.t.Helper()
	url := strings.Replace(h.base, "http", "ws", 1) + "/v" + v + "/customer/rtm/ws?license_id=123"
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = ws.Close() })
	return &rtmClient{t: h.t, ws: ws}
}

// send writes a request frame.
func (r *rtmClient) send(frame string) {
	r.t.Helper()
	if err := r.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		r.t.Fatal(err)
	}
}

// read returns the next frame, failing after 5 s.
func (r *rtmClient) read() string {
	r.t.Helper()
	_ = r.ws.SetReadDeadline(time.Now().Add(testReadTimeout))
	_, data, err := r.ws.ReadMessage()
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	return string(data)
}

// compact re-encodes JSON compactly for comparisons.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("invalid JSON %q: %v", s, err)
	}
	return b.String()
}

// update rewrites golden files instead of comparing: go test ./sim -run X -update.
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got (JSON, or a transcript of JSON lines) with testdata/<name>, after
// indenting each JSON document so the files are reviewable.
func golden(t *testing.T, name, got string) {
	t.Helper()
	pretty := prettyTranscript(t, got)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(pretty), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create it)", path, err)
	}
	if string(want) != pretty {
		t.Errorf("golden %s differs:\n--- want\n%s\n--- got\n%s", path, want, pretty)
	}
}

// prettyTranscript indents every line that is a JSON document and keeps other lines (such as
// "> request" markers) as they are.
func prettyTranscript(t *testing.T, s string) string {
	t.Helper()
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
			var b bytes.Buffer
			if err := json.Indent(&b, []byte(trimmed), "", "  "); err != nil {
				t.Fatalf("invalid JSON in transcript: %v\n%s", err, trimmed)
			}
			out.Write(b.Bytes())
		} else {
			out.WriteString(line)
		}
		out.WriteByte('\n')
	}
	return out.String()
}

// testReadTimeout bounds every wait for a frame. It only turns a hang into a failure, so it is
// generous: shared CI machines running the race detector can stall for seconds.
const testReadTimeout = 20 * time.Second

package proxy

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tidwall/gjson"
)

// TestSockJSWithTheRealSockJSClient runs the sockjs-client npm package under Node against
// lcgate: a 3.0 session through SockJS's websocket transport on a 3.2 upstream.
// scripts/test.sh installs the package and sets LCGATE_SOCKJS_NODE_MODULES; without it (no
// Node on the machine) the test is skipped, and scripts/test.sh says so.
func TestSockJSWithTheRealSockJSClient(t *testing.T) {
	modules := os.Getenv("LCGATE_SOCKJS_NODE_MODULES")
	if modules == "" {
		t.Skip("LCGATE_SOCKJS_NODE_MODULES is not set (scripts/test.sh sets it when Node is available)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("LCGATE_SOCKJS_NODE_MODULES is set but node is missing: %v", err)
	}
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	script, _ := filepath.Abs(filepath.Join("testdata", "sockjs", "client.js"))
	cmd := exec.Command(node, script, "http://"+gw.Addr+"/v3.0/customer/rtm/sjs?license_id=123", "node-token")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	var frames []gjson.Result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		frames = append(frames, gjson.Parse(sc.Text()))
	}
	if len(frames) < 5 {
		t.Fatalf("client saw too little:\n%s", out)
	}
	if frames[0].Get("event").String() != "open" || frames[0].Get("transport").String() != "websocket" {
		t.Errorf("first line %s, want the open event over the websocket transport", frames[0].Raw)
	}
	login := frames[1]
	if login.Get("action").String() != "login" || !login.Get("payload.customer_id").Exists() || !login.Get("payload.__priv_dynamic_config").Exists() {
		t.Errorf("login answer %s, want the 3.0 shape (customer_id, __priv_dynamic_config)", login.Raw)
	}
	start := frames[2]
	if start.Get("action").String() != "start_chat" || !start.Get("payload.chat.thread.events.0.timestamp").Exists() {
		t.Errorf("start_chat answer %s, want the whole 3.0 chat", start.Raw)
	}
	push := frames[3]
	if push.Get("action").String() != "incoming_chat_thread" || push.Get("request_id").String() != "2" {
		t.Errorf("push %s, want incoming_chat_thread for request 2", push.Raw)
	}
	if last := frames[len(frames)-1]; last.Get("event").String() != "close" {
		t.Errorf("last line %s, want the close event", last.Raw)
	}
}

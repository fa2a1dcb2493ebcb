package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/valyala/fasthttp"
	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind. The ignored functions
// are fasthttp's own background loops: the server clock, and the idle worker and
// connection cleaners, which end by themselves after their idle period.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*HostClient).connsCleaner"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*TCPDialer).tcpAddrsClean"),
	)
}

// parse runs lcload's parser on args, failing the test on errors.
func parse(t *testing.T, args ...string) *CLI {
	t.Helper()
	var cli CLI
	var out bytes.Buffer
	parser, err := newParser(&cli, &out, &out, kong.Exit(func(int) { t.Fatalf("exit: %s", out.String()) }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return &cli
}

// serve runs a fasthttp server with handler on a loopback port until the test ends, and
// returns its address.
func serve(t *testing.T, handler fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: handler, CloseOnShutdown: true}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	return ln.Addr().String()
}

// runArgs runs lcload with args and returns its exit status, stdout and stderr.
func runArgs(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestExitStatus(t *testing.T) {
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	_ = closed.Close()
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"--help"}, exitOK},
		{"unknown flag", []string{"web", "--nope"}, exitUsage},
		{"no command", nil, exitUsage},
		{"bad version", []string{"web", "--version", "2.0"}, exitUsage},
		{"bad rate", []string{"web", "--rate", "0"}, exitUsage},
		{"bad body", []string{"web", "--body", "{"}, exitUsage},
		{"bad url", []string{"web", "--url", "ftp://x"}, exitUsage},
		{"bad payload", []string{"rtm", "--payload", `{"a":{seq}}`}, exitUsage},
		{"bad sessions", []string{"rtm", "--sessions", "0"}, exitUsage},
		{"bad session life", []string{"rtm", "--session-life", "-1s"}, exitUsage},
		{"web cannot connect", []string{"web", "--url", "http://" + refused, "--duration", "100ms"}, exitFailed},
		{"rtm cannot connect", []string{"rtm", "--url", "ws://" + refused, "--sessions", "2", "--ramp", "0s", "--duration", "100ms"}, exitFailed},
		{"web completed", []string{"web", "--url", "http://" + addr, "--rate", "50", "--duration", "100ms", "--warmup", "0s"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, stdout, stderr := runArgs(tc.args...); code != tc.want {
				t.Errorf("exit status %d, want %d; stdout %q stderr %q", code, tc.want, stdout, stderr)
			}
		})
	}
}

// reportFields are the documented fields of the JSON report.
var reportFields = []string{"mode", "sent", "answered", "duration_s", "throughput", "p50_ms", "p90_ms",
	"p99_ms", "p999_ms", "max_ms", "errors", "late", "lost", "duplicated", "reordered", "push_lost",
	"push_duplicated", "push_reordered", "push_p99_ms", "sessions_open", "sessions_opened", "sessions_closed", "received"}

// checkJSONReport parses out as one JSON object and checks that it has the documented fields.
func checkJSONReport(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, out)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Errorf("more than one JSON value on stdout: %s", out)
	}
	for _, f := range reportFields {
		if _, ok := got[f]; !ok {
			t.Errorf("field %q missing from %s", f, out)
		}
	}
	if _, ok := got["errors"].(map[string]any); !ok {
		t.Errorf("errors is not an object: %s", out)
	}
	return got
}

func TestWebJSONReport(t *testing.T) {
	var n atomic.Int64
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {
		if n.Add(1) == 1 {
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		}
	})
	code, out, stderr := runArgs("web", "--url", "http://"+addr, "--rate", "100", "--duration", "200ms", "--warmup", "0s", "--json")
	if code != exitOK {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	got := checkJSONReport(t, out)
	if got["mode"] != modeWebOpen || got["sent"] != 20.0 || got["answered"] != 20.0 {
		t.Errorf("report %s", out)
	}
	if errs := got["errors"].(map[string]any); errs["status_503"] != 1.0 || len(errs) != 1 {
		t.Errorf("errors %v, want status_503: 1", errs)
	}
}

func TestRTMJSONReport(t *testing.T) {
	addr := rtmServer(t, 0, nil)
	code, out, stderr := runArgs("rtm", "--url", "ws://"+addr, "--sessions", "2", "--rate", "20", "--duration", "200ms", "--ramp", "0s", "--json")
	if code != exitOK {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	got := checkJSONReport(t, out)
	if got["mode"] != modeRTM || got["sent"] != 8.0 || got["answered"] != 8.0 || got["sessions_open"] != 2.0 || got["lost"] != 0.0 {
		t.Errorf("report %s", out)
	}
}

func TestHumanReport(t *testing.T) {
	addr := rtmServer(t, 1, nil)
	code, out, stderr := runArgs("rtm", "--url", "ws://"+addr, "--sessions", "2", "--rate", "20", "--duration", "200ms", "--ramp", "0s",
		"--action", "send_event", "--payload", `{"chat_id":"C1","event":{"type":"message","text":"{seq}"}}`, "--pushes-per-request", "1")
	if code != exitOK {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	for _, want := range []string{"latency", "p99.9", "sessions       2 open of 2", "answers        lost 0, duplicated 0, reordered 0",
		"pushes         8 received; lost 0, duplicated 0, reordered 0", "errors         none"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/versions"
	"github.com/valyala/fasthttp"
)

func TestUnknownPathsAre404ValidationErrors(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	tests := []struct{ path, message string }{
		{"/v2.0/customer/action/start_chat", `API version \"v2.0\" is not served`},
		{"/v3.9/customer/rtm/ws", `API version \"v3.9\" is not served`},
		{"/", `no endpoint at \"/\"`},
		{"/foo", `no endpoint at \"/foo\"`},
		{"/v3.2/customer/action/", `no endpoint at \"/v3.2/customer/action/\"`},
		{"/v3.2/customer/action/start_chat/extra", `no endpoint at`},
		{"/v3.2/customer/rtm/sjs", `no endpoint at`},
		{"/v3.2/agent/action/list_chats", `no endpoint at`},
		{"/sim/agent/send_event", `no endpoint at`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got := do(t, gw.Addr, "POST", tc.path+"?license_id=1", http.Header{}, "{}")
			if got.Status != 404 || !strings.HasPrefix(got.Body, `{"error":{"type":"validation","message":"lcgate: `) ||
				!strings.Contains(got.Body, tc.message) {
				t.Errorf("got %d %s, want 404 validation naming %s", got.Status, got.Body, tc.message)
			}
		})
	}
	up.noMoreRequests(t)
}

func TestDeadUpstreamIs502Internal(t *testing.T) {
	gw := startGateway(t, Options{Upstream: "http://" + deadAddress(t), UpstreamVersion: "3.2"})
	want := errorJSON(TypeInternal, "lcgate: upstream unreachable")
	t.Run("web", func(t *testing.T) {
		got := do(t, gw.Addr, "POST", "/v3.2/customer/action/start_chat?license_id=1", http.Header{}, "{}")
		if got.Status != 502 || got.Body != want {
			t.Errorf("got %d %s, want 502 %s", got.Status, got.Body, want)
		}
	})
	t.Run("rtm", func(t *testing.T) {
		_, resp, err := dialRTM(t, gw.Addr, "/v3.2/customer/rtm/ws?license_id=1", nil)
		if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil {
			t.Fatalf("dial: %v", err)
		}
		if got := readBody(t, resp); resp.StatusCode != 502 || got != want {
			t.Errorf("got %d %s, want 502 %s", resp.StatusCode, got, want)
		}
	})
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogsNeverContainCredentials(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const token = "Bearer dal:very-secret-token"
	header := http.Header{"Authorization": {token}, "Cookie": {"s=very-secret-cookie"}}

	dead := startGateway(t, Options{Upstream: "http://" + deadAddress(t), UpstreamVersion: "3.2", Logger: logger})
	do(t, dead.Addr, "POST", "/v3.2/customer/action/start_chat?license_id=1", header, "{}")
	_, _, _ = dialRTM(t, dead.Addr, "/v3.2/customer/rtm/ws?license_id=1", header)
	do(t, dead.Addr, "POST", "/v3.0/customer/action/start_chat?license_id=1", header, "{}")
	send(t, dead.Addr, rawRequest("", "POST /v3.2/customer/action/start_chat HTTP/1.1", "Host: x",
		"Authorization: "+token, "Content-Length: 1", "Content-Length: 2"))
	up := startUpstream(t, &fakeUpstream{rtm: echoUpstream})
	live := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", Logger: logger})
	c, _, err := dialRTM(t, live.Addr, "/v3.2/customer/rtm/ws?license_id=1", header)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	dead.stop(t)
	live.stop(t)

	// fasthttp's own "error when serving connection" line may come after Shutdown returns, so
	// it is not required here; when it is logged, the secret check below covers it too.
	for _, want := range []string{"upstream dial", "malformed request", "rtm session ended"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("the logs lack %q, so the test checks less than it claims:\n%s", want, logs.String())
		}
	}
	for _, secret := range []string{"very-secret-token", "very-secret-cookie"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs.String())
		}
	}
}

func TestReplyForMapsErrorsToStatusAndType(t *testing.T) {
	tests := []struct {
		desc   string
		err    error
		status int
		typ    string
	}{
		{"unknown path", &RouteError{Path: "/foo"}, 404, TypeValidation},
		{"unknown version", &RouteError{Path: "/v2.0/x", Version: "v2.0"}, 404, TypeValidation},
		{"unavailable call", &versions.APIError{Type: TypeValidation, Message: "lcgate: get_customer …"}, 400, TypeValidation},
		{"wrapped api error", fmt.Errorf("ctx: %w", &versions.APIError{Type: "authorization", Message: "lcgate: not yours"}), 403, "authorization"},
		{"bad request", &RequestError{Reason: "malformed request"}, 400, TypeValidation},
		{"body too large", &RequestError{Reason: "malformed request", Err: fasthttp.ErrBodyTooLarge}, 413, TypeEntityTooLarge},
		{"headers too large", &RequestError{Reason: "malformed request", Err: &fasthttp.ErrSmallBuffer{}}, 431, TypeValidation},
		{"refused", &UpstreamError{Op: "forward", Err: errors.New("connection refused")}, 502, TypeInternal},
		{"timeout", &UpstreamError{Op: "forward", Err: fasthttp.ErrTimeout}, 504, TypeRequestTimeout},
		{"dial timeout", &UpstreamError{Op: "dial", Err: context.DeadlineExceeded}, 504, TypeRequestTimeout},
		{"pool full", &UpstreamError{Op: "forward", Err: fasthttp.ErrNoFreeConns}, 503, TypeInternal},
		{"answer too large", &UpstreamError{Op: "forward", Err: fasthttp.ErrBodyTooLarge}, 502, TypeInternal},
		{"anything else", errors.New("boom"), 500, TypeInternal},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			got := ReplyFor(tc.err)
			if got.Status != tc.status || got.Type != tc.typ || !strings.HasPrefix(got.Message, "lcgate: ") {
				t.Errorf("ReplyFor(%v) = %+v, want %d %s", tc.err, got, tc.status, tc.typ)
			}
		})
	}
}

func TestUpstreamErrorsNeverShowTheirCause(t *testing.T) {
	err := &UpstreamError{Op: "dial", Err: errors.New("dial tcp 10.1.2.3:9000: connection refused")}
	if msg := ReplyFor(err).Message; strings.Contains(msg, "10.1.2.3") {
		t.Errorf("client message %q leaks the upstream address", msg)
	}
}

package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lcgate/lcgate/translate/jsontree"
)

// TestTranslatedWebBodyOverMaxJSONValuesIs413: a translated body with more JSON values than
// MaxJSONValues is refused with 413 entity_too_large in the API's format, naming the limit,
// before its tree grows past the cap; a body within it is served.
func TestTranslatedWebBodyOverMaxJSONValuesIs413(t *testing.T) {
	defer jsontree.SetMaxValues(0)
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2", MaxJSONValues: 1000})
	fields := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"f` + strconv.Itoa(i) + `":"v"`)
		}
		return `{"payload":{"name":"Ann","fields":{` + b.String() + `}}}`
	}
	h := http.Header{"Authorization": {"Bearer many-fields"}, "Content-Type": {"application/json"}}
	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/update_customer?license_id=123", h, fields(2000))
	want := errorJSON("entity_too_large", "lcgate: the body holds more than 1000 JSON values (--max-json-values)")
	if got.Status != 413 || got.Body != want {
		t.Errorf("2,000 fields: %d %s, want 413 %s", got.Status, got.Body, want)
	}
	if got := do(t, gw.Addr, "POST", "/v3.0/customer/action/update_customer?license_id=123", h, fields(10)); got.Status != 200 {
		t.Errorf("10 fields: %d %s, want 200", got.Status, got.Body)
	}
}

// startTrickle sends a request's headers declaring a body of declared bytes, then first
// bytes at once, then one byte per tick until the connection ends, and returns the
// connection (its answer is read by the caller).
func startTrickle(t *testing.T, addr string, declared, first int, tick time.Duration) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	t.Cleanup(func() { _ = conn.Close(); close(done); <-finished })
	head := "POST /v3.2/customer/action/send_event?license_id=1 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer t\r\n" +
		"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(declared) + "\r\n\r\n" + strings.Repeat(" ", first)
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(finished)
		ticker := time.NewTicker(tick)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	return conn
}

// readAnswer reads one HTTP answer from conn.
func readAnswer(t *testing.T, conn net.Conn) (int, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSlowBodiesAreCutEarlyAndHoldOnlyWhatArrived: bodies that trickle in, declaring 16 MB,
// are cut with 408 request_timeout once they fall under MinBodyRate after the grace (long
// before --read-timeout), whether they stall before the gateway's handler runs (fasthttp's
// 8 KiB pre-read) or after; while they trickle, the gateway holds only what arrived, and a
// normal request is served.
func TestSlowBodiesAreCutEarlyAndHoldOnlyWhatArrived(t *testing.T) {
	prev := bodyRateGrace
	bodyRateGrace = 300 * time.Millisecond
	defer func() { bodyRateGrace = prev }()
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MinBodyRate: 20_000, MaxBodyTotal: 4 << 20})
	var conns []net.Conn
	for i := range 20 {
		first := 0
		if i%2 == 1 {
			first = 12 << 10 // past the pre-read: the handler reads the rest
		}
		conns = append(conns, startTrickle(t, gw.Addr, 16_000_000, first, 20*time.Millisecond))
	}
	if got := do(t, gw.Addr, "GET", "/v3.2/customer/action/list_license_properties?license_id=1", http.Header{}, ""); got.Status != 200 {
		t.Errorf("a normal request during the trickles: %d %s", got.Status, got.Body)
	}
	if held := gw.bodies.held.Load(); held > 20*(64<<10) {
		t.Errorf("%d bytes held for 20 trickling bodies of under 13 KiB each", held)
	}
	start := time.Now()
	for i, c := range conns {
		status, body := readAnswer(t, c)
		if status != 408 || !strings.Contains(body, `"type":"request_timeout"`) {
			t.Errorf("trickle %d: %d %s, want 408 request_timeout", i, status, body)
		}
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("the trickles were cut after %s, want well under the 30 s read time-out", waited)
	}
	if held := gw.bodies.held.Load(); held != 0 {
		t.Errorf("%d bytes still held after every body ended", held)
	}
}

// TestBodiesOverTheTotalGet503: a body that would take the bytes held in request bodies past
// MaxBodyTotal gets 503 in the API's format; once the others are gone, bodies are served.
func TestBodiesOverTheTotalGet503(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MaxBodyTotal: 200 << 10})
	stalled := startTrickle(t, gw.Addr, 90<<10, 80<<10, time.Hour) // holds at least 80 KiB
	deadline := time.Now().Add(10 * time.Second)
	for gw.bodies.held.Load() < 80<<10 {
		if time.Now().After(deadline) {
			t.Fatalf("the stalled body holds %d bytes", gw.bodies.held.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	body := `{"pad":"` + strings.Repeat("x", 100<<10) + `"}`
	h := http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}}
	got := do(t, gw.Addr, "POST", "/v3.2/customer/action/send_event?license_id=1", h, body)
	if want := errorJSON("internal", "lcgate: too many request bytes in flight, retry later"); got.Status != 503 || got.Body != want {
		t.Errorf("a 100 KiB body beside the stalled one: %d %s, want 503 %s", got.Status, got.Body, want)
	}
	_ = stalled.Close()
	for gw.bodies.held.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the closed body still holds %d bytes", gw.bodies.held.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := do(t, gw.Addr, "POST", "/v3.2/customer/action/send_event?license_id=1", h, body); got.Status != 200 {
		t.Errorf("the same body alone: %d %s, want 200", got.Status, got.Body)
	}
}

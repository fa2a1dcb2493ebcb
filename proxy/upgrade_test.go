package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestRTMHandshakeKeepsFramesSentBeforeThe101: a client that sends its first frame in the
// same write as its handshake (RFC 6455 says it must wait for the 101) loses nothing: the
// bytes read ahead of the handshake reach the upstream first.
func TestRTMHandshakeKeepsFramesSentBeforeThe101(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: echoUpstream})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	conn, err := net.Dial("tcp", gw.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	handshake := "GET /v3.2/customer/rtm/ws?license_id=1 HTTP/1.1\r\nHost: lcgate\r\n" +
		"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	early := append([]byte(handshake), maskedText("early")...)
	if _, err := conn.Write(early); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake answered %s", resp.Status)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" { // RFC 6455 1.3
		t.Errorf("Sec-WebSocket-Accept %q", got)
	}
	if got := resp.Header.Get(UpstreamVersionHeader); got != "3.2" {
		t.Errorf("%s %q, want 3.2", UpstreamVersionHeader, got)
	}
	for _, want := range []string{"hello", "echo:early"} {
		if got := readServerText(t, br); got != want {
			t.Fatalf("frame %q, want %q", got, want)
		}
	}
}

// TestRTMBadHandshakeIsRefusedBeforeTheUpstreamIsDialled: a handshake the upgrader would
// refuse gets 400 in the API's format, and the upstream sees nothing.
func TestRTMBadHandshakeIsRefusedBeforeTheUpstreamIsDialled(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: echoUpstream})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	for name, header := range map[string]http.Header{
		"version 12":   {"Sec-Websocket-Version": {"12"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}},
		"short key":    {"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"c2hvcnQ="}},
		"no key":       {"Sec-Websocket-Version": {"13"}},
		"key not b64!": {"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZ!=="}},
	} {
		header.Set("Connection", "Upgrade")
		header.Set("Upgrade", "websocket")
		r := do(t, gw.Addr, http.MethodGet, "/v3.2/customer/rtm/ws?license_id=1", header, "")
		if r.Status != http.StatusBadRequest || r.Body != errorJSON("validation", "lcgate: bad WebSocket handshake") {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	up.noMoreRequests(t)
}

func TestHeaderHasToken(t *testing.T) {
	for _, c := range []struct {
		v, token string
		want     bool
	}{
		{"Upgrade", "upgrade", true},
		{"keep-alive, Upgrade", "upgrade", true},
		{"keep-alive,upgrade ", "upgrade", true},
		{"keep-alive", "upgrade", false},
		{"upgraded", "upgrade", false},
		{"", "upgrade", false},
		{"13", "13", true},
		{"8, 13", "13", true},
		{"130", "13", false},
	} {
		if got := headerHasToken([]byte(c.v), c.token); got != c.want {
			t.Errorf("headerHasToken(%q, %q) = %v", c.v, c.token, got)
		}
	}
}

// maskedText is a client's text frame carrying s (RFC 6455 5.2), masked as clients must.
func maskedText(s string) []byte {
	key := [4]byte{1, 2, 3, 4}
	f := []byte{0x81, 0x80 | byte(len(s)), key[0], key[1], key[2], key[3]}
	for i := 0; i < len(s); i++ {
		f = append(f, s[i]^key[i%4])
	}
	return f
}

// readServerText reads one short unmasked text frame from br and returns its payload.
func readServerText(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		t.Fatal(err)
	}
	if head[0] != 0x81 || head[1] > 125 {
		t.Fatalf("frame header % x: want a short unmasked text frame", head)
	}
	payload := make([]byte, head[1])
	if _, err := io.ReadFull(br, payload); err != nil {
		t.Fatal(err)
	}
	return string(payload)
}

package proxy

import (
	"strings"
	"testing"
	"time"
)

func TestCheckUpstreamURL(t *testing.T) {
	tests := []struct {
		raw string
		ok  bool
	}{
		{"http://127.0.0.1:9000", true},
		{"https://api.livechatinc.com", true},
		{"http://[::1]:9000/", true},
		{"ws://127.0.0.1:9000", false},
		{"127.0.0.1:9000", false},
		{"http://", false},
		{"http://user:pw@host", false},
		{"http://host/prefix", false},
		{"http://host?x=1", false},
		{"http://host#frag", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			if err := CheckUpstreamURL(tc.raw); (err == nil) != tc.ok {
				t.Errorf("CheckUpstreamURL(%q) = %v, want ok=%v", tc.raw, err, tc.ok)
			}
		})
	}
}

func TestParseUpstreamDerivesDialAddressAndWebSocketBase(t *testing.T) {
	tests := []struct{ raw, addr, ws string }{
		{"http://127.0.0.1:9000", "127.0.0.1:9000", "ws://127.0.0.1:9000"},
		{"https://api.example", "api.example:443", "wss://api.example"},
		{"http://api.example/", "api.example:80", "ws://api.example"},
	}
	for _, tc := range tests {
		up, err := parseUpstream(tc.raw)
		if err != nil || up.addr != tc.addr || up.wsBase != tc.ws {
			t.Errorf("parseUpstream(%q) = %+v, %v; want addr %s ws %s", tc.raw, up, err, tc.addr, tc.ws)
		}
	}
}

func TestNewReportsEveryOptionProblemAtOnce(t *testing.T) {
	_, err := New(Options{Upstream: "ftp://x", UpstreamVersion: "3.9", CloseGrace: -time.Second})
	if err == nil {
		t.Fatal("New accepted bad options")
	}
	for _, want := range []string{"Upstream:", "UpstreamVersion:", "negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestVersionsListsTheServedVersionsOldestFirst(t *testing.T) {
	v := Versions()
	if strings.Join(v, ",") != "3.0,3.1,3.2" {
		t.Fatalf("Versions() = %v", v)
	}
	v[0] = "x"
	if !IsVersion("3.0") || IsVersion("x") || IsVersion("3.3") {
		t.Error("Versions() shares its slice, or IsVersion is wrong")
	}
}

package proxy

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestAdminAnswersHealthAndReadiness(t *testing.T) {
	var ready atomic.Bool
	admin := NewAdmin(ready.Load, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- admin.Serve(ln) }()
	t.Cleanup(func() {
		if err := admin.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	get := func(path string) response {
		return do(t, ln.Addr().String(), "GET", path, http.Header{}, "")
	}

	if got := get("/healthz"); got.Status != 200 || got.Body != "ok" {
		t.Errorf("/healthz = %d %q", got.Status, got.Body)
	}
	if got := get("/readyz"); got.Status != 503 {
		t.Errorf("/readyz before ready = %d %q", got.Status, got.Body)
	}
	ready.Store(true)
	if got := get("/readyz"); got.Status != 200 || got.Body != "ok" {
		t.Errorf("/readyz = %d %q", got.Status, got.Body)
	}
	if got := get("/metrics"); got.Status != 404 {
		t.Errorf("/metrics = %d, want 404 until metrics exist", got.Status)
	}
}

// TestReadinessNeedsAReachableUpstream: /readyz's check fails while the upstream refuses
// connections, and holds when it accepts them.
func TestReadinessNeedsAReachableUpstream(t *testing.T) {
	// Serve marks a gateway ready when it starts, in its own goroutine: poll for it.
	serving := func(g *gateway) {
		deadline := time.Now().Add(5 * time.Second)
		for !g.Ready() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !g.Ready() {
			t.Fatal("the gateway never started serving")
		}
	}
	dead := startGateway(t, Options{Upstream: "http://" + deadAddress(t), UpstreamVersion: "3.2"})
	serving(dead)
	if dead.ReadyForTraffic() {
		t.Error("ready with an unreachable upstream")
	}
	live := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})
	serving(live)
	if !live.ReadyForTraffic() {
		t.Error("not ready with a reachable upstream")
	}
}

// TestProfilesAreServedOnlyWhenEnabled: /debug/pprof/ is 404 by default and Go's profile
// index once EnableProfiling was called.
func TestProfilesAreServedOnlyWhenEnabled(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		admin := NewAdmin(nil, nil)
		if enabled {
			admin.EnableProfiling()
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- admin.Serve(ln) }()
		got := do(t, ln.Addr().String(), "GET", "/debug/pprof/", http.Header{}, "")
		if want := map[bool]int{false: 404, true: 200}[enabled]; got.Status != want {
			t.Errorf("profiling %v: /debug/pprof/ = %d, want %d", enabled, got.Status, want)
		}
		if enabled && !strings.Contains(got.Body, "heap") {
			t.Errorf("/debug/pprof/ does not list the heap profile:\n%s", got.Body)
		}
		if err := admin.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-served; err != nil {
			t.Error(err)
		}
	}
}

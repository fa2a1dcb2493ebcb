package proxy

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
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

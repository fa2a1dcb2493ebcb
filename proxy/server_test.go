package proxy

import (
	"context"
	"net"
	"net/http"
	"testing"
)

func TestServerIsReadyOnlyWhileServing(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	// Serve may not have started yet; a request answered proves it has.
	do(t, gw.Addr, "GET", "/", http.Header{}, "")
	if !gw.Ready() {
		t.Error("not ready while serving")
	}
	gw.stop(t)
	if gw.Ready() {
		t.Error("ready after Shutdown")
	}
}

func TestServeAfterShutdownReturnsAtOnce(t *testing.T) {
	srv, err := New(Options{Upstream: "http://127.0.0.1:1", UpstreamVersion: "3.2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(ln); err != nil {
		t.Errorf("Serve after Shutdown = %v, want nil", err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("the listener is still open")
	}
}

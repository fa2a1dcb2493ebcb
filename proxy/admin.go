package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// adminReadTimeout bounds reading one request on the admin listener.
const adminReadTimeout = 10 * time.Second

// Admin serves the operator endpoints on their own listener: /healthz answers 200 "ok"
// while the process runs; /readyz answers 200 "ok" while ready reports true, else 503
// "not ready". It is safe for concurrent use.
type Admin struct {
	srv *http.Server
	mux *http.ServeMux
}

// NewAdmin returns an Admin whose /readyz asks ready (for example Server.Ready) and whose
// /metrics is served by metrics (for example metrics.Metrics.Handler). A nil ready means
// always ready; a nil metrics serves no /metrics.
func NewAdmin(ready func() bool, metrics http.Handler) *Admin {
	if ready == nil {
		ready = func() bool { return true }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready() {
			writeText(w, http.StatusServiceUnavailable, "not ready")
			return
		}
		writeText(w, http.StatusOK, "ok")
	})
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return &Admin{mux: mux, srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: adminReadTimeout,
		ReadTimeout:       adminReadTimeout,
	}}
}

// EnableProfiling serves Go's profiles under /debug/pprof/ (net/http/pprof): CPU
// (/debug/pprof/profile?seconds=N), heap and allocations, goroutines. Call it before Serve;
// the admin listener should then stay private.
func (a *Admin) EnableProfiling() {
	a.mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	a.mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	a.mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	a.mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	a.mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}

// Serve answers on ln until Shutdown is called; it then returns nil.
func (a *Admin) Serve(ln net.Listener) error {
	if err := a.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops Serve and waits for requests in flight, or for ctx to end.
func (a *Admin) Shutdown(ctx context.Context) error { return a.srv.Shutdown(ctx) }

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}

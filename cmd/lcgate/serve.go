package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/lcgate/lcgate/metrics"
	"github.com/lcgate/lcgate/proxy"
	"github.com/lcgate/lcgate/routing"
	"github.com/lcgate/lcgate/sim"
)

// ServeCmd runs the gateway.
type ServeCmd struct {
	Config      Config `embed:""`
	PrintConfig bool   `help:"Print the effective configuration (flags, variables, file and defaults merged) as YAML and exit."`
}

// Run starts the gateway, prints the URLs to try on stderr, and serves until SIGINT or
// SIGTERM (or until a server fails), then shuts down cleanly.
func (c *ServeCmd) Run(rt runtime) error {
	if c.PrintConfig {
		return printConfig(rt.stdout, c.Config)
	}
	st, err := startStack(c.Config, newLogger(c.Config.Log, rt.stderr))
	if err != nil {
		return err
	}
	printServeURLs(rt.stderr, st)
	if c.Config.Routes != "" {
		st.reloadOnHangup(rt.ctx)
	}
	return st.wait(rt.ctx)
}

// stack is a running gateway: the embedded simulator (when the upstream is "embedded"),
// the proxy and the operator endpoints, each on its own listener.
type stack struct {
	cfg      Config
	log      *slog.Logger
	upstream string         // the upstream URL the proxy uses
	routes   *routing.Table // the routing table at start, when --routes is set
	sim      *sim.Server
	gateway  *proxy.Server
	admin    *proxy.Admin
	simLn    net.Listener // nil unless embedded
	gwLn     net.Listener
	adminLn  net.Listener
	served   chan error // one result per running Serve
	running  int
	// stopMemory ends returnMemory (memreturn.go), which runs as one of the served.
	stopMemory chan struct{}
}

// startStack binds every listener first, so a busy port fails before anything runs, then
// starts the servers. cfg must be valid.
func startStack(cfg Config, log *slog.Logger) (*stack, error) {
	st := &stack{cfg: cfg, log: log, upstream: cfg.Upstream, served: make(chan error, 4)}
	if err := st.listen(); err != nil {
		st.closeListeners()
		return nil, err
	}
	if st.simLn != nil {
		st.sim = sim.New(sim.Options{Logger: log.With("component", "sim")})
		st.upstream = "http://" + st.simLn.Addr().String()
	}
	var upstreamCA []byte
	if cfg.UpstreamCA != "" {
		upstreamCA, _ = os.ReadFile(cfg.UpstreamCA) // Validate read it already
	}
	if cfg.UpstreamInsecureSkipVerify {
		log.Warn("upstream certificates are NOT verified (--upstream-insecure-skip-verify): for local testing only")
	}
	var routes *routing.Table
	if cfg.Routes != "" {
		var err error
		if routes, err = readRoutes(cfg.Routes, st.upstream); err != nil {
			st.closeListeners()
			return nil, err
		}
	}
	st.routes = routes
	memLimit, memFrom := applyMemoryLimit(cfg.MemoryLimit)
	log.Info("memory limit", "bytes", memLimit, "from", memFrom)
	m := metrics.New(nil)
	m.WatchMemoryLimit(currentMemoryLimit)
	gw, err := proxy.New(proxy.Options{
		Metrics:                    m,
		Routes:                     routes,
		Upstream:                   st.upstream,
		UpstreamVersion:            cfg.UpstreamVersion,
		BareV30Answers:             cfg.V30Answers == "bare",
		UpstreamCA:                 upstreamCA,
		UpstreamInsecureSkipVerify: cfg.UpstreamInsecureSkipVerify,
		UpstreamTimeout:            cfg.Limits.UpstreamTimeout,
		HandshakeTimeout:           cfg.Limits.HandshakeTimeout,
		WriteTimeout:               cfg.Limits.WriteTimeout,
		CloseGrace:                 cfg.Limits.CloseGrace,
		MaxBodySize:                cfg.Limits.MaxBodySize,
		MaxMessageSize:             cfg.Limits.MaxMessageSize,
		MaxUpstreamConns:           cfg.Limits.MaxUpstreamConns,
		MaxSessions:                cfg.Limits.MaxSessions,
		MaxPendingPerSession:       cfg.Limits.MaxPending,
		MaxHeldBytes:               cfg.Limits.MaxHeldBytes,
		MaxJSONValues:              cfg.Limits.MaxJSONValues,
		MaxBodyTotal:               cfg.Limits.MaxBodyTotal,
		MinBodyRate:                cfg.Limits.MinBodyRate,
		MaxHeaderSize:              cfg.Limits.MaxHeaderSize,
		ReadTimeout:                cfg.Limits.ReadTimeout,
		ClientWriteTimeout:         cfg.Limits.ClientWriteTimeout,
		IdleTimeout:                cfg.Limits.IdleTimeout,
		RTMIdleTimeout:             cfg.Limits.RTMIdleTimeout,
		Logger:                     log.With("component", "proxy"),
	})
	if err != nil {
		st.closeListeners()
		return nil, err
	}
	st.gateway, st.admin = gw, proxy.NewAdmin(gw.ReadyForTraffic, m.Handler())
	if cfg.Pprof {
		st.admin.EnableProfiling()
	}
	if st.sim != nil {
		st.start(func() error { return st.sim.Serve(st.simLn) })
	}
	st.start(func() error { return st.gateway.Serve(st.gwLn) })
	st.stopMemory = make(chan struct{})
	st.start(func() error { returnMemory(st.stopMemory); return nil })
	st.start(func() error { return st.admin.Serve(st.adminLn) })
	if routes != nil {
		log.Info("lcgate started", "version", version, "listen", st.gwLn.Addr().String(),
			"routes", cfg.Routes, "upstreams", len(routes.Upstreams()), slog.Any("versions", routes.Versions()))
	} else {
		log.Info("lcgate started", "version", version, "listen", st.gwLn.Addr().String(),
			"upstream", st.upstream, "upstream_version", cfg.UpstreamVersion)
	}
	return st, nil
}

func (st *stack) listen() error {
	var err error
	if st.usesEmbedded() {
		if st.simLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("embedded simulator: %w", err)
		}
	}
	if st.gwLn, err = net.Listen("tcp", st.cfg.Listen); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if st.adminLn, err = net.Listen("tcp", st.cfg.MetricsListen); err != nil {
		return fmt.Errorf("metrics-listen: %w", err)
	}
	return nil
}

func (st *stack) closeListeners() {
	for _, ln := range []net.Listener{st.simLn, st.gwLn, st.adminLn} {
		if ln != nil {
			_ = ln.Close()
		}
	}
}

func (st *stack) start(serve func() error) {
	st.running++
	go func() { st.served <- serve() }()
}

// wait serves until ctx ends or a server stops by itself, then shuts everything down and
// waits for every Serve to return.
func (st *stack) wait(ctx context.Context) error {
	var failed error
	select {
	case <-ctx.Done():
	case failed = <-st.served:
		st.running--
		failed = stoppedUnexpectedly("a server", failed)
	}
	st.log.Info("shutting down")
	err := errors.Join(failed, st.shutdown())
	for ; st.running > 0; st.running-- {
		err = errors.Join(err, <-st.served)
	}
	st.log.Info("stopped")
	return err
}

// shutdown stops the gateway first (its RTM sessions get 1001), then the operator
// endpoints, then the embedded simulator.
func (st *stack) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), st.cfg.Limits.DrainTimeout)
	defer cancel()
	close(st.stopMemory)
	err := errors.Join(st.gateway.Shutdown(ctx), st.admin.Shutdown(ctx))
	if st.sim != nil {
		err = errors.Join(err, st.sim.Shutdown())
		_ = st.simLn.Close() // ends a Serve that had not started when Shutdown ran
	}
	return err
}

// stoppedUnexpectedly explains a Serve that returned before shutdown, with or without err.
func stoppedUnexpectedly(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%s stopped unexpectedly", what)
	}
	return fmt.Errorf("%s stopped: %w", what, err)
}

// usesEmbedded reports whether the gateway needs the in-process simulator: as its upstream,
// or named by the --routes file.
func (st *stack) usesEmbedded() bool {
	if st.cfg.Routes != "" {
		return routesUseEmbedded(st.cfg.Routes)
	}
	return st.cfg.Upstream == UpstreamEmbedded
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/lcgate/lcgate/proxy"
	"github.com/lcgate/lcgate/routing"
	"sigs.k8s.io/yaml"
)

// The --routes file holds the routing table (package routing): several upstreams with their
// versions, the default one, a canary with its share of customers, URLs per region. The
// gateway reads it at start and again on SIGHUP. A url of "embedded" is the in-process
// simulator, which speaks every version.
//
//	upstreams:
//	  - name: stable
//	    url: https://api.livechatinc.com
//	    version: "3.1"
//	    regions: {fra: https://api-fra.livechatinc.com}
//	  - name: next
//	    url: https://api.livechatinc.com
//	    version: "3.2"
//	default: stable
//	canary: next
//	canary_percent: 10

// readRoutes reads and checks a --routes file; embedded replaces the url "embedded" (""
// when there is no embedded simulator: the url is then only checked by name).
func readRoutes(path, embedded string) (*routing.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxConfigSize)
	}
	var c routing.Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range c.Upstreams {
		u := &c.Upstreams[i]
		u.URL = embeddedURL(u.URL, embedded)
		for r, url := range u.Regions {
			u.Regions[r] = embeddedURL(url, embedded)
		}
	}
	t, err := routing.New(c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, url := range t.URLs() {
		if url == UpstreamEmbedded {
			continue // checked once the simulator has its address
		}
		if err := proxy.CheckUpstreamURL(url); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return t, nil
}

func embeddedURL(url, embedded string) string {
	if url == UpstreamEmbedded && embedded != "" {
		return embedded
	}
	return url
}

// routesUseEmbedded reports whether a --routes file names the embedded simulator.
func routesUseEmbedded(path string) bool {
	t, err := readRoutes(path, "")
	if err != nil {
		return false
	}
	for _, url := range t.URLs() {
		if url == UpstreamEmbedded {
			return true
		}
	}
	return false
}

// reloadOnHangup reads the --routes file again on each SIGHUP until ctx ends, and gives the
// gateway the new table; a file with a problem is reported and the running table kept. Live
// RTM sessions keep their upstream.
func (st *stack) reloadOnHangup(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				st.reloadRoutes()
			}
		}
	}()
}

// reloadRoutes applies the --routes file once.
func (st *stack) reloadRoutes() {
	t, err := readRoutes(st.cfg.Routes, st.upstream)
	if err == nil {
		err = st.gateway.Reload(t)
	}
	if err != nil {
		st.log.Error("routes not reloaded; the running table stays", "file", st.cfg.Routes, "error", err)
		return
	}
	st.log.Info("routes reloaded", "file", st.cfg.Routes, "upstreams", len(t.Upstreams()), slog.Any("versions", t.Versions()))
}

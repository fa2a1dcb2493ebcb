package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/url"
)

// upstream is a parsed Options.Upstream.
type upstream struct {
	hostname string // host name, for SNI and certificate checks
	addr     string // host:port to dial
	host     string // Host header value, as written in the URL
	tls      bool   // https / wss
	wsBase   string // "ws://host:port" or "wss://host:port"
}

// CheckUpstreamURL reports whether raw can be Options.Upstream: an absolute http or https
// URL with a host, and no user info, path (other than "/"), query or fragment. It is pure.
func CheckUpstreamURL(raw string) error {
	_, err := parseUpstream(raw)
	return err
}

func parseUpstream(raw string) (upstream, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return upstream{}, fmt.Errorf("not a URL: %w", err)
	}
	var tls bool
	switch u.Scheme {
	case "http":
	case "https":
		tls = true
	default:
		return upstream{}, fmt.Errorf("%q must start with http:// or https://", raw)
	}
	switch {
	case u.Hostname() == "":
		return upstream{}, fmt.Errorf("%q has no host", raw)
	case u.User != nil:
		return upstream{}, errors.New("user info is not allowed in the upstream URL")
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return upstream{}, fmt.Errorf("%q must have no path, query or fragment", raw)
	}
	port, wsScheme := u.Port(), "ws://"
	if tls {
		wsScheme = "wss://"
	}
	if port == "" {
		port = "80"
		if tls {
			port = "443"
		}
	}
	return upstream{
		hostname: u.Hostname(),
		addr:     net.JoinHostPort(u.Hostname(), port),
		host:     u.Host,
		tls:      tls,
		wsBase:   wsScheme + u.Host,
	}, nil
}

// scheme is the upstream's URL scheme for Web calls.
func (u upstream) scheme() string {
	if u.tls {
		return "https"
	}
	return "http"
}

package main

import (
	"fmt"
	"io"
	"net"

	"github.com/lcgate/lcgate/routing"
)

// demoLicense is the licence id in the printed URLs; the simulator accepts any positive id.
const demoLicense = "123"

// printServeURLs tells a newcomer what to call on a running gateway.
func printServeURLs(w io.Writer, st *stack) {
	gw := "http://" + displayAddr(st.gwLn.Addr())
	ws := "ws://" + displayAddr(st.gwLn.Addr())
	admin := "http://" + displayAddr(st.adminLn.Addr())
	v := "/v" + st.cfg.UpstreamVersion
	if st.routes != nil {
		v = "/v" + st.routes.Default().Version
		fmt.Fprintf(w, "lcgate %s: gateway on %s, routes from %s\n", version, gw, st.cfg.Routes)
		for _, u := range st.routes.Upstreams() {
			fmt.Fprintf(w, "  upstream %-10s %s speaking %s%s\n", u.Name, u.URL, u.Version, routeRole(st.routes, u.Name))
		}
		fmt.Fprintln(w)
	} else {
		upstream := st.upstream
		if st.sim != nil {
			upstream = "embedded simulator at " + st.upstream
		}
		fmt.Fprintf(w, "lcgate %s: gateway on %s, upstream %s speaking %s\n\n", version, gw, upstream, st.cfg.UpstreamVersion)
	}
	fmt.Fprintf(w, "  Web API        %s%s/customer/action/start_chat?license_id=%s\n", gw, v, demoLicense)
	fmt.Fprintf(w, "  RTM API        %s%s/customer/rtm/ws?license_id=%s\n", ws, v, demoLicense)
	if st.sim != nil {
		fmt.Fprintf(w, "  Agent control  http://%s/sim/agent/  (e.g. POST …/sim/agent/send_event)\n", displayAddr(st.simLn.Addr()))
	}
	fmt.Fprintf(w, "  Health         %s/healthz  %s/readyz\n", admin, admin)
	fmt.Fprintf(w, "  Metrics        %s/metrics\n\n", admin)
	fmt.Fprintf(w, "Try: curl -X POST '%s%s/customer/action/start_chat?license_id=%s' "+
		"-H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' -d '{}'\n", gw, v, demoLicense)
	if v != "/v3.0" { // older clients are translated: show one
		fmt.Fprintf(w, "     and as a 3.0 client: curl -X POST '%s/v3.0/customer/action/start_chat?license_id=%s' "+
			"-H 'Authorization: Bearer demo-token' -d '{\"payload\":{}}'\n", gw, demoLicense)
	} else { // a newer client on a 3.0 upstream is translated too
		fmt.Fprintf(w, "     and as a 3.2 client: curl -X POST '%s/v3.2/customer/action/list_chats?license_id=%s' "+
			"-H 'Authorization: Bearer demo-token' -d '{}'\n", gw, demoLicense)
	}
	fmt.Fprintln(w)
}

// printSimURLs tells a newcomer what to call on a simulator running alone.
func printSimURLs(w io.Writer, addr net.Addr) {
	base := displayAddr(addr)
	fmt.Fprintf(w, "lcgate %s: simulator on http://%s (versions 3.0, 3.1, 3.2)\n\n", version, base)
	fmt.Fprintf(w, "  Web API        http://%s/v3.2/customer/action/start_chat?license_id=%s\n", base, demoLicense)
	fmt.Fprintf(w, "  RTM API        ws://%s/v3.2/customer/rtm/ws?license_id=%s\n", base, demoLicense)
	fmt.Fprintf(w, "  Agent control  http://%s/sim/agent/  (e.g. POST …/sim/agent/send_event)\n\n", base)
}

// displayAddr is addr as a client would dial it: an unspecified host (all interfaces)
// becomes the loopback address.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// routeRole says what an upstream is in the routing table: the default, or the canary and
// its share.
func routeRole(t *routing.Table, name string) string {
	switch {
	case t.Default().Name == name:
		return " (default)"
	case t.CanaryName() == name:
		return fmt.Sprintf(" (canary, %g %% of customers)", t.CanaryPercent())
	}
	return ""
}

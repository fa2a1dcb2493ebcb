package proxy

import (
	"bytes"
)

// routeKind tells which API a request path addresses.
type routeKind int

const (
	routeWeb        routeKind = iota + 1 // POST/GET /v3.X/customer/action/<action>
	routeRTM                             // GET /v3.X/customer/rtm/ws (WebSocket upgrade)
	routeSockJSInfo                      // GET/OPTIONS /v3.X/customer/rtm/sjs/info
	routeSockJS                          // GET /v3.X/customer/rtm/sjs/<server>/<session>/websocket
)

// route is a parsed client path.
type route struct {
	kind    routeKind
	version string // one of apiVersions, e.g. "3.2"
	action  string // Web routes: the action named by the path
}

const (
	webInfix = "/customer/action/"
	rtmInfix = "/customer/rtm/ws"
	sjsInfix = "/customer/rtm/sjs/"
	// maxPathInMessage caps how much of a client path an error message repeats.
	maxPathInMessage = 128
)

// parseRoute reads a normalised request path (fasthttp's RequestCtx.Path). A path it
// accepts is canonical: it can be sent upstream unchanged. It keeps no reference to path.
func parseRoute(path []byte) (route, error) {
	segment, rest := splitVersion(path)
	version, ok := lookupVersion(segment)
	if !ok {
		if looksLikeVersion(segment) {
			return route{}, &RouteError{Path: clip(path), Version: string(segment)}
		}
		return route{}, &RouteError{Path: clip(path)}
	}
	switch {
	case bytes.Equal(rest, []byte(rtmInfix)):
		return route{kind: routeRTM, version: version}, nil
	case bytes.HasPrefix(rest, []byte(webInfix)) && isActionName(rest[len(webInfix):]):
		return route{kind: routeWeb, version: version, action: string(rest[len(webInfix):])}, nil
	case bytes.HasPrefix(rest, []byte(sjsInfix)):
		if kind, ok := sockJSRoute(rest[len(sjsInfix):]); ok {
			return route{kind: kind, version: version}, nil
		}
	}
	return route{}, &RouteError{Path: clip(path)}
}

// splitVersion splits "/v3.2/customer/..." into "v3.2" and "/customer/...".
func splitVersion(path []byte) (segment, rest []byte) {
	if len(path) == 0 || path[0] != '/' {
		return nil, path
	}
	end := bytes.IndexByte(path[1:], '/')
	if end < 0 {
		return path[1:], nil
	}
	return path[1 : 1+end], path[1+end:]
}

// lookupVersion maps a segment such as "v3.2" to the served version "3.2".
func lookupVersion(segment []byte) (string, bool) {
	if len(segment) < 2 || segment[0] != 'v' {
		return "", false
	}
	for _, v := range apiVersions {
		if string(segment[1:]) == v {
			return v, true
		}
	}
	return "", false
}

// looksLikeVersion reports whether segment has the shape of a version prefix ("v2.0", "v3").
func looksLikeVersion(segment []byte) bool {
	if len(segment) < 2 || segment[0] != 'v' || !isDigit(segment[1]) {
		return false
	}
	for _, c := range segment[1:] {
		if !isDigit(c) && c != '.' {
			return false
		}
	}
	return true
}

// isActionName accepts what the Customer Chat API uses as action names: [A-Za-z0-9_]+.
func isActionName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) && c != '_' && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// clip copies at most maxPathInMessage bytes of path into a string.
func clip(path []byte) string {
	if len(path) > maxPathInMessage {
		return string(path[:maxPathInMessage]) + "…"
	}
	return string(path)
}

// sockJSRoute reads the SockJS part of a path: "info", or "<server>/<session>/websocket"
// (server and session ids are non-empty and hold no dot, as SockJS requires).
func sockJSRoute(rest []byte) (routeKind, bool) {
	if string(rest) == "info" {
		return routeSockJSInfo, true
	}
	parts := bytes.Split(rest, []byte{'/'})
	if len(parts) != 3 || string(parts[2]) != "websocket" {
		return 0, false
	}
	for _, p := range parts[:2] {
		if len(p) == 0 || bytes.IndexByte(p, '.') >= 0 {
			return 0, false
		}
	}
	return routeSockJS, true
}

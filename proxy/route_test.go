package proxy

import (
	"errors"
	"testing"
)

func TestParseRouteAcceptsOnlyCanonicalCustomerPaths(t *testing.T) {
	tests := []struct {
		path    string
		kind    routeKind
		version string
		badVer  string // RouteError.Version when rejected for its version
	}{
		{path: "/v3.0/customer/action/start_chat", kind: routeWeb, version: "3.0"},
		{path: "/v3.1/customer/action/send_event", kind: routeWeb, version: "3.1"},
		{path: "/v3.2/customer/action/list_license_properties", kind: routeWeb, version: "3.2"},
		{path: "/v3.2/customer/rtm/ws", kind: routeRTM, version: "3.2"},
		{path: "/v2.0/customer/action/start_chat", badVer: "v2.0"},
		{path: "/v3.9/customer/rtm/ws", badVer: "v3.9"},
		{path: "/v3", badVer: "v3"},
		{path: "/v3.2"},
		{path: "/v3.2/customer/action/"},
		{path: "/v3.2/customer/action/start-chat"},
		{path: "/v3.2/customer/action/a/b"},
		{path: "/v3.2/customer/rtm/ws/"},
		{path: "/v3.2/customer/rtm/sjs/1/abc/websocket", kind: routeSockJS, version: "3.2"},
		{path: "/v3.0/customer/rtm/sjs/info", kind: routeSockJSInfo, version: "3.0"},
		{path: "/v3.2/customer/rtm/sjs/1/a.b/websocket"},
		{path: "/v3.2/customer/rtm/sjs/1/abc/xhr_streaming"},
		{path: "/v3.2/customer/rtm/sjs//abc/websocket"},
		{path: "/version/customer/rtm/ws"},
		{path: "/"},
		{path: ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rt, err := parseRoute([]byte(tc.path))
			if tc.kind != 0 {
				if err != nil || rt.kind != tc.kind || rt.version != tc.version {
					t.Fatalf("parseRoute = %+v, %v; want kind %d version %s", rt, err, tc.kind, tc.version)
				}
				return
			}
			var re *RouteError
			if !errors.As(err, &re) || re.Version != tc.badVer || re.Path != tc.path {
				t.Fatalf("parseRoute error = %#v, want RouteError{Path: %q, Version: %q}", err, tc.path, tc.badVer)
			}
		})
	}
}

func TestRouteErrorsQuoteAtMost128BytesOfThePath(t *testing.T) {
	long := "/" + string(make([]byte, 500))
	_, err := parseRoute([]byte(long))
	var re *RouteError
	if !errors.As(err, &re) || len(re.Path) > maxPathInMessage+len("…") {
		t.Fatalf("path kept in error: %d bytes", len(re.Path))
	}
}

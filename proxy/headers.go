package proxy

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

// UpstreamVersionHeader names, on every answer to a Customer Chat API path (Web answers,
// errors and the RTM/SockJS handshake), the API version of the upstream behind lcgate.
const UpstreamVersionHeader = "Lcgate-Upstream-Version"

// hopHeaders are the hop-by-hop fields of RFC 9110 §7.6.1, plus the legacy ones every
// proxy drops (Keep-Alive, Proxy-Connection, Proxy-Authenticate, Proxy-Authorization).
// They describe one connection and never cross the gateway.
var hopHeaders = []string{
	"Connection",
	"Proxy-Connection",
	"Keep-Alive",
	"Proxy-Authenticate",
	"Proxy-Authorization",
	"Te",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
}

// headerFields is what stripHopByHop needs of fasthttp's RequestHeader and ResponseHeader.
type headerFields interface {
	PeekAll(key string) [][]byte
	Del(key string)
}

// stripHopByHop deletes the hop-by-hop fields of h, and every field named in its
// Connection header.
func stripHopByHop(h headerFields) {
	for _, name := range connectionTokens(h.PeekAll("Connection")) {
		h.Del(name)
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

// connectionTokens copies the comma-separated field names of Connection header values.
// It copies because deleting fields may reuse the buffers the values live in.
func connectionTokens(values [][]byte) []string {
	var names []string
	for _, v := range values {
		for _, token := range bytes.Split(v, []byte{','}) {
			if token = bytes.TrimSpace(token); len(token) > 0 {
				names = append(names, string(token))
			}
		}
	}
	return names
}

// framingConflict reports a request that carried both Content-Length and Transfer-Encoding
// (a request smuggling shape, RFC 9112 §6.3); fasthttp would read it as chunked. lcgate
// refuses it with 400 and closes the connection. It reads the headers as received: once a
// chunked body is read fasthttp knows its length, so the parsed headers cannot tell.
func framingConflict(h *fasthttp.RequestHeader) bool {
	var cl, te bool
	for raw := h.RawHeaders(); len(raw) > 0 && !(cl && te); {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		name = bytes.TrimSpace(name)
		cl = cl || bytes.EqualFold(name, headerContentLength)
		te = te || bytes.EqualFold(name, headerTransferEncoding)
	}
	return cl && te
}

var (
	headerContentLength    = []byte("Content-Length")
	headerTransferEncoding = []byte("Transfer-Encoding")
)

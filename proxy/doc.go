// Package proxy owns every byte lcgate moves over the network: the fasthttp server that
// clients call, the routing of Customer Chat API paths, the Web API forwarder, the RTM
// (WebSocket) relay with one goroutine per direction, the upstream clients and the health
// endpoints.
//
// It knows the shape of URLs and of WebSocket frames, never the names of fields inside a
// payload: anything that rewrites a document belongs to the translate package.
//
// Today the gateway passes traffic through when the client's version (the /v3.X/ prefix
// of the URL) equals the upstream's version, and answers every other pairing with a
// validation error in the client's format.
package proxy

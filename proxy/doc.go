// Package proxy owns every byte lcgate moves over the network: the fasthttp server that
// clients call, the routing of Customer Chat API paths, the Web API forwarder, the RTM
// (WebSocket) relay with one goroutine per direction, the upstream clients and the health
// endpoints.
//
// It knows the shape of URLs and of WebSocket frames, never the names of fields inside a
// payload: anything that rewrites a document belongs to the translate package.
//
// When the client's version (the /v3.X/ prefix of the URL) equals the upstream's, traffic
// passes through as it is; otherwise every Web call, RTM frame, push and error is carried
// between the two versions by translate.
//
// A translated RTM session serves its client's requests in order through the translator's
// queue (translate.RTM); when the queue is full the client's relay stops reading, so a flood
// slows its sender down instead of growing memory (Options.MaxPendingPerSession,
// Options.MaxHeldBytes). The frames ready for a client at once go out in one write
// (batch_conn.go). A failed write to a leg ends the session, whoever writes.
//
// An RTM session costs two goroutines, one per leg, and little else while idle: the client
// leg's 101 is written by lcgate on the connection fasthttp hands over (upgrade.go), so the
// session holds none of fasthttp's buffers, and each relay waits with a small stack frame,
// so the runtime can shrink an idle leg's stack to 4 KiB.
package proxy

// Package routing chooses, per client session, which upstream Customer Chat API serves it.
//
// A Config names the upstreams (each speaking API version 3.0, 3.1 or 3.2, optionally with
// per-region base URLs), the default upstream and an optional canary that receives a share of
// the customers. New validates a Config into an immutable Table; Table.Choose routes a Key
// (built from the request with KeyFrom) deterministically and stickily: the same license and
// customer always land on the same upstream, in every process and after every restart, and
// raising the canary percentage only ever moves customers from the default to the canary.
// Router holds the current Table and swaps it atomically on reload.
//
// The package is pure logic: it does no I/O and knows nothing of the proxy.
package routing

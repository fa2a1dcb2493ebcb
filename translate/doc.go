// Package translate is lcgate's translation engine: it walks the chain of version steps in
// package versions to serve a client of one Customer Chat API version on an upstream of
// another. Messages are parsed once into a jsontree.Doc, rewritten in place by every step they
// cross, and written once. It does no I/O of its own: the upstream is reached through a
// versions.Caller supplied by the proxy. Over RTM, RTM translates one session: its requests
// in the order sent, through one queue (rtm_queue.go), with expansions' calls on the session's
// connection and the stored objects they answer with taken from the upstream's own pushes
// (rtm_push.go).
package translate

package translate

import (
	"bytes"

	"github.com/lcgate/lcgate/versions"
)

// errBadUpstreamFrame answers a request whose upstream answer could not be read.
var errBadUpstreamFrame = &versions.APIError{Type: "internal", Message: "lcgate: the upstream's answer is not valid"}

// answerMalformed is what the client gets for an upstream frame that is not an RTM frame
// (truncated or otherwise invalid JSON). When the frame still shows the gateway's request id
// of a pending request and that request's action, and does not say it is a push, it was that
// request's answer: the request is answered with an internal error at once (an expansion's
// call fails with it), as a Web call is answered 502. Any other such frame is dropped.
func (r *RTM) answerMalformed(msg []byte) [][]byte {
	rid, _ := scanString(msg, "request_id")
	action, _ := scanString(msg, "action")
	if typ, _ := scanString(msg, "type"); typ == "push" || rid == "" {
		return nil
	}
	r.mu.Lock()
	p := r.pending[rid]
	matches := p != nil && p.upstreamAction == action
	r.mu.Unlock()
	if !matches {
		return nil
	}
	if p = r.answered(rid); p == nil { // answered meanwhile (an expansion's call timed out)
		return nil
	}
	if p.reply != nil {
		p.reply <- rtmReply{err: errBadUpstreamFrame}
		return nil
	}
	Release(p.req)
	return append([][]byte{r.errorFrame(Frame{RequestID: p.clientRID, HasRID: p.hasRID, Action: p.clientAction}, errBadUpstreamFrame)}, p.trailing...)
}

// scanString finds the first member "key": "value" in msg whose value is a string without
// escapes, however broken the rest of msg is. A key inside a string value is written with
// escaped quotes, so it does not match.
func scanString(msg []byte, key string) (string, bool) {
	pat := []byte(`"` + key + `"`)
	for i := bytes.Index(msg, pat); i >= 0; {
		rest := skipSpaces(msg[i+len(pat):])
		if len(rest) > 0 && rest[0] == ':' {
			rest = skipSpaces(rest[1:])
			if len(rest) > 0 && rest[0] == '"' {
				if end := bytes.IndexAny(rest[1:], `"\`); end >= 0 && rest[1+end] == '"' {
					return string(rest[1 : 1+end]), true
				}
			}
		}
		next := bytes.Index(msg[i+1:], pat)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return "", false
}

func skipSpaces(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

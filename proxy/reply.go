package proxy

import (
	"encoding/json"

	"github.com/valyala/fasthttp"
)

// errorDocument is the Customer Chat API error body, identical in 3.0, 3.1 and 3.2 and
// never wrapped in "payload": {"error": {"type": …, "message": …}}.
type errorDocument struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// writeReply replaces whatever the response holds with the error reply r.
func writeReply(ctx *fasthttp.RequestCtx, r Reply) {
	ctx.Response.Reset()
	ctx.SetStatusCode(r.Status)
	ctx.SetContentType("application/json")
	ctx.SetBody(errorBody(r))
}

// errorBody renders r as a Customer Chat API error document.
func errorBody(r Reply) []byte {
	body, err := json.Marshal(errorDocument{Error: errorObject{Type: r.Type, Message: r.Message}})
	if err != nil { // cannot happen: two strings, and Marshal replaces invalid UTF-8
		return []byte(`{"error":{"type":"internal","message":"lcgate: internal error"}}`)
	}
	return body
}

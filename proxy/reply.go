package proxy

import (
	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
	"github.com/valyala/fasthttp"
)

// writeReply replaces whatever the response holds with the error reply r.
func writeReply(ctx *fasthttp.RequestCtx, r Reply) {
	ctx.Response.Reset()
	ctx.SetStatusCode(r.Status)
	ctx.SetContentType("application/json")
	ctx.SetBody(errorBody(r))
}

// errorBody renders r as a Customer Chat API error document, the same in every version:
// {"error": {"type": …, "message": …, "data"?: …}}, never wrapped in "payload".
func errorBody(r Reply) []byte {
	return translate.ErrorBody(&versions.APIError{Type: r.Type, Message: r.Message, Data: r.Data})
}

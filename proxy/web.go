package proxy

import (
	"github.com/valyala/fasthttp"
)

// serveWeb forwards a Web API request to the upstream and copies the answer back: same
// method, path, query string, body and end-to-end headers; hop-by-hop headers are dropped
// both ways. The upstream's answer is written into ctx.Response directly, so nothing
// outlives the handler.
func (s *Server) serveWeb(ctx *fasthttp.RequestCtx, t *requestTimer, tg target) error {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	buildUpstreamRequest(ctx, req, tg.b.up)
	if err := s.upstreamCall(t, func() error { return tg.b.web.Do(req, &ctx.Response) }); err != nil {
		return &UpstreamError{Op: "forward", Err: err}
	}
	stripHopByHop(&ctx.Response.Header)
	return nil
}

// buildUpstreamRequest fills req from the client's request. The body is shared, not
// copied: req must be released before the handler returns.
func buildUpstreamRequest(ctx *fasthttp.RequestCtx, req *fasthttp.Request, up upstream) {
	ctx.Request.Header.CopyTo(&req.Header)
	stripHopByHop(&req.Header)
	// The gateway has already read the whole body: an Expect: 100-continue is answered.
	req.Header.Del(fasthttp.HeaderExpect)
	uri := req.URI()
	uri.SetScheme(up.scheme())
	uri.SetPathBytes(ctx.Path()) // canonical: parseRoute accepted it
	uri.SetQueryStringBytes(ctx.URI().QueryString())
	req.SetHost(up.host)
	req.SetBodyRaw(ctx.Request.Body())
}

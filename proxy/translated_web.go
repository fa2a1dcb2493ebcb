package proxy

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"strings"

	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
	"github.com/valyala/bytebufferpool"
	"github.com/valyala/fasthttp"
)

// serveTranslatedWeb serves a Web call of a client on an upstream of another version: read the
// client's payload (or multipart form), let the engine walk the version chain, write the
// answer in the client's framing.
func (s *Server) serveTranslatedWeb(ctx *fasthttp.RequestCtx, rt route, t *requestTimer, tg target) error {
	client, _ := versions.Parse(rt.version)
	upstream, _ := versions.Parse(tg.version)
	req := translate.Request{Client: client, Upstream: upstream, Action: rt.action}
	switch m, ok := versions.Lookup(client, rt.action); {
	case !ok:
		return &versions.APIError{Status: fasthttp.StatusNotFound, Type: TypeValidation,
			Message: "lcgate: unknown action \"" + rt.action + "\" in version " + rt.version}
	case !m.Web:
		return &versions.APIError{Status: fasthttp.StatusNotFound, Type: TypeValidation,
			Message: "lcgate: " + rt.action + " is an RTM method in version " + rt.version}
	case !ctx.IsPost() && !ctx.IsGet():
		// Web methods are called with POST (3.2's property listings with GET); a GET with a
		// body is read tolerantly, as before. The upstream call is always a POST, so any
		// other method is refused rather than silently turned into one.
		return &versions.APIError{Status: fasthttp.StatusMethodNotAllowed, Type: TypeValidation,
			Message: "lcgate: method " + string(ctx.Method()) + " is not allowed for " + rt.action}
	}
	if err := readClientPayload(ctx, client, s.opts.MaxBodySize, &req); err != nil {
		return err
	}
	defer translate.Release(req.Payload)
	raw := &webCaller{s: s, b: tg.b, client: ctx, version: upstream, timer: t}
	resp, err := s.engine.Call(context.Background(), req, raw)
	if err != nil {
		return err
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	buf := bytebufferpool.Get()
	wrap := versions.WrapsWebPayload(client) && !s.opts.BareV30Answers
	buf.B = translate.WebBodyFramed(buf.B[:0], wrap, resp)
	ctx.SetBody(buf.B) // copies
	bytebufferpool.Put(buf)
	translate.Release(resp)
	return nil
}

// readClientPayload fills req from the body: a multipart form (files and values, the 3.0
// "payload." prefix removed) or a JSON payload (3.0's envelope unwrapped when present).
func readClientPayload(ctx *fasthttp.RequestCtx, client versions.Version, maxBodySize int, req *translate.Request) error {
	if isMultipart(ctx.Request.Header.ContentType()) {
		form, err := ctx.MultipartForm()
		if err != nil {
			return &versions.APIError{Status: fasthttp.StatusBadRequest, Type: TypeValidation,
				Message: "lcgate: malformed multipart/form-data body"}
		}
		prefix := versions.MultipartPrefix(client)
		req.Form = map[string]string{}
		for k, vals := range form.Value {
			if len(vals) > 0 {
				req.Form[strings.TrimPrefix(k, prefix)] = vals[0]
			}
		}
		for field, fhs := range form.File {
			for _, fh := range fhs {
				f, err := fh.Open()
				if err != nil {
					return &versions.APIError{Status: fasthttp.StatusBadRequest, Type: TypeValidation,
						Message: "lcgate: unreadable file part"}
				}
				data, err := io.ReadAll(f)
				_ = f.Close()
				if err != nil {
					return &versions.APIError{Status: fasthttp.StatusBadRequest, Type: TypeValidation,
						Message: "lcgate: unreadable file part"}
				}
				req.Files = append(req.Files, versions.File{Field: field, Name: fh.Filename,
					ContentType: fh.Header.Get("Content-Type"), Data: data})
			}
		}
		req.Payload = jsontree.Acquire()
		return nil
	}
	// A compressed body (Content-Encoding gzip, deflate, br, zstd) is read decompressed,
	// within the body limit: the upstream call carries a new, plain body.
	body, err := ctx.Request.BodyUncompressedWithLimit(maxBodySize)
	if err != nil {
		return &versions.APIError{Status: fasthttp.StatusBadRequest, Type: TypeValidation,
			Message: "lcgate: the body's Content-Encoding cannot be decoded"}
	}
	d, err := translate.ParsePayload(body, versions.WrapsWebPayload(client))
	if err != nil {
		return err
	}
	if err := translate.CheckDuplicateKeys(d); err != nil {
		translate.Release(d)
		return err
	}
	req.Payload = d
	return nil
}

// webCaller is the versions.Caller that reaches the upstream's Web API for one client
// request: it sends the client's query string and end-to-end headers with each call.
type webCaller struct {
	s       *Server
	b       *backend
	client  *fasthttp.RequestCtx
	version versions.Version
	timer   *requestTimer
}

// Call implements versions.Caller.
func (c *webCaller) Call(_ context.Context, action string, payload *versions.Doc) (*versions.Doc, error) {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	c.prepare(req, action)
	req.Header.SetContentType("application/json")
	req.SetBodyRaw(translate.WebBody(nil, c.version, payload)) // the same framing as answers
	return c.do(req)
}

// Upload implements versions.Caller: upload_file with the version's multipart field name.
func (c *webCaller) Upload(_ context.Context, f versions.File) (*versions.Doc, error) {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	c.prepare(req, versions.UploadAction)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreatePart(filePartHeader(versions.UploadFileField(c.version), f))
	if err == nil {
		_, err = part.Write(f.Data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, err
	}
	req.Header.SetContentType(mw.FormDataContentType())
	req.SetBodyRaw(buf.Bytes())
	return c.do(req)
}

// prepare sets the method, URL and forwarded headers of a call to action.
func (c *webCaller) prepare(req *fasthttp.Request, action string) {
	c.client.Request.Header.CopyTo(&req.Header)
	stripHopByHop(&req.Header)
	req.Header.Del(fasthttp.HeaderExpect)
	req.Header.Del(fasthttp.HeaderContentLength)
	req.Header.Del(fasthttp.HeaderAcceptEncoding) // the answer must be readable here
	req.Header.Del(fasthttp.HeaderContentEncoding)
	// X-API-Version may name the client's version; the URL names the upstream's (spec §1.1).
	req.Header.Del(headerAPIVersion)
	req.Header.SetMethod(fasthttp.MethodPost)
	uri := req.URI()
	uri.SetScheme(c.b.up.scheme())
	uri.SetPath("/v" + c.version.String() + "/customer/action/" + action)
	uri.SetQueryStringBytes(c.client.URI().QueryString())
	req.SetHost(c.b.up.host)
}

// do sends req and reads the answer: a payload document, or the upstream's error.
func (c *webCaller) do(req *fasthttp.Request) (*versions.Doc, error) {
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	if err := c.s.upstreamCall(c.timer, func() error { return c.b.web.Do(req, resp) }); err != nil {
		return nil, &UpstreamError{Op: "call", Err: err}
	}
	body := resp.Body()
	if resp.StatusCode() != fasthttp.StatusOK {
		if e, ok := translate.ParseError(resp.StatusCode(), body); ok {
			return nil, e
		}
		return nil, &UpstreamError{Op: "answer", Err: errBadAnswer}
	}
	d, err := translate.ParsePayload(body, versions.WrapsWebPayload(c.version))
	if err != nil {
		return nil, &UpstreamError{Op: "answer", Err: errBadAnswer}
	}
	return d, nil
}

// filePartHeader is the MIME header of a multipart file part.
func filePartHeader(field string, f versions.File) map[string][]string {
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	return map[string][]string{
		"Content-Disposition": {`form-data; name="` + escapeQuotes(field) + `"; filename="` + escapeQuotes(f.Name) + `"`},
		"Content-Type":        {ct},
	}
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// isMultipart reports whether a Content-Type is multipart/form-data (media types are
// case-insensitive).
func isMultipart(ct []byte) bool {
	const mt = "multipart/form-data"
	return len(ct) >= len(mt) && bytes.EqualFold(ct[:len(mt)], []byte(mt))
}

// headerAPIVersion is the optional header that can name the API version instead of the URL.
const headerAPIVersion = "X-API-Version"

package sim

import (
	"bytes"
	"io"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// Handler serves one HTTP request: the Web API (/v3.X/customer/action/<action>), RTM upgrades
// (/v3.X/customer/rtm/ws) and the agent control API (/sim/agent/<op>).
func (s *Server) Handler(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	if strings.HasPrefix(path, "/sim/agent/") {
		s.serveAgent(ctx, strings.TrimPrefix(path, "/sim/agent/"))
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	v, ok := version(0), false
	if len(parts) > 0 {
		v, ok = parseVersion(parts[0])
	}
	switch {
	case !ok || len(parts) < 3 || parts[1] != "customer":
		e := validationf("Unknown path %s", path)
		e.status = fasthttp.StatusNotFound
		writeWebError(ctx, v32, e)
	case len(parts) == 4 && parts[2] == "action":
		s.serveWeb(ctx, v, parts[3])
	case len(parts) == 4 && parts[2] == "rtm" && parts[3] == "ws":
		s.serveRTM(ctx, v)
	default:
		e := validationf("Unknown path %s", path)
		e.status = fasthttp.StatusNotFound
		writeWebError(ctx, v, e)
	}
}

// serveWeb answers one Web API call.
func (s *Server) serveWeb(ctx *fasthttp.RequestCtx, v version, action string) {
	license, err := s.checkLicense(ctx.QueryArgs().Peek("license_id"))
	if err != nil {
		writeWebError(ctx, v, err)
		return
	}
	m, ok := lookupMethod(v, action)
	if !ok || !m.web {
		e := validationf("Unknown action %q in version %s", action, v)
		e.status = fasthttp.StatusNotFound
		writeWebError(ctx, v, e)
		return
	}
	// The two 3.2 GET listings also accept POST (tolerant reading).
	if !ctx.IsPost() && !(m.get && ctx.IsGet()) {
		e := validationf("Method %s not allowed for %s", ctx.Method(), action)
		e.status = fasthttp.StatusMethodNotAllowed
		writeWebError(ctx, v, e)
		return
	}
	c := &call{st: s.st, srv: s, v: v, license: license}
	if !m.noAuth {
		token, ok := bearerToken(string(ctx.Request.Header.Peek("Authorization")))
		if !ok {
			writeWebError(ctx, v, errorf("authentication", "Authentication error"))
			return
		}
		if err := s.checkRegion(token); err != nil {
			writeWebError(ctx, v, err)
			return
		}
		s.st.mu.Lock()
		c.cust = s.st.customerFor(token)
		s.st.mu.Unlock()
	}
	if err := readWebBody(ctx, v, m, c); err != nil {
		writeWebError(ctx, v, err)
		return
	}
	res, err := s.invoke(c, m, nil)
	if err != nil {
		writeWebError(ctx, v, err)
		return
	}
	writeWebResult(ctx, v, res)
}

// readWebBody fills the call's params (JSON body, 3.0 envelope unwrapped), multipart form, or
// query parameters (GET listings).
func readWebBody(ctx *fasthttp.RequestCtx, v version, m method, c *call) *apiError {
	if m.get {
		c.query = map[string]string{}
		for k, val := range ctx.QueryArgs().All() {
			c.query[string(k)] = string(val)
		}
		// SDK2 sends these parameters as a JSON body on GET: read them from there too.
		if body := bytes.TrimSpace(ctx.Request.Body()); len(body) > 0 && gjson.ValidBytes(body) {
			gjson.ParseBytes(body).ForEach(func(k, val gjson.Result) bool {
				if _, has := c.query[k.Str]; !has {
					c.query[k.Str] = val.String()
				}
				return true
			})
		}
		c.p, _ = parsePayload(nil)
		return nil
	}
	if bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("multipart/form-data")) {
		form, err := readMultipart(ctx)
		if err != nil {
			return err
		}
		c.form = form
		c.p, _ = parsePayload(nil)
		return nil
	}
	body := bytes.TrimSpace(ctx.Request.Body())
	// 3.0 wraps the parameters in {"payload": …}; the bare form is accepted too, in every version.
	if doc := gjson.ParseBytes(body); len(body) > 0 && gjson.ValidBytes(body) && doc.IsObject() {
		if inner := doc.Get("payload"); inner.Exists() && len(doc.Map()) == 1 {
			body = []byte(inner.Raw)
		}
	}
	p, err := parsePayload(body)
	if err != nil {
		return err
	}
	c.p = p
	return nil
}

// readMultipart reads a multipart/form-data body: its values and its one file.
func readMultipart(ctx *fasthttp.RequestCtx) (*uploadForm, *apiError) {
	mf, err := ctx.MultipartForm()
	if err != nil {
		return nil, validationf("Malformed multipart/form-data body")
	}
	form := &uploadForm{values: map[string]string{}}
	for k, vals := range mf.Value {
		if len(vals) > 0 {
			form.values[k] = vals[0]
		}
	}
	for _, name := range []string{"file", "payload.file"} {
		fhs := mf.File[name]
		if len(fhs) == 0 {
			continue
		}
		fh := fhs[0]
		f := &uploadedFile{name: fh.Filename, contentType: fh.Header.Get("Content-Type"), size: int(fh.Size)}
		if f.contentType == "" {
			f.contentType = "application/octet-stream"
		}
		if fh.Size <= MaxUploadSize {
			rd, err := fh.Open()
			if err != nil {
				return nil, errorf("internal", "Cannot read upload")
			}
			f.data, _ = io.ReadAll(rd)
			_ = rd.Close()
		}
		form.file, form.fileField = f, name
		break
	}
	return form, nil
}

// writeWebResult writes a success: the bare payload, wrapped in {"payload": …} for 3.0.
func writeWebResult(ctx *fasthttp.RequestCtx, v version, res *obj) {
	if res == nil {
		res = newObj()
	}
	var body any = res
	if v == v30 {
		body = newObj().set("payload", res)
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	ctx.SetBody(mustMarshal(body))
}

// writeWebError writes an error object with its HTTP status; errors are never wrapped.
func writeWebError(ctx *fasthttp.RequestCtx, _ version, err *apiError) {
	ctx.SetStatusCode(err.httpStatus())
	ctx.SetContentType("application/json")
	ctx.SetBody(mustMarshal(err.body()))
}

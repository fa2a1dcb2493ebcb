package proxy

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"testing"

	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
	"github.com/valyala/fasthttp"
)

// FuzzSockJSFrames: any client message either is refused or yields frames that lcgate's own
// SockJS array carries back unchanged.
func FuzzSockJSFrames(f *testing.F) {
	f.Add([]byte(`["{\"action\":\"login\",\"payload\":{}}"]`))
	f.Add([]byte(`"{\"action\":\"ping\"}"`))
	f.Add([]byte(`["a","b\u0000c","\ud800"]`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		frames, ok := sockJSFrames(msg)
		if !ok {
			return
		}
		out := sockJSArray(frames)
		var back []string
		if !bytes.HasPrefix(out, []byte("a[")) || json.Unmarshal(out[1:], &back) != nil || len(back) != len(frames) {
			t.Fatalf("%q framed as %q", msg, out)
		}
		for i := range back {
			if want := string(bytes.ToValidUTF8(frames[i], []byte("\uFFFD"))); back[i] != want {
				t.Fatalf("frame %d: %q came back as %q", i, frames[i], back[i])
			}
		}
	})
}

// FuzzClientPayload: the Web body reader of translated calls (3.0 envelope, JSON, multipart
// with any boundary and parts) never panics; what it accepts is a JSON object payload.
func FuzzClientPayload(f *testing.F) {
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("payload.chat_id", "C1")
	fw, _ := mw.CreateFormFile("payload.file", "a.txt")
	_, _ = fw.Write([]byte("hello"))
	_ = mw.Close()
	f.Add(form.Bytes(), mw.FormDataContentType(), true)
	f.Add([]byte(`{"payload":{"chat_id":"C1"}}`), "application/json", true)
	f.Add([]byte(`{"chat_id":"C1"}`), "application/json", false)
	f.Add([]byte(`null`), "", true)
	f.Fuzz(func(t *testing.T, body []byte, contentType string, v30 bool) {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(fasthttp.MethodPost)
		ctx.Request.Header.SetContentType(contentType)
		ctx.Request.SetBody(body)
		client := versions.V31
		if v30 {
			client = versions.V30
		}
		var req translate.Request
		if err := readClientPayload(&ctx, client, DefaultMaxBodySize, &req); err != nil {
			return
		}
		if req.Payload == nil || !req.Payload.IsObject(req.Payload.Root()) || !json.Valid(req.Payload.JSON()) {
			t.Fatalf("accepted %q (%s) as a payload that is not a JSON object", body, contentType)
		}
	})
}

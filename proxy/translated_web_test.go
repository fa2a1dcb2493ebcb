package proxy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lcgate/lcgate/versions"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// The translated Web path: a 3.0 or 3.1 client on a 3.2 upstream. The fake upstream shows
// exactly what reaches the upstream; the simulator shows that real answers come back.

// upstreamAnswer is how the fake upstream answers one action.
type upstreamAnswer struct {
	status int // 0 means 200
	body   string
}

// startActionUpstream starts a fake upstream that answers each Web call by its action (the
// last segment of the path) from answers; an action it does not list gets 200 {}.
//
// It returns once the upstream has answered a warm-up request (which it consumes): a test
// that never reaches the upstream could otherwise end before startUpstream's Serve has
// begun, and a Serve that begins after Shutdown serves for ever, so the cleanup would hang.
func startActionUpstream(t *testing.T, answers map[string]upstreamAnswer) *fakeUpstream {
	t.Helper()
	f := startUpstream(t, &fakeUpstream{web: func(ctx *fasthttp.RequestCtx) {
		a, ok := answers[path.Base(string(ctx.Path()))]
		if !ok {
			a = upstreamAnswer{body: "{}"}
		}
		if a.status == 0 {
			a.status = fasthttp.StatusOK
		}
		ctx.SetStatusCode(a.status)
		ctx.SetContentType("application/json")
		ctx.SetBodyString(a.body)
	}})
	send(t, strings.TrimPrefix(f.URL, "http://"), rawRequest("", "GET /warm-up HTTP/1.1", "Host: upstream", "Connection: close"))
	f.nextRequest(t)
	return f
}

// allRequests returns every request the upstream has recorded and not yet handed out. The
// gateway has answered by the time a test calls it, so every call it made is recorded.
func (f *fakeUpstream) allRequests() []seenRequest {
	var out []seenRequest
	for {
		select {
		case r := <-f.requests:
			out = append(out, r)
		default:
			return out
		}
	}
}

// actionURI is the request URI of a 3.2 Web call of action with the tests' query string.
func actionURI(action string) string {
	return "/v3.2/customer/action/" + action + "?license_id=123"
}

// compact re-encodes a JSON document without insignificant space, keeping member order.
func compact(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return "not JSON: " + s
	}
	return b.String()
}

// clientRequest builds the raw bytes of a client's Web call to the gateway. A body is sent
// with Content-Length unless it is chunked (then it must already be chunk-encoded) or
// noLength is set.
type clientRequest struct {
	method, version, action string
	headers                 []string
	body                    string
	chunked, noLength       bool
}

func (r clientRequest) raw() []byte {
	method := r.method
	if method == "" {
		method = "POST"
	}
	lines := []string{
		method + " /v" + r.version + "/customer/action/" + r.action + "?license_id=123 HTTP/1.1",
		"Host: lcgate.test",
		"Authorization: Bearer dal:test-token",
		"Content-Type: application/json",
		"Connection: close",
	}
	lines = append(lines, r.headers...)
	switch {
	case r.chunked:
		lines = append(lines, "Transfer-Encoding: chunked")
	case !r.noLength:
		lines = append(lines, "Content-Length: "+strconv.Itoa(len(r.body)))
	}
	return rawRequest(r.body, lines...)
}

// chunk encodes body as two chunks and the last chunk.
func chunk(body string) string {
	half := len(body) / 2
	return fmt.Sprintf("%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", half, body[:half], len(body)-half, body[half:])
}

func TestTranslatedWebSendsTheUpstreamActionWithABarePayload(t *testing.T) {
	closeBody := `{"chat_id":"CH1"}`
	tests := []struct {
		desc       string
		req        clientRequest
		wantAction string
		wantBody   string
	}{
		{"3.0 envelope is unwrapped",
			clientRequest{version: "3.0", action: "close_thread", body: `{"payload":{"chat_id":"CH1"}}`},
			"deactivate_chat", closeBody},
		{"3.0 body without the envelope",
			clientRequest{version: "3.0", action: "close_thread", body: closeBody},
			"deactivate_chat", closeBody},
		{"3.0 envelope surrounded by white space",
			clientRequest{version: "3.0", action: "close_thread", body: " \n{ \"payload\" : {\"chat_id\" : \"CH1\"} }\r\n"},
			"deactivate_chat", closeBody},
		{"3.1 bare body",
			clientRequest{version: "3.1", action: "close_thread", body: closeBody},
			"deactivate_chat", closeBody},
		{"3.0 body null",
			clientRequest{version: "3.0", action: "get_predicted_agent", body: `null`},
			"get_predicted_agent", `{}`},
		{"3.1 body null",
			clientRequest{version: "3.1", action: "get_predicted_agent", body: `null`},
			"get_predicted_agent", `{}`},
		{"3.0 envelope holding null",
			clientRequest{version: "3.0", action: "get_predicted_agent", body: `{"payload":null}`},
			"get_predicted_agent", `{}`},
		{"3.0 empty body",
			clientRequest{version: "3.0", action: "get_predicted_agent"},
			"get_predicted_agent", `{}`},
		{"3.1 empty body without Content-Length",
			clientRequest{version: "3.1", action: "get_predicted_agent", noLength: true},
			"get_predicted_agent", `{}`},
		{"3.0 chunked body",
			clientRequest{version: "3.0", action: "close_thread", body: chunk(`{"payload":{"chat_id":"CH1"}}`), chunked: true},
			"deactivate_chat", closeBody},
		{"3.1 chunked body",
			clientRequest{version: "3.1", action: "close_thread", body: chunk(closeBody), chunked: true},
			"deactivate_chat", closeBody},
		{"3.0 GET with a JSON body",
			clientRequest{method: "GET", version: "3.0", action: "close_thread", body: `{"payload":{"chat_id":"CH1"}}`},
			"deactivate_chat", closeBody},
		{"3.1 GET with a JSON body",
			clientRequest{method: "GET", version: "3.1", action: "close_thread", body: closeBody},
			"deactivate_chat", closeBody},
		{"3.1 get_groups_status: groups renamed group_ids",
			clientRequest{version: "3.1", action: "get_groups_status", body: `{"groups":[0,2,7]}`},
			"list_group_statuses", `{"group_ids":[0,2,7]}`},
		{"3.0 get_groups_status: groups renamed group_ids",
			clientRequest{version: "3.0", action: "get_groups_status", body: `{"payload":{"groups":[1]}}`},
			"list_group_statuses", `{"group_ids":[1]}`},
		{"3.1 get_groups_status: all kept",
			clientRequest{version: "3.1", action: "get_groups_status", body: `{"all":true}`},
			"list_group_statuses", `{"all":true}`},
		{"3.1 set_customer_fields: an array in the client's key order",
			clientRequest{version: "3.1", action: "set_customer_fields", body: `{"fields":{"zeta":"1","alpha":"2","mid":"3"}}`},
			"set_customer_session_fields", `{"session_fields":[{"zeta":"1"},{"alpha":"2"},{"mid":"3"}]}`},
		{"3.0 set_customer_fields: an array in the client's key order",
			clientRequest{version: "3.0", action: "set_customer_fields", body: `{"payload":{"fields":{"b":"x","a":"y"}}}`},
			"set_customer_session_fields", `{"session_fields":[{"b":"x"},{"a":"y"}]}`},
		{"3.1 update_chat_thread_properties renamed",
			clientRequest{version: "3.1", action: "update_chat_thread_properties",
				body: `{"chat_id":"CH1","thread_id":"TH1","properties":{"rating":{"score":5}}}`},
			"update_thread_properties", `{"chat_id":"CH1","thread_id":"TH1","properties":{"rating":{"score":5}}}`},
		{"3.0 delete_chat_thread_properties renamed",
			clientRequest{version: "3.0", action: "delete_chat_thread_properties",
				body: `{"payload":{"chat_id":"CH1","thread_id":"TH1","properties":{"rating":["score"]}}}`},
			"delete_thread_properties", `{"chat_id":"CH1","thread_id":"TH1","properties":{"rating":["score"]}}`},
		{"3.0 get_url_details renamed",
			clientRequest{version: "3.0", action: "get_url_details", body: `{"payload":{"url":"https://example.com"}}`},
			"get_url_info", `{"url":"https://example.com"}`},
		{"3.1 send_sneak_peek unchanged",
			clientRequest{version: "3.1", action: "send_sneak_peek", body: `{"chat_id":"CH1","sneak_peek_text":"typ"}`},
			"send_sneak_peek", `{"chat_id":"CH1","sneak_peek_text":"typ"}`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			up := startActionUpstream(t, nil)
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

			got := send(t, gw.Addr, tc.req.raw())

			if got.Status != 200 {
				t.Fatalf("client got %d %s, want 200", got.Status, got.Body)
			}
			seen := up.nextRequest(t)
			up.noMoreRequests(t)
			if seen.Method != "POST" || seen.RequestURI != actionURI(tc.wantAction) {
				t.Errorf("upstream saw %s %s, want POST %s", seen.Method, seen.RequestURI, actionURI(tc.wantAction))
			}
			if seen.Body != tc.wantBody {
				t.Errorf("upstream saw body %s, want %s", seen.Body, tc.wantBody)
			}
			if ct := seen.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("upstream saw Content-Type %q, want application/json", ct)
			}
			if te, ok := seen.Header["Transfer-Encoding"]; ok {
				t.Errorf("upstream saw Transfer-Encoding %q", te)
			}
		})
	}
}

// chatAnswer32 is a 3.2 get_chat answer for chat CH1 with thread TH1.
const chatAnswer32 = `{"id":"CH1","thread":{"id":"TH1","created_at":"2020-05-07T07:11:28.288340Z","active":true,` +
	`"user_ids":["c1"],"events":[{"id":"TH1_1","created_at":"2020-05-07T07:11:29.788340Z","type":"message",` +
	`"author_id":"c1","recipients":"all","text":"Hello"}],"properties":{},"access":{"group_ids":[0]}},` +
	`"users":[{"id":"c1","type":"customer","present":true}],"properties":{},"access":{"group_ids":[0]}}`

func TestTranslatedWebForwardsEndToEndHeadersAndDropsHopByHopOnEveryCall(t *testing.T) {
	up := startActionUpstream(t, map[string]upstreamAnswer{
		"start_chat": {body: `{"chat_id":"CH1","thread_id":"TH1","event_ids":["TH1_1"]}`},
		"get_chat":   {body: chatAnswer32},
	})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	body := `{"payload":{"chat":{"thread":{"events":[{"type":"message","text":"Hello"}]}}}}`

	got := send(t, gw.Addr, rawRequest(body,
		"POST /v3.0/customer/action/start_chat?license_id=123&group=2 HTTP/1.1",
		"Host: lcgate.test",
		"Connection: keep-alive, X-Client-Secret",
		"X-Client-Secret: hop",
		"Keep-Alive: timeout=5",
		"Proxy-Connection: keep-alive",
		"Proxy-Authorization: Basic eA==",
		"TE: trailers",
		"Upgrade: h2c",
		"Accept-Encoding: gzip",
		"Authorization: Bearer dal:header-token",
		"X-Region: fra",
		"User-Agent: lc-sdk-test/1.0",
		"Cookie: s=1",
		"X-Custom: kept",
		"X-API-Version: 3",
		"Content-Type: application/json",
		"Content-Length: "+strconv.Itoa(len(body)),
	))

	if got.Status != 200 {
		t.Fatalf("client got %d %s, want 200", got.Status, got.Body)
	}
	if id := gjson.Get(got.Body, "payload.chat.thread.id").String(); id != "TH1" {
		t.Errorf("client got %s, want the 3.0 chat with thread TH1", got.Body)
	}
	seen := up.allRequests()
	var actions []string
	for _, r := range seen {
		actions = append(actions, path.Base(strings.SplitN(r.RequestURI, "?", 2)[0]))
	}
	if strings.Join(actions, ",") != "start_chat,get_chat" {
		t.Fatalf("upstream calls %v, want start_chat then get_chat", actions)
	}
	wantHost := strings.TrimPrefix(up.URL, "http://")
	for _, r := range seen {
		if q := r.RequestURI[strings.IndexByte(r.RequestURI, '?')+1:]; q != "license_id=123&group=2" {
			t.Errorf("%s: upstream saw query %q, want the client's", r.RequestURI, q)
		}
		if r.Host != wantHost {
			t.Errorf("%s: upstream saw Host %q, want %q", r.RequestURI, r.Host, wantHost)
		}
		for name, want := range map[string]string{"Authorization": "Bearer dal:header-token", "X-Region": "fra",
			"User-Agent": "lc-sdk-test/1.0", "Cookie": "s=1", "X-Custom": "kept"} {
			if v := r.Header.Get(name); v != want {
				t.Errorf("%s: upstream saw %s %q, want %q", r.RequestURI, name, v, want)
			}
		}
		// X-API-Version named the client's version: the upstream URL names the upstream's.
		for _, name := range []string{"Connection", "X-Client-Secret", "Keep-Alive", "Proxy-Connection",
			"Proxy-Authorization", "Te", "Upgrade", "Accept-Encoding", "X-Api-Version"} {
			if v, ok := r.Header[name]; ok {
				t.Errorf("%s: upstream received %s %q", r.RequestURI, name, v)
			}
		}
	}
}

func TestTranslatedWebAnswersInTheClientsFraming(t *testing.T) {
	tests := []struct {
		client, action, body string
		upstreamAction       string
		upstreamBody         string
		want                 string
	}{
		{"3.0", "close_thread", `{"payload":{"chat_id":"CH1"}}`, "deactivate_chat", `{}`, `{"payload":{}}`},
		{"3.1", "close_thread", `{"chat_id":"CH1"}`, "deactivate_chat", `{}`, `{}`},
		{"3.0", "get_url_details", `{"payload":{"url":"https://example.com"}}`, "get_url_info",
			`{"url":"https://example.com","title":"Example","image_original_url":"https://example.com/i.png"}`,
			`{"payload":{"url":"https://example.com","title":"Example"}}`},
		{"3.1", "get_url_details", `{"url":"https://example.com"}`, "get_url_info",
			`{"url":"https://example.com","title":"Example","image_original_url":"https://example.com/i.png"}`,
			`{"url":"https://example.com","title":"Example"}`},
		{"3.0", "get_groups_status", `{"payload":{"all":true}}`, "list_group_statuses",
			`{"groups_status":{"0":"online","1":"offline"}}`, `{"payload":{"groups_status":{"0":"online","1":"offline"}}}`},
		{"3.1", "get_groups_status", `{"all":true}`, "list_group_statuses",
			`{"groups_status":{"0":"online","1":"offline"}}`, `{"groups_status":{"0":"online","1":"offline"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.client+" "+tc.action, func(t *testing.T) {
			up := startActionUpstream(t, map[string]upstreamAnswer{tc.upstreamAction: {body: tc.upstreamBody}})
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

			got := do(t, gw.Addr, "POST", "/v"+tc.client+"/customer/action/"+tc.action+"?license_id=123",
				http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}}, tc.body)

			if got.Status != 200 || compact(got.Body) != tc.want {
				t.Errorf("client got %d %s, want 200 %s", got.Status, got.Body, tc.want)
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("client got Content-Type %q, want application/json", ct)
			}
			if r := up.nextRequest(t); r.RequestURI != actionURI(tc.upstreamAction) {
				t.Errorf("upstream saw %s, want %s", r.RequestURI, actionURI(tc.upstreamAction))
			}
		})
	}
}

func TestTranslatedWebSendFileUploadsUnderTheUpstreamsFieldNameThenSendsTheEvent(t *testing.T) {
	const url = "https://cdn.files-text.livechatinc.com/tmp/123/photo.txt"
	up := startActionUpstream(t, map[string]upstreamAnswer{
		"upload_file": {body: `{"url":"` + url + `"}`},
		"send_event":  {status: 500, body: `{"error":{"type":"internal","message":"stop here"}}`},
	})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})

	body, contentType := multipartBody(t, map[string]string{"payload.chat_id": "CH1", "payload.custom_id": "f1"},
		"payload.file", "photo.txt", "image/png", "file content")
	do(t, gw.Addr, "POST", "/v3.0/customer/action/send_file?license_id=123",
		http.Header{"Authorization": {"Bearer t"}, "Content-Type": {contentType}}, body)

	upload := up.nextRequest(t)
	if upload.RequestURI != actionURI("upload_file") {
		t.Fatalf("first upstream call %s, want %s", upload.RequestURI, actionURI("upload_file"))
	}
	parts := readMultipart(t, upload)
	if len(parts) != 1 || parts[0].field != "file" || parts[0].filename != "photo.txt" ||
		parts[0].contentType != "image/png" || parts[0].data != "file content" {
		t.Errorf("upstream upload_file parts %+v, want one part file=photo.txt (image/png) \"file content\"", parts)
	}
	sent := up.nextRequest(t)
	want := `{"chat_id":"CH1","event":{"type":"file","url":"` + url + `","custom_id":"f1"}}`
	if sent.RequestURI != actionURI("send_event") || compact(sent.Body) != want {
		t.Errorf("second upstream call %s %s, want %s %s", sent.RequestURI, sent.Body, actionURI("send_event"), want)
	}
}

func TestTranslatedWebUploadFileForwardsTheFileUnderTheUpstreamsFieldName(t *testing.T) {
	const url = "https://cdn.files-text.livechatinc.com/tmp/123/notes.txt"
	tests := []struct {
		desc, client, field, mediaType, want string
	}{
		{"3.0 payload.file", "3.0", "payload.file", "multipart/form-data", `{"payload":{"url":"` + url + `"}}`},
		{"3.1 file", "3.1", "file", "multipart/form-data", `{"url":"` + url + `"}`},
		{"3.1 media type in capitals", "3.1", "file", "Multipart/Form-Data", `{"url":"` + url + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			up := startActionUpstream(t, map[string]upstreamAnswer{"upload_file": {body: `{"url":"` + url + `"}`}})
			gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
			body, contentType := multipartBody(t, nil, tc.field, "notes.txt", "text/plain", "line 1\r\nline 2")
			contentType = tc.mediaType + strings.TrimPrefix(contentType, "multipart/form-data")

			got := do(t, gw.Addr, "POST", "/v"+tc.client+"/customer/action/upload_file?license_id=123",
				http.Header{"Authorization": {"Bearer t"}, "Content-Type": {contentType}}, body)

			if got.Status != 200 || compact(got.Body) != tc.want {
				t.Errorf("client got %d %s, want 200 %s", got.Status, got.Body, tc.want)
			}
			seen := up.nextRequest(t)
			if seen.Method != "POST" || seen.RequestURI != actionURI("upload_file") {
				t.Fatalf("upstream saw %s %s, want POST %s", seen.Method, seen.RequestURI, actionURI("upload_file"))
			}
			parts := readMultipart(t, seen)
			if len(parts) != 1 || parts[0] != (formPart{"file", "notes.txt", "text/plain", "line 1\r\nline 2"}) {
				t.Errorf("upstream saw parts %+v, want one part file=notes.txt (text/plain)", parts)
			}
		})
	}
}

func TestTranslatedWebConcurrentCallsEachGetTheirOwnAnswer(t *testing.T) {
	// The upstream answers get_url_info about the url it was asked about.
	upstream := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		url := gjson.GetBytes(ctx.PostBody(), "url").String()
		ctx.SetContentType("application/json")
		ctx.SetBodyString(`{"url":` + strconv.Quote(url) + `,"title":"T","image_original_url":"x"}`)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- upstream.Serve(ln) }()
	t.Cleanup(func() {
		_ = upstream.Shutdown()
		_ = ln.Close() // ends a Serve that had not begun when Shutdown ran
		<-served
	})
	gw := startGateway(t, Options{Upstream: "http://" + ln.Addr().String(), UpstreamVersion: "3.2"})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()

	const workers, calls = 8, 25
	problems := make(chan string, workers*calls)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				url := fmt.Sprintf("https://example.com/%d/%d", w, i)
				v, body, want := "3.1", `{"url":"`+url+`"}`, `{"url":"`+url+`","title":"T"}`
				if (w+i)%2 == 0 {
					v, body, want = "3.0", `{"payload":`+body+`}`, `{"payload":`+want+`}`
				}
				resp, err := client.Post("http://"+gw.Addr+"/v"+v+"/customer/action/get_url_details?license_id=123",
					"application/json", strings.NewReader(body))
				if err != nil {
					problems <- err.Error()
					continue
				}
				got, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || string(got) != want {
					problems <- fmt.Sprintf("%s %s: got %d %s (%v), want 200 %s", v, url, resp.StatusCode, got, err, want)
				}
			}
		})
	}
	wg.Wait()
	close(problems)
	for p := range problems {
		t.Error(p)
	}
}

// multipartBody encodes values and one file part.
func multipartBody(t *testing.T, values map[string]string, field, filename, contentType, data string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := mw.WriteField(k, values[k]); err != nil {
			t.Fatal(err)
		}
	}
	if field != "" {
		h := map[string][]string{
			"Content-Disposition": {`form-data; name="` + field + `"; filename="` + filename + `"`},
			"Content-Type":        {contentType},
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

// formPart is one part of a multipart body the upstream received.
type formPart struct {
	field, filename, contentType, data string
}

func readMultipart(t *testing.T, r seenRequest) []formPart {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		t.Fatalf("upstream saw Content-Type %q, want multipart/form-data", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(strings.NewReader(r.Body), params["boundary"])
	var parts []formPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatalf("upstream multipart body: %v", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, formPart{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
	}
}

func TestTranslatedWebServesEveryBodyFramingOnTheSimulator(t *testing.T) {
	upstream := startSim(t)
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	for _, v := range []string{"3.0", "3.1"} {
		params := `{"limit":5}`
		if v == "3.0" {
			params = `{"payload":{"limit":5}}`
		}
		tests := []struct {
			desc string
			req  clientRequest
		}{
			{"params", clientRequest{version: v, action: "get_chats_summary", body: params}},
			{"bare params", clientRequest{version: v, action: "get_chats_summary", body: `{"limit":5}`}},
			{"null", clientRequest{version: v, action: "get_chats_summary", body: `null`}},
			{"empty", clientRequest{version: v, action: "get_chats_summary"}},
			{"chunked", clientRequest{version: v, action: "get_chats_summary", body: chunk(params), chunked: true}},
			{"GET with a body", clientRequest{method: "GET", version: v, action: "get_chats_summary", body: params}},
		}
		for _, tc := range tests {
			t.Run(v+" "+tc.desc, func(t *testing.T) {
				got := send(t, gw.Addr, tc.req.raw())

				answer := gjson.Parse(got.Body)
				if v == "3.0" {
					if keys := answer.Map(); len(keys) != 1 || !answer.Get("payload").IsObject() {
						t.Errorf("3.0 client got %s, want {\"payload\": {…}}", got.Body)
					}
					answer = answer.Get("payload")
				}
				if got.Status != 200 || !answer.Get("chats_summary").IsArray() || answer.Get("payload").Exists() {
					t.Errorf("client got %d %s, want 200 with chats_summary in %s framing", got.Status, got.Body, v)
				}
				if ct := got.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("client got Content-Type %q, want application/json", ct)
				}
			})
		}
	}
}

func TestDifferentialScenarioCallsEveryWebMethod(t *testing.T) {
	for _, v := range []versions.Version{versions.V30, versions.V31} {
		t.Run(v.String(), func(t *testing.T) {
			called := map[string]bool{}
			for _, st := range scenarioEveryWebMethod(v.String()) {
				called[st.action] = true
			}
			var missing, foreign []string
			for action, m := range versions.Methods[v] {
				if m.Web && !called[action] {
					missing = append(missing, action)
				}
			}
			for action := range called {
				if m, ok := versions.Methods[v][action]; !ok || !m.Web {
					foreign = append(foreign, action)
				}
			}
			sort.Strings(missing)
			sort.Strings(foreign)
			if len(missing) > 0 {
				t.Errorf("scenarioEveryWebMethod(%s) never calls the Web methods %v", v, missing)
			}
			if len(foreign) > 0 {
				t.Errorf("scenarioEveryWebMethod(%s) calls %v, which are not Web methods of %s", v, foreign, v)
			}
		})
	}
}

// TestTranslatedWebAnswersBareTo30ClientsWhenConfigured: BareV30Answers drops the 3.0 answer
// envelope (requests are still read wrapped or bare); errors are never wrapped either way.
func TestTranslatedWebAnswersBareTo30ClientsWhenConfigured(t *testing.T) {
	upstream := startSim(t)
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2", BareV30Answers: true})
	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/get_groups_status?license_id=123",
		http.Header{"Authorization": {"Bearer bare-token"}}, `{"payload":{"all":true}}`)
	if want := `{"groups_status":{"0":"online","1":"offline","2":"online_for_queue"}}`; got.Status != 200 || got.Body != want {
		t.Errorf("got %d %s, want 200 %s", got.Status, got.Body, want)
	}
}

// TestTranslatedWebReadsCompressedBodies: a gzip body is read decompressed; an unknown
// coding is a validation error.
func TestTranslatedWebReadsCompressedBodies(t *testing.T) {
	upstream := startSim(t)
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(`{"payload":{"all":true}}`))
	_ = zw.Close()
	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/get_groups_status?license_id=123",
		http.Header{"Authorization": {"Bearer gz-token"}, "Content-Encoding": {"gzip"}}, zipped.String())
	if got.Status != 200 || !strings.Contains(got.Body, `"groups_status"`) {
		t.Errorf("gzip body: got %d %s", got.Status, got.Body)
	}
	got = do(t, gw.Addr, "POST", "/v3.0/customer/action/get_groups_status?license_id=123",
		http.Header{"Authorization": {"Bearer gz-token"}, "Content-Encoding": {"snappy"}}, `{}`)
	if got.Status != 400 || !strings.Contains(got.Body, `"type":"validation"`) {
		t.Errorf("unknown coding: got %d %s", got.Status, got.Body)
	}
}

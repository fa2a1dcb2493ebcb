package proxy

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// SockJS's websocket transport, as the legacy browser SDK (@livechat/customer-sdk 2.x) uses
// it at /v3.X/customer/rtm/sjs: GET …/info, then a WebSocket at
// …/<server>/<session>/websocket carrying SockJS frames. Each RTM frame travels as one JSON
// string inside them; lcgate bridges them to the upstream's plain RTM WebSocket.

// sockJSHeartbeat is how often an idle SockJS connection gets "h" (SockJS's default).
const sockJSHeartbeat = 25 * time.Second

// serveSockJSInfo answers GET (and the CORS preflight OPTIONS) of …/sjs/info.
func (s *Server) serveSockJSInfo(ctx *fasthttp.RequestCtx) error {
	h := &ctx.Response.Header
	if origin := ctx.Request.Header.Peek("Origin"); len(origin) > 0 {
		h.SetBytesV("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Cache-Control", "no-store, no-cache, no-transform, must-revalidate, max-age=0")
	if ctx.IsOptions() {
		h.Set("Access-Control-Allow-Methods", "OPTIONS, GET")
		h.Set("Access-Control-Max-Age", "31536000")
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return nil
	}
	if !ctx.IsGet() {
		return &RequestError{Reason: "SockJS info is read with GET"}
	}
	ctx.SetContentType("application/json; charset=UTF-8")
	ctx.SetBodyString(`{"websocket":true,"origins":["*:*"],"cookie_needed":false,"entropy":` +
		strconv.FormatUint(uint64(rand.Uint32()), 10) + `}`)
	return nil
}

// sockJSArray frames RTM frames for the client: a["<frame>","<frame>"].
func sockJSArray(frames [][]byte) []byte {
	out := []byte{'a', '['}
	for i, f := range frames {
		if i > 0 {
			out = append(out, ',')
		}
		q, _ := json.Marshal(string(f))
		out = append(out, q...)
	}
	return append(out, ']')
}

// sockJSFrames reads a client message: a JSON array of strings, or one JSON string.
func sockJSFrames(msg []byte) ([][]byte, bool) {
	var many []string
	if err := json.Unmarshal(msg, &many); err != nil {
		var one string
		if err := json.Unmarshal(msg, &one); err != nil {
			return nil, false
		}
		many = []string{one}
	}
	out := make([][]byte, len(many))
	for i, f := range many {
		out[i] = []byte(f)
	}
	return out, true
}

// sockJSClose is the close frame c[code,"reason"].
func sockJSClose(code int, text string) []byte {
	q, _ := json.Marshal(text)
	return []byte("c[" + strconv.Itoa(code) + "," + string(q) + "]")
}

// sockJSOpen starts a SockJS connection: "o", then "h" heartbeats until done closes; wg
// counts the heartbeat goroutine.
func (s *session) sockJSOpen(done <-chan struct{}, wg *sync.WaitGroup) {
	if !s.opened { // else sent while the session's login was routed
		if err := s.writeData(s.client, websocket.TextMessage, []byte("o")); err != nil {
			return
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(sockJSHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = s.writeData(s.client, websocket.TextMessage, []byte("h"))
			}
		}
	}()
}

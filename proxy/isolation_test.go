package proxy

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// TestTwoCustomersNeverSeeEachOthersFrames runs two translated 3.0 sessions of two customers
// at once on one upstream. Both use the same request ids, and both run calls lcgate serves
// with several upstream calls (start_chat, send_event) concurrently. Each must get exactly
// its own answers, with its own request ids, about its own chats, and no push of the other.
func TestTwoCustomersNeverSeeEachOthersFrames(t *testing.T) {
	upstream := startSim(t)
	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	type transcript struct {
		customer string
		chats    map[string]bool
		frames   []string
	}
	run := func(token string) (*transcript, error) {
		conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.0/customer/rtm/ws?license_id=123", nil)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		tr := &transcript{chats: map[string]bool{}}
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		send := func(rid, action, payload string) error {
			return conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"`+rid+`","action":"`+action+`","payload":`+payload+`}`))
		}
		// answer reads until the answer to rid, keeping every frame.
		answer := func(rid string) (gjson.Result, error) {
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return gjson.Result{}, err
				}
				tr.frames = append(tr.frames, string(msg))
				g := gjson.ParseBytes(msg)
				if g.Get("type").String() == "response" && g.Get("request_id").String() == rid {
					return g, nil
				}
			}
		}
		if err := send("1", "login", `{"token":"Bearer `+token+`"}`); err != nil {
			return nil, err
		}
		login, err := answer("1")
		if err != nil {
			return nil, err
		}
		tr.customer = login.Get("payload.customer_id").String()
		for i := 2; i < 8; i++ {
			rid := fmt.Sprint(i)
			if err := send(rid, "start_chat", `{"chat":{"thread":{"events":[{"type":"message","text":"`+token+`"}]}}}`); err != nil {
				return nil, err
			}
			started, err := answer(rid)
			if err != nil {
				return nil, err
			}
			chat := started.Get("payload.chat.id").String()
			tr.chats[chat] = true
			rid = fmt.Sprint(i) + "b"
			if err := send(rid, "send_event", `{"chat_id":"`+chat+`","event":{"type":"message","text":"`+token+` again"}}`); err != nil {
				return nil, err
			}
			if _, err := answer(rid); err != nil {
				return nil, err
			}
		}
		return tr, nil
	}
	var wg sync.WaitGroup
	results := make([]*transcript, 2)
	errs := make([]error, 2)
	for i, token := range []string{"dal:customer-a", "dal:customer-b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = run(token)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}
	for i, tr := range results {
		other := results[1-i]
		if len(tr.chats) != 6 || len(tr.frames) < 13 {
			t.Fatalf("customer %s: %d chats, %d frames", tr.customer, len(tr.chats), len(tr.frames))
		}
		if tr.customer == "" || tr.customer == other.customer {
			t.Fatalf("customers %q and %q", tr.customer, other.customer)
		}
		for _, f := range tr.frames {
			g := gjson.Parse(f)
			if strings.Contains(f, other.customer) {
				t.Errorf("customer %s received a frame naming customer %s: %s", tr.customer, other.customer, f)
			}
			for chat := range other.chats {
				if strings.Contains(f, chat) {
					t.Errorf("customer %s received a frame about the other's chat %s: %s", tr.customer, chat, f)
				}
			}
			if rid := g.Get("request_id").String(); strings.HasPrefix(rid, "lcgate-") {
				t.Errorf("customer %s received lcgate's own request id: %s", tr.customer, f)
			}
		}
	}
}

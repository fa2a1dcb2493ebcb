package proxy

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/metrics"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestFloodOfMultiCallRequestsIsServedInOrderWithBoundedMemory: sessions that send
// multi-call requests (3.0 send_event on 3.2) as fast as they can are slowed down instead of
// queued without bound: a session serves such a request before it reads the next frame, the
// gateway holds at most MaxHeldBytes of waiting frames across sessions and runs no goroutine
// per request, and once each client reads, every frame is answered, in order. LCGATE_FLOOD_FRAMES sets the frames per session (the figure is
// 50,000; bench/run.sh runs it at that size).
func TestFloodOfMultiCallRequestsIsServedInOrderWithBoundedMemory(t *testing.T) {
	frames := envInt("LCGATE_FLOOD_FRAMES", 500)
	const sessions, maxHeld = 3, 16 << 10
	m := metrics.New(nil)
	simBase := startSim(t)
	gw := startGateway(t, Options{Upstream: simBase, UpstreamVersion: "3.2", MaxPendingPerSession: 50,
		MaxHeldBytes: maxHeld, Metrics: m})
	baseline := runtime.NumGoroutine()

	var peakHeld, peakGoroutines atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			peakHeld.Store(max(peakHeld.Load(), gw.held.Held()))
			peakGoroutines.Store(max(peakGoroutines.Load(), int64(runtime.NumGoroutine())))
		}
	})

	// Every session is open before any floods: a session opened while the others hold the
	// whole budget would get 503 (TestNewSessionsAreRefusedWhileTheHeldBudgetIsSpent).
	clients, chats := make([]*rtmTestClient, sessions), make([]string, sessions)
	for s := range sessions {
		clients[s] = dialRTMClient(t, gw.Addr, "3.0")
		clients[s].call("login", "login", `{"token":"Bearer flood-`+strconv.Itoa(s)+`"}`)
		start := clients[s].call("start", "start_chat", `{"chat":{"thread":{"events":[{"type":"message","text":"hello"}]}}}`)
		chats[s] = start.Get("payload.chat.id").String()
	}
	var wg sync.WaitGroup
	for s := range sessions {
		wg.Go(func() {
			c, chatID := clients[s], chats[s]
			go func() { // as fast as the gateway reads
				for i := range frames {
					frame := `{"request_id":"e` + strconv.Itoa(i) + `","action":"send_event","payload":{"chat_id":"` + chatID +
						`","event":{"type":"message","text":"m` + strconv.Itoa(i) + `"}}}`
					if c.conn.WriteMessage(websocket.TextMessage, []byte(frame)) != nil {
						return
					}
				}
			}()
			for i, a := range c.answers(frames, 5*time.Minute) {
				if rid := a.Get("request_id").String(); rid != "e"+strconv.Itoa(i) || !a.Get("success").Bool() {
					t.Errorf("session %d: answer %d is %s, want the success of e%d", s, i, a.Raw, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	sampler.Wait()

	if got := peakHeld.Load(); got > maxHeld {
		t.Errorf("the gateway held %d bytes of client frames, over MaxHeldBytes %d", got, maxHeld)
	}
	// Per session about ten (the test client's, two relays, the queue's goroutine, the
	// simulator's): never one per request.
	if got, bound := peakGoroutines.Load(), int64(baseline+sessions*16+20); got > bound {
		t.Errorf("%d goroutines at the peak (baseline %d), want at most %d: work is queued per request", got, baseline, bound)
	}
	t.Logf("%d sessions × %d frames: peak held %d bytes, peak goroutines %d (baseline %d), throttled %v times",
		sessions, frames, peakHeld.Load(), peakGoroutines.Load(), baseline, testutil.ToFloat64(m.Throttled))
}

// TestClientThatStopsReadingExpansionAnswersIsCut: a client that keeps sending (and pinging)
// but stops reading, while the answers due to it are those of multi-call requests (which the
// gateway writes itself, not the upstream's relay), is cut off within the write timeout, and
// the work still queued for it upstream stops.
func TestClientThatStopsReadingExpansionAnswersIsCut(t *testing.T) {
	simBase := startSim(t)
	gw := startGateway(t, Options{Upstream: simBase, UpstreamVersion: "3.2",
		WriteTimeout: 200 * time.Millisecond, CloseGrace: 200 * time.Millisecond})
	c := dialRTMClient(t, gw.Addr, "3.0")
	c.call("login", "login", `{"token":"Bearer stops-reading"}`)
	start := c.call("start", "start_chat", `{"chat":{"thread":{"events":[{"type":"message","text":"hello"}]}}}`)
	chatID, threadID := start.Get("payload.chat.id").String(), start.Get("payload.chat.thread.id").String()
	text := strings.Repeat("a", 32<<10)
	for i := range 5 { // a thread of 160 KiB: each answer below is that large
		c.call("big"+strconv.Itoa(i), "send_event", `{"chat_id":"`+chatID+`","event":{"type":"message","text":"`+text+`"}}`)
	}
	for c.drainOne(100 * time.Millisecond) { // the pushes those caused
	}
	c.stopReading()
	for i := range 500 { // get_chat_threads: several upstream calls, and no push
		frame := `{"request_id":"g` + strconv.Itoa(i) + `","action":"get_chat_threads","payload":{"chat_id":"` + chatID +
			`","thread_ids":["` + threadID + `"]}}`
		_ = c.conn.SetWriteDeadline(time.Now().Add(time.Second))
		if c.conn.WriteMessage(websocket.TextMessage, []byte(frame)) != nil {
			break // the gateway stopped reading, or cut the session
		}
		_ = c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second))
	}
	waitStuckSessionCut(t, gw)
	up, _ := gw.FrameCounts()
	time.Sleep(300 * time.Millisecond) // anything still queued would go upstream meanwhile
	if later, _ := gw.FrameCounts(); later.Out != up.Out {
		t.Errorf("%d more frames went upstream after the session was cut", later.Out-up.Out)
	}
}

// TestNewSessionsAreRefusedWhileTheHeldBudgetIsSpent: while translated sessions hold all the
// client frames MaxHeldBytes allows, a new RTM session gets 503 before its upgrade instead of
// making every session slower; once they are gone, sessions are accepted again.
func TestNewSessionsAreRefusedWhileTheHeldBudgetIsSpent(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{rtm: func(c *websocket.Conn) {
		for { // reads and never answers: requests past the first ten wait in the gateway
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}})
	const budget = 4 << 10
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", MaxHeldBytes: budget, MaxMessageSize: 1 << 10,
		UpstreamTimeout: 300 * time.Millisecond}) // the requests in flight time out, the waiting ones go up
	// Each session holds at most MaxMessageSize of waiting frames: it takes several.
	var clients []*rtmTestClient
	for gw.held.Available() >= 1<<10 {
		if len(clients) == 8 {
			t.Fatalf("%d sessions hold only %d bytes", len(clients), gw.held.Held())
		}
		c := dialRTMClient(t, gw.Addr, "3.1")
		clients = append(clients, c)
		for i := range 20 {
			c.send("r"+strconv.Itoa(i), "get_groups_status", `{"all":true,"pad":"`+strings.Repeat("x", 300)+`"}`)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, resp, err := dialRTM(t, gw.Addr, "/v3.1/customer/rtm/ws?license_id=123", nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("handshake with the budget spent: %v %v, want 503", resp, err)
	}
	if body := readBody(t, resp); body != errorJSON("internal", "lcgate: too many RTM requests waiting for the upstream, retry later") {
		t.Errorf("body %s", body)
	}
	for _, c := range clients {
		_ = c.conn.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for gw.held.Held() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the ended session still holds %d bytes", gw.held.Held())
		}
		time.Sleep(10 * time.Millisecond)
	}
	conn, _, err := dialRTM(t, gw.Addr, "/v3.1/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatalf("handshake with the budget free again: %v", err)
	}
	_ = conn.Close()
}

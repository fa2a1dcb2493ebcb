package proxy

import (
	"net"
	"strconv"
	"testing"

	"github.com/lcgate/lcgate/bench/canned"
	"github.com/tidwall/gjson"
)

// startCanned runs the canned 3.2 upstream of the benchmarks on a loopback port.
func startCanned(t *testing.T, opts canned.Options) string {
	t.Helper()
	s := canned.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown() })
	return "http://" + ln.Addr().String()
}

// sendEvents sends n send_event requests (texts m0, m1, …) one after the other and returns
// how many calls the gateway made upstream for them (counted before each is written, so
// the count is complete once the answer is in), and their answers.
func sendEvents(t *testing.T, gw *gateway, c *rtmTestClient, chatID string, n int) (int64, []gjson.Result) {
	t.Helper()
	before, _ := gw.FrameCounts()
	var answers []gjson.Result
	for i := range n {
		answers = append(answers, c.call("e"+strconv.Itoa(i), "send_event", `{"chat_id":"`+chatID+`","event":{"type":"message","text":"m`+strconv.Itoa(i)+`"}}`))
	}
	after, _ := gw.FrameCounts()
	return after.Generated - before.Generated, answers
}

// TestTranslatedSendEventTakesTheStoredEventFromThePush: over RTM the upstream pushes the
// stored event to the sender's session with the request's id, so a 3.0 send_event, which
// answers the whole Event, costs one upstream call instead of a call and a read-back of the
// thread (whose size grows with the chat); likewise start_chat's whole Chat comes from the
// incoming_chat push. The client still gets those pushes after the answer.
func TestTranslatedSendEventTakesTheStoredEventFromThePush(t *testing.T) {
	for _, upstream := range []string{"3.1", "3.2"} {
		t.Run(upstream, func(t *testing.T) {
			gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: upstream})
			c := dialRTMClient(t, gw.Addr, "3.0")
			c.call("login", "login", `{"token":"Bearer echo-`+upstream+`"}`)
			before, _ := gw.FrameCounts()
			start := c.call("start", "start_chat", `{"chat":{"thread":{"events":[{"type":"message","text":"hello"}]}}}`)
			if after, _ := gw.FrameCounts(); after.Generated-before.Generated != 1 {
				t.Errorf("start_chat made %d upstream calls, want 1", after.Generated-before.Generated)
			}
			if th := start.Get("payload.chat.thread"); th.Get("events.0.text").String() != "hello" || !start.Get("payload.chat.users").IsArray() {
				t.Errorf("start_chat answered %s, want the whole 3.0 Chat with its thread", start.Raw)
			}
			frames, answers := sendEvents(t, gw, c, start.Get("payload.chat.id").String(), 5)
			if frames != 5 {
				t.Errorf("5 send_event calls made %d upstream calls, want 5 (one each)", frames)
			}
			for i, a := range answers {
				if a.Get("payload.event.text").String() != "m"+strconv.Itoa(i) || !a.Get("payload.event.order").Exists() ||
					!a.Get("payload.thread_id").Exists() || a.Get("payload.event.created_at").Exists() {
					t.Errorf("answer %s, want the 3.0 event m%d with its thread", a.Raw, i)
				}
			}
		})
	}
}

// TestTranslatedSendEventReadsBackWhenTheUpstreamDoesNotPush: an upstream that sends no
// push for the sender's own event still gets its 3.0 clients the whole Event, read back; after
// the first call the session no longer waits for such a push.
func TestTranslatedSendEventReadsBackWhenTheUpstreamDoesNotPush(t *testing.T) {
	for _, echo := range []bool{false, true} {
		t.Run("echo="+strconv.FormatBool(echo), func(t *testing.T) {
			gw := startGateway(t, Options{Upstream: startCanned(t, canned.Options{EchoEvents: echo}), UpstreamVersion: "3.2"})
			c := dialRTMClient(t, gw.Addr, "3.0")
			c.call("login", "login", `{"token":"Bearer canned"}`)
			frames, answers := sendEvents(t, gw, c, "PJ0MRSHTDG", 3)
			want := int64(6) // send_event and the read-back, each time
			if echo {
				want = 3
			}
			if frames != want {
				t.Errorf("3 send_event calls made %d upstream calls, want %d", frames, want)
			}
			for _, a := range answers { // the canned upstream stores every event as its K600PKZON8_16
				if a.Get("payload.event.id").String() != "K600PKZON8_16" || !a.Get("payload.event.order").Exists() {
					t.Errorf("answer %s, want the stored event K600PKZON8_16 in 3.0's shape", a.Raw)
				}
			}
		})
	}
}

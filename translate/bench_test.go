package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// sendEvent1K is a 3.0 send_event request of about 1 KiB.
var sendEvent1K = []byte(`{"chat_id":"PJ0MRSHTDG","attach_to_last_thread":false,"event":{"type":"message","custom_id":"31-0C-1C-07-DB-16","recipients":"all","text":"` +
	strings.Repeat("Hello, I would like to know more about the enterprise plan. ", 14) +
	`","properties":{"rating":{"score":1,"comment":"rated good!"},"routing":{"idle":false}}}}`)

// chatThreads4K is a get_chat_threads answer of about 4 KiB in 3.2 structures: one chat,
// two threads, 16 events.
var chatThreads4K = func() []byte {
	var b strings.Builder
	b.WriteString(`{"chat":{"id":"PJ0MRSHTDG","users":[{"id":"b7eff798-f8df-4364-8059-649c35c9ed0c","type":"customer","name":"Thomas Anderson","email":"t.anderson@example.com","session_fields":[{"plan":"pro"},{"team":"blue"}],"present":true,"events_seen_up_to":"2020-05-07T07:11:28.288340Z"},{"id":"b5657aff34dd32e198160d54666df9d8","type":"agent","name":"Agent Smith","avatar":"cdn.livechatinc.com/avatars/1.png","present":true,"events_seen_up_to":"2020-05-07T07:11:28.288340Z"}],"properties":{"routing":{"idle":false},"rating":{"score":5}},"access":{"group_ids":[0]},"threads":[`)
	for t := 0; t < 2; t++ {
		if t > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"K600PKZON%d","created_at":"2020-05-07T07:11:2%d.288340Z","active":%t,"user_ids":["b7eff798-f8df-4364-8059-649c35c9ed0c","b5657aff34dd32e198160d54666df9d8"],"events":[`, t, t, t == 1)
		for e := 0; e < 8; e++ {
			if e > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"K600PKZON%d_%d","created_at":"2020-05-07T07:11:3%d.28834%dZ","type":"message","author_id":"b7eff798-f8df-4364-8059-649c35c9ed0c","recipients":"all","text":"Message %d","properties":{"rating":{"score":%d}}}`, t, e, e, e, e, e)
		}
		fmt.Fprintf(&b, `],"properties":{"routing":{"idle":false}},"access":{"group_ids":[0]},"next_thread_id":"K600PKZON%d"}`, t+1)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}()

// incomingEvent is a 3.2 incoming_event push.
var incomingEvent = []byte(`{"chat_id":"PJ0MRSHTDG","thread_id":"K600PKZON8","event":{"id":"K600PKZON8_3","created_at":"2020-05-07T07:11:31.288340Z","type":"message","author_id":"b5657aff34dd32e198160d54666df9d8","recipients":"all","text":"Hi, how can I help?","properties":{"rating":{"score":1}}}}`)

var errStop = errors.New("stop")

// firstCallCaller keeps the body of the first call and stops the expansion there.
type firstCallCaller struct{ out []byte }

func (c *firstCallCaller) Call(_ context.Context, _ string, req *versions.Doc) (*versions.Doc, error) {
	c.out = req.AppendJSON(c.out[:0], req.Root())
	return nil, errStop
}

func (c *firstCallCaller) Upload(context.Context, versions.File) (*versions.Doc, error) {
	return nil, errStop
}

// BenchmarkRequestUp30To32SendEvent1K: a 1 KiB 3.0 send_event request, parsed, carried up two
// steps and written as the 3.2 request the upstream receives.
func BenchmarkRequestUp30To32SendEvent1K(b *testing.B) {
	var e Engine
	caller := &firstCallCaller{}
	b.SetBytes(int64(len(sendEvent1K)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := ParsePayload(sendEvent1K, true)
		if err != nil {
			b.Fatal(err)
		}
		_, err = e.Call(context.Background(), Request{Client: versions.V30, Upstream: versions.V32, Action: "send_event", Payload: d}, caller)
		if !errors.Is(err, errStop) {
			b.Fatal(err)
		}
		Release(d) // as the proxy does once the call is over
	}
}

// BenchmarkResponseDown32To30ChatThreads4K: a 4 KiB get_chat_threads answer in 3.2
// structures, parsed, carried down two steps and written.
func BenchmarkResponseDown32To30ChatThreads4K(b *testing.B) {
	benchRewrite(b, KindResponse, "get_chat_threads", chatThreads4K)
}

// BenchmarkPushDown32To30IncomingEvent: a 3.2 incoming_event push made a 3.0 one.
func BenchmarkPushDown32To30IncomingEvent(b *testing.B) {
	benchRewrite(b, KindPush, "incoming_event", incomingEvent)
}

func benchRewrite(b *testing.B, kind Kind, action string, in []byte) {
	var e Engine
	var d jsontree.Doc
	var out []byte
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Parse(in); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Rewrite(context.Background(), kind, versions.V32, versions.V30, action, &d); err != nil {
			b.Fatal(err)
		}
		out = d.AppendJSON(out[:0], d.Root())
	}
}

// TestBenchmarkInputsAreWhatTheyClaim keeps the benchmark inputs honest: sizes, validity, and
// a translation that really happens.
func TestBenchmarkInputsAreWhatTheyClaim(t *testing.T) {
	if n := len(sendEvent1K); n < 900 || n > 1200 {
		t.Errorf("send_event request is %d bytes, want about 1 KiB", n)
	}
	if n := len(chatThreads4K); n < 3500 || n > 4700 {
		t.Errorf("get_chat_threads answer is %d bytes, want about 4 KiB", n)
	}
	var d jsontree.Doc
	if err := d.Parse(chatThreads4K); err != nil {
		t.Fatal(err)
	}
	var e Engine
	if _, err := e.Rewrite(context.Background(), KindResponse, versions.V32, versions.V30, "get_chat_threads", &d); err != nil {
		t.Fatal(err)
	}
	out := string(d.JSON())
	for _, want := range []string{`"timestamp":1588835491`, `"order":1588835491288341`, `{"value":5}`, `"fields":{"plan":"pro","team":"blue"}`, `"last_seen_timestamp":1588835488`} {
		if !strings.Contains(out, want) {
			t.Errorf("translated answer lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "created_at") || strings.Contains(out, "next_thread_id") {
		t.Errorf("translated answer keeps 3.2 fields:\n%s", out)
	}
	caller := &firstCallCaller{}
	p, _ := ParsePayload(sendEvent1K, true)
	_, _ = e.Call(context.Background(), Request{Client: versions.V30, Upstream: versions.V32, Action: "send_event", Payload: p}, caller)
	if !strings.HasPrefix(string(caller.out), `{"chat_id":"PJ0MRSHTDG","event":{"type":"message"`) || strings.Contains(string(caller.out), "attach_to_last_thread") {
		t.Errorf("upstream request = %s", caller.out)
	}
}

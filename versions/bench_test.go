package versions

import (
	"strings"
	"testing"

	"github.com/lcgate/lcgate/translate/jsontree"
)

// The cost of single changes, the units the engine's walks are made of. The whole
// translations (parse, walk, write) are benchmarked in package translate.

var (
	event32    = []byte(`{"id":"K600PKZON8_3","created_at":"2020-05-07T07:11:31.288340Z","type":"message","author_id":"b5657aff34dd32e198160d54666df9d8","recipients":"all","text":"Hi, how can I help?","properties":{"rating":{"score":1}}}`)
	event30    = []byte(`{"id":"K600PKZON8_3","order":1588835491288340,"type":"message","author_id":"b5657aff34dd32e198160d54666df9d8","timestamp":1588835491,"recipients":"all","text":"Hi, how can I help?","properties":{"rating":{"score":{"value":1}}}}`)
	thread32   = []byte(`{"id":"K600PKZON8","created_at":"2020-05-07T07:11:28.288340Z","active":true,"user_ids":["b5657aff34dd32e198160d54666df9d8"],"events":[],"properties":{"routing":{"idle":false}},"access":{"group_ids":[0]},"previous_thread_id":"K600PKZON7"}`)
	customer32 = []byte(`{"id":"b7eff798-f8df-4364-8059-649c35c9ed0c","type":"customer","name":"Thomas Anderson","session_fields":[{"plan":"pro"},{"team":"blue"},{"region":"eu"}]}`)
)

// benchChange parses in, then applies change to the root, per iteration.
func benchChange(b *testing.B, in []byte, change func(*Env, *Doc, Node)) {
	var d jsontree.Doc
	env := &Env{}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Parse(in); err != nil {
			b.Fatal(err)
		}
		change(env, &d, d.Root())
	}
}

// BenchmarkParseOnlyEvent is the parse the other benchmarks include, for subtraction.
func BenchmarkParseOnlyEvent(b *testing.B) { benchChange(b, event32, func(*Env, *Doc, Node) {}) }

// BenchmarkEventDown31: A3, a 3.1 event re-timed for 3.0 (created_at → order, timestamp).
func BenchmarkEventDown31(b *testing.B) { benchChange(b, event32, eventDown31) }

// BenchmarkEventUp31: A3 the other way (timestamp + order → created_at).
func BenchmarkEventUp31(b *testing.B) { benchChange(b, event30, eventUp31) }

// BenchmarkPropertiesDown32: B1, properties wrapped in {"value": …}.
func BenchmarkPropertiesDown32(b *testing.B) {
	benchChange(b, event32, func(e *Env, d *Doc, n Node) { wrapPropertyValues(e, d, d.Get(n, "properties")) })
}

// BenchmarkThreadDown32: B2, a 3.2 thread made a 3.1 one.
func BenchmarkThreadDown32(b *testing.B) { benchChange(b, thread32, threadDown32) }

// BenchmarkSessionFieldsDown32: B5, session_fields → fields.
func BenchmarkSessionFieldsDown32(b *testing.B) { benchChange(b, customer32, sessionFieldsDown) }

// TestBenchmarkChangesDoWhatTheyClaim keeps the benchmarks honest: each change really runs.
func TestBenchmarkChangesDoWhatTheyClaim(t *testing.T) {
	for _, tc := range []struct {
		in     []byte
		change func(*Env, *Doc, Node)
		want   string
	}{
		{event32, eventDown31, `"order":1588835491288340`},
		{event30, eventUp31, `"created_at":"2020-05-07T07:11:31.288340Z"`},
		{thread32, threadDown32, `"timestamp":1588835488`},
		{customer32, sessionFieldsDown, `"fields":{"plan":"pro","team":"blue","region":"eu"}`},
	} {
		var d jsontree.Doc
		if err := d.Parse(tc.in); err != nil {
			t.Fatal(err)
		}
		tc.change(&Env{}, &d, d.Root())
		if got := string(d.JSON()); !strings.Contains(got, tc.want) {
			t.Errorf("got %s, want it to contain %s", got, tc.want)
		}
	}
}

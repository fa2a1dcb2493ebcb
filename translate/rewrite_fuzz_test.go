package translate

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// fuzzActions are the names a fuzzed message is translated as: every shape-bearing answer and
// push, and actions with request changes.
var fuzzActions = []string{
	"get_chat", "get_chat_threads", "list_chats", "get_chats_summary", "list_threads", "start_chat",
	"send_event", "get_customer", "update_customer", "get_form", "login", "get_url_info",
	"incoming_chat", "incoming_event", "chat_transferred", "user_added_to_chat",
	"user_removed_from_chat", "incoming_greeting", "events_marked_as_seen", "last_seen_timestamp_updated",
	"incoming_typing_indicator", "thread_properties_updated", "customer_updated",
	"set_customer_fields", "get_groups_status", "check_goals", "get_predicted_agent",
}

// FuzzRewrite: any JSON object translated as any message between any two versions never
// panics and always comes out as valid JSON.
func FuzzRewrite(f *testing.F) {
	f.Add([]byte(`{"chat":{"id":"C","thread":{"created_at":"2020-05-07T07:11:28.288340Z","events":[{"created_at":"x","properties":{"a":{"b":1}}}]}}}`), uint8(0), uint8(1), uint8(2), uint8(0))
	f.Add([]byte(`{"customer":{"session_fields":[{"a":"b"},{"a":"c"},5]},"greeting":{"event":{"elements":[{}]}}}`), uint8(10), uint8(1), uint8(2), uint8(0))
	f.Add([]byte(`{"transferred_to":{"agent_ids":[],"group_ids":"x"},"thread_id":1}`), uint8(14), uint8(2), uint8(2), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, actionIdx, kindIdx, fromIdx, toIdx uint8) {
		d := jsontree.Acquire()
		defer jsontree.Release(d)
		if d.ParseCopy(in) != nil || !d.IsObject(d.Root()) {
			return
		}
		action := fuzzActions[int(actionIdx)%len(fuzzActions)]
		kind := Kind(kindIdx%3) + KindRequest
		from := versions.Version(fromIdx % 3)
		to := versions.Version(toIdx % 3)
		var e Engine
		if _, err := e.Rewrite(context.Background(), kind, from, to, action, d); err != nil {
			return
		}
		if out := d.JSON(); !json.Valid(out) {
			t.Fatalf("invalid JSON out: %s → %s", in, out)
		}
	})
}

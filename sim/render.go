package sim

import (
	"encoding/json"
	"time"
)

// This file renders the one state in each version's own shapes (spec/structures.md §3).

// renderProps renders properties: wrapped {"value": X} in responses and pushes up to 3.1,
// plain in 3.2.
func renderProps(v version, p propSet) *obj {
	out := newObj()
	for _, ns := range p.ns {
		names := newObj()
		for _, f := range ns.props {
			if v == v32 {
				names.set(f.key, f.val)
			} else {
				names.set(f.key, newObj().set("value", f.val))
			}
		}
		out.set(ns.name, names)
	}
	return out
}

// renderAccess renders an Access object.
func renderAccess(groups []int) *obj {
	if groups == nil {
		groups = []int{}
	}
	return newObj().set("group_ids", groups)
}

// unixMicro is the integer the simulator uses for 3.0/3.1 `order` values: the unix time in
// microseconds of the thing ordered (strictly increasing, see monotonicClock).
func unixMicro(t time.Time) int64 { return t.UnixMicro() }

// renderEvent renders an Event: `order` + `timestamp` in 3.0, `created_at` from 3.1.
func renderEvent(v version, e *event) *obj {
	o := newObj().set("id", e.id)
	if e.customID != "" {
		o.set("custom_id", e.customID)
	}
	if v == v30 {
		o.set("order", unixMicro(e.createdAt))
	} else {
		o.set("created_at", formatTime(e.createdAt))
	}
	o.set("type", e.typ)
	if e.authorID != "" {
		o.set("author_id", e.authorID)
	}
	if v == v30 {
		o.set("timestamp", e.createdAt.Unix())
	}
	o.set("recipients", e.recipients)
	for _, f := range e.body {
		o.set(f.key, f.val)
	}
	if !e.props.empty() {
		o.set("properties", renderProps(v, e.props))
	}
	return o
}

// renderThread renders a Thread (spec/structures.md §3.3).
func renderThread(v version, ch *chat, t *thread) *obj {
	o := newObj().set("id", t.id)
	if v != v32 {
		o.set("timestamp", t.createdAt.Unix())
	}
	if v == v32 {
		o.set("created_at", formatTime(t.createdAt))
	}
	o.set("active", t.active)
	if v != v32 {
		o.set("order", unixMicro(t.createdAt))
	}
	uids := t.userIDs
	if uids == nil {
		uids = []string{}
	}
	o.set("user_ids", uids)
	events := make([]*obj, 0, len(t.events))
	for _, e := range t.events {
		events = append(events, renderEvent(v, e))
	}
	o.set("events", events)
	o.set("properties", renderProps(v, t.props))
	o.set("access", renderAccess(t.access))
	if v == v32 {
		for i, other := range ch.threads {
			if other != t {
				continue
			}
			if i > 0 {
				o.set("previous_thread_id", ch.threads[i-1].id)
			}
			if i+1 < len(ch.threads) {
				o.set("next_thread_id", ch.threads[i+1].id)
			}
		}
		if t.queue != nil {
			o.set("queue", renderQueue(t.queue, true))
		}
	}
	return o
}

// renderQueue renders a 3.2 Queue object.
func renderQueue(q *queue, withQueuedAt bool) *obj {
	o := newObj().set("position", q.position).set("wait_time", q.waitTime)
	if withQueuedAt {
		o.set("queued_at", formatTime(q.queuedAt))
	}
	return o
}

// renderSeen adds the user's "events seen up to" marker in the version's shape.
func renderSeen(v version, o *obj, seen time.Time) {
	if seen.IsZero() {
		return
	}
	if v == v30 {
		o.set("last_seen_timestamp", seen.Unix())
	} else {
		o.set("events_seen_up_to", formatTime(seen))
	}
}

// renderFields renders customer fields: a map up to 3.1, an array of one-key objects in 3.2.
func renderFields(v version, o *obj, fields []kv) {
	if len(fields) == 0 {
		return
	}
	if v == v32 {
		arr := make([]*obj, 0, len(fields))
		for _, f := range fields {
			arr = append(arr, newObj().set(f.k, f.v))
		}
		o.set("session_fields", arr)
		return
	}
	m := newObj()
	for _, f := range fields {
		m.set(f.k, f.v)
	}
	o.set("fields", m)
}

// renderCustomer renders a Customer. With ch non-nil it is rendered as a chat user
// (present, seen marker).
func renderCustomer(v version, c *customer, ch *chat) *obj {
	o := newObj().set("id", c.id).set("type", "customer")
	o.setIf(c.name != "", "name", c.name)
	o.setIf(c.email != "", "email", c.email)
	o.setIf(c.avatar != "", "avatar", c.avatar)
	renderFields(v, o, c.fields)
	if ch != nil {
		o.set("present", true)
		renderSeen(v, o, ch.seen[c.id])
	}
	return o
}

// renderAgentUser renders an agent as a chat user.
func renderAgentUser(v version, a *agent, ch *chat) *obj {
	o := newObj().set("id", a.id).set("type", "agent").set("name", a.name).set("avatar", a.avatar)
	o.set("job_title", a.jobTitle).set("present", true)
	renderSeen(v, o, ch.seen[a.id])
	return o
}

// renderAgentCard renders an agent as greetings and predicted-agent objects carry it.
func renderAgentCard(a *agent, withType bool) *obj {
	o := newObj().set("id", a.id).set("name", a.name)
	o.setIf(withType, "type", "agent")
	return o.set("avatar", a.avatar).set("job_title", a.jobTitle).set("is_bot", a.isBot)
}

// renderUsers renders the users of a chat: the customer first, then its agents.
func (st *store) renderUsers(v version, ch *chat) []*obj {
	users := []*obj{}
	if c := st.byID[ch.customerID]; c != nil {
		users = append(users, renderCustomer(v, c, ch))
	}
	for _, id := range ch.agentIDs {
		if a := st.agentByID(id); a != nil {
			users = append(users, renderAgentUser(v, a, ch))
		}
	}
	return users
}

// chatOrder is the 3.0/3.1 chat `order`: the unix µs of its last thread's creation.
func chatOrder(ch *chat) int64 {
	if t := ch.lastThread(); t != nil {
		return unixMicro(t.createdAt)
	}
	return 0
}

// renderChatWithThread renders a Chat carrying one thread: 3.0 start_chat, incoming_chat_thread
// (≤3.1, with `order`) and incoming_chat / get_chat (3.2, without).
func (st *store) renderChatWithThread(v version, ch *chat, t *thread) *obj {
	o := newObj().set("id", ch.id)
	if v != v32 {
		o.set("order", chatOrder(ch))
	}
	o.set("users", st.renderUsers(v, ch))
	o.set("properties", renderProps(v, ch.props))
	o.set("access", renderAccess(ch.access))
	if t != nil {
		o.set("thread", renderThread(v, ch, t))
	}
	return o
}

// renderChatWithThreads renders a Chat with a `threads` array (3.0/3.1 get_chat_threads and
// 3.0 activate_chat, which has no `order`).
func (st *store) renderChatWithThreads(v version, ch *chat, threads []*thread, withOrder bool) *obj {
	o := newObj().set("id", ch.id)
	if withOrder {
		o.set("order", chatOrder(ch))
	}
	o.set("users", st.renderUsers(v, ch))
	o.set("properties", renderProps(v, ch.props))
	o.set("access", renderAccess(ch.access))
	arr := make([]*obj, 0, len(threads))
	for _, t := range threads {
		arr = append(arr, renderThread(v, ch, t))
	}
	o.set("threads", arr)
	return o
}

// renderChatSummary renders one item of get_chats_summary (≤3.1) or list_chats (3.2).
func (st *store) renderChatSummary(v version, ch *chat) *obj {
	last := ch.lastThread()
	o := newObj().set("id", ch.id)
	if v != v32 {
		o.set("order", chatOrder(ch))
	}
	o.set("last_thread_id", last.id)
	if v == v32 {
		o.set("last_thread_created_at", formatTime(last.createdAt))
	}
	lept := newObj()
	for ti := len(ch.threads) - 1; ti >= 0; ti-- {
		t := ch.threads[ti]
		for ei := len(t.events) - 1; ei >= 0; ei-- {
			e := t.events[ei]
			if _, seen := lept.get(e.typ); seen {
				continue
			}
			item := newObj().set("thread_id", t.id)
			if v == v32 {
				item.set("thread_created_at", formatTime(t.createdAt))
			} else {
				item.set("thread_order", unixMicro(t.createdAt))
			}
			lept.set(e.typ, item.set("event", renderEvent(v, e)))
		}
	}
	o.set("last_event_per_type", lept)
	o.set("users", st.renderUsers(v, ch))
	o.set("access", renderAccess(ch.access))
	o.set("properties", renderProps(v, ch.props))
	o.set("active", ch.active())
	return o
}

// rawString encodes s as a JSON string for an event body.
func rawString(s string) json.RawMessage { return json.RawMessage(mustMarshal(s)) }

package versions

// This file holds the rewrites a 3.1 client's calls need on a 3.0 upstream (spec/methods.md
// R5 and R6, DOWN direction): the requests go down as they are, or nearly, and the 3.0 answers
// come up reshaped.

// sendEventRequestDown31 keeps 3.1's thread rule on 3.0: without attach_to_last_thread an
// inactive chat must fail, so require_active_thread is set (3.0 would open a new thread).
func sendEventRequestDown31(_ *Env, d *Doc) error {
	if b, _ := d.Bool(d.Get(d.Root(), "attach_to_last_thread")); !b {
		d.Set(d.Root(), "require_active_thread", d.NewBool(true))
	}
	return nil
}

// sendEventResponseUp31 turns 3.0's {thread_id, event} into 3.1's {event_id}.
func sendEventResponseUp31(_ *Env, d *Doc) error {
	id := d.Clone(d.Path(d.Root(), "event", "id"))
	d.Clear(d.Root())
	if id != None {
		d.Set(d.Root(), "event_id", id)
	}
	return nil
}

// startChatResponseUp31 turns 3.0's {"chat": {id, …, thread}} into 3.1's {chat_id, thread_id,
// event_ids?}.
func startChatResponseUp31(e *Env, d *Doc) error {
	chat := d.Get(d.Root(), "chat")
	chatID := d.Clone(d.Get(chat, "id"))
	thread := d.Get(chat, "thread")
	threadID := d.Clone(d.Get(thread, "id"))
	ids := customerEventIDs(e, d, chat, thread)
	r := d.Root()
	d.Clear(r)
	d.Set(r, "chat_id", chatID)
	d.Set(r, "thread_id", threadID)
	if ids != None {
		d.Set(r, "event_ids", ids)
	}
	return nil
}

// activateChatResponseUp31 turns 3.0's {"chat": {id, …, threads: [T]}} into 3.1's
// {thread_id, event_ids?}.
func activateChatResponseUp31(e *Env, d *Doc) error {
	chat := d.Get(d.Root(), "chat")
	thread := None
	if ts := d.Get(chat, "threads"); d.IsArray(ts) {
		thread = d.First(ts)
	}
	threadID := d.Clone(d.Get(thread, "id"))
	ids := customerEventIDs(e, d, chat, thread)
	r := d.Root()
	d.Clear(r)
	d.Set(r, "thread_id", threadID)
	if ids != None {
		d.Set(r, "event_ids", ids)
	}
	return nil
}

// customerEventIDs lists the ids of the events the chat's customer wrote in a new thread: the
// initial events of the request, server events left out (R6). None when there are none, as
// 3.1 sends event_ids only for a request with initial events. Matching by author, not by the
// request, is a heuristic (UNCONFIRMED in the spec): counted as lossy.
func customerEventIDs(e *Env, d *Doc, chat, thread Node) Node {
	customers := map[string]bool{}
	us := d.Get(chat, "users")
	for u := d.First(us); d.IsArray(us) && u != None; u = d.Next(u) {
		if strAt(d, u, "type") == "customer" {
			customers[strAt(d, u, "id")] = true
		}
	}
	evs := d.Get(thread, "events")
	ids := d.NewArray()
	n := 0
	for ev := d.First(evs); d.IsArray(evs) && ev != None; ev = d.Next(ev) {
		if customers[strAt(d, ev, "author_id")] {
			d.Append(ids, d.Clone(d.Get(ev, "id")))
			n++
		}
	}
	if n == 0 {
		return None
	}
	e.lossy("R6 event_ids matched by author")
	return ids
}

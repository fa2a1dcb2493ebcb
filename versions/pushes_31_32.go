package versions

// This file holds the push changes between 3.1 and 3.2 (spec/structures.md §4, §8 B7–B14).

// incomingChatDown32: requester_id and transferred_from (inside chat or beside it) dropped (B7).
func incomingChatDown32(_ *Env, d *Doc) error {
	r := d.Root()
	d.Delete(r, "requester_id")
	d.Delete(r, "transferred_from")
	d.Delete(d.Get(r, "chat"), "transferred_from")
	return nil
}

// userAddedDown32: user_type from user.type; reason and requester_id dropped; a missing
// thread_id becomes "" (B9).
func userAddedDown32(_ *Env, d *Doc) error {
	r := d.Root()
	ensureThreadID(d, r)
	typ := strAt(d, d.Get(r, "user"), "type")
	if typ == "" {
		typ = "agent"
	}
	d.Delete(r, "reason")
	d.Delete(r, "requester_id")
	d.Set(r, "user_type", d.NewString(typ))
	return nil
}

// userRemovedDown32: user_type guessed from the id's form (customers have UUIDs); reason and
// requester_id dropped; a missing thread_id becomes "" (B10).
func userRemovedDown32(_ *Env, d *Doc) error {
	r := d.Root()
	ensureThreadID(d, r)
	typ := "agent"
	if isCustomerID(strAt(d, r, "user_id")) {
		typ = "customer"
	}
	d.Delete(r, "reason")
	d.Delete(r, "requester_id")
	d.Set(r, "user_type", d.NewString(typ))
	return nil
}

// userAddedUp32: user_type dropped; reason "manual", the only documented value (B9/B10 up).
// 3.1 does not say who asked: requester_id is left out.
func userAddedUp32(e *Env, d *Doc) error {
	r := d.Root()
	d.Delete(r, "user_type")
	d.Set(r, "reason", d.NewString("manual"))
	e.lossy("B9 user pushes without requester_id (3.1 has none)")
	return nil
}

// incomingChatUp32 counts what a 3.2 incoming_chat lacks when it comes from 3.1's
// incoming_chat_thread: requester_id, and the thread's neighbours and queue (B8 up).
func incomingChatUp32(e *Env, _ *Doc) error {
	e.lossy("B8 incoming_chat without requester_id, thread neighbours and queue")
	return nil
}

func ensureThreadID(d *Doc, r Node) {
	if d.Get(r, "thread_id") == None {
		d.InsertAfter(r, d.Get(r, "chat_id"), "thread_id", d.NewString(""))
	}
}

// transferredDown32: transferred_to → type + ids (agents when any, else groups); reason and
// queue dropped (B11).
func transferredDown32(e *Env, d *Doc) error {
	r := d.Root()
	ensureThreadID(d, r)
	to := d.Detach(r, "transferred_to")
	d.Delete(r, "reason")
	d.Delete(r, "queue")
	agents, groups := d.Get(to, "agent_ids"), d.Get(to, "group_ids")
	switch {
	case d.IsArray(agents) && d.First(agents) != None:
		if d.IsArray(groups) && d.First(groups) != None {
			e.lossy("B11 chat_transferred to an agent of a group (group dropped)")
		}
		d.Set(r, "type", d.NewString("agent"))
		d.Set(r, "ids", agents)
	case d.IsArray(groups):
		d.Set(r, "type", d.NewString("group"))
		d.Set(r, "ids", groups)
	}
	return nil
}

// transferredUp32: type + ids → transferred_to; reason "manual" (B11 up).
func transferredUp32(_ *Env, d *Doc) error {
	r := d.Root()
	typ := strAt(d, r, "type")
	ids := d.Detach(r, "ids")
	d.Delete(r, "type")
	to := d.NewObject()
	if ids != None {
		if typ == "agent" {
			d.Set(to, "agent_ids", ids)
		} else {
			d.Set(to, "group_ids", ids)
		}
	}
	d.Set(r, "reason", d.NewString("manual"))
	d.Set(r, "transferred_to", to)
	return nil
}

// greetingToMulticast renders a 3.2 incoming_greeting as the incoming_multicast that carried
// greetings up to 3.1: {author_id, content: {lc2: {type: "greeting", id, unique_id, text,
// agent, displayed_first_time}}} (B14; the shape is UNCONFIRMED, and matches the simulator).
func greetingToMulticast(e *Env, d *Doc) error {
	r := d.Root()
	agent := d.Get(r, "agent")
	lc2 := newObjectWith(d, "type", d.NewString("greeting"))
	for _, k := range []string{"id", "unique_id"} {
		if v := d.Get(r, k); v != None {
			d.Set(lc2, k, d.Clone(v))
		}
	}
	d.Set(lc2, "text", d.NewString(greetingText(d, d.Get(r, "event"))))
	if d.IsObject(agent) {
		a := d.Clone(agent)
		if d.Get(a, "type") == None {
			d.InsertBefore(a, "avatar", "type", d.NewString("agent"))
		}
		d.Set(lc2, "agent", a)
	}
	if v := d.Get(r, "displayed_first_time"); v != None {
		d.Set(lc2, "displayed_first_time", d.Clone(v))
	}
	author := strAt(d, agent, "id")
	d.Clear(r)
	if author != "" {
		d.Set(r, "author_id", d.NewString(author))
	}
	d.Set(r, "content", newObjectWith(d, "lc2", lc2))
	e.lossy("B14 incoming_greeting as an lc2 multicast (event reduced to text)")
	return nil
}

// accessSetFromTransfer rebuilds the ≤3.1 access_set {resource: "chat", id, access:
// {group_ids}} that followed a transfer to groups (B12; heuristic: 3.2 sends none).
func accessSetFromTransfer(e *Env, d *Doc) (string, *Doc) {
	r := d.Root()
	groups := d.Path(r, "transferred_to", "group_ids")
	if !d.IsArray(groups) || d.First(groups) == None {
		return "", nil
	}
	out := e.newDoc()
	o := out.Root()
	out.Set(o, "resource", out.NewString("chat"))
	out.Set(o, "id", out.Import(d, d.Get(r, "chat_id")))
	access := out.NewObject()
	out.Set(access, "group_ids", out.Import(d, groups))
	out.Set(o, "access", access)
	e.lossy("B12 access_set rebuilt from chat_transferred")
	return "access_set", out
}

// customerPageUpdated rebuilds the ≤3.1 customer_page_updated {url, title, timestamp} that
// followed update_customer_page: the page the request set, at the time of the answer.
func customerPageUpdated(e *Env, req *Doc) (string, *Doc) {
	out := e.newDoc()
	o := out.Root()
	out.Set(o, "url", out.Import(req, req.Get(req.Root(), "url")))
	title := req.Get(req.Root(), "title")
	if title == None {
		out.Set(o, "title", out.NewString(""))
	} else {
		out.Set(o, "title", out.Import(req, title))
	}
	out.Set(o, "timestamp", out.NewInt(e.Now().Unix()))
	e.lossy("customer_page_updated rebuilt after update_customer_page")
	return "customer_page_updated", out
}

// isGreetingMulticast reports whether an incoming_multicast carries an lc2 greeting.
func isGreetingMulticast(d *Doc) bool {
	return strAt(d, d.Path(d.Root(), "content", "lc2"), "type") == "greeting"
}

// multicastToGreeting turns an lc2 greeting multicast into 3.2's incoming_greeting {id,
// unique_id, displayed_first_time, event, agent} (B14 up; the event is a message with the
// greeting's text, without id or time: the multicast has none).
func multicastToGreeting(e *Env, d *Doc) error {
	r := d.Root()
	lc2 := d.Detach(d.Get(r, "content"), "lc2")
	d.Clear(r)
	for _, k := range []string{"id", "unique_id", "displayed_first_time"} {
		if v := d.Detach(lc2, k); v != None {
			d.Set(r, k, v)
		}
	}
	agent := d.Detach(lc2, "agent")
	ev := d.NewObject()
	d.Set(ev, "type", d.NewString("message"))
	if id := strAt(d, agent, "id"); id != "" {
		d.Set(ev, "author_id", d.NewString(id))
	}
	if text := d.Detach(lc2, "text"); text != None {
		d.Set(ev, "text", text)
	}
	d.Set(r, "event", ev)
	if agent != None {
		d.Delete(agent, "type")
		d.Set(r, "agent", agent)
	}
	e.lossy("B14 lc2 greeting multicast as incoming_greeting (event without id and time)")
	return nil
}

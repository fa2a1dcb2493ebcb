package versions

import "time"

// This file holds the structure changes between 3.1 and 3.2 (spec/structures.md §8).

// wrapPropertyValues turns {ns: {name: X}} into {ns: {name: {"value": X}}} (B1 down).
func wrapPropertyValues(_ *Env, d *Doc, n Node) {
	if !d.IsObject(n) {
		return
	}
	for ns := d.First(n); ns != None; ns = d.Next(ns) {
		if !d.IsObject(ns) {
			continue
		}
		for p := d.First(ns); p != None; {
			next := d.Next(p)
			w := d.NewObject()
			d.ReplaceNode(ns, p, w)
			d.Set(w, "value", p)
			p = next
		}
	}
}

// unwrapPropertyValues turns {ns: {name: {"value": X}}} into {ns: {name: X}} (B1 up). Property
// values are never objects, so a one-key {"value": …} object is always the wrapper.
func unwrapPropertyValues(_ *Env, d *Doc, n Node) {
	if !d.IsObject(n) {
		return
	}
	for ns := d.First(n); ns != None; ns = d.Next(ns) {
		if !d.IsObject(ns) {
			continue
		}
		for p := d.First(ns); p != None; p = d.Next(p) {
			if d.IsObject(p) && d.Len(p) == 1 {
				if v := d.Detach(p, "value"); v != None {
					d.ReplaceNode(ns, p, v)
					p = v
				}
			}
		}
	}
}

// threadDown32: created_at → timestamp (floor, unix s) and order (unix µs); previous and next
// thread ids and queue dropped (B2 down).
func threadDown32(e *Env, d *Doc, n Node) {
	if t, ok := replaceTime(d, n, "created_at", "timestamp", func(t time.Time) int64 { return t.Unix() }); ok {
		d.InsertBefore(n, "user_ids", "order", d.NewInt(timeToOrder(t)))
		if t.Nanosecond() != 0 {
			e.lossy("B2 thread created_at to timestamp (sub-second precision)")
		}
	}
	for _, k := range []string{"previous_thread_id", "next_thread_id", "queue"} {
		d.Delete(n, k)
	}
}

// threadUp32: timestamp → created_at (".000000"), order dropped (B2 up).
func threadUp32(e *Env, d *Doc, n Node) {
	if ts, ok := intAt(d, n, "timestamp"); ok {
		d.Set(n, "timestamp", d.NewString(FormatTime(time.Unix(ts, 0))))
		d.Rename(n, "timestamp", "created_at")
		e.lossy("B2 thread timestamp to created_at (no sub-second precision)")
	}
	d.Delete(n, "order")
}

// chatOrderDown adds the 3.1 chat `order`: the unix µs of its (last) thread's creation (B3).
func chatOrderDown(_ *Env, d *Doc, n Node) {
	if d.Get(n, "order") != None {
		return
	}
	th := d.Get(n, "thread")
	if threads := d.Get(n, "threads"); d.IsArray(threads) {
		for ch := d.First(threads); ch != None; ch = d.Next(ch) {
			th = ch
		}
	}
	if t, ok := timeAt(d, th, "created_at"); ok {
		d.InsertBefore(n, "users", "order", d.NewInt(timeToOrder(t)))
	}
}

// summaryDown32: last_thread_created_at → order, thread_created_at → thread_order (B4 down).
func summaryDown32(_ *Env, d *Doc, n Node) {
	if t, ok := timeAt(d, n, "last_thread_created_at"); ok {
		d.Delete(n, "last_thread_created_at")
		d.InsertBefore(n, "last_thread_id", "order", d.NewInt(timeToOrder(t)))
	}
	forEachLastEvent(d, n, func(item Node) {
		t, ok := timeAt(d, item, "thread_created_at")
		if !ok {
			return
		}
		if d.Get(item, "thread_order") != None { // some 3.2 servers still send it
			d.Delete(item, "thread_created_at")
			return
		}
		d.Set(item, "thread_created_at", d.NewInt(timeToOrder(t)))
		d.Rename(item, "thread_created_at", "thread_order")
	})
}

// summaryUp32: order → last_thread_created_at, thread_order → thread_created_at (B4 up).
func summaryUp32(e *Env, d *Doc, n Node) {
	if o, ok := intAt(d, n, "order"); ok {
		d.Delete(n, "order")
		d.InsertBefore(n, "last_event_per_type", "last_thread_created_at", d.NewString(FormatTime(orderToTime(o))))
		if o < 1e14 {
			e.lossy("B4 chat summary order to last_thread_created_at (seconds only)")
		}
	}
	forEachLastEvent(d, n, func(item Node) {
		if o, ok := intAt(d, item, "thread_order"); ok {
			d.Set(item, "thread_order", d.NewString(FormatTime(orderToTime(o))))
			d.Rename(item, "thread_order", "thread_created_at")
		}
	})
}

func forEachLastEvent(d *Doc, n Node, f func(item Node)) {
	lept := d.Get(n, "last_event_per_type")
	if !d.IsObject(lept) {
		return
	}
	for item := d.First(lept); item != None; item = d.Next(item) {
		if d.IsObject(item) {
			f(item)
		}
	}
}

// sessionFieldsDown: session_fields (array) → fields (object) in a customer (B5 down).
func sessionFieldsDown(e *Env, d *Doc, n Node) {
	sf := d.Get(n, "session_fields")
	if !d.IsArray(sf) {
		return
	}
	d.Set(n, "session_fields", sessionToFields(e, d, sf))
	d.Rename(n, "session_fields", "fields")
}

// sessionFieldsUp: fields (object) → session_fields (array) in a customer (B5 up).
func sessionFieldsUp(_ *Env, d *Doc, n Node) {
	f := d.Get(n, "fields")
	if !d.IsObject(f) {
		return
	}
	d.Set(n, "fields", fieldsToSession(d, f))
	d.Rename(n, "fields", "session_fields")
}

// formOptionsDown32: group_chooser options lose `id` and get `checked: false` (B16 down).
func formOptionsDown32(e *Env, d *Doc, n Node) {
	if strAt(d, n, "type") != "group_chooser" {
		return
	}
	opts := d.Get(n, "options")
	for o := d.First(opts); d.IsArray(opts) && o != None; o = d.Next(o) {
		d.Delete(o, "id")
		if d.Get(o, "checked") == None {
			d.Set(o, "checked", d.NewBool(false))
		}
	}
}

// formOptionsUp32: group_chooser options get `id`, their index as a string (B16 up; UNCONFIRMED).
func formOptionsUp32(e *Env, d *Doc, n Node) {
	if strAt(d, n, "type") != "group_chooser" {
		return
	}
	e.lossy("B16 group_chooser option id synthesised from its index")
	opts := d.Get(n, "options")
	i := 0
	for o := d.First(opts); d.IsArray(opts) && o != None; o = d.Next(o) {
		d.InsertAfter(o, None, "id", d.NewString(itoa(i)))
		d.Delete(o, "checked")
		i++
	}
}

// dropKeys returns a structure change that removes members.
func dropKeys(keys ...string) func(*Env, *Doc, Node) {
	return func(_ *Env, d *Doc, n Node) {
		for _, k := range keys {
			d.Delete(n, k)
		}
	}
}

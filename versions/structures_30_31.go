package versions

import "time"

// This file holds the structure and push changes between 3.0 and 3.1 (spec/structures.md §7).

// eventDown31: created_at → order (unix µs, in its place) and timestamp (unix s, after
// author_id, or after type for system messages) (A3 down). It reads the event's members once:
// events are the most numerous structure of an answer.
func eventDown31(e *Env, d *Doc, n Node) {
	created, prevCreated, after := None, None, None
	var prev, typ Node = None, None
	for ch := d.First(n); ch != None; prev, ch = ch, d.Next(ch) {
		switch string(d.KeyBytes(ch)) {
		case "created_at":
			created, prevCreated = ch, prev
		case "author_id":
			after = ch
		case "type":
			typ = ch
		case "timestamp":
			return // already a 3.0 event
		}
	}
	t, ok := timeOf(d, created)
	if !ok {
		return
	}
	order := d.NewInt(timeToOrder(t))
	d.SwapAfter(n, prevCreated, created, "order", order)
	if after == None {
		after = typ
	}
	if after == None {
		after = order
	}
	d.LinkAfter(n, after, "timestamp", d.NewInt(t.Unix()))
	if t.Nanosecond() != 0 {
		e.lossy("A3 event created_at to timestamp (sub-second precision)")
	}
}

// eventUp31: timestamp + order → created_at, the fraction taken from order so same-second
// events keep their order (A3 up; lossy).
func eventUp31(e *Env, d *Doc, n Node) {
	ts, ok := intAt(d, n, "timestamp")
	if !ok {
		return
	}
	order, _ := intAt(d, n, "order")
	frac := order % 1_000_000
	if frac < 0 {
		frac = 0
	}
	at := time.Unix(ts, frac*1000)
	d.Delete(n, "timestamp")
	if d.Get(n, "order") != None {
		d.Set(n, "order", d.NewString(FormatTime(at)))
		d.Rename(n, "order", "created_at")
	} else {
		d.InsertBefore(n, "type", "created_at", d.NewString(FormatTime(at)))
	}
	e.lossy("A3 event timestamp to created_at (sub-second time unknown)")
}

// seenDown31: events_seen_up_to → last_seen_timestamp, floored to the second (A4 down).
func seenDown31(e *Env, d *Doc, n Node) {
	if t, ok := replaceTime(d, n, "events_seen_up_to", "last_seen_timestamp", func(t time.Time) int64 { return t.Unix() }); ok && t.Nanosecond() != 0 {
		e.lossy("A4 events_seen_up_to to last_seen_timestamp (sub-second precision)")
	}
}

// seenUp31: last_seen_timestamp → events_seen_up_to at the end of that second, so every event
// of the second counts as seen; 0 (never) is dropped (A4 up).
func seenUp31(e *Env, d *Doc, n Node) {
	ts, ok := intAt(d, n, "last_seen_timestamp")
	if !ok {
		return
	}
	if ts == 0 {
		d.Delete(n, "last_seen_timestamp")
		return
	}
	e.lossy("A4 last_seen_timestamp to events_seen_up_to (sub-second time unknown)")
	d.Set(n, "last_seen_timestamp", d.NewString(endOfSecond(ts)))
	d.Rename(n, "last_seen_timestamp", "events_seen_up_to")
}

// endOfSecond is the datetime of the last microsecond of unix second ts.
func endOfSecond(ts int64) string { return FormatTime(time.Unix(ts, 999_999_000)) }

// seenPushDown31: seen_up_to → timestamp (floor). The 3.0 push's thread_id is not known from
// a 3.1 push and is left out (A6; UNCONFIRMED whether 3.0 clients need it).
func seenPushDown31(e *Env, d *Doc) error {
	r := d.Root()
	if t, ok := replaceTime(d, r, "seen_up_to", "timestamp", func(t time.Time) int64 { return t.Unix() }); ok && t.Nanosecond() != 0 {
		e.lossy("A6 seen_up_to to timestamp (sub-second precision)")
	}
	return nil
}

// seenPushUp31: timestamp → seen_up_to at the end of that second; thread_id dropped (A6 up).
func seenPushUp31(e *Env, d *Doc) error {
	r := d.Root()
	d.Delete(r, "thread_id")
	if ts, ok := intAt(d, r, "timestamp"); ok {
		e.lossy("A6 timestamp to seen_up_to (sub-second time unknown)")
		d.Set(r, "timestamp", d.NewString(endOfSecond(ts)))
		d.Rename(r, "timestamp", "seen_up_to")
	}
	return nil
}

// typingDown31 removes typing_indicator.recipients (A11 down).
func typingDown31(_ *Env, d *Doc) error {
	d.Delete(d.Get(d.Root(), "typing_indicator"), "recipients")
	return nil
}

// typingUp31 adds typing_indicator.recipients "all" (A11 up).
func typingUp31(_ *Env, d *Doc) error {
	ti := d.Get(d.Root(), "typing_indicator")
	if d.IsObject(ti) && d.Get(ti, "recipients") == None {
		d.InsertBefore(ti, "timestamp", "recipients", d.NewString("all"))
	}
	return nil
}

// predictedAgentRequestUp drops group_id, which 3.1 does not document (R7; lossy).
func predictedAgentRequestUp(e *Env, d *Doc) error {
	if d.Delete(d.Root(), "group_id") {
		e.lossy("R7 get_predicted_agent group_id dropped")
	}
	return nil
}

// markSeenRequestDown: seen_up_to → timestamp (floor) for a 3.0 upstream (R4 down).
func markSeenRequestDown(e *Env, d *Doc) error {
	r := d.Root()
	if t, ok := replaceTime(d, r, "seen_up_to", "timestamp", func(t time.Time) int64 { return t.Unix() }); ok && t.Nanosecond() != 0 {
		e.lossy("R4 seen_up_to to timestamp (sub-second precision)")
	}
	return nil
}

// wrapIn makes the answer {key: answer}.
func wrapIn(key string) func(*Env, *Doc) error {
	return func(_ *Env, d *Doc) error {
		out := d.NewObject()
		d.Set(out, key, d.Root())
		d.SetRoot(out)
		return nil
	}
}

// unwrapFrom makes the answer its member key, when it has one.
func unwrapFrom(key string) func(*Env, *Doc) error {
	return func(_ *Env, d *Doc) error {
		if in := d.Get(d.Root(), key); d.IsObject(in) {
			d.SetRoot(d.Detach(d.Root(), key))
		}
		return nil
	}
}

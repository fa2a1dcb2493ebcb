package versions

// This file holds the login changes between 3.1 and 3.2 (spec/methods.md R22, structures.md §8 B6).

// loginRequestUp32: customer.fields → customer.session_fields.
func loginRequestUp32(_ *Env, d *Doc) error {
	c := d.Get(d.Root(), "customer")
	if f := d.Get(c, "fields"); d.IsObject(f) {
		d.Set(c, "fields", fieldsToSession(d, f))
		d.Rename(c, "fields", "session_fields")
	}
	return nil
}

// loginRequestDown32: customer.session_fields → customer.fields; application dropped.
func loginRequestDown32(e *Env, d *Doc) error {
	c := d.Get(d.Root(), "customer")
	if f := d.Get(c, "session_fields"); d.IsArray(f) {
		d.Set(c, "session_fields", sessionToFields(e, d, f))
		d.Rename(c, "session_fields", "fields")
	}
	if d.Delete(d.Root(), "application") {
		e.lossy("B6 login application dropped")
	}
	return nil
}

// loginResponseDown32 rebuilds the 3.1 login answer: customer_id and
// __priv_dynamic_config.customer_data from `customer`, __priv_dynamic_config.greeting from the
// top-level `greeting`. Fields with no 3.2 source (last_visit_timestamp, client_version,
// group_id, global_properties, static_config_version, predicted_agent) are left out.
func loginResponseDown32(e *Env, d *Doc) error {
	r := d.Root()
	cust := d.Detach(r, "customer")
	greeting := d.Detach(r, "greeting")
	priv := d.Get(r, "__priv_dynamic_config")
	if !d.IsObject(priv) {
		priv = d.NewObject()
		d.Set(r, "__priv_dynamic_config", priv)
	}
	if d.IsObject(cust) {
		d.InsertAfter(r, None, "customer_id", d.Clone(d.Get(cust, "id")))
		data := d.NewObject()
		if name := d.Get(cust, "name"); name != None {
			d.Set(data, "name", d.Clone(name))
		}
		stats := d.Get(cust, "statistics")
		copyStat := func(from, to string) {
			if v := d.Get(stats, from); v != None {
				d.Set(data, to, d.Clone(v))
			}
		}
		copyStat("page_views_count", "page_views_count")
		copyStat("visits_count", "visits_count")
		copyStat("chats_count", "chats_count")
		copyStat("greetings_shown_count", "invitations_shown_count")
		copyStat("greetings_accepted_count", "invitations_accepted_count")
		fields := d.NewObject()
		if sf := d.Get(cust, "session_fields"); d.IsArray(sf) {
			fields = sessionToFields(e, d, sf)
		}
		d.Set(data, "fields", fields)
		d.InsertAfter(priv, None, "customer_data", data)
		e.lossy("B6 login customer_data without last_visit_timestamp, client_version, group_id")
	}
	if d.IsObject(greeting) {
		g := d.NewObject()
		for _, k := range []string{"id", "unique_id"} {
			if v := d.Get(greeting, k); v != None {
				d.Set(g, k, d.Clone(v))
			}
		}
		d.Set(g, "text", d.NewString(greetingText(d, d.Get(greeting, "event"))))
		for _, k := range []string{"agent", "displayed_first_time", "accepted"} {
			if v := d.Get(greeting, k); v != None {
				d.Set(g, k, d.Clone(v))
			}
		}
		d.Set(priv, "greeting", g)
		e.lossy("B6 login greeting event reduced to text")
	}
	return nil
}

// greetingText is the text of a greeting's event: a message's text, or a rich message's first
// element title.
func greetingText(d *Doc, ev Node) string {
	if s, ok := d.Str(d.Get(ev, "text")); ok {
		return s
	}
	els := d.Get(ev, "elements")
	if d.IsArray(els) && d.First(els) != None {
		return strAt(d, d.First(els), "title")
	}
	return ""
}

// loginResponseUp32 rebuilds the 3.2 login answer from 3.1's (R22 DOWN): `customer` from
// customer_id and __priv_dynamic_config.customer_data, the top-level `greeting` from
// __priv_dynamic_config.greeting (its event a message with the greeting's text). Email,
// avatar and statistics.threads_count have no 3.1 source and are left out; the other private
// members 3.2 no longer sends are dropped.
func loginResponseUp32(e *Env, d *Doc) error {
	r := d.Root()
	id := d.Detach(r, "customer_id")
	priv := d.Get(r, "__priv_dynamic_config")
	data := d.Get(priv, "customer_data")
	cust := d.NewObject()
	if id != None {
		d.Set(cust, "id", id)
	}
	if name, ok := d.Str(d.Get(data, "name")); ok && name != "" {
		d.Set(cust, "name", d.NewString(name))
	}
	if f := d.Get(data, "fields"); d.IsObject(f) && d.First(f) != None {
		d.Set(cust, "session_fields", fieldsToSession(d, f))
	}
	stats := d.NewObject()
	for _, m := range [][2]string{{"chats_count", "chats_count"}, {"visits_count", "visits_count"},
		{"page_views_count", "page_views_count"}, {"invitations_shown_count", "greetings_shown_count"},
		{"invitations_accepted_count", "greetings_accepted_count"}} {
		if v := d.Get(data, m[0]); v != None {
			d.Set(stats, m[1], d.Clone(v))
		}
	}
	d.Set(cust, "statistics", stats)
	d.InsertAfter(r, None, "customer", cust)
	e.lossy("R22 login customer without email, avatar and statistics.threads_count")
	if g := d.Get(priv, "greeting"); d.IsObject(g) {
		d.InsertBefore(r, "__priv_dynamic_config", "greeting", greetingUp32(e, d, g))
	}
	if d.IsObject(priv) {
		for _, k := range []string{"customer_data", "global_properties", "static_config_version", "predicted_agent", "greeting"} {
			d.Delete(priv, k)
		}
		if groups := d.Get(priv, "customer_groups"); d.IsObject(groups) {
			d.Delete(groups, "chats")
		}
	}
	return nil
}

// greetingUp32 builds the 3.2 login greeting from the 3.1 private one: the event is a
// message holding the greeting's text (its rich form and addon are unknown).
func greetingUp32(e *Env, d *Doc, g Node) Node {
	out := d.NewObject()
	accepted := d.Clone(d.Get(g, "accepted"))
	if accepted == None {
		accepted = d.NewBool(false)
	}
	d.Set(out, "accepted", accepted)
	for _, k := range []string{"id", "unique_id"} {
		if v := d.Get(g, k); v != None {
			d.Set(out, k, d.Clone(v))
		}
	}
	ev := d.NewObject()
	d.Set(ev, "type", d.NewString("message"))
	d.Set(ev, "text", d.NewString(strAt(d, g, "text")))
	d.Set(out, "event", ev)
	for _, k := range []string{"agent", "displayed_first_time"} {
		if v := d.Get(g, k); v != None {
			d.Set(out, k, d.Clone(v))
		}
	}
	e.lossy("R22 login greeting event synthesised from its text")
	return out
}

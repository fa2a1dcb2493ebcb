package sim

// This file renders the login answer of each version (spec/structures.md §1.3).

const (
	staticConfigURL   = "/licence/1520/get_static_config.121.1808829.94.95.39446.4011.2385.398.160.552.58.337.44320.js"
	languageConfigURL = "/licence/1520/v2/localization.en.121.004b8e014f50ea0c6ad6227162f7d18f_40d391a9adcdbf190e62fcd21c865bf2.js"
)

// renderLogin renders the login response for customer c.
func (st *store) renderLogin(v version, c *customer) *obj {
	o := newObj()
	if v == v32 {
		o.set("customer", st.renderLoginCustomer(c))
	} else {
		o.set("customer_id", c.id)
	}
	hasActive := false
	chats := []*obj{}
	for _, id := range c.chatIDs {
		ch := st.chats[id]
		if ch == nil {
			continue
		}
		hasActive = hasActive || ch.active()
		chats = append(chats, newObj().set("chat_id", ch.id).set("has_unread_events", ch.hasUnread(c.id)))
	}
	o.set("has_active_thread", hasActive).set("chats", chats)
	g := c.greeting
	if v == v32 && g != nil {
		o.set("greeting", st.renderLoginGreeting(g))
	}
	priv := newObj()
	if v != v32 {
		priv.set("customer_data", st.renderCustomerData(c))
	}
	priv.set("online_groups_ids", st.onlineGroups())
	if v != v32 {
		priv.set("global_properties", newObj())
	}
	groups := newObj().set("monitoring", newObj().set("id", c.groupID).
		set("static_config_url", staticConfigURL).set("language_config_url", languageConfigURL))
	if v != v32 {
		groups.set("chats", st.customerGroupChats(c))
	}
	priv.set("customer_groups", groups)
	if v != v32 {
		a := st.agents[0]
		priv.set("static_config_version", "1.0")
		priv.set("predicted_agent", newObj().set("id", a.id).set("name", a.name).set("type", "agent").
			set("avatar", a.avatar).set("job_title", a.jobTitle))
		if g != nil {
			priv.set("greeting", st.renderPrivGreeting(g))
		}
	}
	return o.set("__priv_dynamic_config", priv)
}

// hasUnread reports whether the chat has an event by someone else after the user's marker.
func (ch *chat) hasUnread(userID string) bool {
	seen := ch.seen[userID]
	for _, t := range ch.threads {
		for _, e := range t.events {
			if e.authorID != userID && e.createdAt.After(seen) {
				return true
			}
		}
	}
	return false
}

func (st *store) renderLoginCustomer(c *customer) *obj {
	o := newObj().set("id", c.id)
	o.setIf(c.name != "", "name", c.name)
	o.setIf(c.email != "", "email", c.email)
	o.setIf(c.avatar != "", "avatar", c.avatar)
	renderFields(v32, o, c.fields)
	return o.set("statistics", newObj().set("chats_count", len(c.chatIDs)).
		set("threads_count", st.threadCount(c)).set("visits_count", c.visits).
		set("page_views_count", c.pageViews).set("greetings_shown_count", c.greetingsShown).
		set("greetings_accepted_count", c.greetingsAccepted))
}

func (st *store) renderCustomerData(c *customer) *obj {
	fields := newObj()
	for _, f := range c.fields {
		fields.set(f.k, f.v)
	}
	o := newObj().set("name", c.name)
	if !c.lastVisit.IsZero() {
		o.set("last_visit_timestamp", c.lastVisit.Unix())
	}
	return o.set("page_views_count", c.pageViews).set("visits_count", c.visits).
		set("chats_count", len(c.chatIDs)).set("invitations_shown_count", c.greetingsShown).
		set("invitations_accepted_count", c.greetingsAccepted).set("client_version", "sim").
		set("fields", fields).set("group_id", c.groupID)
}

func (st *store) threadCount(c *customer) int {
	n := 0
	for _, id := range c.chatIDs {
		if ch := st.chats[id]; ch != nil {
			n += len(ch.threads)
		}
	}
	return n
}

func (st *store) onlineGroups() []int {
	ids := []int{}
	for _, g := range st.groups {
		if g.status != "offline" {
			ids = append(ids, g.id)
		}
	}
	return ids
}

// customerGroupChats renders __priv_dynamic_config.customer_groups.chats: chat ids per group.
func (st *store) customerGroupChats(c *customer) *obj {
	o := newObj()
	for _, id := range c.chatIDs {
		ch := st.chats[id]
		if ch == nil {
			continue
		}
		key := itoa(ch.group())
		entry, ok := o.get(key)
		if !ok {
			entry = newObj().set("chat_ids", []string{}).set("static_config_url", staticConfigURL).
				set("language_config_url", languageConfigURL)
			o.set(key, entry)
		}
		e := entry.(*obj)
		ids, _ := e.get("chat_ids")
		e.set("chat_ids", append(ids.([]string), ch.id))
	}
	return o
}

// renderPrivGreeting renders the ≤3.1 __priv_dynamic_config.greeting.
func (st *store) renderPrivGreeting(g *greeting) *obj {
	return newObj().set("id", g.id).set("unique_id", g.uniqueID).set("text", g.text).
		set("agent", renderAgentCard(st.agentByID(g.agentID), true)).
		set("displayed_first_time", g.displayedFirstTime).set("accepted", g.accepted)
}

// renderLoginGreeting renders the 3.2 top-level login greeting.
func (st *store) renderLoginGreeting(g *greeting) *obj {
	o := newObj().set("accepted", g.accepted).set("id", g.id).set("unique_id", g.uniqueID)
	o.setIf(g.addon != "", "addon", g.addon)
	return o.set("event", renderEvent(v32, g.event)).
		set("agent", renderAgentCard(st.agentByID(g.agentID), true)).
		set("displayed_first_time", g.displayedFirstTime)
}

package sim

import (
	"net/url"
	"strconv"
)

// This file holds the methods about groups, forms, goals, agents, links, greetings and
// rich-message postbacks.

func mGetGroupsStatus(c *call) (*obj, *apiError) {
	all, err := c.p.boolean("all")
	if err != nil {
		return nil, err
	}
	key := "groups"
	if c.v == v32 {
		key = "group_ids"
	}
	ids, has, err := c.p.ints(key, false)
	if err != nil {
		return nil, err
	}
	if c.v != v30 && !all && !has {
		return nil, validationf("One of `all` or `%s` is required", key)
	}
	status := newObj()
	for _, g := range c.st.groups {
		if all || containsInt(ids, g.id) {
			status.set(itoa(g.id), g.status)
		}
	}
	return newObj().set("groups_status", status), nil
}

func mCheckGoals(c *call) (*obj, *apiError) {
	if _, err := c.p.str("page_url", true); err != nil {
		return nil, err
	}
	gid, err := c.p.integer("group_id", true, 0)
	if err != nil {
		return nil, err
	}
	if c.st.groupByID(gid) == nil {
		return nil, errorf("group_not_found", "Group %d not found", gid)
	}
	// 3.2: the docs name `session_fields`, SDK2 sends `customer_fields` (UNCONFIRMED): either is
	// accepted, at least one is required.
	_, hasMap, err := c.p.stringMap("customer_fields", false)
	if err != nil {
		return nil, err
	}
	hasArr := false
	if c.v == v32 {
		if _, hasArr, err = c.p.sessionFields("session_fields", false); err != nil {
			return nil, err
		}
	}
	if !hasMap && !hasArr {
		if c.v == v32 {
			return nil, validationf("`session_fields` is required")
		}
		return nil, validationf("`customer_fields` is required")
	}
	return nil, nil
}

func mGetForm(c *call) (*obj, *apiError) {
	gid, err := c.p.integer("group_id", true, 0)
	if err != nil {
		return nil, err
	}
	typ, err := c.p.str("type", true)
	if err != nil {
		return nil, err
	}
	switch {
	case typ == "prechat", typ == "postchat", typ == "ticket" && c.v == v32:
	default:
		return nil, validationf("`type` %q is not a form type in version %s", typ, c.v)
	}
	if c.st.groupByID(gid) == nil {
		return nil, errorf("group_not_found", "Group %d not found", gid)
	}
	if gid != 0 || typ == "ticket" {
		return newObj().set("enabled", false), nil
	}
	return newObj().set("enabled", true).set("form", c.st.renderForm(c.v, typ)), nil
}

// renderForm renders the licence's pre-chat or post-chat form of group 0.
func (st *store) renderForm(v version, typ string) *obj {
	field := func(id, kind, label string) *obj {
		return newObj().set("id", id).set("type", kind).set("label", label)
	}
	opt := func(i int, label string) *obj {
		o := newObj().set("id", itoa(i)).set("label", label)
		return o.set("checked", false)
	}
	fields := []*obj{}
	if typ == "prechat" {
		fields = append(fields,
			field("1001", "header", "Welcome! Please fill in the form below before starting the chat."),
			field("1002", "name", "Name:").set("required", false),
			field("1003", "email", "E-mail:").set("required", true),
			field("1004", "radio", "Chat purpose:").set("required", false).set("options", []*obj{opt(0, "Support"), opt(1, "Sales")}))
		chooser := field("1005", "group_chooser", "Choose a department:").set("required", true)
		var opts []*obj
		for i, g := range st.groups {
			o := newObj()
			if v == v32 {
				o.set("id", itoa(i))
			}
			o.set("group_id", g.id).set("label", g.name)
			if v != v32 {
				o.set("checked", false)
			}
			opts = append(opts, o)
		}
		fields = append(fields, chooser.set("options", opts))
	} else {
		fields = append(fields, field("2001", "rating", "How would you rate this chat?").
			set("comment_label", "Thank you! Leave a comment below:").set("required", false))
	}
	id := "100"
	if typ == "postchat" {
		id = "200"
	}
	return newObj().set("id", id).set("fields", fields)
}

func mGetPredictedAgent(c *call) (*obj, *apiError) {
	// 3.1/3.2 document no parameter; `group_id` is still honoured (tolerant reading).
	gid, err := c.p.integer("group_id", false, 0)
	if err != nil {
		return nil, err
	}
	g := c.st.groupByID(gid)
	if g == nil {
		return nil, errorf("group_not_found", "Group %d not found", gid)
	}
	if g.status == "offline" {
		return nil, groupOffline(c.v)
	}
	if g.status == "online_for_queue" {
		return nil, errorf("group_unavailable", "No agent available for group")
	}
	a := c.st.agents[0]
	card := newObj().set("id", a.id).set("name", a.name).set("avatar", a.avatar).
		set("is_bot", a.isBot).set("job_title", a.jobTitle).set("type", "agent")
	if c.v == v30 {
		return newObj().set("agent", card), nil
	}
	return card, nil
}

// mGetURLInfo serves get_url_details (≤3.1) and get_url_info (3.2). The simulator reaches no
// network: it describes any http(s) URL from its parts.
func mGetURLInfo(c *call) (*obj, *apiError) {
	raw, err := c.p.str("url", true)
	if err != nil {
		return nil, err
	}
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, validationf("`url` must be an http or https URL")
	}
	o := newObj().set("title", u.Host).set("description", "Page at "+raw).
		set("image_url", "https://cdn.livechat-static.com/sim/preview.png")
	if c.v == v32 {
		o.set("image_original_url", u.Scheme+"://"+u.Host+"/preview.png")
	}
	return o.set("image_width", 200).set("image_height", 200).set("url", raw), nil
}

func mSendRichMessagePostback(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	tid, err := c.p.str("thread_id", true)
	if err != nil {
		return nil, err
	}
	eid, err := c.p.str("event_id", true)
	if err != nil {
		return nil, err
	}
	pb, _, err := c.p.object("postback", true)
	if err != nil {
		return nil, err
	}
	pid, err := pb.str("id", true)
	if err != nil {
		return nil, validationf("`postback.id` is required")
	}
	if !pb.has("toggled") {
		return nil, validationf("`postback.toggled` is required")
	}
	toggled, err := pb.boolean("toggled")
	if err != nil {
		return nil, validationf("`postback.toggled` must be a boolean")
	}
	t := ch.threadByID(tid)
	if t == nil {
		return nil, notFound(c.v, "Thread", tid)
	}
	if t.eventByID(eid) == nil {
		return nil, notFound(c.v, "Event", eid)
	}
	if t.active {
		user := c.cust.id
		c.push(ch.customerID, same("incoming_rich_message_postback", func(version) *obj {
			return newObj().set("user_id", user).set("chat_id", ch.id).set("thread_id", tid).
				set("event_id", eid).set("postback", newObj().set("id", pid).set("toggled", toggled))
		}))
	}
	return nil, nil
}

func mSendSneakPeek(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	if _, err := c.p.str("sneak_peek_text", true); err != nil {
		return nil, err
	}
	if !ch.active() {
		return nil, chatInactive(c.v, ch.id)
	}
	return nil, nil
}

func mAcceptGreeting(c *call) (*obj, *apiError) {
	if _, err := c.p.integer("greeting_id", true, 0); err != nil {
		return nil, err
	}
	uid, err := c.p.str("unique_id", true)
	if err != nil {
		return nil, err
	}
	g := c.cust.greeting
	if g == nil || g.uniqueID != uid {
		return nil, errorf("greeting_not_found", "Greeting not found")
	}
	if !g.accepted {
		g.accepted = true
		c.cust.greetingsAccepted++
	}
	c.push(c.cust.id, byVersion("", "", "greeting_accepted", func(version) *obj {
		return newObj().set("unique_id", uid)
	}))
	return nil, nil
}

func mCancelGreeting(c *call) (*obj, *apiError) {
	uid, err := c.p.str("unique_id", true)
	if err != nil {
		return nil, err
	}
	g := c.cust.greeting
	if g == nil || g.uniqueID != uid {
		return nil, errorf("greeting_not_found", "Greeting not found")
	}
	c.cust.greeting = nil
	c.push(c.cust.id, byVersion("", "", "greeting_canceled", func(version) *obj {
		return newObj().set("unique_id", uid)
	}))
	return nil, nil
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

// atoiStrict parses a decimal integer with no sign games or spaces.
func atoiStrict(s string) (int, error) { return strconv.Atoi(s) }

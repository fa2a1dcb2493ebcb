package sim

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/valyala/fasthttp"
)

// This file is the agent-side control API: POST /sim/agent/<op> with a JSON body. It lets
// tests and demos act as the licence's agents. Inputs use the 3.2 request shapes; answers are
// JSON objects ({} when there is nothing to say); errors are {"error": …} with status 400/404.

// agentOps lists the control operations.
var agentOps = map[string]func(c *call) (*obj, *apiError){
	"send_event":                   aSendEvent,
	"update_event":                 aUpdateEvent,
	"deactivate_chat":              aDeactivateChat,
	"transfer_chat":                aTransferChat,
	"add_user_to_chat":             aAddUser,
	"remove_user_from_chat":        aRemoveUser,
	"send_greeting":                aSendGreeting,
	"cancel_greeting":              aCancelGreeting,
	"update_properties":            aUpdateProperties,
	"delete_properties":            aDeleteProperties,
	"send_typing_indicator":        aSendTypingIndicator,
	"send_multicast":               aSendMulticast,
	"update_queue":                 aUpdateQueue,
	"mark_events_as_seen":          aMarkEventsAsSeen,
	"update_customer_side_storage": aUpdateSideStorage,
	"disconnect_customer":          aDisconnectCustomer,
	"set_group_status":             aSetGroupStatus,
}

func (s *Server) serveAgent(ctx *fasthttp.RequestCtx, op string) {
	h, ok := agentOps[op]
	if !ok {
		e := validationf("Unknown agent operation %q", op)
		e.status = fasthttp.StatusNotFound
		writeWebError(ctx, v32, e)
		return
	}
	if !ctx.IsPost() {
		e := validationf("Agent operations are POST")
		e.status = fasthttp.StatusMethodNotAllowed
		writeWebError(ctx, v32, e)
		return
	}
	p, err := parsePayload(ctx.Request.Body())
	if err != nil {
		writeWebError(ctx, v32, err)
		return
	}
	c := &call{st: s.st, srv: s, v: v32, p: p}
	res, err := s.invoke(c, method{h: h}, nil)
	if err != nil {
		writeWebError(ctx, v32, err)
		return
	}
	writeWebResult(ctx, v32, res)
}

// anyChat reads chat_id and returns that chat, whoever's it is.
func (c *call) anyChat() (*chat, *apiError) {
	id, err := c.p.str("chat_id", true)
	if err != nil {
		return nil, err
	}
	ch := c.st.chats[id]
	if ch == nil {
		return nil, notFound(v32, "Chat", id)
	}
	c.cust = c.st.byID[ch.customerID]
	return ch, nil
}

// agentID reads the optional agent_id (default: the first agent) and checks it exists.
func (c *call) agentID() (*agent, *apiError) {
	id, err := c.p.str("agent_id", false)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return c.st.agents[0], nil
	}
	a := c.st.agentByID(id)
	if a == nil {
		return nil, notFound(v32, "Agent", id)
	}
	return a, nil
}

// anyCustomer reads customer_id.
func (c *call) anyCustomer() (*customer, *apiError) {
	id, err := c.p.str("customer_id", true)
	if err != nil {
		return nil, err
	}
	cust := c.st.byID[id]
	if cust == nil {
		return nil, notFound(v32, "Customer", id)
	}
	c.cust = cust
	return cust, nil
}

func aSendEvent(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	evp, _, err := c.p.object("event", true)
	if err != nil {
		return nil, err
	}
	e, err := c.parseEvent(evp, "event")
	if err != nil {
		return nil, err
	}
	if !ch.active() {
		return nil, chatInactive(v32, ch.id)
	}
	t := ch.lastThread()
	author := a.id
	if e.typ == "system_message" {
		author = ""
	}
	c.appendEvent(t, e, author)
	c.push(ch.customerID, incomingEvent(ch.id, t, e))
	return newObj().set("event_id", e.id), nil
}

// aUpdateEvent replaces the text of an event: {chat_id, thread_id, event_id, event: {text}}.
func aUpdateEvent(c *call) (*obj, *apiError) {
	if _, err := c.anyChat(); err != nil { // sets the chat's customer, whom readTarget needs
		return nil, err
	}
	pt, err := c.readTarget(2)
	if err != nil {
		return nil, err
	}
	evp, _, err := c.p.object("event", true)
	if err != nil {
		return nil, err
	}
	text, err := evp.str("text", true)
	if err != nil {
		return nil, validationf("`event.text` is required")
	}
	e := pt.e
	for i := range e.body {
		if e.body[i].key == "text" {
			e.body[i].val = rawString(text)
		}
	}
	c.push(pt.ch.customerID, same("event_updated", func(v version) *obj {
		return newObj().set("chat_id", pt.ch.id).set("thread_id", pt.t.id).set("event", renderEvent(v, e))
	}))
	return nil, nil
}

func aDeactivateChat(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	if !ch.active() {
		return nil, chatInactive(v32, ch.id)
	}
	c.closeThread(ch, a.id)
	return nil, nil
}

// aTransferChat moves a chat to groups or agents: {chat_id, target: {type: "group"|"agent", ids}}.
func aTransferChat(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	requester, err := c.agentID()
	if err != nil {
		return nil, err
	}
	typ, err := c.p.str("target.type", true)
	if err != nil {
		return nil, err
	}
	var threadID string
	if ch.active() {
		threadID = ch.lastThread().id
	}
	switch typ {
	case "group":
		ids, _, err := c.p.ints("target.ids", true)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if c.st.groupByID(id) == nil {
				return nil, errorf("group_not_found", "Group %d not found", id)
			}
		}
		ch.access = ids
		c.push(ch.customerID, c.transferred(ch, threadID, requester.id, "group", ids, nil))
		c.push(ch.customerID, byVersion("access_set", "access_set", "", func(version) *obj {
			return newObj().set("resource", "chat").set("id", ch.id).set("access", renderAccess(ids))
		}))
	case "agent":
		ids, _, err := c.p.strs("target.ids", true)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			a := c.st.agentByID(id)
			if a == nil {
				return nil, notFound(v32, "Agent", id)
			}
			if !contains(ch.agentIDs, id) {
				ch.agentIDs = append(ch.agentIDs, id)
				if ch.active() {
					t := ch.lastThread()
					t.userIDs = append(t.userIDs, id)
				}
				c.push(ch.customerID, c.userAdded(ch, threadID, a, requester.id))
			}
		}
		c.push(ch.customerID, c.transferred(ch, threadID, requester.id, "agent", nil, ids))
	default:
		return nil, validationf("`target.type` must be \"group\" or \"agent\"")
	}
	return nil, nil
}

// transferred is chat_transferred: {type, ids} up to 3.1, {transferred_to} in 3.2.
func (c *call) transferred(ch *chat, threadID, requester, typ string, groups []int, agents []string) pushRender {
	return same("chat_transferred", func(v version) *obj {
		o := newObj().set("chat_id", ch.id)
		if v != v32 || threadID != "" {
			o.set("thread_id", threadID)
		}
		o.set("requester_id", requester)
		if v != v32 {
			o.set("type", typ)
			if typ == "group" {
				return o.set("ids", groups)
			}
			return o.set("ids", agents)
		}
		to := newObj()
		if typ == "group" {
			to.set("group_ids", groups)
		} else {
			to.set("agent_ids", agents)
		}
		return o.set("reason", "manual").set("transferred_to", to)
	})
}

// userAdded is chat_user_added (≤3.1) / user_added_to_chat (3.2).
func (c *call) userAdded(ch *chat, threadID string, a *agent, requester string) pushRender {
	return byVersion("chat_user_added", "chat_user_added", "user_added_to_chat", func(v version) *obj {
		o := newObj().set("chat_id", ch.id)
		if v != v32 || threadID != "" {
			o.set("thread_id", threadID)
		}
		o.set("user", renderAgentUser(v, a, ch))
		if v != v32 {
			return o.set("user_type", "agent")
		}
		return o.set("reason", "manual").set("requester_id", requester)
	})
}

func aAddUser(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	if contains(ch.agentIDs, a.id) {
		return nil, validationf("Agent %s is already in chat %s", a.id, ch.id)
	}
	ch.agentIDs = append(ch.agentIDs, a.id)
	var threadID string
	if ch.active() {
		t := ch.lastThread()
		threadID = t.id
		t.userIDs = append(t.userIDs, a.id)
	}
	c.push(ch.customerID, c.userAdded(ch, threadID, a, a.id))
	return nil, nil
}

func aRemoveUser(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	if !contains(ch.agentIDs, a.id) {
		return nil, validationf("Agent %s is not in chat %s", a.id, ch.id)
	}
	ch.agentIDs = removeString(ch.agentIDs, a.id)
	var threadID string
	if ch.active() {
		t := ch.lastThread()
		threadID = t.id
		t.userIDs = removeString(t.userIDs, a.id)
	}
	c.push(ch.customerID, byVersion("chat_user_removed", "chat_user_removed", "user_removed_from_chat", func(v version) *obj {
		o := newObj().set("chat_id", ch.id)
		if v != v32 || threadID != "" {
			o.set("thread_id", threadID)
		}
		o.set("user_id", a.id)
		if v != v32 {
			return o.set("user_type", "agent")
		}
		return o.set("reason", "manual").set("requester_id", a.id)
	}))
	return nil, nil
}

// aSendGreeting shows a greeting to a customer: {customer_id, text, agent_id?, greeting_id?,
// addon?}. 3.2 connections get incoming_greeting; older ones get the lc2 greeting as
// incoming_multicast (its shape is UNCONFIRMED; see doc.go).
func aSendGreeting(c *call) (*obj, *apiError) {
	cust, err := c.anyCustomer()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	text, err := c.p.str("text", true)
	if err != nil {
		return nil, err
	}
	gid, err := c.p.integer("greeting_id", false, 0)
	if err != nil {
		return nil, err
	}
	addon, err := c.p.str("addon", false)
	if err != nil {
		return nil, err
	}
	n := c.st.nextSeq()
	if gid == 0 {
		gid = n
	}
	prev := cust.greeting
	g := &greeting{id: gid, uniqueID: fmt.Sprintf("%032x", n), agentID: a.id, text: text, addon: addon,
		displayedFirstTime: true}
	g.event = &event{id: fmt.Sprintf("GR%08d_1", n), typ: "message", authorID: a.id,
		createdAt: c.st.now(), recipients: "all", body: []rawField{{"text", rawString(text)}}}
	cust.greeting = g
	cust.greetingsShown++
	if prev != nil {
		c.push(cust.id, byVersion("", "", "greeting_canceled", func(version) *obj {
			return newObj().set("unique_id", prev.uniqueID)
		}))
	}
	st := c.st
	c.push(cust.id, func(v version) (string, *obj) {
		if v == v32 {
			o := newObj().set("id", g.id).set("unique_id", g.uniqueID).set("displayed_first_time", g.displayedFirstTime)
			o.setIf(g.addon != "", "addon", g.addon)
			return "incoming_greeting", o.set("event", renderEvent(v32, g.event)).set("agent", renderAgentCard(a, false))
		}
		lc2 := newObj().set("type", "greeting").set("id", g.id).set("unique_id", g.uniqueID).
			set("text", g.text).set("agent", renderAgentCard(st.agentByID(g.agentID), true)).
			set("displayed_first_time", g.displayedFirstTime)
		return "incoming_multicast", newObj().set("author_id", a.id).set("content", newObj().set("lc2", lc2))
	})
	return newObj().set("id", g.id).set("unique_id", g.uniqueID), nil
}

// aCancelGreeting withdraws the customer's greeting; 3.2 connections get greeting_canceled,
// older versions had no such push.
func aCancelGreeting(c *call) (*obj, *apiError) {
	cust, err := c.anyCustomer()
	if err != nil {
		return nil, err
	}
	g := cust.greeting
	if g == nil {
		return nil, errorf("greeting_not_found", "Greeting not found")
	}
	cust.greeting = nil
	c.push(cust.id, byVersion("", "", "greeting_canceled", func(version) *obj {
		return newObj().set("unique_id", g.uniqueID)
	}))
	return nil, nil
}

// propDepth is 0 for chat, 1 for thread and 2 for event properties, by the ids given.
func (c *call) propDepth() int {
	switch {
	case c.p.has("event_id"):
		return 2
	case c.p.has("thread_id"):
		return 1
	}
	return 0
}

func aUpdateProperties(c *call) (*obj, *apiError) {
	if _, err := c.anyChat(); err != nil {
		return nil, err
	}
	return c.updateProps(c.propDepth())
}

func aDeleteProperties(c *call) (*obj, *apiError) {
	if _, err := c.anyChat(); err != nil {
		return nil, err
	}
	return c.deleteProps(c.propDepth())
}

func aSendTypingIndicator(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	typing, err := c.p.boolean("is_typing")
	if err != nil {
		return nil, err
	}
	if !ch.active() {
		return nil, chatInactive(v32, ch.id)
	}
	t, at := ch.lastThread(), c.st.now()
	c.push(ch.customerID, same("incoming_typing_indicator", func(v version) *obj {
		ti := newObj().set("author_id", a.id)
		if v != v30 {
			ti.set("recipients", "all")
		}
		ti.set("timestamp", at.Unix()).set("is_typing", typing)
		return newObj().set("chat_id", ch.id).set("thread_id", t.id).set("typing_indicator", ti)
	}))
	return nil, nil
}

// aSendMulticast sends {content} to one customer (customer_id) or to every customer.
func aSendMulticast(c *call) (*obj, *apiError) {
	content, _, err := c.p.object("content", true)
	if err != nil {
		return nil, err
	}
	author, err := c.p.str("author_id", false)
	if err != nil {
		return nil, err
	}
	raw := rawJSON(content.doc.Raw)
	render := same("incoming_multicast", func(version) *obj {
		return newObj().setIf(author != "", "author_id", author).set("content", raw)
	})
	if c.p.has("customer_id") {
		cust, err := c.anyCustomer()
		if err != nil {
			return nil, err
		}
		c.push(cust.id, render)
		return nil, nil
	}
	for id := range c.st.conns {
		c.push(id, render)
	}
	return nil, nil
}

func aUpdateQueue(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	pos, err := c.p.integer("position", true, 0)
	if err != nil {
		return nil, err
	}
	wait, err := c.p.integer("wait_time", true, 0)
	if err != nil {
		return nil, err
	}
	t := ch.lastThread()
	if !ch.active() || t.queue == nil {
		return nil, validationf("Chat %s is not queued", ch.id)
	}
	t.queue.position, t.queue.waitTime = pos, wait
	q := *t.queue
	c.push(ch.customerID, byVersion("", "", "queue_position_updated", func(version) *obj {
		return newObj().set("chat_id", ch.id).set("thread_id", t.id).set("queue", renderQueue(&q, false))
	}))
	return nil, nil
}

// aMarkEventsAsSeen moves an agent's seen marker: {chat_id, agent_id?, seen_up_to?}.
func aMarkEventsAsSeen(c *call) (*obj, *apiError) {
	ch, err := c.anyChat()
	if err != nil {
		return nil, err
	}
	a, err := c.agentID()
	if err != nil {
		return nil, err
	}
	at, has, err := c.p.datetime("seen_up_to", false)
	if err != nil {
		return nil, err
	}
	if !has {
		at = c.st.now()
	}
	ch.seen[a.id] = at
	var threadID string
	if t := ch.lastThread(); t != nil {
		threadID = t.id
	}
	c.push(ch.customerID, byVersion("last_seen_timestamp_updated", "events_marked_as_seen", "events_marked_as_seen", func(v version) *obj {
		o := newObj().set("user_id", a.id).set("chat_id", ch.id)
		if v == v30 {
			return o.set("thread_id", threadID).set("timestamp", at.Unix())
		}
		return o.set("seen_up_to", formatTime(at))
	}))
	return nil, nil
}

func aUpdateSideStorage(c *call) (*obj, *apiError) {
	cust, err := c.anyCustomer()
	if err != nil {
		return nil, err
	}
	storage, _, err := c.p.stringMap("customer_side_storage", true)
	if err != nil {
		return nil, err
	}
	cust.sideStorage = storage
	c.push(cust.id, same("customer_side_storage_updated", func(version) *obj {
		o := newObj()
		for _, kv := range storage {
			o.set(kv.k, kv.v)
		}
		return newObj().set("customer_side_storage", o)
	}))
	return nil, nil
}

// aDisconnectCustomer closes every RTM connection of a customer with customer_disconnected.
func aDisconnectCustomer(c *call) (*obj, *apiError) {
	cust, err := c.anyCustomer()
	if err != nil {
		return nil, err
	}
	reason, err := c.p.str("reason", true)
	if err != nil {
		return nil, err
	}
	data, hasData, err := c.p.object("data", false)
	if err != nil {
		return nil, err
	}
	var d *obj
	if hasData {
		d = newObj()
		data.doc.ForEach(func(k, v gjson.Result) bool { d.set(k.Str, rawJSON(v.Raw)); return true })
	}
	conns := c.st.conns[cust.id]
	c.after = append(c.after, func() {
		for conn := range conns {
			conn.disconnectLocked(reason, d)
		}
	})
	return newObj().set("disconnected", len(conns)), nil
}

func aSetGroupStatus(c *call) (*obj, *apiError) {
	id, err := c.p.integer("group_id", true, 0)
	if err != nil {
		return nil, err
	}
	status, err := c.p.str("status", true)
	if err != nil {
		return nil, err
	}
	switch status {
	case "online", "offline", "online_for_queue":
	default:
		return nil, validationf("`status` must be online, offline or online_for_queue")
	}
	g := c.st.groupByID(id)
	if g == nil {
		return nil, errorf("group_not_found", "Group %d not found", id)
	}
	g.status = status
	return nil, nil
}

func removeString(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if !strings.EqualFold(x, s) {
			out = append(out, x)
		}
	}
	return out
}

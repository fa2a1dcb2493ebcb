package sim

// This file holds the methods that start, activate and close chats and send events.

import "time"

// ownChat returns the caller's chat with id, or a not-found error in the caller's version.
func (c *call) ownChat(id string) (*chat, *apiError) {
	ch := c.st.chats[id]
	if ch == nil || ch.customerID != c.cust.id {
		return nil, notFound(c.v, "Chat", id)
	}
	return ch, nil
}

// chatID reads the required `chat_id` and returns the caller's chat.
func (c *call) chatID() (*chat, *apiError) {
	id, err := c.p.str("chat_id", true)
	if err != nil {
		return nil, err
	}
	return c.ownChat(id)
}

// openThread starts a new active thread in ch with the customer's initial events. An agent of
// an online group joins at once; a thread of an online_for_queue group waits in the queue.
func (c *call) openThread(ch *chat, events []*event, props propSet) (*thread, []string) {
	st := c.st
	t := &thread{id: st.newThreadID(), createdAt: st.now(), active: true, access: ch.access, props: props}
	t.userIDs = []string{ch.customerID}
	g := st.groupByID(ch.group())
	switch {
	case g != nil && g.status == "online":
		a := st.agents[0]
		t.userIDs = append(t.userIDs, a.id)
		if !contains(ch.agentIDs, a.id) {
			ch.agentIDs = append(ch.agentIDs, a.id)
		}
	case g != nil && g.status == "online_for_queue":
		t.queue = &queue{position: 1, waitTime: 60, queuedAt: t.createdAt}
	}
	var ids []string
	for _, e := range events {
		c.appendEvent(t, e, ch.customerID)
		ids = append(ids, e.id)
	}
	ch.threads = append(ch.threads, t)
	return t, ids
}

// group is the group that routes the chat: the first of its access groups.
func (ch *chat) group() int {
	if len(ch.access) > 0 {
		return ch.access[0]
	}
	return 0
}

// incomingChat is the push of a new thread: incoming_chat_thread up to 3.1, incoming_chat in 3.2.
func (c *call) incomingChat(ch *chat, t *thread) pushRender {
	st, requester := c.st, c.cust.id
	return func(v version) (string, *obj) {
		chat := st.renderChatWithThread(v, ch, t)
		if v == v32 {
			return "incoming_chat", newObj().set("requester_id", requester).set("chat", chat)
		}
		return "incoming_chat_thread", newObj().set("chat", chat)
	}
}

// chatRequest holds the `chat` object of start_chat and activate_chat.
type chatRequest struct {
	access      []int
	hasAccess   bool
	props       propSet
	hasProps    bool
	events      []*event
	threadProps propSet
	continuous  bool
	hasCont     bool
}

func (c *call) readChatRequest(required bool) (chatRequest, params, *apiError) {
	var r chatRequest
	chp, _, err := c.p.object("chat", required)
	if err != nil {
		return r, chp, err
	}
	if r.access, r.hasAccess, err = chp.ints("access.group_ids", false); err != nil {
		return r, chp, err
	}
	if r.props, r.hasProps, err = chp.properties("properties", false); err != nil {
		return r, chp, err
	}
	if _, _, err = chp.object("thread", false); err != nil {
		return r, chp, err
	}
	if r.events, err = c.parseEvents(chp, "thread.events"); err != nil {
		return r, chp, err
	}
	if r.threadProps, _, err = chp.properties("thread.properties", false); err != nil {
		return r, chp, err
	}
	if _, _, err = chp.array("users", false); err != nil { // 3.2 RTM doc: accepted, not used
		return r, chp, err
	}
	r.hasCont = c.p.has("continuous")
	if r.continuous, err = c.p.boolean("continuous"); err != nil {
		return r, chp, err
	}
	return r, chp, nil
}

// checkGroup refuses a chat whose group does not exist, or is offline for a non-continuous chat.
func (c *call) checkGroup(groups []int, continuous bool) *apiError {
	id := 0
	if len(groups) > 0 {
		id = groups[0]
	}
	g := c.st.groupByID(id)
	if g == nil {
		return errorf("group_not_found", "Group %d not found", id)
	}
	if g.status == "offline" && !continuous {
		return groupOffline(c.v)
	}
	return nil
}

// threadAnswer is the 3.1/3.2 answer of start_chat and activate_chat.
func threadAnswer(o *obj, t *thread, ids []string) *obj {
	o.set("thread_id", t.id)
	if len(ids) > 0 {
		o.set("event_ids", ids)
	}
	return o
}

func mStartChat(c *call) (*obj, *apiError) {
	r, _, err := c.readChatRequest(false)
	if err != nil {
		return nil, err
	}
	access := r.access
	if !r.hasAccess || len(access) == 0 {
		access = []int{0}
	}
	if err := c.checkGroup(access, r.continuous); err != nil {
		return nil, err
	}
	ch := &chat{id: c.st.newChatID(), customerID: c.cust.id, access: access, props: r.props,
		continuous: r.continuous, seen: map[string]time.Time{}}
	c.st.chats[ch.id] = ch
	c.st.chatOrder = append(c.st.chatOrder, ch.id)
	c.cust.chatIDs = append(c.cust.chatIDs, ch.id)
	t, ids := c.openThread(ch, r.events, r.threadProps)
	c.push(c.cust.id, c.incomingChat(ch, t))
	if c.v == v30 {
		return newObj().set("chat", c.st.renderChatWithThread(v30, ch, t)), nil
	}
	return threadAnswer(newObj().set("chat_id", ch.id), t, ids), nil
}

func mActivateChat(c *call) (*obj, *apiError) {
	r, chp, err := c.readChatRequest(true)
	if err != nil {
		return nil, err
	}
	id, err := chp.str("id", true)
	if err != nil {
		return nil, validationf("`chat.id` is required")
	}
	ch, err := c.ownChat(id)
	if err != nil {
		return nil, err
	}
	if ch.active() {
		return nil, validationf("Chat %s is already active", id)
	}
	access := ch.access
	if r.hasAccess && len(r.access) > 0 {
		access = r.access
	}
	continuous := ch.continuous
	if r.hasCont {
		continuous = r.continuous
	}
	if err := c.checkGroup(access, continuous); err != nil {
		return nil, err
	}
	ch.access, ch.continuous = access, continuous
	ch.props.merge(r.props)
	t, ids := c.openThread(ch, r.events, r.threadProps)
	c.push(c.cust.id, c.incomingChat(ch, t))
	if c.v == v30 {
		return newObj().set("chat", c.st.renderChatWithThreads(v30, ch, []*thread{t}, false)), nil
	}
	return threadAnswer(newObj(), t, ids), nil
}

// mDeactivateChat serves close_thread (≤3.1) and deactivate_chat (3.2).
func mDeactivateChat(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	if !ch.active() {
		return nil, chatInactive(c.v, ch.id)
	}
	c.closeThread(ch, c.cust.id)
	return nil, nil
}

// closeThread ends the chat's active thread with a system message; userID closed it ("" when
// the router did).
func (c *call) closeThread(ch *chat, userID string) {
	t := ch.lastThread()
	text := "Chat closed by the customer"
	kind := "manual_archived_customer"
	if userID != ch.customerID {
		text, kind = "Chat closed by the agent", "manual_archived_agent"
	}
	e := &event{typ: "system_message", recipients: "all", body: []rawField{
		{"text", rawString(text)}, {"system_message_type", rawString(kind)}}}
	c.appendEvent(t, e, "")
	t.active, t.queue = false, nil
	c.push(ch.customerID, incomingEvent(ch.id, t, e))
	c.push(ch.customerID, byVersion("thread_closed", "thread_closed", "chat_deactivated", func(version) *obj {
		o := newObj().set("chat_id", ch.id).set("thread_id", t.id)
		return o.setIf(userID != "", "user_id", userID)
	}))
}

func mSendEvent(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
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
	attach, err := c.p.boolean("attach_to_last_thread")
	if err != nil {
		return nil, err
	}
	requireActive := false
	if c.v == v30 {
		if requireActive, err = c.p.boolean("require_active_thread"); err != nil {
			return nil, err
		}
	}
	return c.deliverEvent(ch, e, attach, requireActive)
}

// deliverEvent adds a customer's event to the chat with each version's thread rules
// (spec/methods.md §3.7) and answers in the caller's version.
func (c *call) deliverEvent(ch *chat, e *event, attach, requireActive bool) (*obj, *apiError) {
	t := ch.lastThread()
	switch {
	case ch.active():
		c.appendEvent(t, e, c.cust.id)
		c.push(ch.customerID, incomingEvent(ch.id, t, e))
	case c.v == v30 && requireActive:
		return nil, validationf("Chat %s has no active thread", ch.id)
	case attach && t != nil:
		c.appendEvent(t, e, c.cust.id)
		c.push(ch.customerID, incomingEvent(ch.id, t, e))
	case c.v == v30:
		if err := c.checkGroup(ch.access, ch.continuous); err != nil {
			return nil, err
		}
		t, _ = c.openThread(ch, []*event{e}, propSet{})
		c.push(ch.customerID, c.incomingChat(ch, t))
	default:
		return nil, chatInactive(c.v, ch.id)
	}
	if c.v == v32 && e.createdAt.After(ch.seen[c.cust.id]) { // markers only move forward
		ch.seen[c.cust.id] = e.createdAt
	}
	if c.v == v30 {
		return newObj().set("thread_id", t.id).set("event", renderEvent(v30, e)), nil
	}
	return newObj().set("event_id", e.id), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

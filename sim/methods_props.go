package sim

// This file holds the property methods of chats, threads and events.

// propsUpdated is the *_properties_updated push: wrapped values up to 3.1, plain in 3.2.
func propsUpdated(n30, n31, n32 string, head func() *obj, props propSet) pushRender {
	return byVersion(n30, n31, n32, func(v version) *obj {
		return head().set("properties", renderProps(v, props))
	})
}

// propsDeleted is the *_properties_deleted push, alike in every version.
func propsDeleted(n30, n31, n32 string, head func() *obj, names []kv) pushRender {
	return byVersion(n30, n31, n32, func(version) *obj {
		return head().set("properties", renderNames(names))
	})
}

// renderNames renders {ns: [names]}.
func renderNames(names []kv) *obj {
	o := newObj()
	for _, n := range names {
		list, _ := o.get(n.k)
		l, _ := list.([]string)
		o.set(n.k, append(l, n.v))
	}
	return o
}

// propTarget is the chat, thread or event a property method addresses.
type propTarget struct {
	ch    *chat
	t     *thread
	e     *event
	props *propSet
	head  func() *obj
}

// readTarget reads chat_id and, by depth, thread_id and event_id.
func (c *call) readTarget(depth int) (propTarget, *apiError) {
	var pt propTarget
	ch, err := c.chatID()
	if err != nil {
		return pt, err
	}
	pt.ch, pt.props = ch, &ch.props
	pt.head = func() *obj { return newObj().set("chat_id", ch.id) }
	if depth == 0 {
		return pt, nil
	}
	tid, err := c.p.str("thread_id", true)
	if err != nil {
		return pt, err
	}
	if pt.t = ch.threadByID(tid); pt.t == nil {
		return pt, notFound(c.v, "Thread", tid)
	}
	pt.props = &pt.t.props
	pt.head = func() *obj { return newObj().set("chat_id", ch.id).set("thread_id", tid) }
	if depth == 1 {
		return pt, nil
	}
	eid, err := c.p.str("event_id", true)
	if err != nil {
		return pt, err
	}
	if pt.e = pt.t.eventByID(eid); pt.e == nil {
		return pt, notFound(c.v, "Event", eid)
	}
	pt.props = &pt.e.props
	pt.head = func() *obj { return newObj().set("chat_id", ch.id).set("thread_id", tid).set("event_id", eid) }
	return pt, nil
}

// pushNames are the names of the updated and deleted pushes per depth and version.
var pushNames = [3][2][3]string{
	{{"chat_properties_updated", "chat_properties_updated", "chat_properties_updated"},
		{"chat_properties_deleted", "chat_properties_deleted", "chat_properties_deleted"}},
	{{"chat_thread_properties_updated", "chat_thread_properties_updated", "thread_properties_updated"},
		{"chat_thread_properties_deleted", "chat_thread_properties_deleted", "thread_properties_deleted"}},
	{{"event_properties_updated", "event_properties_updated", "event_properties_updated"},
		{"event_properties_deleted", "event_properties_deleted", "event_properties_deleted"}},
}

// updateProps serves update_*_properties at a depth (0 chat, 1 thread, 2 event).
func (c *call) updateProps(depth int) (*obj, *apiError) {
	pt, err := c.readTarget(depth)
	if err != nil {
		return nil, err
	}
	props, _, err := c.p.properties("properties", true)
	if err != nil {
		return nil, err
	}
	pt.props.merge(props)
	n := pushNames[depth][0]
	c.push(pt.ch.customerID, propsUpdated(n[0], n[1], n[2], pt.head, props))
	return nil, nil
}

// deleteProps serves delete_*_properties at a depth.
func (c *call) deleteProps(depth int) (*obj, *apiError) {
	pt, err := c.readTarget(depth)
	if err != nil {
		return nil, err
	}
	names, err := c.p.propertyNames("properties")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		pt.props.remove(n.k, n.v)
	}
	d := pushNames[depth][1]
	c.push(pt.ch.customerID, propsDeleted(d[0], d[1], d[2], pt.head, names))
	return nil, nil
}

func mUpdateChatProperties(c *call) (*obj, *apiError)   { return c.updateProps(0) }
func mDeleteChatProperties(c *call) (*obj, *apiError)   { return c.deleteProps(0) }
func mUpdateThreadProperties(c *call) (*obj, *apiError) { return c.updateProps(1) }
func mDeleteThreadProperties(c *call) (*obj, *apiError) { return c.deleteProps(1) }
func mUpdateEventProperties(c *call) (*obj, *apiError)  { return c.updateProps(2) }
func mDeleteEventProperties(c *call) (*obj, *apiError)  { return c.deleteProps(2) }

// listProps renders a property set filtered by the optional `namespace` and `name` query
// parameters of the 3.2 GET listings.
func (c *call) listProps(ps *propSet) *obj {
	ns, name := c.query["namespace"], c.query["name"]
	out := newObj()
	if ps == nil {
		return out
	}
	for _, n := range ps.ns {
		if ns != "" && n.name != ns {
			continue
		}
		names := newObj()
		for _, f := range n.props {
			if name == "" || f.key == name {
				names.set(f.key, f.val)
			}
		}
		if names.len() > 0 {
			out.set(n.name, names)
		}
	}
	return out
}

func mListLicenseProperties(c *call) (*obj, *apiError) {
	return c.listProps(&c.st.licProps), nil
}

func mListGroupProperties(c *call) (*obj, *apiError) {
	raw, ok := c.query["group_id"]
	if !ok || raw == "" {
		return nil, validationf("`group_id` is required")
	}
	id, err := atoiStrict(raw)
	if err != nil {
		return nil, validationf("`group_id` must be an integer")
	}
	if c.st.groupByID(id) == nil {
		return nil, errorf("group_not_found", "Group %d not found", id)
	}
	return c.listProps(c.st.grpProps[id]), nil
}

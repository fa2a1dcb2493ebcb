package sim

import (
	"strings"
	"time"
)

// This file holds login and the methods that read or change the customer.

// bearerToken strips the "Bearer " scheme from a token. It reports false for an empty token,
// including the scheme alone ("Bearer", as "Bearer " arrives once HTTP trims the header).
func bearerToken(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "bearer") {
		return "", false
	}
	if len(s) >= 7 && strings.EqualFold(s[:7], "bearer ") {
		s = s[7:]
	}
	s = strings.TrimSpace(s)
	return s, s != ""
}

// tokenRegion is the data centre a token belongs to: its "dal:"/"fra:" (or "dal-"/"fra-")
// prefix, "dal" when it has none.
func tokenRegion(token string) string {
	if len(token) > 4 && (token[3] == ':' || token[3] == '-') && token[:3] == "fra" {
		return "fra"
	}
	return "dal"
}

func mLogin(c *call) (*obj, *apiError) {
	if c.conn.cust != nil {
		return nil, validationf("Already logged in")
	}
	// A missing or mistyped token is a malformed request; an empty one is a bad credential.
	if !c.p.has("token") {
		return nil, validationf("`token` is required")
	}
	raw, err := c.p.str("token", false)
	if err != nil {
		return nil, err
	}
	token, ok := bearerToken(raw)
	if !ok {
		return nil, errorf("authentication", "Invalid access token")
	}
	if err := c.srv.checkRegion(token); err != nil {
		return nil, err
	}
	gid, err := c.p.integer("group_id", false, 0)
	if err != nil {
		return nil, err
	}
	cp, _, err := c.p.object("customer", false)
	if err != nil {
		return nil, err
	}
	upd, err := c.readCustomerUpdate(cp, "customer.")
	if err != nil {
		return nil, err
	}
	page, hasPage, err := c.p.object("customer_page", false)
	if err != nil {
		return nil, err
	}
	pageURL, err := page.str("url", false)
	if err != nil {
		return nil, err
	}
	pageTitle, err := page.str("title", false)
	if err != nil {
		return nil, err
	}
	if _, err := c.p.str("referrer", false); err != nil {
		return nil, err
	}
	if _, err := c.p.boolean("is_mobile"); err != nil {
		return nil, err
	}
	storage, hasStorage, err := c.p.stringMap("customer_side_storage", false)
	if err != nil {
		return nil, err
	}
	if c.v == v32 {
		if _, _, err := c.p.object("application", false); err != nil {
			return nil, err
		}
	}
	cust := c.st.customerFor(token)
	c.cust = cust
	upd.apply(cust)
	cust.groupID = gid
	cust.visits++
	if hasPage {
		cust.pageURL, cust.pageTitle = pageURL, pageTitle
		cust.pageViews++
	}
	if hasStorage {
		cust.sideStorage = storage
	}
	c.srv.attach(c.conn, cust)
	cust.lastVisit = c.st.now()
	return c.st.renderLogin(c.v, cust), nil
}

// customerUpdate is the change update_customer and login carry.
type customerUpdate struct {
	name, email, avatar          string
	hasName, hasEmail, hasAvatar bool
	fields                       []kv
	hasFields                    bool
}

// readCustomerUpdate reads name, email, avatar and fields (≤3.1) or session_fields (3.2).
func (c *call) readCustomerUpdate(p params, prefix string) (customerUpdate, *apiError) {
	var u customerUpdate
	var err *apiError
	if u.name, err = p.str("name", false); err != nil {
		return u, err
	}
	if u.email, err = p.str("email", false); err != nil {
		return u, err
	}
	if u.email != "" && !strings.Contains(u.email, "@") {
		return u, validationf("`%semail` is not an e-mail address", prefix)
	}
	if u.avatar, err = p.str("avatar", false); err != nil {
		return u, err
	}
	u.hasName, u.hasEmail, u.hasAvatar = p.has("name"), p.has("email"), p.has("avatar")
	if c.v == v32 {
		u.fields, u.hasFields, err = p.sessionFields("session_fields", false)
	} else {
		u.fields, u.hasFields, err = p.stringMap("fields", false)
	}
	return u, err
}

func (u customerUpdate) empty() bool {
	return !u.hasName && !u.hasEmail && !u.hasAvatar && !u.hasFields
}

func (u customerUpdate) apply(c *customer) {
	if u.hasName {
		c.name = u.name
	}
	if u.hasEmail {
		c.email = u.email
	}
	if u.hasAvatar {
		c.avatar = u.avatar
	}
	for _, f := range u.fields {
		c.fields = setKV(c.fields, f.k, f.v)
	}
}

// customerUpdated is the customer_updated push, alike in name in every version.
func (c *call) customerUpdated() pushRender {
	cust := c.cust
	return same("customer_updated", func(v version) *obj {
		return newObj().set("customer", renderCustomer(v, cust, nil))
	})
}

func mUpdateCustomer(c *call) (*obj, *apiError) {
	u, err := c.readCustomerUpdate(c.p, "")
	if err != nil {
		return nil, err
	}
	if c.v != v30 && u.empty() {
		return nil, validationf("At least one of `name`, `email`, `avatar`, `%s` is required", fieldsName(c.v))
	}
	u.apply(c.cust)
	c.push(c.cust.id, c.customerUpdated())
	if c.v == v32 {
		return nil, nil
	}
	return newObj().set("customer", renderCustomer(c.v, c.cust, nil)), nil
}

func fieldsName(v version) string {
	if v == v32 {
		return "session_fields"
	}
	return "fields"
}

// mSetCustomerFields serves set_customer_fields (≤3.1) and set_customer_session_fields (3.2).
func mSetCustomerFields(c *call) (*obj, *apiError) {
	var fields []kv
	var err *apiError
	if c.v == v32 {
		fields, _, err = c.p.sessionFields("session_fields", true)
	} else {
		fields, _, err = c.p.stringMap("fields", true)
	}
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		c.cust.fields = setKV(c.cust.fields, f.k, f.v)
	}
	c.push(c.cust.id, c.customerUpdated())
	return nil, nil
}

func mGetCustomer(c *call) (*obj, *apiError) {
	return renderCustomer(v32, c.cust, nil), nil
}

func mUpdateCustomerPage(c *call) (*obj, *apiError) {
	url, err := c.p.str("url", true)
	if err != nil {
		return nil, err
	}
	title, err := c.p.str("title", false)
	if err != nil {
		return nil, err
	}
	c.cust.pageURL, c.cust.pageTitle = url, title
	c.cust.pageViews++
	at := c.st.now()
	c.push(c.cust.id, byVersion("customer_page_updated", "customer_page_updated", "", func(version) *obj {
		return newObj().set("url", url).set("title", title).set("timestamp", at.Unix())
	}))
	return nil, nil
}

func mMarkEventsAsSeen(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	at, _, err := c.p.datetime("seen_up_to", true)
	if err != nil {
		return nil, err
	}
	c.markSeen(ch, at)
	return nil, nil
}

func mUpdateLastSeenTimestamp(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	var at time.Time
	if c.p.has("timestamp") {
		ts, err := c.p.integer("timestamp", false, 0)
		if err != nil {
			return nil, err
		}
		at = time.Unix(int64(ts), 0).UTC()
	} else {
		at = c.st.now().Truncate(time.Second)
	}
	at = c.markSeen(ch, at)
	return newObj().set("timestamp", at.Unix()), nil
}

// markSeen moves the customer's marker forward (never back), pushes the change and returns
// the marker.
func (c *call) markSeen(ch *chat, at time.Time) time.Time {
	if prev := ch.seen[c.cust.id]; prev.After(at) {
		at = prev
	}
	ch.seen[c.cust.id] = at
	user := c.cust.id
	var threadID string
	if t := ch.lastThread(); t != nil {
		threadID = t.id
	}
	c.push(ch.customerID, byVersion("last_seen_timestamp_updated", "events_marked_as_seen", "events_marked_as_seen", func(v version) *obj {
		o := newObj().set("user_id", user).set("chat_id", ch.id)
		if v == v30 {
			return o.set("thread_id", threadID).set("timestamp", at.Unix())
		}
		return o.set("seen_up_to", formatTime(at))
	}))
	return at
}

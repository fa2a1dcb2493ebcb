package sim

import (
	"encoding/base64"
	"fmt"
	"sort"
)

// This file holds the methods that list chats and threads.

// customerChats returns the caller's chats with at least one thread, newest last thread first.
func (c *call) customerChats() []*chat {
	var out []*chat
	for _, id := range c.cust.chatIDs {
		if ch := c.st.chats[id]; ch != nil && ch.lastThread() != nil {
			out = append(out, ch)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].lastThread().createdAt.After(out[j].lastThread().createdAt)
	})
	return out
}

// bounded reads an optional integer and checks it lies in [lo, hi].
func (c *call) bounded(name string, def, lo, hi int) (int, *apiError) {
	n, err := c.p.integer(name, false, def)
	if err != nil {
		return 0, err
	}
	if n < lo || n > hi {
		return 0, validationf("`%s` must be between %d and %d", name, lo, hi)
	}
	return n, nil
}

func mGetChatsSummary(c *call) (*obj, *apiError) {
	offset, err := c.bounded("offset", 0, 0, 100)
	if err != nil {
		return nil, err
	}
	limit, err := c.bounded("limit", 10, 1, 25)
	if err != nil {
		return nil, err
	}
	chats := c.customerChats()
	items := []*obj{}
	for i := offset; i < len(chats) && i < offset+limit; i++ {
		items = append(items, c.st.renderChatSummary(c.v, chats[i]))
	}
	return newObj().set("chats_summary", items).set("total_chats", len(chats)), nil
}

// page is the content of an opaque 3.2 page_id.
type page struct {
	kind   string // "chats" or "threads:<chat id>"
	desc   bool
	offset int
	limit  int
}

func (p page) token() string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s|%t|%d|%d", p.kind, p.desc, p.offset, p.limit)))
}

// readPage reads `sort_order`, `limit` and `page_id`; a page_id overrides the other two.
func (c *call) readPage(kind string, defLimit, maxLimit int) (page, *apiError) {
	pg := page{kind: kind, desc: true}
	order, err := c.p.str("sort_order", false)
	if err != nil {
		return pg, err
	}
	switch order {
	case "", "desc":
	case "asc":
		pg.desc = false
	default:
		return pg, validationf("`sort_order` must be \"asc\" or \"desc\"")
	}
	if pg.limit, err = c.bounded("limit", defLimit, 1, maxLimit); err != nil {
		return pg, err
	}
	id, err := c.p.str("page_id", false)
	if err != nil || id == "" {
		return pg, err
	}
	raw, derr := base64.StdEncoding.DecodeString(id)
	var got page
	if derr != nil || !parsePageToken(string(raw), &got) || got.kind != kind {
		return pg, validationf("`page_id` is not valid")
	}
	return got, nil
}

// parsePageToken decodes "kind|desc|offset|limit".
func parsePageToken(s string, p *page) bool {
	var kind string
	var desc bool
	var off, lim int
	parts := splitN(s, '|', 4)
	if len(parts) != 4 {
		return false
	}
	kind = parts[0]
	if _, err := fmt.Sscanf(parts[1]+" "+parts[2]+" "+parts[3], "%t %d %d", &desc, &off, &lim); err != nil {
		return false
	}
	if off < 0 || lim < 1 {
		return false
	}
	*p = page{kind: kind, desc: desc, offset: off, limit: lim}
	return true
}

func splitN(s string, sep byte, n int) []string {
	var out []string
	for len(out) < n-1 {
		i := -1
		for j := 0; j < len(s); j++ {
			if s[j] == sep {
				i = j
				break
			}
		}
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
	return append(out, s)
}

// pageLinks sets next_page_id / previous_page_id around a page of a list of total items.
func pageLinks(o *obj, pg page, total int) {
	if pg.offset+pg.limit < total {
		next := pg
		next.offset += pg.limit
		o.set("next_page_id", next.token())
	}
	if pg.offset > 0 {
		prev := pg
		prev.offset = max(0, pg.offset-pg.limit)
		o.set("previous_page_id", prev.token())
	}
}

func mListChats(c *call) (*obj, *apiError) {
	pg, err := c.readPage("chats", 10, 25)
	if err != nil {
		return nil, err
	}
	chats := c.customerChats()
	if !pg.desc {
		for i, j := 0, len(chats)-1; i < j; i, j = i+1, j-1 {
			chats[i], chats[j] = chats[j], chats[i]
		}
	}
	items := []*obj{}
	for i := pg.offset; i < len(chats) && i < pg.offset+pg.limit; i++ {
		items = append(items, c.st.renderChatSummary(v32, chats[i]))
	}
	o := newObj().set("chats_summary", items).set("total_chats", len(chats))
	pageLinks(o, pg, len(chats))
	return o, nil
}

func mGetChatThreadsSummary(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	offset, err := c.bounded("offset", 0, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	limit, err := c.bounded("limit", 25, 1, 100)
	if err != nil {
		return nil, err
	}
	items := []*obj{}
	for i := len(ch.threads) - 1 - offset; i >= 0 && len(items) < limit; i-- {
		t := ch.threads[i]
		items = append(items, newObj().set("id", t.id).set("order", unixMicro(t.createdAt)).
			set("total_events", len(t.events)).set("active", t.active))
	}
	return newObj().set("threads_summary", items).set("total_threads", len(ch.threads)), nil
}

func mGetChatThreads(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	// SDK1 sends thread_ids with omitempty, meaning "all threads": an absent or empty list is
	// read that way.
	ids, _, err := c.p.strs("thread_ids", false)
	if err != nil {
		return nil, err
	}
	threads := ch.threads
	if len(ids) > 0 {
		threads = nil
		for _, id := range ids {
			t := ch.threadByID(id)
			if t == nil {
				return nil, notFound(c.v, "Thread", id)
			}
			threads = append(threads, t)
		}
	}
	return newObj().set("chat", c.st.renderChatWithThreads(c.v, ch, threads, true)), nil
}

func mGetChat(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	tid, err := c.p.str("thread_id", false)
	if err != nil {
		return nil, err
	}
	t := ch.lastThread()
	if tid != "" {
		if t = ch.threadByID(tid); t == nil {
			return nil, notFound(c.v, "Thread", tid)
		}
	}
	o := newObj().set("id", ch.id)
	if t != nil {
		o.set("thread", renderThread(v32, ch, t))
	}
	o.set("users", c.st.renderUsers(v32, ch)).set("access", renderAccess(ch.access))
	return o.set("properties", renderProps(v32, ch.props)), nil
}

func mListThreads(c *call) (*obj, *apiError) {
	ch, err := c.chatID()
	if err != nil {
		return nil, err
	}
	if c.p.has("min_events_count") && c.p.has("limit") {
		return nil, validationf("`min_events_count` cannot be combined with `limit`")
	}
	pg, err := c.readPage("threads:"+ch.id, 3, 100)
	if err != nil {
		return nil, err
	}
	threads := make([]*thread, len(ch.threads))
	copy(threads, ch.threads)
	if pg.desc {
		for i, j := 0, len(threads)-1; i < j; i, j = i+1, j-1 {
			threads[i], threads[j] = threads[j], threads[i]
		}
	}
	if c.p.has("min_events_count") {
		minEvents, err := c.bounded("min_events_count", 1, 1, 100)
		if err != nil {
			return nil, err
		}
		n, sum := 0, 0
		for i := pg.offset; i < len(threads) && sum < minEvents; i++ {
			sum += len(threads[i].events)
			n++
		}
		pg.limit = max(n, 1)
	}
	items := []*obj{}
	for i := pg.offset; i < len(threads) && i < pg.offset+pg.limit; i++ {
		items = append(items, renderThread(v32, ch, threads[i]))
	}
	o := newObj().set("threads", items).set("found_threads", len(threads))
	pageLinks(o, pg, len(threads))
	return o, nil
}

package versions

// This file holds the 3.1 calls a 3.2 upstream serves with several calls (spec/methods.md
// R11, R12, R13, R17).

// listAll calls a paged 3.2 list method (list_chats, list_threads) from the first page and
// collects the items of arrayKey until want items are gathered (want < 0: all). It returns
// the first page's document with every collected item in its array, and the total the
// upstream reported under totalKey.
func listAll(e *Env, action string, first *Doc, arrayKey, totalKey string, want int) (*Doc, int64, error) {
	resp, err := e.Next.Call(e.Ctx, action, first)
	if err != nil {
		return nil, 0, err
	}
	arr := resp.Get(resp.Root(), arrayKey)
	if !resp.IsArray(arr) {
		return nil, 0, &APIError{Status: 502, Type: "internal", Message: "lcgate: upstream " + action + " answer has no " + arrayKey}
	}
	total, _ := intAt(resp, resp.Root(), totalKey)
	next := strAt(resp, resp.Root(), "next_page_id")
	for pages := 1; next != "" && (want < 0 || resp.Len(arr) < want) && pages < 1000; pages++ {
		req := e.newDoc()
		req.Set(req.Root(), "page_id", req.NewString(next))
		if action == "list_threads" {
			req.Set(req.Root(), "chat_id", req.Import(first, first.Get(first.Root(), "chat_id")))
		}
		page, err := e.Next.Call(e.Ctx, action, req)
		if err != nil {
			return nil, 0, err
		}
		items := page.Get(page.Root(), arrayKey)
		for it := page.First(items); page.IsArray(items) && it != None; it = page.Next(it) {
			resp.Append(arr, resp.Import(page, it))
		}
		next = strAt(page, page.Root(), "next_page_id")
	}
	return resp, total, nil
}

// slice keeps the items [offset, offset+limit) of an array.
func slice(d *Doc, arr Node, offset, limit int) {
	var keep []Node
	i := 0
	for it := d.First(arr); it != None; it = d.Next(it) {
		if i >= offset && i < offset+limit {
			keep = append(keep, it)
		}
		i++
	}
	d.Clear(arr)
	for _, it := range keep {
		d.Append(arr, it)
	}
}

// expandGetChatsSummary emulates offset paging over list_chats (R11): pages of 25, newest
// first, until offset+limit chats are known.
func expandGetChatsSummary(e *Env, req *Doc) (*Doc, error) {
	offset, err := optInt(req, "offset", 0, 0, 100)
	if err != nil {
		return nil, err
	}
	limit, err := optInt(req, "limit", 10, 1, 25)
	if err != nil {
		return nil, err
	}
	first := e.newDoc()
	first.Set(first.Root(), "limit", first.NewInt(min(25, offset+limit))) // no larger page than needed
	first.Set(first.Root(), "sort_order", first.NewString("desc"))
	resp, total, err := listAll(e, "list_chats", first, "chats_summary", "total_chats", int(offset+limit))
	if err != nil {
		return nil, err
	}
	r := resp.Root()
	arr := resp.Get(r, "chats_summary")
	slice(resp, arr, int(offset), int(limit))
	for it := resp.First(arr); it != None; it = resp.Next(it) {
		e.Down(resp, it, SummaryShape)
	}
	out := resp.NewObject()
	resp.Set(out, "chats_summary", arr)
	resp.Set(out, "total_chats", resp.NewInt(total))
	resp.SetRoot(out)
	e.lossy("R11 total_chats is the upstream's estimate")
	return resp, nil
}

// expandGetChatThreadsSummary emulates get_chat_threads_summary with list_threads (R13).
func expandGetChatThreadsSummary(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	offset, err := optInt(req, "offset", 0, 0, 1<<31)
	if err != nil {
		return nil, err
	}
	limit, err := optInt(req, "limit", 25, 1, 100)
	if err != nil {
		return nil, err
	}
	first := e.newDoc()
	first.Set(first.Root(), "chat_id", first.NewString(chatID))
	first.Set(first.Root(), "sort_order", first.NewString("desc"))
	first.Set(first.Root(), "limit", first.NewInt(min(100, offset+limit))) // no larger page than needed
	resp, total, err := listAll(e, "list_threads", first, "threads", "found_threads", int(offset+limit))
	if err != nil {
		return nil, err
	}
	threads := resp.Get(resp.Root(), "threads")
	slice(resp, threads, int(offset), int(limit))
	out := resp.NewObject()
	items := resp.NewArray()
	for t := resp.First(threads); t != None; t = resp.Next(t) {
		item := resp.NewObject()
		resp.Set(item, "id", resp.Clone(resp.Get(t, "id")))
		if at, ok := timeAt(resp, t, "created_at"); ok {
			resp.Set(item, "order", resp.NewInt(timeToOrder(at)))
		}
		resp.Set(item, "total_events", resp.NewInt(int64(resp.Len(resp.Get(t, "events")))))
		if a := resp.Get(t, "active"); a != None {
			resp.Set(item, "active", resp.Clone(a))
		}
		resp.Append(items, item)
	}
	resp.Set(out, "threads_summary", items)
	resp.Set(out, "total_threads", resp.NewInt(total))
	resp.SetRoot(out)
	return resp, nil
}

// expandGetChatThreads emulates get_chat_threads with one get_chat per thread (R12), or with
// list_threads when no thread id is given (read as "all threads", as SDK1 sends it).
func expandGetChatThreads(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	var ids []string
	if n := req.Get(req.Root(), "thread_ids"); n != None {
		if !req.IsArray(n) {
			return nil, paramError("`thread_ids` must be an array of strings")
		}
		for it := req.First(n); it != None; it = req.Next(it) {
			s, ok := req.Str(it)
			if !ok {
				return nil, paramError("`thread_ids` must be an array of strings")
			}
			ids = append(ids, s)
		}
	}
	var base *Doc
	threads := []Node{}
	latest := false
	if len(ids) == 0 {
		first := e.newDoc()
		first.Set(first.Root(), "chat_id", first.NewString(chatID))
		first.Set(first.Root(), "sort_order", first.NewString("asc"))
		first.Set(first.Root(), "limit", first.NewInt(100))
		list, _, err := listAll(e, "list_threads", first, "threads", "found_threads", -1)
		if err != nil {
			return nil, err
		}
		// The chat's own members come from get_chat (latest thread).
		if base, err = getChat(e, chatID, ""); err != nil {
			return nil, err
		}
		base.Delete(base.Root(), "thread")
		arr := list.Get(list.Root(), "threads")
		for t := list.First(arr); t != None; t = list.Next(t) {
			threads = append(threads, base.Import(list, t))
		}
		latest = true
	}
	for _, id := range ids {
		one, err := getChat(e, chatID, id)
		if err != nil {
			return nil, err
		}
		t := one.Detach(one.Root(), "thread")
		if base == nil {
			base = one
		} else {
			t = base.Import(one, t)
		}
		if base.Get(t, "next_thread_id") == None {
			latest = true
		}
		threads = append(threads, t)
	}
	// The 3.1 chat `order` follows the chat's latest thread, which may not be among those asked.
	var order int64
	if !latest {
		last, err := getChat(e, chatID, "")
		if err != nil {
			return nil, err
		}
		if at, ok := timeAt(last, last.Get(last.Root(), "thread"), "created_at"); ok {
			order = timeToOrder(at)
		}
	} else if n := len(threads); n > 0 {
		for _, t := range threads {
			if base.Get(t, "next_thread_id") == None {
				if at, ok := timeAt(base, t, "created_at"); ok {
					order = timeToOrder(at)
				}
			}
		}
	}
	return chatWithThreads31(e, base, threads, order), nil
}

// chatWithThreads31 makes a 3.1 get_chat_threads answer of a 3.2 get_chat answer base (its
// chat members) and threads of base, with the chat's order; the structures go down.
func chatWithThreads31(e *Env, base *Doc, threads []Node, order int64) *Doc {
	src := base.Root()
	chat := base.NewObject()
	base.Set(chat, "id", base.Clone(base.Get(src, "id")))
	base.Set(chat, "order", base.NewInt(order))
	for _, k := range []string{"users", "properties", "access"} {
		if v := base.Get(src, k); v != None {
			base.Set(chat, k, base.Clone(v))
		}
	}
	arr := base.NewArray()
	for _, t := range threads {
		base.Append(arr, t)
	}
	base.Set(chat, "threads", arr)
	e.Down(base, chat, ChatShape)
	out := base.NewObject()
	base.Set(out, "chat", chat)
	base.SetRoot(out)
	return base
}

// getChat calls 3.2 get_chat for one thread (the latest when threadID is "").
func getChat(e *Env, chatID, threadID string) (*Doc, error) {
	req := e.newDoc()
	req.Set(req.Root(), "chat_id", req.NewString(chatID))
	if threadID != "" {
		req.Set(req.Root(), "thread_id", req.NewString(threadID))
	}
	return e.Next.Call(e.Ctx, "get_chat", req)
}

// expandUpdateCustomer sends update_customer with session_fields, then answers the 3.1
// {"customer": Customer} read back with get_customer (R17).
func expandUpdateCustomer(e *Env, req *Doc) (*Doc, error) {
	if err := renameFieldsUp("fields", "session_fields")(e, req); err != nil {
		return nil, err
	}
	if _, err := e.Next.Call(e.Ctx, "update_customer", req); err != nil {
		return nil, err
	}
	cust, err := e.Next.Call(e.Ctx, "get_customer", e.newDoc())
	if err != nil {
		return nil, halfDone("the customer was updated", err)
	}
	c := cust.Root()
	e.Down(cust, c, CustomerShape)
	out := cust.NewObject()
	cust.Set(out, "customer", c)
	cust.SetRoot(out)
	return cust, nil
}

package versions

// This file holds the 3.2 calls a 3.1 upstream serves through its own methods (spec/methods.md
// R11, R12, R14, DOWN direction). Each only knows 3.1: the Caller translates further down.

// maxSummaryOffset is the largest offset 3.1 get_chats_summary accepts: only the first
// maxSummaryOffset+25 chats can be listed (R11).
const maxSummaryOffset = 100

// chatsSummary calls 3.1 get_chats_summary for [offset, offset+limit).
func chatsSummary(e *Env, offset, limit int) (*Doc, error) {
	req := e.newDoc()
	req.Set(req.Root(), "offset", req.NewInt(int64(offset)))
	req.Set(req.Root(), "limit", req.NewInt(int64(limit)))
	return e.Next.Call(e.Ctx, "get_chats_summary", req)
}

// emulateListChats serves list_chats with get_chats_summary offsets; page ids are lcgate's
// (R11). Ascending order reads the total first and walks the offsets backwards.
func emulateListChats(e *Env, req *Doc) (*Doc, error) {
	pg, err := readPage(req, "chats", 10, 25)
	if err != nil {
		return nil, err
	}
	offset, limit := pg.offset, pg.limit
	if !pg.desc {
		head, err := chatsSummary(e, 0, 1)
		if err != nil {
			return nil, err
		}
		total, _ := intAt(head, head.Root(), "total_chats")
		offset = int(total) - pg.offset - pg.limit
		if offset < 0 {
			limit += offset
			offset = 0
		}
	}
	if offset > maxSummaryOffset {
		return nil, &APIError{Status: 400, Type: "validation", Message: "lcgate: list_chats beyond the newest " +
			itoa(maxSummaryOffset+25) + " chats needs a 3.2 upstream (3.1 get_chats_summary stops at offset " + itoa(maxSummaryOffset) + ")"}
	}
	var resp *Doc
	if limit > 0 {
		resp, err = chatsSummary(e, offset, limit)
	} else {
		resp, err = chatsSummary(e, 0, 1) // past the oldest chat: only the total is needed
	}
	if err != nil {
		return nil, err
	}
	arr := resp.Get(resp.Root(), "chats_summary")
	if !resp.IsArray(arr) {
		return nil, &APIError{Status: 502, Type: "internal", Message: "lcgate: upstream get_chats_summary answer has no chats_summary"}
	}
	if limit <= 0 {
		resp.Clear(arr)
	}
	total, _ := intAt(resp, resp.Root(), "total_chats")
	if !pg.desc {
		reverse(resp, arr)
	}
	for it := resp.First(arr); it != None; it = resp.Next(it) {
		e.Up(resp, it, SummaryShape)
	}
	out := resp.NewObject()
	resp.Set(out, "chats_summary", arr)
	resp.Set(out, "total_chats", resp.NewInt(total))
	if total > maxSummaryOffset+25 {
		e.lossy("R11 list_chats reaches only the newest 125 chats on 3.1")
	}
	setPageLinks(resp, out, pg, int(total))
	resp.SetRoot(out)
	return resp, nil
}

// reverse reverses an array in place.
func reverse(d *Doc, arr Node) {
	var items []Node
	for it := d.First(arr); it != None; it = d.Next(it) {
		items = append(items, it)
	}
	d.Clear(arr)
	for i := len(items) - 1; i >= 0; i-- {
		d.Append(arr, items[i])
	}
}

// threadSummary is one 3.1 thread summary.
type threadSummary struct {
	id          string
	totalEvents int
}

// allThreadSummaries lists a chat's thread summaries, newest first, with
// get_chat_threads_summary pages of 100.
func allThreadSummaries(e *Env, chatID string) ([]threadSummary, error) {
	var out []threadSummary
	for offset := 0; ; offset += 100 {
		req := e.newDoc()
		req.Set(req.Root(), "chat_id", req.NewString(chatID))
		req.Set(req.Root(), "offset", req.NewInt(int64(offset)))
		req.Set(req.Root(), "limit", req.NewInt(100))
		resp, err := e.Next.Call(e.Ctx, "get_chat_threads_summary", req)
		if err != nil {
			return nil, err
		}
		arr := resp.Get(resp.Root(), "threads_summary")
		n := 0
		for it := resp.First(arr); resp.IsArray(arr) && it != None; it = resp.Next(it) {
			ev, _ := intAt(resp, it, "total_events")
			out = append(out, threadSummary{id: strAt(resp, it, "id"), totalEvents: int(ev)})
			n++
		}
		total, _ := intAt(resp, resp.Root(), "total_threads")
		if n < 100 || len(out) >= int(total) || offset >= 100_000 {
			return out, nil
		}
	}
}

// chatThreads calls 3.1 get_chat_threads for the given threads and returns the answer brought
// up to 3.2 shapes, with the threads by id.
func chatThreads(e *Env, chatID string, ids []string) (*Doc, Node, map[string]Node, error) {
	req := e.newDoc()
	req.Set(req.Root(), "chat_id", req.NewString(chatID))
	arr := req.NewArray()
	for _, id := range ids {
		req.Append(arr, req.NewString(id))
	}
	req.Set(req.Root(), "thread_ids", arr)
	resp, err := e.Next.Call(e.Ctx, "get_chat_threads", req)
	if err != nil {
		return nil, None, nil, err
	}
	chat := resp.Get(resp.Root(), "chat")
	if !resp.IsObject(chat) {
		return nil, None, nil, &APIError{Status: 502, Type: "internal", Message: "lcgate: upstream get_chat_threads answer has no chat"}
	}
	e.Up(resp, chat, ChatShape)
	byID := map[string]Node{}
	threads := resp.Detach(chat, "threads")
	for t := resp.First(threads); resp.IsArray(threads) && t != None; t = resp.Next(t) {
		byID[strAt(resp, t, "id")] = t
	}
	return resp, chat, byID, nil
}

// setNeighbours adds a 3.2 thread's previous_thread_id and next_thread_id, from the chat's
// threads newest first (R12: 3.1 threads do not name them).
func setNeighbours(d *Doc, t Node, newestFirst []threadSummary) {
	id := strAt(d, t, "id")
	for i, s := range newestFirst {
		if s.id != id {
			continue
		}
		if i+1 < len(newestFirst) {
			d.Set(t, "previous_thread_id", d.NewString(newestFirst[i+1].id))
		}
		if i > 0 {
			d.Set(t, "next_thread_id", d.NewString(newestFirst[i-1].id))
		}
		return
	}
}

// emulateGetChat serves get_chat with get_chat_threads_summary (the latest thread and the
// neighbours) and get_chat_threads (R12). A queued thread's `queue` has no 3.1 source.
func emulateGetChat(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	threadID := ""
	if n := req.Get(req.Root(), "thread_id"); n != None {
		s, ok := req.Str(n)
		if !ok {
			return nil, paramError("`thread_id` must be a string")
		}
		threadID = s
	}
	sums, err := allThreadSummaries(e, chatID)
	if err != nil {
		return nil, err
	}
	if threadID == "" && len(sums) > 0 {
		threadID = sums[0].id
	}
	var ids []string
	if threadID != "" {
		ids = []string{threadID}
	}
	resp, chat, byID, err := chatThreads(e, chatID, ids)
	if err != nil {
		return nil, err
	}
	out := resp.NewObject()
	resp.Set(out, "id", resp.Clone(resp.Get(chat, "id")))
	if t, ok := byID[threadID]; ok {
		setNeighbours(resp, t, sums)
		resp.Set(out, "thread", t)
	}
	for _, k := range []string{"users", "access", "properties"} {
		if v := resp.Get(chat, k); v != None {
			resp.Set(out, k, resp.Clone(v))
		}
	}
	resp.SetRoot(out)
	return resp, nil
}

// emulateListThreads serves list_threads with get_chat_threads_summary and get_chat_threads;
// page ids are lcgate's (R14).
func emulateListThreads(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	hasMin := req.Get(req.Root(), "min_events_count") != None
	if hasMin && req.Get(req.Root(), "limit") != None {
		return nil, paramError("`min_events_count` cannot be combined with `limit`")
	}
	pg, err := readPage(req, "threads:"+chatID, 3, 100)
	if err != nil {
		return nil, err
	}
	if hasMin {
		minEvents, err := optInt(req, "min_events_count", 1, 1, 100)
		if err != nil {
			return nil, err
		}
		pg.minEvents = int(minEvents)
	}
	sums, err := allThreadSummaries(e, chatID)
	if err != nil {
		return nil, err
	}
	order := make([]threadSummary, len(sums))
	copy(order, sums)
	if !pg.desc {
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	if pg.minEvents > 0 {
		n, sum := 0, 0
		for i := pg.offset; i < len(order) && sum < pg.minEvents; i++ {
			sum += order[i].totalEvents
			n++
		}
		pg.limit = max(n, 1)
	}
	var ids []string
	for i := pg.offset; i < len(order) && i < pg.offset+pg.limit; i++ {
		ids = append(ids, order[i].id)
	}
	var resp *Doc
	byID := map[string]Node{}
	if len(ids) > 0 {
		if resp, _, byID, err = chatThreads(e, chatID, ids); err != nil {
			return nil, err
		}
	} else {
		resp = e.newDoc()
	}
	out := resp.NewObject()
	arr := resp.NewArray()
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			setNeighbours(resp, t, sums)
			resp.Append(arr, t)
		}
	}
	resp.Set(out, "threads", arr)
	resp.Set(out, "found_threads", resp.NewInt(int64(len(sums))))
	setPageLinks(resp, out, pg, len(sums))
	resp.SetRoot(out)
	return resp, nil
}

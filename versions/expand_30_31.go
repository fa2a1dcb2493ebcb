package versions

import ()

// This file holds the 3.0 calls a 3.1 version serves with several calls (spec/methods.md
// R2, R3, R4, R5, R6). Each only knows 3.1: the Caller translates further.

// expandUpdateLastSeenTimestamp marks events as seen up to the end of the given second (now
// when absent) and answers {"timestamp": T} with the second used (R4).
func expandUpdateLastSeenTimestamp(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	ts, err := optInt(req, "timestamp", -1, 0, 1<<40)
	if err != nil {
		return nil, err
	}
	if ts < 0 {
		ts = e.Now().Unix()
	}
	call := e.newDoc()
	call.Set(call.Root(), "chat_id", call.NewString(chatID))
	call.Set(call.Root(), "seen_up_to", call.NewString(endOfSecond(ts)))
	if _, err := e.Next.Call(e.Ctx, "mark_events_as_seen", call); err != nil {
		return nil, err
	}
	e.lossy("R4 update_last_seen_timestamp answers the requested second, not the server's")
	out := e.newDoc()
	out.Set(out.Root(), "timestamp", out.NewInt(ts))
	return out, nil
}

// sendEvent30 sends an event with 3.0's thread rules on 3.1 (R5) and returns the 3.0 answer
// {thread_id, event}: with require_active_thread an inactive chat fails; with
// attach_to_last_thread the event joins the last thread; otherwise an inactive chat gets a
// new thread (activate_chat with the event).
func sendEvent30(e *Env, chatID string, event *Doc, attach, requireActive bool) (*Doc, error) {
	req := e.newDoc()
	r := req.Root()
	req.Set(r, "chat_id", req.NewString(chatID))
	req.Set(r, "event", req.Import(event, event.Root()))
	if attach && !requireActive {
		req.Set(r, "attach_to_last_thread", req.NewBool(true))
	}
	resp, pushed, err := callForPush(e, "send_event", req, "incoming_event")
	if err != nil {
		if attach || requireActive || !isValidation(err) {
			return nil, err
		}
		// 3.0 opens a new thread on an inactive chat; 3.1 refuses. Check, then activate.
		active, serr := latestThreadActive(e, chatID)
		if serr != nil || active {
			return nil, err
		}
		return activateWithEvent(e, chatID, event)
	}
	eventID := strAt(resp, resp.Root(), "event_id")
	if pushed != nil { // over RTM the upstream pushed the stored event to this session
		if out, ok := eventFromPush(e, pushed, eventID); ok {
			return out, nil
		}
	}
	req = e.newDoc()
	req.Set(req.Root(), "chat_id", req.NewString(chatID))
	chat, err := e.Next.Call(e.Ctx, LatestThreadAction, req) // the event went to the latest thread
	if err != nil {
		return nil, halfDone("the event "+eventID+" was sent", err)
	}
	return eventOf(e, chat, eventID)
}

func isValidation(err error) bool {
	ae, ok := err.(*APIError)
	return ok && ae.Type == "validation"
}

// latestThreadSummary returns the newest thread summary of a chat.
func latestThreadSummary(e *Env, chatID string) (*Doc, Node, error) {
	req := e.newDoc()
	req.Set(req.Root(), "chat_id", req.NewString(chatID))
	req.Set(req.Root(), "limit", req.NewInt(1))
	resp, err := e.Next.Call(e.Ctx, "get_chat_threads_summary", req)
	if err != nil {
		return nil, None, err
	}
	arr := resp.Get(resp.Root(), "threads_summary")
	if !resp.IsArray(arr) || resp.First(arr) == None {
		return nil, None, &APIError{Status: 502, Type: "internal", Message: "lcgate: chat " + chatID + " has no thread"}
	}
	return resp, resp.First(arr), nil
}

func latestThreadActive(e *Env, chatID string) (bool, error) {
	d, n, err := latestThreadSummary(e, chatID)
	if err != nil {
		return false, err
	}
	b, _ := d.Bool(d.Get(n, "active"))
	return b, nil
}

func latestThreadID(e *Env, chatID string) (string, error) {
	d, n, err := latestThreadSummary(e, chatID)
	if err != nil {
		return "", err
	}
	return strAt(d, n, "id"), nil
}

// getChatThreads calls 3.1 get_chat_threads for one thread.
func getChatThreads(e *Env, chatID, threadID string) (*Doc, error) {
	req := e.newDoc()
	req.Set(req.Root(), "chat_id", req.NewString(chatID))
	ids := req.NewArray()
	req.Append(ids, req.NewString(threadID))
	req.Set(req.Root(), "thread_ids", ids)
	return e.Next.Call(e.Ctx, "get_chat_threads", req)
}

// fetchEvent reads the stored event back and answers {thread_id, event} in 3.0 shape.
func fetchEvent(e *Env, chatID, threadID, eventID string) (*Doc, error) {
	chat, err := getChatThreads(e, chatID, threadID)
	if err != nil {
		return nil, halfDone("the event "+eventID+" was sent", err)
	}
	return eventOf(e, chat, eventID)
}

// eventOf finds the event in a 3.1 get_chat_threads answer and answers {thread_id, event} in
// 3.0 shape.
func eventOf(e *Env, chat *Doc, eventID string) (*Doc, error) {
	threads := chat.Path(chat.Root(), "chat", "threads")
	for t := chat.First(threads); chat.IsArray(threads) && t != None; t = chat.Next(t) {
		evs := chat.Get(t, "events")
		for ev := chat.First(evs); chat.IsArray(evs) && ev != None; ev = chat.Next(ev) {
			if !strIs(chat, ev, "id", eventID) {
				continue
			}
			threadID := strAt(chat, t, "id")
			e.Down(chat, ev, EventShape)
			out := chat.NewObject()
			chat.Set(out, "thread_id", chat.NewString(threadID))
			chat.Set(out, "event", ev)
			chat.SetRoot(out)
			return chat, nil
		}
	}
	return nil, halfDone("the event "+eventID+" was sent", &APIError{Status: 502, Type: "internal",
		Message: "it is not in the thread read back"})
}

// eventFromPush answers {thread_id, event} in 3.0 shape from a 3.1 incoming_event push
// carrying the event eventID; false when the push carries another event.
func eventFromPush(e *Env, d *Doc, eventID string) (*Doc, bool) {
	ev := d.Get(d.Root(), "event")
	if !d.IsObject(ev) || !strIs(d, ev, "id", eventID) {
		return nil, false
	}
	threadID := strAt(d, d.Root(), "thread_id")
	e.Down(d, ev, EventShape)
	out := d.NewObject()
	d.Set(out, "thread_id", d.NewString(threadID))
	d.Set(out, "event", ev)
	d.SetRoot(out)
	return d, true
}

// activateWithEvent opens a new thread holding the event (3.0's send_event on an inactive chat).
func activateWithEvent(e *Env, chatID string, event *Doc) (*Doc, error) {
	req := e.newDoc()
	chat := req.NewObject()
	req.Set(chat, "id", req.NewString(chatID))
	thread := req.NewObject()
	evs := req.NewArray()
	req.Append(evs, req.Import(event, event.Root()))
	req.Set(thread, "events", evs)
	req.Set(chat, "thread", thread)
	req.Set(req.Root(), "chat", chat)
	resp, err := e.Next.Call(e.Ctx, "activate_chat", req)
	if err != nil {
		return nil, err
	}
	threadID := strAt(resp, resp.Root(), "thread_id")
	ids := resp.Get(resp.Root(), "event_ids")
	eventID := ""
	if resp.IsArray(ids) && resp.First(ids) != None {
		eventID, _ = resp.Str(resp.First(ids))
	}
	return fetchEvent(e, chatID, threadID, eventID)
}

// expandSendEvent serves 3.0 send_event (R5).
func expandSendEvent(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	ev := req.Get(req.Root(), "event")
	if !req.IsObject(ev) {
		return nil, paramError("`event` is required and must be an object")
	}
	if strAt(req, ev, "type") == "annotation" {
		return nil, paramError("annotation events are not supported by the upstream's version")
	}
	attach, err := optBool(req, "attach_to_last_thread")
	if err != nil {
		return nil, err
	}
	requireActive, err := optBool(req, "require_active_thread")
	if err != nil {
		return nil, err
	}
	event := e.newDoc()
	event.SetRoot(event.Import(req, ev))
	return sendEvent30(e, chatID, event, attach, requireActive)
}

// expandSendFile serves 3.0 send_file: upload_file, then a file event with send_event's 3.0
// thread rules; it answers the event's (permanent) URL (R2).
func expandSendFile(e *Env, _ *Doc) (*Doc, error) {
	chatID := e.Form["chat_id"]
	if chatID == "" {
		return nil, paramError("`payload.chat_id` is required")
	}
	if len(e.Files) == 0 {
		return nil, paramError("`payload.file` is required")
	}
	requireActive := false
	switch e.Form["require_active_thread"] {
	case "true", "1":
		requireActive = true
	case "", "false", "0":
	default:
		return nil, paramError("`payload.require_active_thread` must be a boolean")
	}
	up, err := e.Next.Upload(e.Ctx, e.Files[0])
	if err != nil {
		return nil, err
	}
	url := strAt(up, up.Root(), "url")
	event := e.newDoc()
	event.Set(event.Root(), "type", event.NewString("file"))
	event.Set(event.Root(), "url", event.NewString(url))
	if id := e.Form["custom_id"]; id != "" {
		event.Set(event.Root(), "custom_id", event.NewString(id))
	}
	sent, err := sendEvent30(e, chatID, event, false, requireActive)
	if err != nil {
		return nil, halfDone("the file was uploaded ("+url+") but not sent", err)
	}
	if u := strAt(sent, sent.Path(sent.Root(), "event"), "url"); u != "" {
		url = u
	}
	out := e.newDoc()
	out.Set(out.Root(), "url", out.NewString(url))
	return out, nil
}

// expandStartChat starts the chat, then reads it back to answer 3.0's whole Chat (R6).
func expandStartChat(e *Env, req *Doc) (*Doc, error) {
	resp, pushed, err := callForPush(e, "start_chat", req, "incoming_chat_thread")
	if err != nil {
		return nil, err
	}
	chatID := strAt(resp, resp.Root(), "chat_id")
	threadID := strAt(resp, resp.Root(), "thread_id")
	if pushed != nil { // over RTM the upstream pushed the new chat to this session
		if out, ok := chatFromPush(e, pushed, chatID, threadID); ok {
			return out, nil
		}
	}
	return chatWithThread(e, chatID, threadID, "the chat "+chatID+" was started", true)
}

// chatFromPush answers start_chat's {"chat": …} in 3.0 shape from a 3.1 incoming_chat_thread
// push of the chat chatID with its thread threadID; false when the push is of another chat.
func chatFromPush(e *Env, d *Doc, chatID, threadID string) (*Doc, bool) {
	chat := d.Get(d.Root(), "chat")
	if !d.IsObject(chat) || !strIs(d, chat, "id", chatID) {
		return nil, false
	}
	thread := d.Detach(chat, "thread")
	if !d.IsObject(thread) || !strIs(d, thread, "id", threadID) {
		return nil, false
	}
	threads := d.NewArray()
	d.Append(threads, thread)
	d.Set(chat, "threads", threads)
	e.Down(d, chat, ChatShape)
	d.Set(chat, "thread", d.First(d.Detach(chat, "threads")))
	out := d.NewObject()
	d.Set(out, "chat", chat)
	d.SetRoot(out)
	return d, true
}

// expandActivateChat activates the chat, then reads it back (R6).
func expandActivateChat(e *Env, req *Doc) (*Doc, error) {
	chatID := strAt(req, req.Get(req.Root(), "chat"), "id")
	resp, err := e.Next.Call(e.Ctx, "activate_chat", req)
	if err != nil {
		return nil, err
	}
	threadID := strAt(resp, resp.Root(), "thread_id")
	return chatWithThread(e, chatID, threadID, "the chat "+chatID+" was activated", false)
}

// chatWithThread answers {"chat": …} in 3.0 shape: start_chat's single `thread` with the
// chat's `order`, or activate_chat's `threads` without it.
func chatWithThread(e *Env, chatID, threadID, done string, single bool) (*Doc, error) {
	d, err := getChatThreads(e, chatID, threadID)
	if err != nil {
		return nil, halfDone(done, err)
	}
	chat := d.Get(d.Root(), "chat")
	if !d.IsObject(chat) {
		return nil, halfDone(done, &APIError{Status: 502, Type: "internal", Message: "the upstream answered no chat"})
	}
	e.Down(d, chat, ChatShape)
	if single {
		threads := d.Detach(chat, "threads")
		if d.IsArray(threads) && d.First(threads) != None {
			d.Set(chat, "thread", d.First(threads))
		}
	} else {
		d.Delete(chat, "order")
	}
	return d, nil
}

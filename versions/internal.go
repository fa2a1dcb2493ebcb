package versions

import "strings"

// Internal calls are lcgate's own 3.1-shaped calls that expansions make when a newer version
// can serve them more cheaply than the public 3.1 methods would. They are never a client's
// action (the catalogue does not list them) and never reach an upstream: a step serves one
// on its newer version (an Expand of the step), and on the upstream's own version
// ServeInternal serves it with that version's methods.

// LatestThreadAction answers the latest thread of a chat as 3.1 get_chat_threads would:
// {"chat": {id, order, users, properties, access, threads: [the latest thread]}}. Request:
// {"chat_id"}. A 3.2 upstream serves it with one get_chat (spec/methods.md R5); a 3.1
// upstream with get_chat_threads_summary and get_chat_threads.
const LatestThreadAction = "lcgate.latest_thread"

// IsInternal reports whether action is an internal call.
func IsInternal(action string) bool { return strings.HasPrefix(action, "lcgate.") }

// ServeInternal serves an internal call on version v, e.Next being a Caller of v itself. It
// reports false for a call v does not serve that way.
func ServeInternal(v Version, action string) (func(e *Env, req *Doc) (*Doc, error), bool) {
	if action == LatestThreadAction && v == V31 {
		return latestThread31, true
	}
	return nil, false
}

// latestThread31: the newest thread's id from get_chat_threads_summary, then the thread.
func latestThread31(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	threadID, err := latestThreadID(e, chatID)
	if err != nil {
		return nil, err
	}
	return getChatThreads(e, chatID, threadID)
}

// expandLatestThread32 serves the internal call on 3.2 with one get_chat of the latest thread.
func expandLatestThread32(e *Env, req *Doc) (*Doc, error) {
	chatID, err := reqString(req, "chat_id")
	if err != nil {
		return nil, err
	}
	one, err := getChat(e, chatID, "")
	if err != nil {
		return nil, err
	}
	t := one.Detach(one.Root(), "thread")
	if !one.IsObject(t) {
		return nil, &APIError{Status: 502, Type: "internal", Message: "lcgate: chat " + chatID + " has no thread"}
	}
	order := int64(0)
	if at, ok := timeAt(one, t, "created_at"); ok {
		order = timeToOrder(at)
	}
	return chatWithThreads31(e, one, []Node{t}, order), nil
}

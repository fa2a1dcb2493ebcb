package versions

// step30to31 holds the changes from 3.0 to 3.1 (spec/methods.md §4.1, §5.1;
// spec/structures.md §7). Down makes a 3.1 message a 3.0 one; Up the reverse. The Web body
// envelope (A1) and multipart field prefix are properties of 3.0 itself: see WrapsWebPayload
// and MultipartPrefix.
var step30to31 = &Step{
	Older: V30, Newer: V31,
	Structures: []StructureChange{
		{Name: "A3 event: order and timestamp replaced by created_at", On: Event, Down: eventDown31, Up: eventUp31,
			LossDown: "sub-second precision of event created_at (timestamp in seconds, order synthesised)",
			LossUp:   "sub-second part of event created_at (taken from order)"},
		{Name: "A4 user: last_seen_timestamp replaced by events_seen_up_to", On: User, Down: seenDown31, Up: seenUp31,
			LossDown: "sub-second precision of events_seen_up_to"},
		{Name: "A4 user: last_seen_timestamp replaced by events_seen_up_to", On: Customer, Down: seenDown31, Up: seenUp31,
			LossDown: "sub-second precision of events_seen_up_to"},
	},
	Actions: []*ActionChange{
		{Name: "A2 send_file removed (upload_file + send_event)", Older: "send_file", Expand: expandSendFile},
		// The engine sends every upload_file through Caller.Upload; each side names the field.
		{Name: "A2 upload_file: multipart payload.file renamed file", Older: "upload_file", Newer: "upload_file"},
		{Name: "A5 update_last_seen_timestamp replaced by mark_events_as_seen",
			Older: "update_last_seen_timestamp", Newer: "mark_events_as_seen",
			Expand: expandUpdateLastSeenTimestamp, RequestDown: markSeenRequestDown, ResponseUp: emptyAnswer,
			LossDown: "the server's own timestamp (the answer repeats the second asked for)",
			LossUp:   "sub-second precision of seen_up_to"},
		{Name: "A7 send_event: require_active_thread removed; answer is event_id only", Older: "send_event", Newer: "send_event",
			Expand: expandSendEvent, RequestDown: sendEventRequestDown31, ResponseUp: sendEventResponseUp31},
		{Name: "A8 start_chat answers chat_id, thread_id, event_ids only", Older: "start_chat", Newer: "start_chat",
			Expand: expandStartChat, ResponseUp: startChatResponseUp31,
			LossUp: "event_ids told apart by author, not matched to the request (heuristic)"},
		{Name: "A8 activate_chat answers thread_id, event_ids only", Older: "activate_chat", Newer: "activate_chat",
			Expand: expandActivateChat, ResponseUp: activateChatResponseUp31,
			LossUp: "event_ids told apart by author, not matched to the request (heuristic)"},
		{Name: "get_predicted_agent: group_id dropped; answer no longer wrapped in agent (UNCONFIRMED)",
			Older: "get_predicted_agent", Newer: "get_predicted_agent",
			RequestUp: predictedAgentRequestUp, ResponseDown: wrapIn("agent"), ResponseUp: unwrapFrom("agent"),
			LossDown: "the request's group_id"},
	},
	Pushes: []*PushChange{
		{Name: "A6 last_seen_timestamp_updated replaced by events_marked_as_seen",
			Older: "last_seen_timestamp_updated", Newer: "events_marked_as_seen", Down: seenPushDown31, Up: seenPushUp31},
		{Name: "A11 typing indicator gains recipients", Older: "incoming_typing_indicator", Newer: "incoming_typing_indicator",
			Down: typingDown31, Up: typingUp31},
	},
	ErrorTypesDown: map[string]string{
		"too_many_requests":              "request_timeout",
		"pending_requests_limit_reached": "request_timeout",
		"greeting_not_found":             "validation",
		"groups_offline":                 "group_offline",
	},
}

package proxy

// The scenarios of a 3.2 client for the differential tests (see differential_test.go).

// scenarioEveryWebMethod32 calls every Web method of 3.2 on a realistic state, with the
// paging of list_chats and list_threads followed by page id.
func scenarioEveryWebMethod32() []diffStep {
	chatOf := map[string]string{"chat": "chat_id", "thread": "thread_id", "event": "event_ids.0"}
	return []diffStep{
		{action: "start_chat", body: `{"chat":{"properties":{"source":{"type":"web"}},"thread":{"events":[{"type":"message","text":"Hello","custom_id":"c1"}]}}}`, capture: chatOf},
		{action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message","text":"Second","custom_id":"c2"}}`},
		{action: "get_chat", body: `{"chat_id":"{chat}","thread_id":"{thread}"}`},
		{action: "get_chat", body: `{"chat_id":"{chat}"}`},
		{action: "list_threads", body: `{"chat_id":"{chat}"}`},
		{action: "list_chats", body: `{}`},
		{action: "update_chat_properties", body: `{"chat_id":"{chat}","properties":{"source":{"type":"mobile"}}}`},
		{action: "update_thread_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":{"score":5}}}`},
		{action: "update_event_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"comment":"ok"}}}`},
		{action: "get_chat", body: `{"chat_id":"{chat}","thread_id":"{thread}"}`},
		{action: "delete_event_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":["comment"]}}`},
		{action: "delete_thread_properties", body: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":["score"]}}`},
		{action: "delete_chat_properties", body: `{"chat_id":"{chat}","properties":{"source":["type"]}}`},
		{action: "mark_events_as_seen", body: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.000000Z"}`},
		{action: "set_customer_session_fields", body: `{"session_fields":[{"plan":"pro"},{"team":"blue"}]}`},
		{action: "update_customer", body: `{"name":"Jane","email":"jane@example.com","session_fields":[{"plan":"enterprise"}]}`},
		{action: "get_customer", body: `{}`},
		{action: "get_chat", body: `{"chat_id":"{chat}","thread_id":"{thread}"}`},
		{action: "list_group_statuses", body: `{"all":true}`},
		{action: "list_group_statuses", body: `{"group_ids":[0,2,7]}`},
		{action: "get_form", body: `{"group_id":0,"type":"prechat"}`},
		{action: "get_predicted_agent", body: `{}`},
		{action: "get_url_info", body: `{"url":"https://www.livechat.com/pricing"}`},
		{action: "check_goals", body: `{"page_url":"https://example.com","group_id":0,"session_fields":[{"plan":"pro"}]}`},
		{action: "send_sneak_peek", body: `{"chat_id":"{chat}","sneak_peek_text":"typing…"}`},
		{action: "send_rich_message_postback", body: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","postback":{"id":"yes","toggled":true}}`},
		{action: "upload_file", file: "notes.txt", capture: map[string]string{"url": "url"}},
		{action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"file","url":"{url}"}}`},
		{action: "deactivate_chat", body: `{"chat_id":"{chat}"}`},
		{action: "send_event", body: `{"chat_id":"{chat}","event":{"type":"message","text":"After close"}}`},
		{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Back"}]}}}`, capture: map[string]string{"thread2": "thread_id"}},
		{action: "deactivate_chat", body: `{"chat_id":"{chat}"}`},
		{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Third"}]}}}`},
		{action: "get_chat", body: `{"chat_id":"{chat}","thread_id":"{thread2}"}`},
		{action: "list_threads", body: `{"chat_id":"{chat}","limit":1}`, capture: map[string]string{"next": "next_page_id"}},
		{action: "list_threads", body: `{"chat_id":"{chat}","page_id":"{next}"}`, capture: map[string]string{"next2": "next_page_id"}},
		{action: "list_threads", body: `{"chat_id":"{chat}","page_id":"{next2}"}`},
		{action: "list_threads", body: `{"chat_id":"{chat}","sort_order":"asc","limit":2}`},
		{action: "list_threads", body: `{"chat_id":"{chat}","min_events_count":3}`},
		{action: "list_threads", body: `{"chat_id":"{chat}","min_events_count":3,"limit":2}`},
		{action: "start_chat", body: `{"chat":{"access":{"group_ids":[1]}}}`},
		{action: "start_chat", body: `{"chat":{"thread":{"events":[{"type":"message","text":"Another"}]}}}`},
		{action: "list_chats", body: `{"limit":1}`, capture: map[string]string{"cnext": "next_page_id"}},
		{action: "list_chats", body: `{"page_id":"{cnext}"}`, capture: map[string]string{"cprev": "previous_page_id"}},
		{action: "list_chats", body: `{"page_id":"{cprev}"}`},
		{action: "list_chats", body: `{"sort_order":"asc","limit":2}`},
		{action: "list_chats", body: `{"page_id":"not a page"}`},
		{action: "send_event", body: `{"chat_id":"NOPE","event":{"type":"message","text":"x"}}`},
		{action: "get_chat", body: `{"chat_id":"{chat}","thread_id":"NOPE"}`},
		{action: "accept_greeting", body: `{"greeting_id":1,"unique_id":"abc"}`},
		{action: "cancel_greeting", body: `{"unique_id":"abc"}`},
		{action: "list_license_properties", body: `{}`},
		{action: "list_group_properties", body: `{"id":0}`},
	}
}

// scenarioAgentActivity32 reads back what agents did, as a 3.2 client.
func scenarioAgentActivity32(capture map[string]string) []diffStep {
	read := diffStep{action: "get_chat", body: `{"chat_id":"{chat}","thread_id":"{thread}"}`}
	return append(agentActivityOpening(capture),
		read,
		diffStep{action: "list_chats", body: `{}`},
		diffStep{action: "list_threads", body: `{"chat_id":"{chat}"}`},
		diffStep{agent: true, action: "transfer_chat", body: `{"chat_id":"{chat}","target":{"type":"group","ids":[2]}}`},
		diffStep{agent: true, action: "deactivate_chat", body: `{"chat_id":"{chat}"}`},
		diffStep{action: "activate_chat", body: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Queued?"}]}}}`},
		diffStep{action: "get_chat", body: `{"chat_id":"{chat}"}`},
		diffStep{action: "list_chats", body: `{"limit":1}`},
	)
}

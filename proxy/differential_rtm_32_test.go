package proxy

// rtmScenario32 is the RTM scenario of a 3.2 client (see differential_rtm_test.go).
func rtmScenario32() []rtmStep {
	capture := map[string]string{"chat": "chat_id", "thread": "thread_id"}
	steps := []rtmStep{
		{action: "login", payload: `{"token":"Bearer rtm-diff","customer":{"name":"Ann","session_fields":[{"plan":"pro"}]},"customer_page":{"url":"https://example.com"}}`,
			capture: map[string]string{"customer": "customer.id"}},
		{agent: true, action: "send_greeting", payload: `{"customer_id":"{customer}","text":"Need help?","greeting_id":7}`},
		{action: "get_customer", payload: `{}`}, // answered from the login on older upstreams
		{action: "ping", payload: `{}`},
		{action: "get_form", payload: `{"group_id":0,"type":"prechat"}`},
		{action: "get_predicted_agent", payload: `{}`},
		{action: "get_url_info", payload: `{"url":"https://www.livechat.com"}`},
		{action: "list_group_statuses", payload: `{"all":true}`},
		{action: "start_chat", payload: `{"chat":{"thread":{"events":[{"type":"message","text":"Hi"}]}}}`, capture: capture},
		{action: "send_event", payload: `{"chat_id":"{chat}","event":{"type":"message","text":"Second"}}`, capture: map[string]string{"event": "event_id"}},
		{action: "send_sneak_peek", payload: `{"chat_id":"{chat}","sneak_peek_text":"typing"}`},
		{action: "send_rich_message_postback", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","postback":{"id":"a","toggled":true}}`},
		{agent: true, action: "send_event", payload: `{"chat_id":"{chat}","event":{"type":"message","text":"Agent here","properties":{"rating":{"score":1}}}}`},
		{agent: true, action: "update_event", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","event":{"text":"Edited"}}`},
		{action: "update_chat_properties", payload: `{"chat_id":"{chat}","properties":{"source":{"type":"rtm"}}}`},
		{action: "delete_chat_properties", payload: `{"chat_id":"{chat}","properties":{"source":["type"]}}`},
		{action: "update_thread_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":{"score":3}}}`},
		{action: "delete_thread_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"rating":["score"]}}`},
		{action: "update_event_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":{"comment":"ok"}}}`},
		{action: "delete_event_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","event_id":"{event}","properties":{"rating":["comment"]}}`},
		{agent: true, action: "update_properties", payload: `{"chat_id":"{chat}","thread_id":"{thread}","properties":{"routing":{"idle":true}}}`},
		{action: "mark_events_as_seen", payload: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:00.000000Z"}`},
		{agent: true, action: "mark_events_as_seen", payload: `{"chat_id":"{chat}","seen_up_to":"2020-05-07T07:12:30.500000Z"}`},
		{action: "set_customer_session_fields", payload: `{"session_fields":[{"team":"red"}]}`},
		{action: "update_customer", payload: `{"name":"Ann B","session_fields":[{"plan":"max"}]}`},
		{action: "update_customer_page", payload: `{"url":"https://example.com/pricing","title":"Pricing"}`},
		{action: "get_chat", payload: `{"chat_id":"{chat}","thread_id":"{thread}"}`},
		{action: "list_threads", payload: `{"chat_id":"{chat}"}`},
		{action: "list_chats", payload: `{}`},
		{action: "get_customer", payload: `{}`},
	}
	steps = append(steps, rtmAgentSteps()...)
	return append(steps, []rtmStep{
		{action: "deactivate_chat", payload: `{"chat_id":"{chat}"}`},
		{action: "send_event", payload: `{"chat_id":"{chat}","attach_to_last_thread":true,"event":{"type":"message","text":"Late"}}`},
		{action: "activate_chat", payload: `{"chat":{"id":"{chat}","thread":{"events":[{"type":"message","text":"Back"}]}}}`},
		{action: "accept_greeting", payload: `{"greeting_id":7,"unique_id":"x"}`},
		{action: "nope", payload: `{}`},
		{action: "send_event", payload: `{"chat_id":"NOPE","event":{"type":"message","text":"x"}}`},
		{agent: true, action: "update_customer_side_storage", payload: `{"customer_id":"{customer}","customer_side_storage":{"visit":"2"}}`},
		{agent: true, action: "disconnect_customer", payload: `{"customer_id":"{customer}","reason":"customer_banned"}`},
	}...)
}

package versions

// Method says where an action is served.
type Method struct {
	Web, RTM bool
	Get      bool // Web method called with GET (3.2 property listings)
}

// The method kinds of the catalogue.
var (
	webRTM  = Method{Web: true, RTM: true}
	webOnly = Method{Web: true}
	rtmOnly = Method{RTM: true}
	webGet  = Method{Web: true, Get: true}
)

// Methods is the method catalogue of each version (spec/methods.md §2.1), ping excluded.
var Methods = map[Version]map[string]Method{
	V30: {
		"login": rtmOnly, "get_chats_summary": webRTM, "get_chat_threads_summary": webRTM, "get_chat_threads": webRTM,
		"start_chat": webRTM, "activate_chat": webRTM, "close_thread": webRTM, "send_event": webRTM, "send_file": webOnly,
		"upload_file": webOnly, "send_rich_message_postback": webRTM, "send_sneak_peek": webRTM,
		"update_chat_properties": webRTM, "delete_chat_properties": webRTM, "update_chat_thread_properties": webRTM,
		"delete_chat_thread_properties": webRTM, "update_event_properties": webRTM, "delete_event_properties": webRTM,
		"update_last_seen_timestamp": webRTM, "update_customer": webRTM, "update_customer_page": rtmOnly,
		"set_customer_fields": webRTM, "get_groups_status": webRTM, "check_goals": webOnly, "get_form": webRTM,
		"get_predicted_agent": webRTM, "get_url_details": webRTM,
	},
	V31: {
		"login": rtmOnly, "get_chats_summary": webRTM, "get_chat_threads_summary": webRTM, "get_chat_threads": webRTM,
		"start_chat": webRTM, "activate_chat": webRTM, "close_thread": webRTM, "send_event": webRTM,
		"upload_file": webOnly, "send_rich_message_postback": webRTM, "send_sneak_peek": webRTM,
		"update_chat_properties": webRTM, "delete_chat_properties": webRTM, "update_chat_thread_properties": webRTM,
		"delete_chat_thread_properties": webRTM, "update_event_properties": webRTM, "delete_event_properties": webRTM,
		"mark_events_as_seen": webRTM, "update_customer": webRTM, "update_customer_page": rtmOnly,
		"set_customer_fields": webRTM, "get_groups_status": webRTM, "check_goals": webOnly, "get_form": webRTM,
		"get_predicted_agent": webRTM, "get_url_details": webRTM,
	},
	V32: {
		"login": rtmOnly, "list_chats": webRTM, "list_threads": webRTM, "get_chat": webRTM,
		"start_chat": webRTM, "activate_chat": webRTM, "deactivate_chat": webRTM, "send_event": webRTM,
		"upload_file": webOnly, "send_rich_message_postback": webRTM, "send_sneak_peek": webRTM,
		"update_chat_properties": webRTM, "delete_chat_properties": webRTM, "update_thread_properties": webRTM,
		"delete_thread_properties": webRTM, "update_event_properties": webRTM, "delete_event_properties": webRTM,
		"list_license_properties": webGet, "list_group_properties": webGet,
		"mark_events_as_seen": webRTM, "update_customer": webRTM, "update_customer_page": rtmOnly,
		"set_customer_session_fields": webRTM, "get_customer": webRTM, "list_group_statuses": webRTM,
		"check_goals": webOnly, "get_form": webRTM, "get_predicted_agent": webRTM, "get_url_info": webRTM,
		"accept_greeting": webRTM, "cancel_greeting": webRTM,
	},
}

// Lookup returns the method named action in version v.
func Lookup(v Version, action string) (Method, bool) {
	m, ok := Methods[v][action]
	return m, ok
}

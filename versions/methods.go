package versions

// Method says where an action is served.
type Method struct {
	Web, RTM bool
	Get      bool // Web method called with GET (3.2 property listings)
}

var (
	wr  = Method{Web: true, RTM: true}
	w   = Method{Web: true}
	r   = Method{RTM: true}
	get = Method{Web: true, Get: true}
)

// Methods is the method catalogue of each version (spec/methods.md §2.1), ping excluded.
var Methods = map[Version]map[string]Method{
	V30: {
		"login": r, "get_chats_summary": wr, "get_chat_threads_summary": wr, "get_chat_threads": wr,
		"start_chat": wr, "activate_chat": wr, "close_thread": wr, "send_event": wr, "send_file": w,
		"upload_file": w, "send_rich_message_postback": wr, "send_sneak_peek": wr,
		"update_chat_properties": wr, "delete_chat_properties": wr, "update_chat_thread_properties": wr,
		"delete_chat_thread_properties": wr, "update_event_properties": wr, "delete_event_properties": wr,
		"update_last_seen_timestamp": wr, "update_customer": wr, "update_customer_page": r,
		"set_customer_fields": wr, "get_groups_status": wr, "check_goals": w, "get_form": wr,
		"get_predicted_agent": wr, "get_url_details": wr,
	},
	V31: {
		"login": r, "get_chats_summary": wr, "get_chat_threads_summary": wr, "get_chat_threads": wr,
		"start_chat": wr, "activate_chat": wr, "close_thread": wr, "send_event": wr,
		"upload_file": w, "send_rich_message_postback": wr, "send_sneak_peek": wr,
		"update_chat_properties": wr, "delete_chat_properties": wr, "update_chat_thread_properties": wr,
		"delete_chat_thread_properties": wr, "update_event_properties": wr, "delete_event_properties": wr,
		"mark_events_as_seen": wr, "update_customer": wr, "update_customer_page": r,
		"set_customer_fields": wr, "get_groups_status": wr, "check_goals": w, "get_form": wr,
		"get_predicted_agent": wr, "get_url_details": wr,
	},
	V32: {
		"login": r, "list_chats": wr, "list_threads": wr, "get_chat": wr,
		"start_chat": wr, "activate_chat": wr, "deactivate_chat": wr, "send_event": wr,
		"upload_file": w, "send_rich_message_postback": wr, "send_sneak_peek": wr,
		"update_chat_properties": wr, "delete_chat_properties": wr, "update_thread_properties": wr,
		"delete_thread_properties": wr, "update_event_properties": wr, "delete_event_properties": wr,
		"list_license_properties": get, "list_group_properties": get,
		"mark_events_as_seen": wr, "update_customer": wr, "update_customer_page": r,
		"set_customer_session_fields": wr, "get_customer": wr, "list_group_statuses": wr,
		"check_goals": w, "get_form": wr, "get_predicted_agent": wr, "get_url_info": wr,
		"accept_greeting": wr, "cancel_greeting": wr,
	},
}

// Lookup returns the method named action in version v.
func Lookup(v Version, action string) (Method, bool) {
	m, ok := Methods[v][action]
	return m, ok
}

package canned

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The ids every canned answer agrees on, so that lcgate's multi-call expansions (send_event +
// get_chat, get_chat_threads → get_chat per thread, start_chat + get_chat, ...) succeed.
const (
	// chatID is the id of the canned active chat.
	chatID = "PJ0MRSHTDG"
	// threadID is the id of that chat's latest (active) thread: get_chat, list_threads,
	// start_chat and activate_chat all name it.
	threadID = "K600PKZON8"
	// eventID is the event_id send_event answers; it is the last event of the thread.
	eventID = threadID + "_16"
	// customerID is the id of the canned customer (login, get_customer, chat users).
	customerID = "b7eff798-f8df-4364-8059-649c35c9ed0c"
	// agentID is the id of the canned agent (chat users, get_predicted_agent, pushes).
	agentID = "b5657aff34dd32e198160d54666df9d8"
	// threadEvents is the number of events in the canned thread.
	threadEvents = 16
)

// The JSON below is written readable and compacted once by New. Placeholders: @C chat id,
// @T thread id, @U customer id, @A agent id.

const propsJSON = `{"0805e283233042b37f460ed8fbf22160":{"string_property":"string value"}}`

const customerUserJSON = `{
  "id": "@U", "type": "customer", "name": "Thomas Anderson", "email": "t.anderson@example.com",
  "present": true
}`

const agentUserJSON = `{
  "id": "@A", "type": "agent", "name": "Agent Smith", "present": true,
  "avatar": "https://cdn.livechat-files.com/api/file/avatar.png", "job_title": "Support Agent",
  "events_seen_up_to": "2020-05-07T07:23:40.007000Z"
}`

// threadEventsJSON holds the 16 events of the canned thread, oldest first; the last one is
// eventID (the customer message send_event answers).
const threadEventsJSON = `[
  {"id": "@T_1", "created_at": "2020-05-07T07:11:28.391000Z", "type": "filled_form", "author_id": "@U",
   "form_id": "157986144052005549",
   "fields": [
     {"type": "name", "id": "157986144052008371", "label": "Name:", "answer": "Thomas Anderson"},
     {"type": "email", "id": "157986144052005782", "label": "E-mail:", "answer": "t.anderson@example.com"}
   ]},
  {"id": "@T_2", "created_at": "2020-05-07T07:11:29.004000Z", "type": "system_message",
   "text": "Agent Smith joined the chat", "system_message_type": "routing.assigned",
   "text_vars": {"agent": "Agent Smith"}},
  {"id": "@T_3", "created_at": "2020-05-07T07:11:35.512000Z", "type": "message", "author_id": "@U",
   "text": "Hi, my order #48213 has not arrived yet.",
   "properties": {"source": {"client_id": "0805e283233042b37f460ed8fbf22160"}}},
  {"id": "@T_4", "created_at": "2020-05-07T07:12:01.381000Z", "type": "message", "author_id": "@A",
   "text": "Hello Thomas! Let me check that for you."},
  {"id": "@T_5", "created_at": "2020-05-07T07:12:44.090000Z", "type": "file", "author_id": "@U",
   "name": "receipt.png",
   "url": "https://cdn.livechat-files.com/api/file/lc/att/8948324/45a3581b59a7295145c3825c86ec7ab3/receipt.png",
   "content_type": "image/png", "size": 123444},
  {"id": "@T_6", "created_at": "2020-05-07T07:13:10.250000Z", "type": "message", "author_id": "@A",
   "text": "The parcel left our warehouse on Monday."},
  {"id": "@T_7", "created_at": "2020-05-07T07:13:31.775000Z", "type": "rich_message", "author_id": "@A",
   "template_id": "quick_replies",
   "elements": [{"title": "Refund or reship?", "buttons": [
     {"text": "Refund", "postback_id": "refund", "user_ids": []},
     {"text": "Reship", "postback_id": "reship", "user_ids": []}
   ]}]},
  {"id": "@T_8", "created_at": "2020-05-07T07:13:52.164000Z", "type": "message", "author_id": "@U",
   "text": "Reship", "postback": {"id": "reship", "thread_id": "@T", "event_id": "@T_7"}},
  {"id": "@T_9", "created_at": "2020-05-07T07:14:20.903000Z", "type": "message", "author_id": "@A",
   "text": "Done: a new parcel ships today."},
  {"id": "@T_10", "created_at": "2020-05-07T07:15:02.441000Z", "type": "custom", "author_id": "@A",
   "content": {"order": "48213", "status": "reshipped"}},
  {"id": "@T_11", "created_at": "2020-05-07T07:16:45.318000Z", "type": "message", "author_id": "@U",
   "text": "Great, can I get a tracking number?"},
  {"id": "@T_12", "created_at": "2020-05-07T07:17:30.062000Z", "type": "message", "author_id": "@A",
   "text": "Sure, one moment please."},
  {"id": "@T_13", "created_at": "2020-05-07T07:18:03.870000Z", "type": "message", "author_id": "@A",
   "text": "It is on the label: 1Z999AA10123456784."},
  {"id": "@T_14", "created_at": "2020-05-07T07:20:12.515000Z", "type": "system_message",
   "text": "Agent Smith rated the chat as good", "system_message_type": "rating.chat_rated"},
  {"id": "@T_15", "created_at": "2020-05-07T07:23:40.007000Z", "type": "message", "author_id": "@A",
   "text": "Anything else I can help you with?"},
  {"id": "@T_16", "created_at": "2020-05-07T07:24:02.118000Z", "type": "message", "author_id": "@U",
   "custom_id": "1588836242101.5520", "text": "No, that is all. Thank you!"}
]`

// threadJSON is the canned 3.2 Thread: active, latest (no next_thread_id).
const threadJSON = `{
  "id": "@T", "created_at": "2020-05-07T07:11:28.288340Z", "active": true,
  "user_ids": ["@U", "@A"],
  "events": ` + threadEventsJSON + `,
  "properties": ` + propsJSON + `,
  "access": {"group_ids": [0]},
  "previous_thread_id": "K600PKZOM8"
}`

const getChatJSON = `{
  "id": "@C",
  "thread": ` + threadJSON + `,
  "users": [` + customerUserJSON + `, ` + agentUserJSON + `],
  "access": {"group_ids": [0]},
  "properties": ` + propsJSON + `
}`

const listChatsJSON = `{
  "chats_summary": [
    {"id": "@C", "last_thread_id": "@T", "last_thread_created_at": "2020-05-07T07:11:28.288340Z",
     "last_event_per_type": {
       "message": {"thread_id": "@T", "thread_created_at": "2020-05-07T07:11:28.288340Z",
         "event": {"id": "@T_16", "created_at": "2020-05-07T07:24:02.118000Z", "type": "message",
           "author_id": "@U", "custom_id": "1588836242101.5520", "recipients": "all", "text": "No, that is all. Thank you!"}},
       "system_message": {"thread_id": "@T", "thread_created_at": "2020-05-07T07:11:28.288340Z",
         "event": {"id": "@T_14", "created_at": "2020-05-07T07:20:12.515000Z", "type": "system_message",
           "text": "Chat rated good", "system_message_type": "rating.chat_rated", "text_vars": {"score": "good"}}}
     },
     "users": [` + customerUserJSON + `, ` + agentUserJSON + `],
     "access": {"group_ids": [0]},
     "properties": ` + propsJSON + `,
     "active": true},
    {"id": "PWJ8Y4THAV", "last_thread_id": "QA1B38GHGI", "last_thread_created_at": "2020-04-21T13:02:11.102930Z",
     "last_event_per_type": {
       "message": {"thread_id": "QA1B38GHGI", "thread_created_at": "2020-04-21T13:02:11.102930Z",
         "event": {"id": "QA1B38GHGI_4", "created_at": "2020-04-21T13:09:45.731000Z", "type": "message",
           "author_id": "@A", "recipients": "all", "text": "You are welcome, have a nice day!"}}
     },
     "users": [
       {"id": "@U", "type": "customer", "name": "Thomas Anderson", "email": "t.anderson@example.com", "present": true},
       {"id": "bbb67d600796e9f277e360e842418833", "type": "agent", "name": "Jane Doe", "present": false,
        "avatar": "https://cdn.livechat-files.com/api/file/avatar2.png", "job_title": "Sales Agent",
        "events_seen_up_to": "2020-04-21T13:09:45.731000Z"}
     ],
     "access": {"group_ids": [2]},
     "properties": {},
     "active": false}
  ],
  "total_chats": 2
}`

const listThreadsJSON = `{"threads": [` + threadJSON + `], "found_threads": 1}`

const loginJSON = `{
  "customer": {
    "id": "@U", "name": "Thomas Anderson", "email": "t.anderson@example.com",
    "avatar": "https://example.com/avatars/1.jpg",
    "session_fields": [{"custom_key": "custom_value"}, {"another_custom_key": "another_custom_value"}],
    "statistics": {"chats_count": 2, "threads_count": 9, "visits_count": 15, "page_views_count": 40,
      "greetings_shown_count": 20, "greetings_accepted_count": 1}
  },
  "has_active_thread": true,
  "chats": [{"chat_id": "@C", "has_unread_events": false}, {"chat_id": "PWJ8Y4THAV", "has_unread_events": false}],
  "__priv_dynamic_config": {
    "online_groups_ids": [0, 1, 2],
    "customer_groups": {"monitoring": {"id": 0,
      "static_config_url": "/licence/1520/get_static_config.121.1808829.94.95.39446.4011.2385.398.160.552.58.337.44320.js",
      "language_config_url": "/licence/1520/v2/localization.en.121.004b8e014f50ea0c6ad6227162f7d18f_40d391a9adcdbf190e62fcd21c865bf2.js"}}
  }
}`

const getCustomerJSON = `{
  "id": "@U", "type": "customer", "name": "Thomas Anderson", "email": "t.anderson@example.com",
  "avatar": "https://example.com/avatars/1.jpg",
  "session_fields": [{"custom_key": "custom_value"}, {"another_custom_key": "another_custom_value"}]
}`

const getFormJSON = `{
  "form": {"id": "157986144052005549", "fields": [
    {"id": "157986144052003238", "type": "header", "label": "Welcome to our LiveChat! Please fill in the form below before starting the chat."},
    {"id": "157986144052008371", "type": "name", "label": "Name:", "required": false},
    {"id": "157986144052005782", "type": "email", "label": "E-mail:", "required": false},
    {"id": "157986144052009331", "type": "group_chooser", "label": "Choose a department:", "required": true,
     "options": [{"id": "0", "group_id": 1, "label": "Marketing"}, {"id": "1", "group_id": 2, "label": "Sales"},
       {"id": "2", "group_id": 0, "label": "General"}]}
  ]},
  "enabled": true
}`

const getPredictedAgentJSON = `{
  "id": "@A", "name": "Agent Smith", "avatar": "https://cdn.livechat-files.com/api/file/avatar.png",
  "is_bot": false, "job_title": "Support Agent", "type": "agent"
}`

const getURLInfoJSON = `{
  "title": "LiveChat | Live Chat Software and Help Desk Software",
  "description": "LiveChat - premium live chat software and help desk software for business. Over 24 000 companies from 150 countries use LiveChat. Try now, chat for free!",
  "image_url": "https://example.com/image.png",
  "image_original_url": "https://example-original-url.com/image.png",
  "image_width": 200, "image_height": 200,
  "url": "https://livechatinc.com"
}`

// webAnswers lists the answer of every action served on the Web API (the 3.2 catalogue
// without the RTM-only login; update_customer_page is served on both transports).
var webAnswers = map[string]string{
	"list_chats":                  listChatsJSON,
	"list_threads":                listThreadsJSON,
	"get_chat":                    getChatJSON,
	"start_chat":                  `{"chat_id": "@C", "thread_id": "@T", "event_ids": ["@T_3"]}`,
	"activate_chat":               `{"thread_id": "@T", "event_ids": ["@T_16"]}`,
	"deactivate_chat":             `{}`,
	"send_event":                  `{"event_id": "@T_16"}`,
	"upload_file":                 `{"url": "https://cdn.files-text.livechatinc.com/tmp/lc/att/8948324/45a3581b59a7295145c3825c86ec7ab3/image.png"}`,
	"send_rich_message_postback":  `{}`,
	"send_sneak_peek":             `{}`,
	"update_chat_properties":      `{}`,
	"delete_chat_properties":      `{}`,
	"update_thread_properties":    `{}`,
	"delete_thread_properties":    `{}`,
	"update_event_properties":     `{}`,
	"delete_event_properties":     `{}`,
	"list_license_properties":     propsJSON,
	"list_group_properties":       propsJSON,
	"mark_events_as_seen":         `{}`,
	"update_customer":             `{}`,
	"update_customer_page":        `{}`,
	"set_customer_session_fields": `{}`,
	"get_customer":                getCustomerJSON,
	"list_group_statuses":         `{"groups_status": {"0": "online", "1": "online", "2": "offline", "3": "online_for_queue"}}`,
	"check_goals":                 `{}`,
	"get_form":                    getFormJSON,
	"get_predicted_agent":         getPredictedAgentJSON,
	"get_url_info":                getURLInfoJSON,
	"accept_greeting":             `{}`,
	"cancel_greeting":             `{}`,
}

// rtmOnlyAnswers are the actions served on RTM only.
var rtmOnlyAnswers = map[string]string{
	"login": loginJSON,
	"ping":  `{}`,
}

// getMethods are the Web actions also served with GET (3.2 property listings).
var getMethods = map[string]bool{"list_license_properties": true, "list_group_properties": true}

var placeholders = strings.NewReplacer("@C", chatID, "@T", threadID, "@U", customerID, "@A", agentID)

// compact fills the placeholders and returns the compact JSON; it panics on invalid JSON
// (a programming error, caught by the tests).
func compact(s string) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(placeholders.Replace(s))); err != nil {
		panic("canned: invalid answer JSON: " + err.Error())
	}
	return b.Bytes()
}

// Package sim is an in-memory LiveChat Customer Chat API that speaks versions 3.0, 3.1 and
// 3.2 natively, over the Web API (POST /v3.X/customer/action/<action>?license_id=N, plus the
// two 3.2 GET property listings and multipart uploads) and the RTM API
// (/v3.X/customer/rtm/ws?license_id=N), with an agent-side control API under /sim/agent/.
//
// One state (customers, chats, threads, events, properties, seen markers, files, groups,
// forms, greetings) is rendered in each version's own shapes, so a client of any version sees
// what that version's server would send. The package is written from the specification in
// spec/ alone and imports neither translate nor versions: it is the independent oracle the
// translation is checked against, and the gateway's default (embedded) upstream.
//
// Identity: any non-empty Bearer token is accepted, and each distinct token is one customer
// whose id is derived from a SHA-256 digest of the token (stable, and it reveals nothing of
// the token). Ids are deterministic (CH00000001, TH00000002, TH00000002_1, …) and the clock is
// injectable (StepClock), so tests can compare whole documents.
//
// # Choices where the specification is UNCONFIRMED
//
// The simulator takes the tolerant reading of every open point. Each choice:
//
//   - 3.0 Web responses are wrapped in {"payload": …}; errors are never wrapped. Requests are
//     accepted wrapped or bare in every version.
//   - HTTP statuses per error type follow spec/methods.md §6 (validation 400, authentication
//     401, authorization 403, not found 404, entity_too_large 413, misdirected_request 421,
//     too_many_requests 429, internal 500, service_unavailable 503, request_timeout 504);
//     group_offline, group_unavailable and the rest are 400. Unknown actions and paths are
//     `validation` with status 404, a wrong HTTP method `validation` with 405.
//   - A missing or malformed license_id is `validation`; an id outside Options.Licenses is
//     `license_not_found` on the Web and a customer_disconnected push (reason
//     license_not_found) on RTM.
//   - 3.0 and 3.1 `order` values (event, thread, chat, thread_order) are the unix time in
//     microseconds of what they order: the creation of the event or thread, and for a chat
//     the creation of its last thread. The clock never repeats a microsecond, so they are
//     unique and sortable.
//   - 3.0 and 3.1 threads carry `timestamp` (unix seconds) and `order`: the 3.0 sample has no
//     `timestamp`, but SDK1 and 3.1 data show it, and a client ignores a field it does not know
//     (spec/structures.md §7 A9).
//   - Chat summaries and thread summaries carry `active` in every version (the 2018 3.0 SDK
//     reads both).
//   - 3.1 users carry `events_seen_up_to`, as the final 3.1 documentation shows.
//   - Events carry `recipients` in every version (3.0 documents it as optional, default "all").
//   - update_customer answers {"customer": Customer} in 3.0 and 3.1, nothing in 3.2.
//   - set_customer_session_fields (3.2) triggers customer_updated, as the 3.2 method table
//     says (the changelog says it no longer does).
//   - check_goals in 3.2 accepts `session_fields` (docs) or `customer_fields` (SDK2).
//   - get_predicted_agent honours `group_id` in every version; 3.0 wraps the agent in
//     {"agent": …}, 3.1 and 3.2 answer it flat.
//   - get_chat_threads without `thread_ids` (or with an empty list) returns every thread.
//   - mark_events_as_seen accepts any RFC 3339 precision; markers only move forward.
//     update_last_seen_timestamp without `timestamp` uses the current second.
//   - send_event on a chat without an active thread: 3.0 opens a new thread (pushing
//     incoming_chat_thread) unless attach_to_last_thread or require_active_thread is set
//     (require_active_thread wins and fails with `validation`); 3.1 fails with `validation`,
//     3.2 with `chat_inactive` (on both transports) unless attach_to_last_thread is set.
//   - Missing chats, threads and events are `not_found` in 3.2 and `validation` before.
//   - The two 3.2 property listings read query parameters and, as SDK2 sends them, a JSON
//     body; they also accept POST.
//   - Multipart uploads accept both `payload.file` and `file` in every version (3.0 documents
//     the first, later versions the second); 3.2 refuses executables by file extension.
//   - Greetings before 3.2 arrive as incoming_multicast with content
//     {"lc2": {"type": "greeting", id, unique_id, text, agent, displayed_first_time}}; the
//     3.0/3.1 login shows the current greeting in __priv_dynamic_config.greeting (with
//     `accepted`). greeting_canceled, greeting_accepted and queue_position_updated have no
//     counterpart before 3.2 and are not sent there.
//   - chat_transferred in 3.2 carries `reason: "manual"`; access_set is sent (≤3.1) after a
//     transfer to a group.
//   - Closing a thread adds a system_message (system_message_type manual_archived_customer or
//     manual_archived_agent) before thread_closed / chat_deactivated.
//   - An agent of an online group joins a new thread at once; a thread of an online_for_queue
//     group waits with a queue; an offline group refuses non-continuous chats with
//     group_offline.
//   - RTM: a connection that has not logged in within Options.LoginTimeout, or is silent for
//     Options.IdleTimeout after login, gets customer_disconnected (connection_timeout) and a
//     1000 close. Before login, ping is a no-op and other actions get `authentication`.
//     Requests are answered in order; a 3.1/3.2 connection with 10 unanswered requests gets
//     pending_requests_limit_reached. Binary frames close the connection with 1003. After a
//     close frame the server waits at most a second for the client's answer.
//   - RTM login: a missing or non-string `token` is `validation`; an empty one (or a bare
//     "Bearer ") is `authentication`. With Options.Region set, a token of the other region is
//     answered with `misdirected_request` (data.region), then customer_disconnected
//     (misdirected_connection, data.region: the token's region) and a 1000 close.
//   - Unknown request fields are ignored.
package sim

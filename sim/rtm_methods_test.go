package sim

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// rtmResponseShapes lists, per version, the keys of each RTM method's response payload
// (spec/methods.md §3; "?" marks an optional key, "" an empty payload). Entries
// "<action>.<path>" give the keys of a nested object.
var rtmResponseShapes = [3]map[string]string{
	v30: {
		"login":                       "customer_id has_active_thread chats __priv_dynamic_config",
		"login.__priv_dynamic_config": "customer_data online_groups_ids global_properties customer_groups static_config_version predicted_agent greeting?",
		"login.__priv_dynamic_config.customer_data":  "name last_visit_timestamp? page_views_count visits_count chats_count invitations_shown_count invitations_accepted_count client_version fields group_id",
		"get_chats_summary":                          "chats_summary total_chats",
		"get_chats_summary.chats_summary.0":          "id order last_thread_id last_event_per_type users access properties active",
		"get_chat_threads_summary":                   "threads_summary total_threads",
		"get_chat_threads_summary.threads_summary.0": "id order total_events active",
		"get_chat_threads":                           "chat",
		"get_chat_threads.chat":                      "id order users properties access threads",
		"start_chat":                                 "chat",
		"start_chat.chat":                            "id order users properties access thread",
		"activate_chat":                              "chat",
		"activate_chat.chat":                         "id users properties access threads",
		"close_thread":                               "",
		"send_event":                                 "thread_id event",
		"send_rich_message_postback":                 "",
		"send_sneak_peek":                            "",
		"update_chat_properties":                     "",
		"delete_chat_properties":                     "",
		"update_chat_thread_properties":              "",
		"delete_chat_thread_properties":              "",
		"update_event_properties":                    "",
		"delete_event_properties":                    "",
		"update_last_seen_timestamp":                 "timestamp",
		"update_customer":                            "customer",
		"update_customer_page":                       "",
		"set_customer_fields":                        "",
		"get_groups_status":                          "groups_status",
		"get_form":                                   "enabled form?",
		"get_predicted_agent":                        "agent",
		"get_predicted_agent.agent":                  "id name avatar is_bot job_title type",
		"get_url_details":                            "title description image_url image_width image_height url",
		"ping":                                       "",
	},
	v31: {
		"login":                       "customer_id has_active_thread chats __priv_dynamic_config",
		"login.__priv_dynamic_config": "customer_data online_groups_ids global_properties customer_groups static_config_version predicted_agent greeting?",
		"login.__priv_dynamic_config.customer_data":  "name last_visit_timestamp? page_views_count visits_count chats_count invitations_shown_count invitations_accepted_count client_version fields group_id",
		"get_chats_summary":                          "chats_summary total_chats",
		"get_chats_summary.chats_summary.0":          "id order last_thread_id last_event_per_type users access properties active",
		"get_chat_threads_summary":                   "threads_summary total_threads",
		"get_chat_threads_summary.threads_summary.0": "id order total_events active",
		"get_chat_threads":                           "chat",
		"get_chat_threads.chat":                      "id order users properties access threads threads_summary?",
		"start_chat":                                 "chat_id thread_id event_ids?",
		"activate_chat":                              "thread_id event_ids?",
		"close_thread":                               "",
		"send_event":                                 "event_id",
		"send_rich_message_postback":                 "",
		"send_sneak_peek":                            "",
		"update_chat_properties":                     "",
		"delete_chat_properties":                     "",
		"update_chat_thread_properties":              "",
		"delete_chat_thread_properties":              "",
		"update_event_properties":                    "",
		"delete_event_properties":                    "",
		"mark_events_as_seen":                        "",
		"update_customer":                            "customer",
		"update_customer_page":                       "",
		"set_customer_fields":                        "",
		"get_groups_status":                          "groups_status",
		"get_form":                                   "enabled form?",
		"get_predicted_agent":                        "id name avatar is_bot job_title type",
		"get_url_details":                            "title description image_url image_width image_height url",
		"ping":                                       "",
	},
	v32: {
		"login":                       "customer has_active_thread chats greeting? __priv_dynamic_config",
		"login.customer":              "id name? email? avatar? session_fields? statistics",
		"login.customer.statistics":   "chats_count threads_count visits_count page_views_count greetings_shown_count greetings_accepted_count",
		"login.__priv_dynamic_config": "online_groups_ids customer_groups",
		"list_chats":                  "chats_summary total_chats next_page_id? previous_page_id?",
		"list_chats.chats_summary.0":  "id last_thread_id last_thread_created_at last_event_per_type users access properties active",
		"list_threads":                "threads found_threads next_page_id? previous_page_id?",
		"list_threads.threads.0":      "id created_at active user_ids events properties access previous_thread_id? next_thread_id? queue?",
		"get_chat":                    "id thread? users access properties",
		"get_chat.thread":             "id created_at active user_ids events properties access previous_thread_id? next_thread_id? queue?",
		"start_chat":                  "chat_id thread_id event_ids?",
		"activate_chat":               "thread_id event_ids?",
		"deactivate_chat":             "",
		"send_event":                  "event_id",
		"send_rich_message_postback":  "",
		"send_sneak_peek":             "",
		"update_chat_properties":      "",
		"delete_chat_properties":      "",
		"update_thread_properties":    "",
		"delete_thread_properties":    "",
		"update_event_properties":     "",
		"delete_event_properties":     "",
		"mark_events_as_seen":         "",
		"update_customer":             "",
		"update_customer_page":        "",
		"set_customer_session_fields": "",
		"get_customer":                "id type name? email? avatar? session_fields?",
		"list_group_statuses":         "groups_status",
		"get_form":                    "enabled form?",
		"get_predicted_agent":         "id name avatar is_bot job_title type",
		"get_url_info":                "title description image_url image_original_url image_width image_height url",
		"accept_greeting":             "",
		"cancel_greeting":             "",
		"ping":                        "",
	},
}

// rtmCheckResponseShape checks a response payload against rtmResponseShapes.
func rtmCheckResponseShape(t *testing.T, v version, action string, payload gjson.Result) {
	t.Helper()
	shapes := rtmResponseShapes[v]
	top, ok := shapes[action]
	if !ok {
		t.Errorf("%s: no documented response for %s", v, action)
		return
	}
	rtmCheckKeys(t, v, action+" response", payload, top)
	var paths []string
	for k := range shapes {
		if strings.HasPrefix(k, action+".") {
			paths = append(paths, k)
		}
	}
	sort.Strings(paths)
	for _, k := range paths {
		if sub := payload.Get(strings.TrimPrefix(k, action+".")); sub.Exists() {
			rtmCheckKeys(t, v, k, sub, shapes[k])
		}
	}
}

// by picks the value of version v among three.
func rtmBy[T any](v version, a30, a31, a32 T) T { return [...]T{a30, a31, a32}[v] }

// rtmRun drives one connection through a scenario, checking every response and the pushes
// each request causes, and remembers which actions it used.
type rtmRun struct {
	t    *testing.T
	v    version
	s    *rtmSession
	n    int
	used map[string]bool
}

// do calls action, which must succeed with a documented response and cause exactly the pushes
// named in want (space-separated, in order), each carrying the request's request_id.
func (r *rtmRun) do(action, payload, want string) gjson.Result {
	r.t.Helper()
	r.n++
	r.used[action] = true
	p, pushes := r.s.ok(fmt.Sprintf("r%d", r.n), action, payload)
	rtmCheckResponseShape(r.t, r.v, action, p)
	if got := strings.Join(rtmActions(pushes), " "); got != want {
		r.t.Errorf("%s %s: pushes [%s], want [%s]", r.v, action, got, want)
	}
	return p
}

// TestRTMEveryMethodAnswersWithDocumentedFrames calls every RTM method of each version (and
// ping) on one connection, checks each response frame and payload against the documented
// shapes and the pushes each call causes, and compares the whole rtmTranscript with
// testdata/rtm/v3.X/every_method.txt.
func TestRTMEveryMethodAnswersWithDocumentedFrames(t *testing.T) {
	for _, v := range rtmVersions {
		t.Run(v.String(), func(t *testing.T) {
			h := newHarness(t, Options{})
			tr := &rtmTranscript{}
			r := &rtmRun{t: t, v: v, s: h.rtm(v, "", tr), used: map[string]bool{}}
			rtmEveryMethod(t, h, r, tr)
			var missing []string
			for name, m := range methodTables[v] {
				if m.rtm && !r.used[name] {
					missing = append(missing, name)
				}
			}
			if !r.used["ping"] {
				missing = append(missing, "ping")
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s: RTM methods not exercised: %v", v, missing)
			}
			if n := len(r.used); n != map[version]int{v30: 25, v31: 25, v32: 28}[v] {
				t.Errorf("%s: %d actions used, want the documented RTM methods plus ping", v, n)
			}
			golden(t, "rtm/v"+v.String()+"/every_method.txt", tr.String())
		})
	}
}

func rtmEveryMethod(t *testing.T, h *harness, r *rtmRun, tr *rtmTranscript) {
	v := r.v
	fields := rtmBy(v, `"fields":{"plan":"pro","tier":"gold"}`, `"fields":{"plan":"pro","tier":"gold"}`,
		`"session_fields":[{"plan":"pro"},{"tier":"gold"}]`)
	login := r.do("login", fmt.Sprintf(`{"token":"Bearer alice","customer":{"name":"Alice","email":"alice@example.com",%s},`+
		`"customer_page":{"url":"https://example.com/pricing","title":"Pricing"}}`, fields), "")
	custID := rtmBy(v, login.Get("customer_id"), login.Get("customer_id"), login.Get("customer.id")).String()
	if custID == "" {
		t.Fatalf("%s: login answered no customer id: %s", v, login.Raw)
	}

	r.do(rtmBy(v, "get_groups_status", "get_groups_status", "list_group_statuses"), `{"all":true}`, "")
	r.do("get_form", `{"group_id":0,"type":"prechat"}`, "")
	r.do("get_predicted_agent", `{}`, "")
	r.do(rtmBy(v, "get_url_details", "get_url_details", "get_url_info"), `{"url":"https://example.com/pricing"}`, "")

	incoming := rtmBy(v, "incoming_chat_thread", "incoming_chat_thread", "incoming_chat")
	sc := r.do("start_chat", `{"chat":{"properties":{"ns":{"topic":"billing"}},"thread":{"events":[`+
		`{"type":"message","text":"Hello","custom_id":"c-1"}],"properties":{"ns":{"mood":"calm"}}}}}`, incoming)
	chatID := rtmBy(v, sc.Get("chat.id"), sc.Get("chat_id"), sc.Get("chat_id")).String()
	threadID := rtmBy(v, sc.Get("chat.thread.id"), sc.Get("thread_id"), sc.Get("thread_id")).String()
	eventID := rtmBy(v, sc.Get("chat.thread.events.0.id"), sc.Get("event_ids.0"), sc.Get("event_ids.0")).String()
	if chatID == "" || threadID == "" || eventID == "" {
		t.Fatalf("%s: start_chat answer lacks ids: %s", v, sc.Raw)
	}

	r.do("send_event", fmt.Sprintf(`{"chat_id":%q,"event":{"type":"message","text":"Anyone there?"}}`, chatID), "incoming_event")
	r.do("send_sneak_peek", fmt.Sprintf(`{"chat_id":%q,"sneak_peek_text":"I would like to"}`, chatID), "")
	r.do("send_rich_message_postback", fmt.Sprintf(`{"chat_id":%q,"thread_id":%q,"event_id":%q,`+
		`"postback":{"id":"action_yes","toggled":true}}`, chatID, threadID, eventID), "incoming_rich_message_postback")

	r.do("update_chat_properties", fmt.Sprintf(`{"chat_id":%q,"properties":{"ns":{"score":5,"ok":true}}}`, chatID),
		"chat_properties_updated")
	r.do("delete_chat_properties", fmt.Sprintf(`{"chat_id":%q,"properties":{"ns":["ok"]}}`, chatID),
		"chat_properties_deleted")
	r.do(rtmBy(v, "update_chat_thread_properties", "update_chat_thread_properties", "update_thread_properties"),
		fmt.Sprintf(`{"chat_id":%q,"thread_id":%q,"properties":{"ns":{"stage":"triage"}}}`, chatID, threadID),
		rtmBy(v, "chat_thread_properties_updated", "chat_thread_properties_updated", "thread_properties_updated"))
	r.do(rtmBy(v, "delete_chat_thread_properties", "delete_chat_thread_properties", "delete_thread_properties"),
		fmt.Sprintf(`{"chat_id":%q,"thread_id":%q,"properties":{"ns":["stage"]}}`, chatID, threadID),
		rtmBy(v, "chat_thread_properties_deleted", "chat_thread_properties_deleted", "thread_properties_deleted"))
	r.do("update_event_properties", fmt.Sprintf(`{"chat_id":%q,"thread_id":%q,"event_id":%q,`+
		`"properties":{"ns":{"flag":"pinned"}}}`, chatID, threadID, eventID), "event_properties_updated")
	r.do("delete_event_properties", fmt.Sprintf(`{"chat_id":%q,"thread_id":%q,"event_id":%q,`+
		`"properties":{"ns":["flag"]}}`, chatID, threadID, eventID), "event_properties_deleted")

	if v == v30 {
		r.do("update_last_seen_timestamp", fmt.Sprintf(`{"chat_id":%q}`, chatID), "last_seen_timestamp_updated")
	} else {
		r.do("mark_events_as_seen", fmt.Sprintf(`{"chat_id":%q,"seen_up_to":"2020-05-07T07:12:00.5Z"}`, chatID),
			"events_marked_as_seen")
	}
	r.do("update_customer", rtmBy(v, `{"name":"Alice B.","fields":{"plan":"team"}}`, `{"name":"Alice B.","fields":{"plan":"team"}}`,
		`{"name":"Alice B.","session_fields":[{"plan":"team"}]}`), "customer_updated")
	if v == v32 {
		r.do("set_customer_session_fields", `{"session_fields":[{"ref":"ad"}]}`, "customer_updated")
		r.do("get_customer", `{}`, "")
	} else {
		r.do("set_customer_fields", `{"fields":{"ref":"ad"}}`, "customer_updated")
	}
	r.do("update_customer_page", `{"url":"https://example.com/checkout","title":"Checkout"}`,
		rtmBy(v, "customer_page_updated", "customer_page_updated", ""))

	if v == v32 {
		r.do("list_chats", `{}`, "")
		r.do("list_threads", fmt.Sprintf(`{"chat_id":%q}`, chatID), "")
		r.do("get_chat", fmt.Sprintf(`{"chat_id":%q}`, chatID), "")
	} else {
		r.do("get_chats_summary", `{}`, "")
		r.do("get_chat_threads_summary", fmt.Sprintf(`{"chat_id":%q}`, chatID), "")
		r.do("get_chat_threads", fmt.Sprintf(`{"chat_id":%q,"thread_ids":[%q]}`, chatID, threadID), "")
	}

	r.do(rtmBy(v, "close_thread", "close_thread", "deactivate_chat"), fmt.Sprintf(`{"chat_id":%q}`, chatID),
		"incoming_event "+rtmBy(v, "thread_closed", "thread_closed", "chat_deactivated"))
	r.do("activate_chat", fmt.Sprintf(`{"chat":{"id":%q,"thread":{"events":[{"type":"message","text":"Back again"}]}}}`, chatID),
		incoming)

	if v == v32 {
		g := h.rtmAgent(tr, "send_greeting", fmt.Sprintf(`{"customer_id":%q,"text":"Need a hand?","greeting_id":7}`, custID))
		if got := strings.Join(rtmActions(r.s.drain()), " "); got != "incoming_greeting" {
			t.Errorf("send_greeting pushed [%s], want [incoming_greeting]", got)
		}
		uid := g.Get("unique_id").String()
		r.do("accept_greeting", fmt.Sprintf(`{"greeting_id":7,"unique_id":%q}`, uid), "greeting_accepted")
		r.do("cancel_greeting", fmt.Sprintf(`{"unique_id":%q}`, uid), "greeting_canceled")
	}
	r.do("ping", `{}`, "")
}

// TestRTMLoginAnswerPerVersion checks where each version puts the customer in the login answer:
// customer_id and __priv_dynamic_config.customer_data up to 3.1, customer{…, statistics} in 3.2.
func TestRTMLoginAnswerPerVersion(t *testing.T) {
	h := newHarness(t, Options{})
	ids := map[string]bool{}
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		p := s.login("carol", `"customer":{"name":"Carol"},"customer_page":{"url":"https://example.com/"}`)
		rtmCheckResponseShape(t, v, "login", p)
		switch v {
		case v30, v31:
			if p.Get("customer").Exists() {
				t.Errorf("%s: login has a 3.2 customer object: %s", v, p.Raw)
			}
			ids[p.Get("customer_id").String()] = true
			if got := p.Get("__priv_dynamic_config.customer_data.name").String(); got != "Carol" {
				t.Errorf("%s: customer_data.name = %q, want Carol", v, got)
			}
		case v32:
			if p.Get("customer_id").Exists() || p.Get("__priv_dynamic_config.customer_data").Exists() {
				t.Errorf("3.2: login keeps the ≤3.1 customer fields: %s", p.Raw)
			}
			ids[p.Get("customer.id").String()] = true
			if got := p.Get("customer.name").String(); got != "Carol" {
				t.Errorf("3.2: customer.name = %q, want Carol", got)
			}
			// The same token logged in twice before: three visits, three page views.
			st := p.Get("customer.statistics")
			if st.Get("visits_count").Int() != 3 || st.Get("page_views_count").Int() != 3 {
				t.Errorf("3.2: statistics %s, want 3 visits and 3 page views", st.Raw)
			}
		}
	}
	if len(ids) != 1 || ids[""] {
		t.Errorf("one token must be one customer in every version, got ids %v", ids)
	}
}

// TestRTMLoginKeepsCustomerFieldsPerVersion logs in with customer.fields (3.0/3.1) or
// customer.session_fields (3.2, order kept) and reads them back from the login answer; the
// other version's field name is ignored.
func TestRTMLoginKeepsCustomerFieldsPerVersion(t *testing.T) {
	cases := []struct {
		v      version
		fields string
		path   string
		want   string
	}{
		{v30, `"fields":{"zeta":"1","alpha":"2"}`, "__priv_dynamic_config.customer_data.fields", `{"zeta":"1","alpha":"2"}`},
		{v31, `"fields":{"zeta":"1","alpha":"2"}`, "__priv_dynamic_config.customer_data.fields", `{"zeta":"1","alpha":"2"}`},
		{v32, `"session_fields":[{"zeta":"1"},{"alpha":"2"}]`, "customer.session_fields", `[{"zeta":"1"},{"alpha":"2"}]`},
		{v31, `"session_fields":[{"zeta":"1"}]`, "__priv_dynamic_config.customer_data.fields", `{}`},
		{v32, `"fields":{"zeta":"1"}`, "customer.session_fields", ``},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.v, i), func(t *testing.T) {
			h := newHarness(t, Options{})
			s := h.rtm(c.v, "", nil)
			p := s.login(fmt.Sprintf("fields-%d", i), fmt.Sprintf(`"customer":{%s}`, c.fields))
			got := p.Get(c.path).Raw
			if c.want == "" && got != "" {
				t.Errorf("%s: %s = %s, want it absent", c.v, c.path, got)
			} else if c.want != "" && compact(t, got) != c.want {
				t.Errorf("%s: %s = %s, want %s", c.v, c.path, got, c.want)
			}
		})
	}
}

// TestRTMLoginShowsCurrentGreeting sends a greeting through the agent API and logs in again on
// each version: ≤3.1 show it in __priv_dynamic_config.greeting (with `accepted`), 3.2 as the
// top-level greeting with its event.
func TestRTMLoginShowsCurrentGreeting(t *testing.T) {
	h := newHarness(t, Options{})
	first := h.rtm(v32, "", nil)
	custID := first.login("dora", "").Get("customer.id").String()
	g := h.rtmAgent(nil, "send_greeting", fmt.Sprintf(`{"customer_id":%q,"text":"Hello there","greeting_id":42}`, custID))
	first.drain()
	uid := g.Get("unique_id").String()
	first.ok("acc", "accept_greeting", fmt.Sprintf(`{"greeting_id":42,"unique_id":%q}`, uid))

	for _, v := range rtmVersions {
		p := h.rtm(v, "", nil).login("dora", "")
		var gr gjson.Result
		if v == v32 {
			gr = p.Get("greeting")
			if p.Get("__priv_dynamic_config.greeting").Exists() {
				t.Errorf("3.2: greeting also in __priv_dynamic_config: %s", p.Raw)
			}
			rtmCheckKeys(t, v, "login greeting", gr, "accepted id unique_id addon? event agent displayed_first_time")
			if gr.Get("event.text").String() != "Hello there" || gr.Get("event.type").String() != "message" {
				t.Errorf("3.2: greeting event %s, want a message with the text", gr.Get("event").Raw)
			}
		} else {
			gr = p.Get("__priv_dynamic_config.greeting")
			if p.Get("greeting").Exists() {
				t.Errorf("%s: top-level greeting before 3.2: %s", v, p.Raw)
			}
			rtmCheckKeys(t, v, "login greeting", gr, "id unique_id text agent displayed_first_time accepted?")
			if gr.Get("text").String() != "Hello there" {
				t.Errorf("%s: greeting text %q", v, gr.Get("text"))
			}
		}
		if gr.Get("id").Int() != 42 || gr.Get("unique_id").String() != uid {
			t.Errorf("%s: greeting %s, want id 42 and unique_id %s", v, gr.Raw, uid)
		}
		if a := gr.Get("accepted"); a.Exists() && !a.Bool() {
			t.Errorf("%s: accepted greeting shows accepted=false", v)
		}
		rtmCheckKeys(t, v, "greeting agent", gr.Get("agent"), "id name type avatar job_title is_bot")
	}
}

// TestRTMActionsOfOtherVersionsAreUnknown checks that every action is answered only by the
// rtmVersions that have it over RTM: renamed actions (close_thread/deactivate_chat,
// get_chats_summary/list_chats, …) and Web-only methods are `validation` errors elsewhere.
func TestRTMActionsOfOtherVersionsAreUnknown(t *testing.T) {
	all := map[string]bool{}
	for _, tab := range methodTables {
		for name := range tab {
			all[name] = true
		}
	}
	// The renames of spec/methods.md §2.1 must be among them, or the test proves nothing.
	for _, name := range []string{"close_thread", "deactivate_chat", "get_chats_summary", "list_chats",
		"get_chat_threads", "get_chat", "update_last_seen_timestamp", "mark_events_as_seen",
		"set_customer_fields", "set_customer_session_fields", "get_groups_status", "list_group_statuses",
		"get_url_details", "get_url_info", "update_chat_thread_properties", "update_thread_properties",
		"send_file", "upload_file", "check_goals", "list_license_properties"} {
		if !all[name] {
			t.Fatalf("method tables lack %s", name)
		}
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	h := newHarness(t, Options{})
	for _, v := range rtmVersions {
		s := h.rtm(v, "", nil)
		s.login("erin", "")
		unknown := 0
		for _, name := range names {
			if m, ok := methodTables[v][name]; ok && m.rtm {
				continue
			}
			unknown++
			e := s.fail("u-"+name, name, `{}`, "validation")
			if !strings.Contains(e.Get("message").String(), name) {
				t.Errorf("%s: error for %s does not name the action: %s", v, name, e.Raw)
			}
		}
		if unknown < 5 {
			t.Errorf("%s: only %d actions are unknown", v, unknown)
		}
	}
}

// TestRTMSendEventMovesTheSeenMarkerForwardIn32 checks the 3.2 rule that send_event moves the
// requester's events_seen_up_to to the new event (spec/methods.md §3.7), and that, as every
// seen marker, it only moves forward.
func TestRTMSendEventMovesTheSeenMarkerForwardIn32(t *testing.T) {
	h := newHarness(t, Options{})
	s := h.rtm(v32, "", nil)
	custID := s.login("uma", "").Get("customer.id").String()
	sc, _ := s.ok("s", "start_chat", `{}`)
	chatID := sc.Get("chat_id").String()
	seen := func() string {
		t.Helper()
		chat, _ := s.ok("g", "get_chat", fmt.Sprintf(`{"chat_id":%q}`, chatID))
		for _, u := range chat.Get("users").Array() {
			if u.Get("id").String() == custID {
				return u.Get("events_seen_up_to").String()
			}
		}
		t.Fatalf("customer not among the users: %s", chat.Raw)
		return ""
	}
	_, pushes := s.ok("e1", "send_event", fmt.Sprintf(`{"chat_id":%q,"event":{"type":"message","text":"one"}}`, chatID))
	created := pushes[0].Get("payload.event.created_at").String()
	if got := seen(); got != created {
		t.Errorf("after send_event events_seen_up_to = %q, want the event's created_at %q", got, created)
	}
	s.ok("m", "mark_events_as_seen", fmt.Sprintf(`{"chat_id":%q,"seen_up_to":"2030-01-01T00:00:00.000000Z"}`, chatID))
	s.ok("e2", "send_event", fmt.Sprintf(`{"chat_id":%q,"event":{"type":"message","text":"two"}}`, chatID))
	if got := seen(); got != "2030-01-01T00:00:00.000000Z" {
		t.Errorf("send_event moved events_seen_up_to back to %q", got)
	}
}

package versions_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/versions"
)

// TestClassifyKnownPairs checks the classification on cases spec/methods.md §4–5 settles.
func TestClassifyKnownPairs(t *testing.T) {
	v30, v31, v32 := versions.V30, versions.V31, versions.V32
	for _, c := range []struct {
		client, upstream versions.Version
		action           string
		want             versions.Class
		loss             string // a loss description the answer must list ("" = none listed)
	}{
		{v30, v32, "send_event", versions.Emulated, "sub-second precision of event created_at"},       // R5
		{v30, v31, "send_file", versions.Emulated, ""},                                                // R2
		{v30, v32, "update_last_seen_timestamp", versions.Emulated, "the server's own timestamp"},     // R4
		{v31, v32, "get_chats_summary", versions.Emulated, "exact total_chats"},                       // R11 up
		{v32, v31, "list_chats", versions.Emulated, "chats beyond the newest 125"},                    // R11 down
		{v32, v30, "list_chats", versions.Emulated, "sub-second part of event created_at"},            // and then 3.0's events
		{v32, v31, "get_chat", versions.Emulated, "queue"},                                            // R12
		{v32, v31, "get_customer", versions.Unavailable, ""},                                          // R18
		{v32, v30, "accept_greeting", versions.Unavailable, ""},                                       // R23
		{v32, v31, "list_license_properties", versions.Unavailable, ""},                               // R24
		{v31, v32, "close_thread", versions.Translated, ""},                                           // R15
		{v32, v30, "deactivate_chat", versions.Translated, ""},                                        // R15 (no 3.0→3.1 change)
		{v31, v32, "get_groups_status", versions.Translated, ""},                                      // R19
		{v30, v31, "upload_file", versions.Translated, ""},                                            // R3
		{v32, v31, "get_url_info", versions.Lossy, "image_original_url"},                              // R20 down
		{v31, v32, "get_url_details", versions.Translated, ""},                                        // R20 up: nothing 3.1 knows is lost
		{v32, v31, "set_customer_session_fields", versions.Lossy, "duplicate keys of session_fields"}, // R16
		{v30, v31, "get_predicted_agent", versions.Lossy, "group_id"},                                 // R7
		{v31, v30, "get_predicted_agent", versions.Translated, ""},
		{v31, v30, "start_chat", versions.Lossy, "event_ids"}, // R6 down
		{v31, v32, "start_chat", versions.Exact, ""},          // chat.users only matters going down
		{v32, v31, "start_chat", versions.Lossy, "chat.users"},
		{v32, v31, "get_form", versions.Lossy, "option id"},  // R25
		{v32, v31, "login", versions.Lossy, "email, avatar"}, // R22
		{v31, v31, "get_form", versions.Exact, ""},
		{v31, v32, "send_sneak_peek", versions.Exact, ""},
		{v30, v32, "send_rich_message_postback", versions.Exact, ""},
		{v32, v30, "send_event", versions.Translated, ""}, // the 3.0 answer's event is not in 3.2's {event_id}
	} {
		p, ok := versions.Classify(c.client, c.upstream, c.action)
		name := c.client.String() + " " + c.action + " on " + c.upstream.String()
		if !ok {
			t.Errorf("%s: not a method of %s", name, c.client)
			continue
		}
		if p.Class != c.want {
			t.Errorf("%s: %s %q, want %s", name, p.Class, p.Losses, c.want)
		}
		found := slices.ContainsFunc(p.Losses, func(l string) bool { return strings.Contains(l, c.loss) })
		if c.loss != "" && !found {
			t.Errorf("%s: losses %q lack %q", name, p.Losses, c.loss)
		}
		if c.loss == "" && c.want != versions.Emulated && len(p.Losses) > 0 {
			t.Errorf("%s: losses %q, want none", name, p.Losses)
		}
		if (p.Class == versions.Unavailable) != (p.Reason != "") {
			t.Errorf("%s: %s with reason %q", name, p.Class, p.Reason)
		}
	}
	if _, ok := versions.Classify(v32, v31, "get_chats_summary"); ok {
		t.Error("get_chats_summary classified as a 3.2 method")
	}
}

// TestClassifyEveryPair: every method of every pair has a class; a version on itself is
// exact; losses come with the lossy and emulated classes only; a newer version's method the
// older one lacks is never exact.
func TestClassifyEveryPair(t *testing.T) {
	for _, c := range versions.All {
		for _, u := range versions.All {
			for name := range versions.Methods[c] {
				p, ok := versions.Classify(c, u, name)
				if !ok {
					t.Fatalf("%s %s on %s: not classified", c, name, u)
				}
				if c == u && p.Class != versions.Exact {
					t.Errorf("%s %s on itself: %s", c, name, p.Class)
				}
				if len(p.Losses) > 0 && p.Class != versions.Lossy && p.Class != versions.Emulated {
					t.Errorf("%s %s on %s: %s with losses %q", c, name, u, p.Class, p.Losses)
				}
				if p.Class == versions.Lossy && len(p.Losses) == 0 {
					t.Errorf("%s %s on %s: lossy without a loss", c, name, u)
				}
				if _, there := versions.Lookup(u, name); !there && p.Class == versions.Exact {
					t.Errorf("%s %s on %s: exact, but %s has no such method", c, name, u, u)
				}
			}
		}
	}
}

// TestLossDescriptionsArePhrases keeps the loss descriptions fit for the README's footnotes,
// which join them with "; ".
func TestLossDescriptionsArePhrases(t *testing.T) {
	check := func(change, loss string) {
		if loss == "" {
			return
		}
		if strings.Contains(loss, ";") || strings.HasSuffix(loss, ".") || strings.TrimSpace(loss) != loss {
			t.Errorf("%s: loss %q: want a phrase without ';' or a final '.'", change, loss)
		}
	}
	for _, s := range versions.Steps {
		for _, sc := range s.Structures {
			check(sc.Name, sc.LossDown)
			check(sc.Name, sc.LossUp)
		}
		for _, ac := range s.Actions {
			check(ac.Name, ac.LossDown)
			check(ac.Name, ac.LossUp)
		}
	}
}

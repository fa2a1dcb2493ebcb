package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// This file checks paging: page_id walks of list_chats and list_threads (3.2) and the
// offset/limit windows of get_chats_summary and get_chat_threads_summary (3.0, 3.1).

// webStartChats starts n chats for token in 3.2 and returns their ids, oldest first.
func webStartChats(t *testing.T, h *harness, token string, n int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		resp := h.web("3.2", "start_chat", token, fmt.Sprintf(`{"chat":{"thread":{"events":[{"type":"message","text":"chat %d"}]}}}`, i))
		if resp.status != http.StatusOK {
			t.Fatalf("start_chat: %d %s", resp.status, resp.body)
		}
		ids = append(ids, gjson.Get(resp.body, "chat_id").Str)
	}
	return ids
}

// webReversed returns a reversed copy.
func webReversed(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[len(in)-1-i] = s
	}
	return out
}

// webWalk32 sends the first request, then follows the cursor (next_page_id) with the same
// parameters plus page_id until it is absent; it returns the item ids in order and the pages.
func webWalk32(t *testing.T, h *harness, token, action, first, listKey, idPath, cursor string) (ids []string, pages []string) {
	t.Helper()
	body := first
	for n := 0; ; n++ {
		if n > 20 {
			t.Fatal("paging does not end")
		}
		p := webPayload(t, "3.2", h.web("3.2", action, token, body).body)
		webCheckShapes(t, "3.2", p)
		var page []string
		for _, it := range p.Get(listKey).Array() {
			page = append(page, it.Get(idPath).Str)
		}
		ids = append(ids, page...)
		pages = append(pages, strings.Join(page, ","))
		next := p.Get(cursor)
		if !next.Exists() {
			return ids, pages
		}
		body = `{` + strings.TrimPrefix(strings.TrimSuffix(first, "}"), "{")
		if body != "{" {
			body += ","
		}
		body += `"page_id":"` + next.Str + `"}`
	}
}

// TestWebListChatsPagesVisitEveryChatOnce: following next_page_id walks every chat exactly
// once, newest first by default and oldest first with sort_order asc; previous_page_id walks
// back over the same pages.
func TestWebListChatsPagesVisitEveryChatOnce(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:list-chats-token-18c4"
	chats := webStartChats(t, h, token, 7)
	ids, pages := webWalk32(t, h, token, "list_chats", `{"limit":3}`, "chats_summary", "id", "next_page_id")
	if got, want := strings.Join(ids, ","), strings.Join(webReversed(chats), ","); got != want {
		t.Errorf("desc walk = %s, want %s", got, want)
	}
	if len(pages) != 3 {
		t.Errorf("pages = %q, want 3 pages of at most 3", pages)
	}
	ids, _ = webWalk32(t, h, token, "list_chats", `{"limit":3,"sort_order":"asc"}`, "chats_summary", "id", "next_page_id")
	if got, want := strings.Join(ids, ","), strings.Join(chats, ","); got != want {
		t.Errorf("asc walk = %s, want %s", got, want)
	}
	// Walk back from the last page with previous_page_id.
	first := webPayload(t, "3.2", h.web("3.2", "list_chats", token, `{"limit":3}`).body)
	if first.Get("previous_page_id").Exists() || first.Get("total_chats").Int() != 7 {
		t.Errorf("first page: %s", first.Raw)
	}
	p := first
	for p.Get("next_page_id").Exists() {
		p = webPayload(t, "3.2", h.web("3.2", "list_chats", token, `{"page_id":"`+p.Get("next_page_id").Str+`"}`).body)
	}
	var back []string
	for n := 0; n < 10; n++ {
		var page []string
		for _, it := range p.Get("chats_summary").Array() {
			page = append(page, it.Get("id").Str)
		}
		back = append(page, back...)
		if !p.Get("previous_page_id").Exists() {
			break
		}
		p = webPayload(t, "3.2", h.web("3.2", "list_chats", token, `{"page_id":"`+p.Get("previous_page_id").Str+`"}`).body)
	}
	if got, want := strings.Join(back, ","), strings.Join(webReversed(chats), ","); got != want {
		t.Errorf("backward walk = %s, want %s", got, want)
	}
}

// TestWebListChatsPagingTranscript keeps a two-page walk of list_chats as a golden file.
func TestWebListChatsPagingTranscript(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:list-chats-golden-4be0"
	webStartChats(t, h, token, 3)
	tr := newWebTranscript(t, h)
	p := webPayload(t, "3.2", tr.post("3.2", "list_chats", token, `{"limit":2}`).body)
	next := p.Get("next_page_id").Str
	p = webPayload(t, "3.2", tr.post("3.2", "list_chats", token, `{"page_id":"`+next+`"}`).body)
	if p.Get("chats_summary.#").Int() != 1 || !p.Get("previous_page_id").Exists() || p.Get("next_page_id").Exists() {
		t.Errorf("second page: %s", p.Raw)
	}
	golden(t, "web/v3.2/list_chats_paging.txt", tr.String())
}

// TestWebListThreadsPagesVisitEveryThreadOnce: list_threads pages through every thread of a
// chat exactly once, in either order; min_events_count returns the latest threads holding
// that many events.
func TestWebListThreadsPagesVisitEveryThreadOnce(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:list-threads-token-6e02"
	start := gjson.Parse(h.web("3.2", "start_chat", token, `{"chat":{"thread":{"events":[{"type":"message","text":"t0"}]}}}`).body)
	chatID := start.Get("chat_id").Str
	threads := []string{start.Get("thread_id").Str}
	for i := 1; i < 5; i++ {
		h.web("3.2", "deactivate_chat", token, `{"chat_id":"`+chatID+`"}`)
		resp := h.web("3.2", "activate_chat", token, fmt.Sprintf(`{"chat":{"id":%q,"thread":{"events":[{"type":"message","text":"t%d"}]}}}`, chatID, i))
		threads = append(threads, gjson.Get(resp.body, "thread_id").Str)
	}
	first := `{"chat_id":"` + chatID + `","limit":2}`
	ids, pages := webWalk32(t, h, token, "list_threads", first, "threads", "id", "next_page_id")
	if got, want := strings.Join(ids, ","), strings.Join(webReversed(threads), ","); got != want || len(pages) != 3 {
		t.Errorf("desc walk = %s in %d pages, want %s in 3", got, len(pages), want)
	}
	ids, _ = webWalk32(t, h, token, "list_threads", `{"chat_id":"`+chatID+`","limit":2,"sort_order":"asc"}`, "threads", "id", "next_page_id")
	if got, want := strings.Join(ids, ","), strings.Join(threads, ","); got != want {
		t.Errorf("asc walk = %s, want %s", got, want)
	}
	p := webPayload(t, "3.2", h.web("3.2", "list_threads", token, `{"chat_id":"`+chatID+`"}`).body)
	if p.Get("threads.#").Int() != 3 || p.Get("found_threads").Int() != 5 {
		t.Errorf("default limit is 3: %s", p.Raw)
	}
	// Each closed thread holds 2 events (the message and the closing system message), the
	// active one 1: 4 events take the latest 3 threads.
	p = webPayload(t, "3.2", h.web("3.2", "list_threads", token, `{"chat_id":"`+chatID+`","min_events_count":4}`).body)
	if got := p.Get("threads.#.id").Raw; got != `["`+threads[4]+`","`+threads[3]+`","`+threads[2]+`"]` {
		t.Errorf("min_events_count 4 threads = %s", got)
	}
	webErr(t, h.web("3.2", "list_threads", token, `{"chat_id":"`+chatID+`","min_events_count":4,"limit":2}`), http.StatusBadRequest, "validation")
	webErr(t, h.web("3.2", "list_threads", token, `{"chat_id":"`+chatID+`","page_id":"bm90IGEgcGFnZQ=="}`), http.StatusBadRequest, "validation")
}

// TestWebGetChatsSummaryWindowsByOffsetAndLimit: 3.0 and 3.1 list the chats newest first in
// the window [offset, offset+limit) with the total count; limit is at most 25, offset 100.
func TestWebGetChatsSummaryWindowsByOffsetAndLimit(t *testing.T) {
	for _, v := range []string{"3.0", "3.1"} {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			const token = "dal:summary-token-a5a5"
			newest := webReversed(webStartChats(t, h, token, 7))
			for _, c := range []struct {
				params string
				want   []string
			}{
				{`{}`, newest},
				{`{"offset":2,"limit":3}`, newest[2:5]},
				{`{"offset":5,"limit":25}`, newest[5:]},
				{`{"offset":7}`, nil},
			} {
				p := webPayload(t, v, h.web(v, "get_chats_summary", token, webWrap(v, c.params)).body)
				webCheckShapes(t, v, p)
				var got []string
				for _, it := range p.Get("chats_summary").Array() {
					got = append(got, it.Get("id").Str)
				}
				if strings.Join(got, ",") != strings.Join(c.want, ",") || p.Get("total_chats").Int() != 7 {
					t.Errorf("%s: chats %v total %d, want %v total 7", c.params, got, p.Get("total_chats").Int(), c.want)
				}
			}
			for _, bad := range []string{`{"limit":26}`, `{"limit":0}`, `{"offset":101}`, `{"offset":-1}`, `{"limit":"5"}`} {
				msg := webErr(t, h.web(v, "get_chats_summary", token, webWrap(v, bad)), http.StatusBadRequest, "validation")
				if !strings.Contains(msg, "limit") && !strings.Contains(msg, "offset") {
					t.Errorf("%s: message %q names no field", bad, msg)
				}
			}
		})
	}
}

// TestWebGetChatThreadsSummaryWindowsByOffsetAndLimit: threads newest first (descending
// order) in the window, with the total count.
func TestWebGetChatThreadsSummaryWindowsByOffsetAndLimit(t *testing.T) {
	for _, v := range []string{"3.0", "3.1"} {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			const token = "dal:threads-summary-token-0f0f"
			start := gjson.Parse(h.web("3.2", "start_chat", token, `{}`).body)
			chatID := start.Get("chat_id").Str
			threads := []string{start.Get("thread_id").Str}
			for i := 1; i < 4; i++ {
				h.web("3.2", "deactivate_chat", token, `{"chat_id":"`+chatID+`"}`)
				threads = append(threads, gjson.Get(h.web("3.2", "activate_chat", token, `{"chat":{"id":"`+chatID+`"}}`).body, "thread_id").Str)
			}
			p := webPayload(t, v, h.web(v, "get_chat_threads_summary", token, webWrap(v, `{"chat_id":"`+chatID+`","offset":1,"limit":2}`)).body)
			items := p.Get("threads_summary").Array()
			if len(items) != 2 || items[0].Get("id").Str != threads[2] || items[1].Get("id").Str != threads[1] || p.Get("total_threads").Int() != 4 {
				t.Errorf("window: %s", p.Raw)
			}
			if items[0].Get("order").Int() <= items[1].Get("order").Int() {
				t.Errorf("summaries not in descending order: %s", p.Raw)
			}
			all := webPayload(t, v, h.web(v, "get_chat_threads_summary", token, webWrap(v, `{"chat_id":"`+chatID+`"}`)).body)
			if all.Get("threads_summary.#").Int() != 4 || !all.Get("threads_summary.0.active").Bool() || all.Get("threads_summary.1.active").Bool() {
				t.Errorf("all: %s", all.Raw)
			}
			webErr(t, h.web(v, "get_chat_threads_summary", token, webWrap(v, `{"chat_id":"`+chatID+`","limit":101}`)), http.StatusBadRequest, "validation")
		})
	}
}

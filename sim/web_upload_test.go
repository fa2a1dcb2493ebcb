package sim

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// This file checks multipart uploads (spec/methods.md §3.8–§3.9): upload_file in every version,
// the 3.0 send_file, the 10 MB limit, 3.2's refusal of executables and file events made from
// uploaded URLs.

// webFileField is the documented multipart field of the file: payload.file in 3.0, file later.
func webFileField(v string) string {
	if v == "3.0" {
		return "payload.file"
	}
	return "file"
}

// webUpload sends upload_file with one file in the version's field.
func webUpload(t *testing.T, h *harness, v, token, name, ctype string, data []byte) webResp {
	t.Helper()
	body, mtype, _ := webMultipart(t, nil, webFileField(v), name, ctype, data)
	return h.do(http.MethodPost, webPath(v, "upload_file"), token, mtype, body)
}

// TestWebUploadFileReadsTheVersionsFieldName: upload_file takes `payload.file` in 3.0 and
// `file` from 3.1, answers {url} (wrapped in 3.0), and without a file fails with validation
// naming the field.
func TestWebUploadFileReadsTheVersionsFieldName(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:upload-token-f11e"
	for _, v := range webVersions {
		p := webPayload(t, v, webUpload(t, h, v, token, "photo.png", "image/png", webPNG).body)
		webWantKeys(t, v+" upload_file", p, "url")
		if !strings.HasSuffix(p.Get("url").Str, "/photo.png") {
			t.Errorf("%s url = %s", v, p.Get("url").Raw)
		}
		body, mtype, _ := webMultipart(t, [][2]string{{"note", "no file here"}}, "", "", "", nil)
		msg := webErr(t, h.do(http.MethodPost, webPath(v, "upload_file"), token, mtype, body), http.StatusBadRequest, "validation")
		if !strings.Contains(msg, "`"+webFileField(v)+"`") {
			t.Errorf("%s: message %q does not name %s", v, msg, webFileField(v))
		}
	}
}

// TestWebSendFileIn30PostsAFileEvent: send_file takes payload.chat_id, payload.custom_id and
// payload.file, answers {"payload": {"url"}}, and the chat then holds a file event with that
// URL and the image's width and height.
func TestWebSendFileIn30PostsAFileEvent(t *testing.T) {
	h := newHarness(t, Options{})
	s := webSeed(t, h, "3.0")
	tr := newWebTranscript(t, h)
	body, mtype, shown := webMultipart(t, [][2]string{{"payload.chat_id", s.ids["chat"]}, {"payload.custom_id", "12345-bhdsa"}},
		"payload.file", "test.png", "image/png", webPNG)
	p := webPayload(t, "3.0", tr.send(http.MethodPost, webPath("3.0", "send_file"), s.token, mtype, body, shown).body)
	webWantKeys(t, "send_file", p, "url")
	threads := webPayload(t, "3.0", tr.post("3.0", "get_chat_threads", s.token, webWrap("3.0", s.fill(`{"chat_id":"{chat}","thread_ids":["{thread}"]}`))).body)
	webCheckShapes(t, "3.0", threads)
	e := threads.Get("chat.threads.0.events.2")
	webWantKeys(t, "file event", e, "id", "custom_id", "order", "type", "author_id", "timestamp", "recipients", "name", "url",
		"thumbnail_url", "thumbnail2x_url", "content_type", "size", "width", "height")
	if e.Get("type").Str != "file" || e.Get("url").Str != p.Get("url").Str || e.Get("name").Str != "test.png" ||
		e.Get("content_type").Str != "image/png" || e.Get("size").Int() != int64(len(webPNG)) ||
		e.Get("width").Int() != 3 || e.Get("height").Int() != 2 || e.Get("custom_id").Str != "12345-bhdsa" {
		t.Errorf("file event %s for answer %s", e.Raw, p.Raw)
	}
	golden(t, "web/v3.0/send_file_event.txt", tr.String())
	// The same event seen from 3.2 carries the same URL.
	got := webPayload(t, "3.2", h.web("3.2", "get_chat", s.token, s.fill(`{"chat_id":"{chat}"}`)).body)
	if got.Get("thread.events.2.url").Str != p.Get("url").Str {
		t.Errorf("3.2 reads %s, want url %s", got.Get("thread.events.2").Raw, p.Get("url").Str)
	}
}

// TestWebSendFileIn30FollowsSendEventThreadRules: on a closed chat send_file opens a new
// thread, unless payload.require_active_thread is set; a missing chat id is validation.
func TestWebSendFileIn30FollowsSendEventThreadRules(t *testing.T) {
	h := newHarness(t, Options{})
	s := webSeed(t, h, "3.0")
	s.must("close_thread", `{"chat_id":"{chat}"}`)
	send := func(fields [][2]string) webResp {
		body, mtype, _ := webMultipart(t, fields, "payload.file", "notes.txt", "text/plain", []byte("some notes"))
		return h.do(http.MethodPost, webPath("3.0", "send_file"), s.token, mtype, body)
	}
	webErr(t, send([][2]string{{"payload.chat_id", s.ids["chat"]}, {"payload.require_active_thread", "true"}}), http.StatusBadRequest, "validation")
	msg := webErr(t, send(nil), http.StatusBadRequest, "validation")
	if !strings.Contains(msg, "payload.chat_id") {
		t.Errorf("message %q does not name payload.chat_id", msg)
	}
	webPayload(t, "3.0", send([][2]string{{"payload.chat_id", s.ids["chat"]}}).body)
	th := s.lastThread()
	if th.Get("id").Str == s.ids["thread"] || !th.Get("active").Bool() || th.Get("events.0.type").Str != "file" || th.Get("events.0.width").Exists() {
		t.Errorf("want a new active thread with a non-image file event: %s", th.Raw)
	}
}

// TestWebUploadOver10MBIsEntityTooLarge: 10 MB is accepted, one byte more is 413
// entity_too_large, for upload_file in every version and the 3.0 send_file.
func TestWebUploadOver10MBIsEntityTooLarge(t *testing.T) {
	h := newHarness(t, Options{})
	s := webSeed(t, h, "3.0")
	atLimit := bytes.Repeat([]byte{'a'}, 10<<20)
	over := append(atLimit, 'a')
	for _, v := range webVersions {
		if resp := webUpload(t, h, v, s.token, "big.bin", "application/octet-stream", atLimit); resp.status != http.StatusOK {
			t.Errorf("%s 10 MB: %d %s", v, resp.status, resp.body)
		}
		webErr(t, webUpload(t, h, v, s.token, "big.bin", "application/octet-stream", over), http.StatusRequestEntityTooLarge, "entity_too_large")
	}
	body, mtype, _ := webMultipart(t, [][2]string{{"payload.chat_id", s.ids["chat"]}}, "payload.file", "big.bin", "application/octet-stream", over)
	webErr(t, h.do(http.MethodPost, webPath("3.0", "send_file"), s.token, mtype, body), http.StatusRequestEntityTooLarge, "entity_too_large")
	if n := s.lastThread().Get("events.#").Int(); n != 2 {
		t.Errorf("a refused send_file added an event: %d events", n)
	}
}

// TestWebUploadFileIn32RefusesExecutables: 3.2 refuses executables (by extension) with
// validation.
func TestWebUploadFileIn32RefusesExecutables(t *testing.T) {
	h := newHarness(t, Options{})
	const token = "dal:exe-token-e8e8"
	for _, name := range []string{"setup.exe", "SETUP.EXE", "run.bat"} {
		webErr(t, webUpload(t, h, "3.2", token, name, "application/octet-stream", []byte("MZ")), http.StatusBadRequest, "validation")
	}
	if resp := webUpload(t, h, "3.2", token, "report.pdf", "application/pdf", []byte("%PDF-1.4")); resp.status != http.StatusOK {
		t.Errorf("pdf: %d %s", resp.status, resp.body)
	}
}

// TestWebFileEventFromUploadedURL: the URL upload_file answers makes a `file` event in
// send_event, which carries the file's name, type, size and image dimensions; a URL that was
// not uploaded is validation.
func TestWebFileEventFromUploadedURL(t *testing.T) {
	for _, v := range webVersions {
		t.Run(v, func(t *testing.T) {
			h := newHarness(t, Options{})
			s := webSeed(t, h, v)
			up := webPayload(t, v, webUpload(t, h, v, s.token, "image.png", "image/png", webPNG).body).Get("url").Str
			tr := newWebTranscript(t, h)
			p := webPayload(t, v, tr.post(v, "send_event", s.token, webWrap(v, s.fill(`{"chat_id":"{chat}","event":{"type":"file","url":"`+up+`"}}`))).body)
			e := s.lastEvent()
			webCheckEvent(t, v, e)
			if v == "3.0" {
				if p.Get("event").Raw != e.Raw {
					t.Errorf("answered %s, stored %s", p.Get("event").Raw, e.Raw)
				}
			} else if p.Get("event_id").Str != e.Get("id").Str {
				t.Errorf("answered %s, stored %s", p.Raw, e.Raw)
			}
			if e.Get("type").Str != "file" || e.Get("name").Str != "image.png" || e.Get("url").Str == "" || e.Get("content_type").Str != "image/png" ||
				e.Get("size").Int() != int64(len(webPNG)) || e.Get("width").Int() != 3 || e.Get("height").Int() != 2 {
				t.Errorf("file event: %s", e.Raw)
			}
			resp := tr.post(v, "send_event", s.token, webWrap(v, s.fill(`{"chat_id":"{chat}","event":{"type":"file","url":"https://example.com/not-uploaded.png"}}`)))
			if msg := webErr(t, resp, http.StatusBadRequest, "validation"); !strings.Contains(msg, "event.url") {
				t.Errorf("message %q does not name event.url", msg)
			}
			golden(t, "web/v"+v+"/send_event_file.txt", tr.String())
		})
	}
}

// TestWebUploadedFileWorksAcrossVersions: a URL uploaded through 3.0 makes a file event
// through 3.2 (one state behind every version).
func TestWebUploadedFileWorksAcrossVersions(t *testing.T) {
	h := newHarness(t, Options{})
	s := webSeed(t, h, "3.2")
	up := gjson.Get(webUpload(t, h, "3.0", s.token, "scan.png", "image/png", webPNG).body, "payload.url").Str
	resp := h.web("3.2", "send_event", s.token, s.fill(`{"chat_id":"{chat}","event":{"type":"file","url":"`+up+`"}}`))
	if resp.status != http.StatusOK || s.lastEvent().Get("name").Str != "scan.png" {
		t.Errorf("3.2 file event from a 3.0 upload: %d %s", resp.status, resp.body)
	}
}

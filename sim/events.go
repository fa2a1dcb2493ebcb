package sim

import (
	"encoding/json"

	"github.com/tidwall/gjson"
)

// eventTypes lists the event types a customer may send, per version (spec/structures.md §3.1).
var eventTypes = [3]map[string]bool{
	v30: {"message": true, "system_message": true, "annotation": true, "filled_form": true, "file": true, "custom": true, "rich_message": true},
	v31: {"message": true, "system_message": true, "filled_form": true, "file": true, "custom": true, "rich_message": true},
	v32: {"message": true, "system_message": true, "filled_form": true, "file": true, "custom": true, "rich_message": true},
}

// serverEventFields are event fields the server sets; values sent by a client are ignored.
var serverEventFields = map[string]bool{
	"id": true, "type": true, "custom_id": true, "author_id": true, "created_at": true,
	"order": true, "timestamp": true, "recipients": true, "properties": true,
}

// parseEvent reads the request form of an Event at path. File events must name a URL returned
// by upload_file; they are stored with the file's details and a permanent URL.
func (c *call) parseEvent(ev params, path string) (*event, *apiError) {
	typ, err := ev.str("type", true)
	if err != nil {
		return nil, validationf("`%s.type` is required", path)
	}
	if !eventTypes[c.v][typ] {
		return nil, validationf("`%s.type` %q is not a valid event type in version %s", path, typ, c.v)
	}
	e := &event{typ: typ, recipients: "all"}
	if e.customID, err = ev.str("custom_id", false); err != nil {
		return nil, err
	}
	if r, err := ev.str("recipients", false); err != nil {
		return nil, err
	} else if r != "" {
		if r != "all" && r != "agents" {
			return nil, validationf("`%s.recipients` must be \"all\" or \"agents\"", path)
		}
		e.recipients, e.recipientsGiven = r, true
	}
	if e.props, _, err = ev.properties("properties", false); err != nil {
		return nil, err
	}
	switch typ {
	case "message":
		if _, err := ev.str("text", true); err != nil {
			return nil, validationf("`%s.text` is required", path)
		}
	case "rich_message":
		if _, err := ev.str("template_id", true); err != nil {
			return nil, validationf("`%s.template_id` is required", path)
		}
	case "filled_form":
		if _, _, err := ev.array("fields", true); err != nil {
			return nil, validationf("`%s.fields` must be an array", path)
		}
	case "custom":
		if ev.has("content") && !ev.get("content").IsObject() {
			return nil, validationf("`%s.content` must be an object", path)
		}
	case "file":
		return c.fileEvent(ev, e, path)
	}
	ev.doc.ForEach(func(k, v gjson.Result) bool {
		if !serverEventFields[k.Str] {
			e.body = append(e.body, rawField{k.Str, json.RawMessage(v.Raw)})
		}
		return true
	})
	return e, nil
}

// fileEvent completes a file event from the uploaded file its URL names.
func (c *call) fileEvent(ev params, e *event, path string) (*event, *apiError) {
	url, err := ev.str("url", true)
	if err != nil {
		return nil, validationf("`%s.url` is required", path)
	}
	f := c.st.files[url]
	if f == nil {
		return nil, validationf("`%s.url` must be a URL returned by upload_file", path)
	}
	e.body = fileBody(f)
	return e, nil
}

// fileBody renders the server-side fields of a file event.
func fileBody(f *file) []rawField {
	body := []rawField{{"name", rawString(f.name)}, {"url", rawString(f.permURL)}}
	image := f.width > 0
	if image {
		body = append(body, rawField{"thumbnail_url", rawString(f.permURL + "?thumb=1")},
			rawField{"thumbnail2x_url", rawString(f.permURL + "?thumb=2")})
	}
	body = append(body, rawField{"content_type", rawString(f.contentType)},
		rawField{"size", json.RawMessage(mustMarshal(f.size))})
	if image {
		body = append(body, rawField{"width", json.RawMessage(mustMarshal(f.width))},
			rawField{"height", json.RawMessage(mustMarshal(f.height))})
	}
	return body
}

// parseEvents reads an optional array of request Events.
func (c *call) parseEvents(p params, path string) ([]*event, *apiError) {
	items, _, err := p.array(path, false)
	if err != nil {
		return nil, err
	}
	out := make([]*event, 0, len(items))
	for _, it := range items {
		if !it.IsObject() {
			return nil, validationf("`%s` must be an array of events", path)
		}
		e, err := c.parseEvent(params{doc: it}, path)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// appendEvent stamps e as written by author now and adds it to t. A system_message has no
// author (spec/structures.md §3.1), whoever sent it.
func (c *call) appendEvent(t *thread, e *event, authorID string) {
	if e.typ == "system_message" {
		authorID = ""
	}
	e.authorID = authorID
	e.createdAt = c.st.now()
	t.addEvent(e)
}

// incomingEvent is the push of a new event, named alike in every version.
func incomingEvent(chatID string, t *thread, e *event) pushRender {
	return same("incoming_event", func(v version) *obj {
		return newObj().set("chat_id", chatID).set("thread_id", t.id).set("event", renderEvent(v, e))
	})
}

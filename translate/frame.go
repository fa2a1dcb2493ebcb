package translate

import (
	"slices"
	"strconv"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// Frame is an RTM frame: a request {request_id?, action, payload?}, or a response or push
// {request_id?, action, type, success?, payload}. The envelope is the same in 3.0, 3.1 and
// 3.2 (spec/structures.md §1.2).
type Frame struct {
	RequestID string
	HasRID    bool
	Action    string
	Type      string // "response", "push", or "" for a request
	Success   bool
	Payload   *versions.Doc // owned by the frame's reader; {} when absent
}

// ParseFrame reads an RTM frame. The payload is a pooled document: Release it when done.
func ParseFrame(msg []byte) (Frame, error) {
	var f Frame
	d := jsontree.Acquire()
	if err := d.ParseCopy(msg); err != nil {
		jsontree.Release(d)
		return f, &versions.APIError{Type: "validation", Message: "lcgate: the frame is not valid JSON: " + err.Error()}
	}
	r := d.Root()
	if !d.IsObject(r) {
		jsontree.Release(d)
		return f, &versions.APIError{Type: "validation", Message: "lcgate: the frame must be a JSON object"}
	}
	if n := d.Get(r, "request_id"); n != jsontree.None {
		s, ok := d.Str(n)
		if !ok {
			jsontree.Release(d)
			return f, &versions.APIError{Type: "validation", Message: "lcgate: `request_id` must be a string"}
		}
		f.RequestID, f.HasRID = s, true
	}
	f.Action, _ = d.Str(d.Get(r, "action"))
	f.Type, _ = d.Str(d.Get(r, "type"))
	f.Success, _ = d.Bool(d.Get(r, "success"))
	if f.Action == "" {
		jsontree.Release(d)
		return f, &versions.APIError{Type: "validation", Message: "lcgate: `action` is required"}
	}
	p := d.Detach(r, "payload")
	switch {
	case p == jsontree.None || d.Kind(p) == jsontree.Null:
		p = d.NewObject()
	case !d.IsObject(p):
		jsontree.Release(d)
		return f, &versions.APIError{Type: "validation", Message: "lcgate: `payload` must be an object"}
	}
	d.SetRoot(p)
	f.Payload = d
	return f, nil
}

// AppendFrame writes f (a request when Type is "") to dst. An empty action is left out (an
// answer to a frame that had none).
func AppendFrame(dst []byte, f Frame) []byte {
	size := len(`{"request_id":"","action":"","type":"","success":false,"payload":{}}`) +
		len(f.RequestID) + len(f.Action) + len(f.Type)
	if f.Payload != nil {
		size += f.Payload.SizeHint()
	}
	dst = slices.Grow(dst, size)
	dst = append(dst, '{')
	sep := false
	member := func(key string) {
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = append(dst, '"')
		dst = append(dst, key...)
		dst = append(dst, '"', ':')
	}
	if f.HasRID {
		member("request_id")
		dst = jsontree.AppendString(dst, f.RequestID)
	}
	if f.Action != "" {
		member("action")
		dst = jsontree.AppendString(dst, f.Action)
	}
	if f.Type != "" {
		member("type")
		dst = jsontree.AppendString(dst, f.Type)
		if f.Type == "response" {
			member("success")
			dst = append(dst, strconv.FormatBool(f.Success)...)
		}
	}
	member("payload")
	if f.Payload == nil {
		dst = append(dst, '{', '}')
	} else {
		dst = f.Payload.AppendJSON(dst, f.Payload.Root())
	}
	return append(dst, '}')
}

// ErrorFrame writes an error response frame for the client's request.
func ErrorFrame(dst []byte, rid string, hasRID bool, action string, e *versions.APIError) []byte {
	var body jsontree.Doc
	_ = body.Parse(ErrorBody(e))
	return AppendFrame(dst, Frame{RequestID: rid, HasRID: hasRID, Action: action, Type: "response", Payload: &body})
}

// frameError reads the error object of a failed response's payload.
func frameError(d *versions.Doc) *versions.APIError {
	if e, ok := ParseError(0, d.JSON()); ok {
		return e
	}
	return &versions.APIError{Type: "internal", Message: "lcgate: the upstream answered a malformed error"}
}

package translate

import (
	"errors"
	"fmt"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// Status maps an error type to the HTTP status of a Web answer. LiveChat documents none;
// this is the convention of spec/methods.md §6. Errors received from the upstream keep their
// own status.
func Status(e *versions.APIError) int {
	if e.Status != 0 {
		return e.Status
	}
	switch e.Type {
	case "authentication":
		return 401
	case "authorization", "customer_banned":
		return 403
	case "not_found", "license_not_found", "group_not_found", "greeting_not_found":
		return 404
	case "entity_too_large":
		return 413
	case "misdirected_request":
		return 421
	case "too_many_requests":
		return 429
	case "internal":
		return 500
	case "service_unavailable":
		return 503
	case "request_timeout":
		return 504
	}
	return 400
}

// ErrorBody renders the error object {"error": {"type", "message", "data"?}}, the same in
// every version and never wrapped in `payload`.
func ErrorBody(e *versions.APIError) []byte {
	d := jsontree.New()
	inner := d.NewObject()
	d.Set(inner, "type", d.NewString(e.Type))
	d.Set(inner, "message", d.NewString(e.Message))
	if len(e.Data) > 0 {
		var data jsontree.Doc
		if data.Parse(e.Data) == nil {
			d.Set(inner, "data", d.Import(&data, data.Root()))
		}
	}
	d.Set(d.Root(), "error", inner)
	return d.JSON()
}

// ParseError reads an upstream error body {"error": {…}} with its HTTP status. ok is false
// when the body is not an error object.
func ParseError(status int, body []byte) (*versions.APIError, bool) {
	var d jsontree.Doc
	if d.Parse(body) != nil {
		return nil, false
	}
	inner := d.Get(d.Root(), "error")
	typ, ok := d.Str(d.Get(inner, "type"))
	if !ok {
		return nil, false
	}
	msg, _ := d.Str(d.Get(inner, "message"))
	e := &versions.APIError{Status: status, Type: typ, Message: msg}
	if data := d.Get(inner, "data"); data != jsontree.None {
		e.Data = d.AppendJSON(nil, data)
	}
	return e, true
}

// ParsePayload reads a request or answer body as a payload document: "", "null" and a 3.0
// {"payload": …} envelope (when unwrap is set and it is the only member) are handled; the
// payload must be an object. The document keeps its own copy of body.
func ParsePayload(body []byte, unwrap bool) (*jsontree.Doc, error) {
	trimmed := trimSpace(body)
	d := jsontree.Acquire()
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return d, nil
	}
	if err := d.ParseCopy(trimmed); err != nil {
		jsontree.Release(d)
		if errors.Is(err, jsontree.ErrTooLarge) {
			return nil, &versions.APIError{Status: 413, Type: "entity_too_large",
				Message: fmt.Sprintf("lcgate: the body holds more than %d JSON values (--max-json-values)", jsontree.MaxValues())}
		}
		return nil, &versions.APIError{Status: 400, Type: "validation", Message: "lcgate: body is not valid JSON: " + err.Error()}
	}
	if unwrap && d.IsObject(d.Root()) && d.Len(d.Root()) == 1 {
		if inner := d.Get(d.Root(), "payload"); inner != jsontree.None {
			switch {
			case d.IsObject(inner):
				d.SetRoot(d.Detach(d.Root(), "payload"))
			case d.Kind(inner) == jsontree.Null:
				d.SetRoot(d.NewObject())
			default: // no method has a parameter named payload: this is a malformed envelope
				jsontree.Release(d)
				return nil, &versions.APIError{Status: 400, Type: "validation", Message: "lcgate: `payload` must be an object"}
			}
		}
	}
	if !d.IsObject(d.Root()) {
		jsontree.Release(d)
		return nil, &versions.APIError{Status: 400, Type: "validation", Message: "lcgate: the payload must be a JSON object"}
	}
	return d, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// Release recycles a document returned by Engine.Call or ParsePayload once nothing refers
// to it.
func Release(d *jsontree.Doc) { jsontree.Release(d) }

// WebBody renders a Web body of version v, request or answer: wrapped in {"payload": …} for
// 3.0.
func WebBody(dst []byte, v versions.Version, d *jsontree.Doc) []byte {
	return WebBodyFramed(dst, versions.WrapsWebPayload(v), d)
}

// WebBodyFramed renders a Web body, wrapped in {"payload": …} when wrap is set.
func WebBodyFramed(dst []byte, wrap bool, d *jsontree.Doc) []byte {
	if wrap {
		dst = append(dst, `{"payload":`...)
		dst = d.AppendJSON(dst, d.Root())
		return append(dst, '}')
	}
	return d.AppendJSON(dst, d.Root())
}

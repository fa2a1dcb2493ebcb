package sim

import (
	"encoding/json"
	"time"

	"github.com/tidwall/gjson"
)

// params reads a request payload with type checks. Every accessor returns a validation error
// naming the field when the value has the wrong type or a required field is missing.
type params struct {
	doc gjson.Result
}

// parsePayload validates raw as a JSON object (an absent or null payload is an empty object).
func parsePayload(raw []byte) (params, *apiError) {
	if len(raw) == 0 {
		return params{doc: gjson.Parse("{}")}, nil
	}
	if !gjson.ValidBytes(raw) {
		return params{}, validationf("Wrong format of request: payload is not valid JSON")
	}
	r := gjson.ParseBytes(raw)
	if r.Type == gjson.Null {
		return params{doc: gjson.Parse("{}")}, nil
	}
	if !r.IsObject() {
		return params{}, validationf("Wrong format of request: payload must be an object")
	}
	return params{doc: r}, nil
}

func (p params) get(path string) gjson.Result { return p.doc.Get(escapePath(path)) }

// has reports whether the field is present (null counts as absent).
func (p params) has(path string) bool {
	r := p.get(path)
	return r.Exists() && r.Type != gjson.Null
}

// str reads a string field.
func (p params) str(path string, required bool) (string, *apiError) {
	r := p.get(path)
	if !r.Exists() || r.Type == gjson.Null {
		if required {
			return "", validationf("`%s` is required", path)
		}
		return "", nil
	}
	if r.Type != gjson.String {
		return "", validationf("`%s` must be a string", path)
	}
	if required && r.Str == "" {
		return "", validationf("`%s` must not be empty", path)
	}
	return r.Str, nil
}

// integer reads a whole-number field; def is returned when it is absent.
func (p params) integer(path string, required bool, def int) (int, *apiError) {
	r := p.get(path)
	if !r.Exists() || r.Type == gjson.Null {
		if required {
			return 0, validationf("`%s` is required", path)
		}
		return def, nil
	}
	if r.Type != gjson.Number || r.Num != float64(int64(r.Num)) || r.Num > 1<<53 || r.Num < -(1<<53) {
		return 0, validationf("`%s` must be an integer", path)
	}
	return int(r.Int()), nil
}

// boolean reads a bool field; false when absent.
func (p params) boolean(path string) (bool, *apiError) {
	r := p.get(path)
	if !r.Exists() || r.Type == gjson.Null {
		return false, nil
	}
	if r.Type != gjson.True && r.Type != gjson.False {
		return false, validationf("`%s` must be a boolean", path)
	}
	return r.Bool(), nil
}

// object reads an object field; ok is false when it is absent.
func (p params) object(path string, required bool) (params, bool, *apiError) {
	r := p.get(path)
	if !r.Exists() || r.Type == gjson.Null {
		if required {
			return params{}, false, validationf("`%s` is required", path)
		}
		return params{}, false, nil
	}
	if !r.IsObject() {
		return params{}, false, validationf("`%s` must be an object", path)
	}
	return params{doc: r}, true, nil
}

// array reads an array field; ok is false when it is absent.
func (p params) array(path string, required bool) ([]gjson.Result, bool, *apiError) {
	r := p.get(path)
	if !r.Exists() || r.Type == gjson.Null {
		if required {
			return nil, false, validationf("`%s` is required", path)
		}
		return nil, false, nil
	}
	if !r.IsArray() {
		return nil, false, validationf("`%s` must be an array", path)
	}
	return r.Array(), true, nil
}

// ints reads an array of whole numbers.
func (p params) ints(path string, required bool) ([]int, bool, *apiError) {
	items, ok, err := p.array(path, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	out := make([]int, 0, len(items))
	for _, it := range items {
		if it.Type != gjson.Number || it.Num != float64(int64(it.Num)) {
			return nil, false, validationf("`%s` must be an array of integers", path)
		}
		out = append(out, int(it.Int()))
	}
	return out, true, nil
}

// strs reads an array of strings.
func (p params) strs(path string, required bool) ([]string, bool, *apiError) {
	items, ok, err := p.array(path, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it.Type != gjson.String {
			return nil, false, validationf("`%s` must be an array of strings", path)
		}
		out = append(out, it.Str)
	}
	return out, true, nil
}

// stringMap reads an object of string values, keeping the key order of the document.
func (p params) stringMap(path string, required bool) ([]kv, bool, *apiError) {
	o, ok, err := p.object(path, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	var out []kv
	var bad *apiError
	o.doc.ForEach(func(k, v gjson.Result) bool {
		if v.Type != gjson.String {
			bad = validationf("`%s.%s` must be a string", path, k.Str)
			return false
		}
		out = append(out, kv{k.Str, v.Str})
		return true
	})
	return out, true, bad
}

// sessionFields reads 3.2 session_fields: an array of one-key objects with string values.
func (p params) sessionFields(path string, required bool) ([]kv, bool, *apiError) {
	items, ok, err := p.array(path, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	var out []kv
	for _, it := range items {
		if !it.IsObject() {
			return nil, false, validationf("`%s` must be an array of objects", path)
		}
		n := 0
		var bad *apiError
		it.ForEach(func(k, v gjson.Result) bool {
			n++
			if v.Type != gjson.String {
				bad = validationf("`%s` values must be strings", path)
				return false
			}
			out = append(out, kv{k.Str, v.Str})
			return true
		})
		if bad != nil {
			return nil, false, bad
		}
		if n != 1 {
			return nil, false, validationf("`%s` items must hold exactly one key", path)
		}
	}
	if len(out) > 100 {
		return nil, false, validationf("`%s` may hold at most 100 keys", path)
	}
	return out, true, nil
}

// datetime reads an RFC 3339 field of any fractional precision, truncated to microseconds.
func (p params) datetime(path string, required bool) (time.Time, bool, *apiError) {
	s, err := p.str(path, required)
	if err != nil || s == "" {
		return time.Time{}, false, err
	}
	t, perr := time.Parse(time.RFC3339Nano, s)
	if perr != nil {
		return time.Time{}, false, validationf("`%s` must be an RFC 3339 date-time", path)
	}
	return t.UTC().Truncate(time.Microsecond), true, nil
}

// properties reads a request Properties object {ns: {name: value}}. Values must be strings,
// numbers or booleans; a value written in the response form {"value": X} is unwrapped.
func (p params) properties(path string, required bool) (propSet, bool, *apiError) {
	o, ok, err := p.object(path, required)
	if err != nil || !ok {
		return propSet{}, ok, err
	}
	var ps propSet
	var bad *apiError
	o.doc.ForEach(func(ns, names gjson.Result) bool {
		if !names.IsObject() {
			bad = validationf("`%s.%s` must be an object", path, ns.Str)
			return false
		}
		names.ForEach(func(name, val gjson.Result) bool {
			if val.IsObject() {
				if w := val.Get("value"); w.Exists() && len(val.Map()) == 1 {
					val = w
				}
			}
			switch val.Type {
			case gjson.String, gjson.Number, gjson.True, gjson.False:
				ps.set(ns.Str, name.Str, json.RawMessage(val.Raw))
				return true
			}
			bad = validationf("`%s.%s.%s` must be a string, number or boolean", path, ns.Str, name.Str)
			return false
		})
		return bad == nil
	})
	return ps, true, bad
}

// propertyNames reads a deletion request {ns: [names]}.
func (p params) propertyNames(path string) ([]kv, *apiError) {
	o, _, err := p.object(path, true)
	if err != nil {
		return nil, err
	}
	var out []kv
	var bad *apiError
	o.doc.ForEach(func(ns, names gjson.Result) bool {
		if !names.IsArray() {
			bad = validationf("`%s.%s` must be an array of names", path, ns.Str)
			return false
		}
		for _, n := range names.Array() {
			if n.Type != gjson.String {
				bad = validationf("`%s.%s` must be an array of names", path, ns.Str)
				return false
			}
			out = append(out, kv{ns.Str, n.Str})
		}
		return true
	})
	return out, bad
}

// escapePath keeps gjson's wildcard and modifier characters literal in a dotted path.
func escapePath(path string) string {
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '*', '?', '@', '#', '|', '!', '=', '<', '>', '%':
			return escapeSlow(path)
		}
	}
	return path
}

func escapeSlow(path string) string {
	out := make([]byte, 0, len(path)+4)
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '*', '?', '@', '#', '|', '!', '=', '<', '>', '%':
			out = append(out, '\\')
		}
		out = append(out, path[i])
	}
	return string(out)
}

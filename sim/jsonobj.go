package sim

import (
	"bytes"
	"encoding/json"
)

// obj is a JSON object that keeps its keys in insertion order, so that rendered documents are
// byte-stable and read like the documentation samples.
type obj struct {
	keys []string
	vals []any
}

// newObj returns an empty object.
func newObj() *obj { return &obj{} }

// set appends key (or replaces its value when present) and returns o for chaining.
func (o *obj) set(key string, val any) *obj {
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = val
			return o
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, val)
	return o
}

// setIf sets key only when cond holds.
func (o *obj) setIf(cond bool, key string, val any) *obj {
	if cond {
		o.set(key, val)
	}
	return o
}

// get returns the value of key.
func (o *obj) get(key string) (any, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// len reports the number of keys.
func (o *obj) len() int { return len(o.keys) }

// MarshalJSON writes the object with its keys in order.
func (o *obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes v without HTML escaping, as the LiveChat API does.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// mustMarshal encodes values the simulator built itself; they always encode.
func mustMarshal(v any) []byte {
	b, err := marshal(v)
	if err != nil {
		panic("sim: cannot encode own document: " + err.Error())
	}
	return b
}

// rawJSON is a JSON value kept verbatim.
type rawJSON = json.RawMessage

package translate

import (
	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// smallObject is how many members an object may have before the duplicate check keeps its
// keys in a map instead of comparing each with all before it.
const smallObject = 8

// CheckDuplicateKeys refuses a client's payload in which some object has two members with
// the same (decoded) key: 400 validation naming the key. lcgate reads the first of them, as
// gjson does, but upstreams differ (Go's encoding/json takes the last), so such a request
// could mean one thing to the translation and another to the upstream. Depth is bounded by
// the parser (jsontree.MaxDepth).
func CheckDuplicateKeys(d *jsontree.Doc) error {
	if k, ok := duplicateKey(d, d.Root()); ok {
		return &versions.APIError{Status: 400, Type: "validation",
			Message: "lcgate: duplicate key " + quoteKey(k) + " in the payload"}
	}
	return nil
}

func duplicateKey(d *jsontree.Doc, n jsontree.Node) (string, bool) {
	if !d.IsObject(n) && !d.IsArray(n) {
		return "", false
	}
	object := d.IsObject(n)
	var small [smallObject]string
	seen, many := small[:0], map[string]struct{}(nil)
	for ch := d.First(n); ch != jsontree.None; ch = d.Next(ch) {
		if k, ok := duplicateKey(d, ch); ok {
			return k, true
		}
		if !object {
			continue
		}
		k := d.Key(ch)
		if many != nil {
			if _, dup := many[k]; dup {
				return k, true
			}
			many[k] = struct{}{}
			continue
		}
		for _, s := range seen {
			if s == k {
				return k, true
			}
		}
		if seen = append(seen, k); len(seen) == smallObject {
			many = make(map[string]struct{}, 2*smallObject)
			for _, s := range seen {
				many[s] = struct{}{}
			}
		}
	}
	return "", false
}

// quoteKey writes a key as a JSON string, for messages.
func quoteKey(k string) string { return string(jsontree.AppendString(nil, k)) }

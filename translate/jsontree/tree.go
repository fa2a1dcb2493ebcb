package jsontree

import (
	"strconv"
	"sync"
)

// Kind is the JSON type of a node.
type Kind uint8

// The JSON kinds.
const (
	Null Kind = iota
	False
	True
	Number
	String
	Object
	Array
)

// Node identifies a node of a Doc. None is the absent node.
type Node int32

// None is returned by lookups that find nothing.
const None Node = -1

// ref points at bytes of the source (off ≥ 0) or of the document's own buffer (at ^off).
type ref struct {
	off, n int32
}

// extAt is the ref of n bytes at offset off of the document's own buffer.
func extAt(off, n int) ref { return ref{off: ^int32(off), n: int32(n)} }

// node is one JSON value. An object member's key is stored on its value node.
type node struct {
	kind        Kind
	escapedKey  bool // key holds JSON escapes
	escapedStr  bool // string value holds JSON escapes
	key         ref  // member key, without quotes, as written
	raw         ref  // scalars: the JSON text (strings with quotes)
	first, last Node // children
	next        Node // next sibling
}

// Doc is a parsed JSON document held as an arena of nodes, edited in place and written out
// once. Bytes of the input are referenced, not copied: the input must not change while the
// Doc is in use. A Doc is not safe for concurrent use; Reset makes it reusable.
type Doc struct {
	src   []byte
	own   []byte // ParseCopy's copy of the input
	ext   []byte
	nodes []node
	root  Node
}

// Reset empties d, keeping its memory.
func (d *Doc) Reset() {
	d.src, d.ext, d.nodes, d.root = nil, d.ext[:0], d.nodes[:0], None
}

// Root returns the top-level node.
func (d *Doc) Root() Node { return d.root }

// Kind returns the kind of n (Null for None).
func (d *Doc) Kind(n Node) Kind {
	if n == None {
		return Null
	}
	return d.nodes[n].kind
}

// IsObject reports whether n is present and an object.
func (d *Doc) IsObject(n Node) bool { return n != None && d.nodes[n].kind == Object }

// IsArray reports whether n is present and an array.
func (d *Doc) IsArray(n Node) bool { return n != None && d.nodes[n].kind == Array }

func (d *Doc) bytes(r ref) []byte {
	if r.off < 0 {
		o := ^r.off
		return d.ext[o : o+r.n]
	}
	return d.src[r.off : r.off+r.n]
}

func (d *Doc) alloc(k Kind) Node {
	d.nodes = append(d.nodes, node{kind: k, first: None, last: None, next: None})
	return Node(len(d.nodes) - 1)
}

// extRef stores b in the document's own buffer.
func (d *Doc) extRef(b []byte) ref {
	off := len(d.ext)
	d.ext = append(d.ext, b...)
	return extAt(off, len(b))
}

// keyIs reports whether the member n has key k.
func (d *Doc) keyIs(n Node, k string) bool {
	nd := &d.nodes[n]
	if nd.escapedKey {
		return d.Key(n) == k
	}
	return string(d.bytes(nd.key)) == k
}

// Key returns the decoded key of the object member n.
func (d *Doc) Key(n Node) string {
	nd := &d.nodes[n]
	b := d.bytes(nd.key)
	if !nd.escapedKey {
		return string(b)
	}
	s, _ := unquote(b)
	return s
}

// First returns the first child of an object or array, or None.
func (d *Doc) First(n Node) Node {
	if n == None {
		return None
	}
	return d.nodes[n].first
}

// Next returns the next sibling of n, or None.
func (d *Doc) Next(n Node) Node { return d.nodes[n].next }

// Len returns the number of children of an object or array.
func (d *Doc) Len(n Node) int {
	if n == None {
		return 0
	}
	c := 0
	for ch := d.nodes[n].first; ch != None; ch = d.nodes[ch].next {
		c++
	}
	return c
}

// Get returns the value of key in object n, or None (also when n is not an object).
func (d *Doc) Get(n Node, key string) Node {
	if n == None || d.nodes[n].kind != Object {
		return None
	}
	for ch := d.nodes[n].first; ch != None; ch = d.nodes[ch].next {
		if d.keyIs(ch, key) {
			return ch
		}
	}
	return None
}

// Path follows keys from n.
func (d *Doc) Path(n Node, keys ...string) Node {
	for _, k := range keys {
		n = d.Get(n, k)
	}
	return n
}

// Str returns the value of a string node.
func (d *Doc) Str(n Node) (string, bool) {
	if n == None || d.nodes[n].kind != String {
		return "", false
	}
	nd := &d.nodes[n]
	b := d.bytes(nd.raw)
	if !nd.escapedStr {
		return string(b[1 : len(b)-1]), true
	}
	return unquote(b[1 : len(b)-1])
}

// Int returns the value of a number node that holds an integer.
func (d *Doc) Int(n Node) (int64, bool) {
	if n == None || d.nodes[n].kind != Number {
		return 0, false
	}
	v, err := strconv.ParseInt(string(d.bytes(d.nodes[n].raw)), 10, 64)
	return v, err == nil
}

// Bool returns the value of a true/false node.
func (d *Doc) Bool(n Node) (value, ok bool) {
	if n == None {
		return false, false
	}
	switch d.nodes[n].kind {
	case True:
		return true, true
	case False:
		return false, true
	}
	return false, false
}

// NewObject returns a new, detached, empty object.
func (d *Doc) NewObject() Node { return d.alloc(Object) }

// NewArray returns a new, detached, empty array.
func (d *Doc) NewArray() Node { return d.alloc(Array) }

// NewString returns a new string node.
func (d *Doc) NewString(s string) Node {
	n := d.alloc(String)
	start := len(d.ext)
	d.ext = appendQuoted(d.ext, s)
	d.nodes[n].raw = extAt(start, len(d.ext)-start)
	return n
}

// NewInt returns a new number node.
func (d *Doc) NewInt(v int64) Node {
	n := d.alloc(Number)
	start := len(d.ext)
	d.ext = strconv.AppendInt(d.ext, v, 10)
	d.nodes[n].raw = extAt(start, len(d.ext)-start)
	return n
}

// NewBool returns a new true or false node.
func (d *Doc) NewBool(v bool) Node {
	if v {
		return d.alloc(True)
	}
	return d.alloc(False)
}

// Clone copies the subtree at n (which may belong to d) into a new detached node.
func (d *Doc) Clone(n Node) Node {
	if n == None {
		return None
	}
	src := d.nodes[n]
	c := d.alloc(src.kind)
	d.nodes[c].raw, d.nodes[c].escapedStr = src.raw, src.escapedStr
	for ch := src.first; ch != None; ch = d.nodes[ch].next {
		cc := d.Clone(ch)
		d.nodes[cc].key, d.nodes[cc].escapedKey = d.nodes[ch].key, d.nodes[ch].escapedKey
		d.link(c, cc)
	}
	return c
}

// link appends the detached child ch to container n.
func (d *Doc) link(n, ch Node) {
	d.nodes[ch].next = None
	if d.nodes[n].last == None {
		d.nodes[n].first = ch
	} else {
		d.nodes[d.nodes[n].last].next = ch
	}
	d.nodes[n].last = ch
}

func (d *Doc) setKey(ch Node, key string) {
	start := len(d.ext)
	if needsEscape(key) {
		d.ext = appendQuoted(d.ext, key)
		d.nodes[ch].key = extAt(start+1, len(d.ext)-start-2)
		d.nodes[ch].escapedKey = true
		return
	}
	d.ext = append(d.ext, key...)
	d.nodes[ch].key = extAt(start, len(key))
	d.nodes[ch].escapedKey = false
}

// Append adds the detached value v at the end of array n. A value still inside another
// container must be taken out first (Detach) or copied (Clone): nodes have one parent.
func (d *Doc) Append(n, v Node) {
	if n != None && v != None && d.nodes[n].kind == Array {
		d.link(n, v)
	}
}

// Set puts the detached value v under key in object n, in place of an existing member (its
// position kept) or at the end. Like Append, v must not be inside another container.
func (d *Doc) Set(n Node, key string, v Node) {
	if n == None || v == None || d.nodes[n].kind != Object {
		return
	}
	var prev Node = None
	for ch := d.nodes[n].first; ch != None; prev, ch = ch, d.nodes[ch].next {
		if d.keyIs(ch, key) {
			d.nodes[v].key, d.nodes[v].escapedKey = d.nodes[ch].key, d.nodes[ch].escapedKey
			d.replace(n, prev, ch, v)
			return
		}
	}
	d.setKey(v, key)
	d.link(n, v)
}

// InsertBefore puts the detached value v under key in object n just before the member
// named before (at the end when there is none). An existing member named key is removed first.
func (d *Doc) InsertBefore(n Node, before, key string, v Node) {
	if n == None || v == None || d.nodes[n].kind != Object {
		return
	}
	d.Delete(n, key)
	d.setKey(v, key)
	var prev Node = None
	for ch := d.nodes[n].first; ch != None; prev, ch = ch, d.nodes[ch].next {
		if d.keyIs(ch, before) {
			d.nodes[v].next = ch
			if prev == None {
				d.nodes[n].first = v
			} else {
				d.nodes[prev].next = v
			}
			return
		}
	}
	d.link(n, v)
}

// replace swaps child ch (after prev) of n for v.
func (d *Doc) replace(n, prev, ch, v Node) {
	d.nodes[v].next = d.nodes[ch].next
	if prev == None {
		d.nodes[n].first = v
	} else {
		d.nodes[prev].next = v
	}
	if d.nodes[n].last == ch {
		d.nodes[n].last = v
	}
	d.nodes[ch].next = None
}

// Detach removes key from object n and returns its value (None when absent). The value can
// be set elsewhere.
func (d *Doc) Detach(n Node, key string) Node {
	if n == None || d.nodes[n].kind != Object {
		return None
	}
	var prev Node = None
	for ch := d.nodes[n].first; ch != None; prev, ch = ch, d.nodes[ch].next {
		if !d.keyIs(ch, key) {
			continue
		}
		if prev == None {
			d.nodes[n].first = d.nodes[ch].next
		} else {
			d.nodes[prev].next = d.nodes[ch].next
		}
		if d.nodes[n].last == ch {
			d.nodes[n].last = prev
		}
		d.nodes[ch].next = None
		return ch
	}
	return None
}

// Delete removes key from object n and reports whether it was there.
func (d *Doc) Delete(n Node, key string) bool { return d.Detach(n, key) != None }

// Rename changes a member's key in place; it reports whether the member existed.
func (d *Doc) Rename(n Node, from, to string) bool {
	ch := d.Get(n, from)
	if ch == None {
		return false
	}
	d.Delete(n, to)
	d.setKey(ch, to)
	return true
}

// Clear removes every child of an object or array.
func (d *Doc) Clear(n Node) {
	if n != None {
		d.nodes[n].first, d.nodes[n].last = None, None
	}
}

// needsEscape reports whether s must be escaped inside a JSON string.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}

// Import copies the subtree n of another document into d and returns it, detached.
func (d *Doc) Import(src *Doc, n Node) Node {
	if n == None {
		return None
	}
	s := src.nodes[n]
	c := d.alloc(s.kind)
	if s.kind != Object && s.kind != Array {
		d.nodes[c].raw = d.extRef(src.bytes(s.raw))
		d.nodes[c].escapedStr = s.escapedStr
	}
	for ch := s.first; ch != None; ch = src.nodes[ch].next {
		cc := d.Import(src, ch)
		if s.kind == Object {
			d.nodes[cc].key = d.extRef(src.bytes(src.nodes[ch].key))
			d.nodes[cc].escapedKey = src.nodes[ch].escapedKey
		}
		d.link(c, cc)
	}
	return c
}

// ParseCopy is Parse on a private copy of src, so src may be reused at once.
func (d *Doc) ParseCopy(src []byte) error {
	d.own = append(d.own[:0], src...)
	return d.Parse(d.own)
}

// JSON returns the compact text of the whole document.
func (d *Doc) JSON() []byte { return d.AppendJSON(make([]byte, 0, d.SizeHint()), d.root) }

// SizeHint is about as long as the JSON text of any part of d: the length of the input it
// was parsed from plus the bytes edits added. Writers size their buffer with it once
// instead of growing it step by step.
func (d *Doc) SizeHint() int { return len(d.src) + len(d.ext) }

// New returns a document holding an empty object.
func New() *Doc {
	d := &Doc{}
	d.Reset()
	d.root = d.NewObject()
	return d
}

// SetRoot makes the detached node n the document's top-level value.
func (d *Doc) SetRoot(n Node) { d.root = n }

// StrBytes returns the content of a string node without its quotes. When the string holds
// escapes it is decoded into a new slice; otherwise the slice aliases the document and must
// not be kept past the document's life.
func (d *Doc) StrBytes(n Node) ([]byte, bool) {
	if n == None || d.nodes[n].kind != String {
		return nil, false
	}
	nd := &d.nodes[n]
	b := d.bytes(nd.raw)
	if !nd.escapedStr {
		return b[1 : len(b)-1], true
	}
	s, ok := unquote(b[1 : len(b)-1])
	return []byte(s), ok
}

// KeyBytes returns the key of member n as written (escapes kept), aliasing the document.
func (d *Doc) KeyBytes(n Node) []byte { return d.bytes(d.nodes[n].key) }

// ReplaceNode puts the detached value v in place of child old of container n (keeping old's
// key) and returns old, now detached.
func (d *Doc) ReplaceNode(n, old, v Node) Node {
	if n == None || old == None || v == None {
		return None
	}
	var prev Node = None
	for ch := d.nodes[n].first; ch != None; prev, ch = ch, d.nodes[ch].next {
		if ch == old {
			d.nodes[v].key, d.nodes[v].escapedKey = d.nodes[old].key, d.nodes[old].escapedKey
			d.replace(n, prev, old, v)
			return old
		}
	}
	return None
}

// InsertAfter puts the detached value v under key in object n right after member after (at
// the start when after is None). An existing member named key is removed first.
func (d *Doc) InsertAfter(n, after Node, key string, v Node) {
	if n == None || v == None || d.nodes[n].kind != Object {
		return
	}
	if old := d.Get(n, key); old != None && old != after {
		d.Delete(n, key)
	}
	d.LinkAfter(n, after, key, v)
}

// Swap puts the detached value v, named key, in place of member old of object n, and
// returns old, detached.
func (d *Doc) Swap(n, old Node, key string, v Node) Node {
	if d.ReplaceNode(n, old, v) == None {
		return None
	}
	d.setKey(v, key)
	return old
}

// pool recycles documents: their node and byte buffers are the bulk of a translation's
// memory.
var pool = sync.Pool{New: func() any { return &Doc{} }}

// maxPooledNodes keeps documents that grew unusually large out of the pool.
const maxPooledNodes = 1 << 14

// Acquire returns an empty-object document from the pool. Give it back with Release once
// nothing refers to it or to bytes it returned.
func Acquire() *Doc {
	d := pool.Get().(*Doc)
	d.Reset()
	d.root = d.NewObject()
	return d
}

// Release returns d to the pool; d must not be used afterwards.
func Release(d *Doc) {
	if d == nil || cap(d.nodes) > maxPooledNodes {
		return
	}
	d.Reset()
	d.own = d.own[:0]
	pool.Put(d)
}

// SwapAfter is Swap for a member whose previous sibling is known (None: old is first),
// saving the search for it.
func (d *Doc) SwapAfter(n, prev, old Node, key string, v Node) {
	if n == None || old == None || v == None {
		return
	}
	d.nodes[v].key, d.nodes[v].escapedKey = d.nodes[old].key, d.nodes[old].escapedKey
	d.replace(n, prev, old, v)
	d.setKey(v, key)
}

// LinkAfter puts the detached value v, named key, right after member after of object n (at
// the start when after is None). Unlike InsertAfter it does not look for an existing member
// named key: the caller knows there is none.
func (d *Doc) LinkAfter(n, after Node, key string, v Node) {
	if n == None || v == None || d.nodes[n].kind != Object {
		return
	}
	d.setKey(v, key)
	if after == None {
		d.nodes[v].next = d.nodes[n].first
		d.nodes[n].first = v
		if d.nodes[n].last == None {
			d.nodes[n].last = v
		}
		return
	}
	d.nodes[v].next = d.nodes[after].next
	d.nodes[after].next = v
	if d.nodes[n].last == after {
		d.nodes[n].last = v
	}
}

package jsontree

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays a document may have. Deeper input is
// refused before any other work, so no translation step can overflow the stack.
const MaxDepth = 64

// DefaultMaxValues is how many JSON values (objects, arrays, members' values and elements,
// scalars) one document may hold unless SetMaxValues says otherwise. Each costs a node of
// the tree, so the cap bounds the memory of a document (about 40 bytes a value, besides the
// text): 250,000 values are far more than the API's largest documents.
const DefaultMaxValues = 250_000

// maxValues is the cap in force (SetMaxValues).
var maxValues atomic.Int64

func init() { maxValues.Store(DefaultMaxValues) }

// SetMaxValues sets how many values one document may hold, for every Parse of the process
// (DefaultMaxValues when n is not positive).
func SetMaxValues(n int) {
	if n <= 0 {
		n = DefaultMaxValues
	}
	maxValues.Store(int64(n))
}

// MaxValues is the cap in force.
func MaxValues() int { return int(maxValues.Load()) }

// ErrTooLarge reports input with more values than MaxValues.
var ErrTooLarge = errors.New("JSON document too large")

// ErrSyntax reports input that is not a single valid JSON value (RFC 8259, UTF-8).
var ErrSyntax = errors.New("invalid JSON")

// ErrTooDeep reports input nested deeper than MaxDepth.
var ErrTooDeep = errors.New("JSON nested too deeply")

// SyntaxError locates a JSON error.
type SyntaxError struct {
	Offset int
	Err    error // ErrSyntax, ErrTooDeep or ErrTooLarge
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse reads src into d (which is Reset first). src is referenced, not copied.
func (d *Doc) Parse(src []byte) error {
	d.Reset()
	d.src = src
	d.reserve(src)
	p := parser{d: d, s: src}
	p.skipSpace()
	root, err := p.value(0)
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.i != len(src) {
		return p.fail(ErrSyntax, "data after the top-level value")
	}
	d.root = root
	return nil
}

// reserve sizes d's nodes for src once, so a large document does not grow its tree by
// doubling (which allocates twice the tree over the parse): an estimate of its values — one
// per comma, opening bracket and the top level — at most one per minValueBytes of input
// (commas inside strings would inflate it) and never above MaxValues.
func (d *Doc) reserve(src []byte) {
	if len(src) < 64<<10 || cap(d.nodes) >= len(src)/minValueBytes {
		return // small, or room enough already: append's growth is cheap here
	}
	n := bytes.Count(src, []byte{','}) + bytes.Count(src, []byte{'{'}) + bytes.Count(src, []byte{'['}) + 1
	n = min(n, len(src)/minValueBytes, int(maxValues.Load()))
	if n > cap(d.nodes) {
		d.nodes = make([]node, 0, n)
	}
}

// minValueBytes is the least input a value takes besides the first (a one-digit element and
// its comma: "1,").
const minValueBytes = 2

type parser struct {
	d *Doc
	s []byte
	i int
}

func (p *parser) fail(kind error, msg string) error {
	return &SyntaxError{Offset: p.i, Err: kind, Msg: msg}
}

// The error paths of value, object and array are functions of their own, kept out of line:
// value and object recurse once per nesting level, and their frames (a push nests five
// levels deep) decide how much stack a translation needs.

//go:noinline
func (p *parser) tooLarge() error {
	return p.fail(ErrTooLarge, fmt.Sprintf("more than %d values", maxValues.Load()))
}

func (p *parser) tooDeep() error {
	return p.fail(ErrTooDeep, fmt.Sprintf("more than %d levels", MaxDepth))
}

//go:noinline
func (p *parser) unexpected(c byte) error {
	return p.fail(ErrSyntax, fmt.Sprintf("unexpected character %q", c))
}

func (p *parser) skipSpace() {
	i, s := p.i, p.s
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	p.i = i
}

func (p *parser) value(depth int) (Node, error) {
	if len(p.d.nodes) >= int(maxValues.Load()) {
		return None, p.tooLarge()
	}
	if p.i >= len(p.s) {
		return None, p.fail(ErrSyntax, "unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		start := p.i
		esc, err := p.str()
		if err != nil {
			return None, err
		}
		n := p.d.alloc(String)
		p.d.nodes[n].raw = ref{off: int32(start), n: int32(p.i - start)}
		p.d.nodes[n].escapedStr = esc
		return n, nil
	case c == 't':
		return p.literal("true", True)
	case c == 'f':
		return p.literal("false", False)
	case c == 'n':
		return p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return None, p.unexpected(c)
	}
}

func (p *parser) literal(word string, k Kind) (Node, error) {
	if len(p.s)-p.i < len(word) || string(p.s[p.i:p.i+len(word)]) != word {
		return None, p.fail(ErrSyntax, "invalid literal")
	}
	n := p.d.alloc(k)
	p.d.nodes[n].raw = ref{off: int32(p.i), n: int32(len(word))}
	p.i += len(word)
	return n, nil
}

func (p *parser) number() (Node, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i >= len(p.s) {
		return None, p.fail(ErrSyntax, "invalid number")
	}
	if p.s[p.i] == '0' {
		p.i++
	} else if !p.digits() {
		return None, p.fail(ErrSyntax, "invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if !p.digits() {
			return None, p.fail(ErrSyntax, "invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return None, p.fail(ErrSyntax, "invalid number")
		}
	}
	n := p.d.alloc(Number)
	p.d.nodes[n].raw = ref{off: int32(start), n: int32(p.i - start)}
	return n, nil
}

func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// str scans a string starting at the opening quote, validating escapes and UTF-8. It reports
// whether the string holds escapes.
func (p *parser) str() (escaped bool, err error) {
	p.i++ // opening quote
	s := p.s
	for p.i < len(s) {
		// Fast path: runs of printable ASCII other than '"' and '\\'.
		i := p.i
		for i < len(s) && plainASCII[s[i]] {
			i++
		}
		p.i = i
		if i >= len(s) {
			break
		}
		c := s[p.i]
		switch {
		case c == '"':
			p.i++
			return escaped, nil
		case c == '\\':
			escaped = true
			if err := p.escape(); err != nil {
				return false, err
			}
		case c < 0x20:
			return false, p.fail(ErrSyntax, "control character in string")
		default:
			r, size := utf8.DecodeRune(s[p.i:])
			if r == utf8.RuneError && size <= 1 {
				return false, p.fail(ErrSyntax, "invalid UTF-8 in string")
			}
			p.i += size
		}
	}
	return false, p.fail(ErrSyntax, "unterminated string")
}

// plainASCII marks the bytes a string may hold as they are: printable ASCII but '"' and '\\'.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (p *parser) escape() error {
	if p.i+1 >= len(p.s) {
		return p.fail(ErrSyntax, "unterminated escape")
	}
	switch p.s[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
		return nil
	case 'u':
		if p.i+6 > len(p.s) {
			return p.fail(ErrSyntax, "short \\u escape")
		}
		for _, h := range p.s[p.i+2 : p.i+6] {
			if !isHex(h) {
				return p.fail(ErrSyntax, "invalid \\u escape")
			}
		}
		p.i += 6
		return nil
	}
	return p.fail(ErrSyntax, "invalid escape")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (p *parser) object(depth int) (Node, error) {
	if depth > MaxDepth {
		return None, p.tooDeep()
	}
	obj := p.d.alloc(Object)
	p.i++ // {
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return obj, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return None, p.fail(ErrSyntax, "expected a key")
		}
		kstart := p.i
		kesc, err := p.str()
		if err != nil {
			return None, err
		}
		kend := p.i
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return None, p.fail(ErrSyntax, "expected ':'")
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return None, err
		}
		p.d.nodes[v].key = ref{off: int32(kstart + 1), n: int32(kend - kstart - 2)}
		p.d.nodes[v].escapedKey = kesc
		p.d.link(obj, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return None, p.fail(ErrSyntax, "unterminated object")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == '}' {
			p.i++
			return obj, nil
		}
		return None, p.fail(ErrSyntax, "expected ',' or '}'")
	}
}

func (p *parser) array(depth int) (Node, error) {
	if depth > MaxDepth {
		return None, p.tooDeep()
	}
	arr := p.d.alloc(Array)
	p.i++ // [
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return arr, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return None, err
		}
		p.d.link(arr, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return None, p.fail(ErrSyntax, "unterminated array")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == ']' {
			p.i++
			return arr, nil
		}
		return None, p.fail(ErrSyntax, "expected ',' or ']'")
	}
}

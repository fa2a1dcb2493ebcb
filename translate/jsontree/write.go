package jsontree

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendJSON appends the compact JSON text of the subtree at n to dst. Scalars and keys are
// copied as they were written (escapes kept).
func (d *Doc) AppendJSON(dst []byte, n Node) []byte {
	nd := &d.nodes[n]
	switch nd.kind {
	case Object:
		dst = append(dst, '{')
		for ch := nd.first; ch != None; ch = d.nodes[ch].next {
			if ch != nd.first {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = append(dst, d.bytes(d.nodes[ch].key)...)
			dst = append(dst, '"', ':')
			dst = d.AppendJSON(dst, ch)
		}
		return append(dst, '}')
	case Array:
		dst = append(dst, '[')
		for ch := nd.first; ch != None; ch = d.nodes[ch].next {
			if ch != nd.first {
				dst = append(dst, ',')
			}
			dst = d.AppendJSON(dst, ch)
		}
		return append(dst, ']')
	case Null:
		return append(dst, "null"...)
	case True:
		return append(dst, "true"...)
	case False:
		return append(dst, "false"...)
	}
	return append(dst, d.bytes(nd.raw)...)
}

// appendQuoted appends s as a JSON string literal.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigit(c>>4), hexDigit(c&0xf))
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func hexDigit(b byte) byte { return "0123456789abcdef"[b] }

// unquote decodes the content of a JSON string (without its quotes). The input was
// validated by the parser.
func unquote(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(b) {
			return "", false
		}
		i++
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+5 > len(b) {
				return "", false
			}
			r, err := strconv.ParseUint(string(b[i+1:i+5]), 16, 32)
			if err != nil {
				return "", false
			}
			i += 4
			ru := rune(r)
			if utf16.IsSurrogate(ru) && i+7 <= len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
				if r2, err := strconv.ParseUint(string(b[i+3:i+7]), 16, 32); err == nil {
					if dec := utf16.DecodeRune(ru, rune(r2)); dec != utf8.RuneError {
						ru = dec
						i += 6
					}
				}
			}
			out = utf8.AppendRune(out, ru)
		default:
			return "", false
		}
	}
	return string(out), true
}

// AppendString appends s as a JSON string literal.
func AppendString(dst []byte, s string) []byte { return appendQuoted(dst, s) }

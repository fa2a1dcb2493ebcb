package versions

import (
	"strconv"
	"strings"
	"time"
)

// This file holds the small conversions the changes share.

// timeLayout is RFC 3339 in UTC with exactly 6 fractional digits, as 3.1 and 3.2 write times.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// FormatTime writes t in the 3.1/3.2 datetime format.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads an RFC 3339 datetime of any precision.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err == nil
}

// timeAt reads the datetime string at key of object n.
func timeAt(d *Doc, n Node, key string) (time.Time, bool) { return timeOf(d, d.Get(n, key)) }

// timeOf reads a datetime string node.
func timeOf(d *Doc, v Node) (time.Time, bool) {
	b, ok := d.StrBytes(v)
	if !ok {
		return time.Time{}, false
	}
	if t, ok := parseTimeFast(b); ok {
		return t, true
	}
	return parseTime(string(b))
}

// num reads a run of decimal digits.
func num(s []byte) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseTimeFast reads the common form "YYYY-MM-DDTHH:MM:SS[.f…]Z" without allocating; other
// forms (offsets, odd precision) are left to parseTime.
func parseTimeFast(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	dd, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || dd < 1 || dd > 31 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if rest := b[19 : len(b)-1]; len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return time.Time{}, false
		}
		f, ok := num(rest[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(rest) - 1; i < 9; i++ {
			f *= 10
		}
		nsec = f
	}
	t := time.Date(y, time.Month(mo), dd, h, mi, s, nsec, time.UTC)
	if t.Day() != dd { // 31 February and the like
		return time.Time{}, false
	}
	return t, true
}

// intAt reads the integer at key of object n.
func intAt(d *Doc, n Node, key string) (int64, bool) { return d.Int(d.Get(n, key)) }

// strAt reads the string at key of object n.
func strAt(d *Doc, n Node, key string) string {
	s, _ := d.Str(d.Get(n, key))
	return s
}

// strIs reports whether the member key of n is the string want, without allocating.
func strIs(d *Doc, n Node, key, want string) bool {
	b, ok := d.StrBytes(d.Get(n, key))
	return ok && string(b) == want
}

// timeToOrder is the `order` the gateway writes for a time: its unix microseconds. It sorts
// as the times do and matches what the other changes write for the same instant.
func timeToOrder(t time.Time) int64 { return t.UnixMicro() }

// orderToTime reads a chat or thread `order` as a time: unix microseconds when it is that
// large (≥ 1e14, after 1973 in µs), else unix seconds (spec/structures.md §8 B4; UNCONFIRMED
// unit).
func orderToTime(order int64) time.Time {
	if order >= 1e14 {
		return time.UnixMicro(order).UTC()
	}
	return time.Unix(order, 0).UTC()
}

// replaceTime swaps the datetime member from (at its position) for the integers produced by
// conv, named to; it reports whether from was a datetime.
func replaceTime(d *Doc, n Node, from, to string, conv func(time.Time) int64) (time.Time, bool) {
	old := d.Get(n, from)
	t, ok := timeOf(d, old)
	if !ok {
		return t, false
	}
	d.Swap(n, old, to, d.NewInt(conv(t)))
	return t, true
}

// fieldsToSession turns a {"k": "v"} object into [{"k": "v"}, …], keeping key order.
func fieldsToSession(d *Doc, fields Node) Node {
	arr := d.NewArray()
	for ch := d.First(fields); ch != None; {
		next := d.Next(ch)
		key := d.Key(ch)
		item := d.NewObject()
		d.Set(item, key, d.Detach(fields, key))
		d.Append(arr, item)
		ch = next
	}
	return arr
}

// sessionToFields turns [{"k": "v"}, …] into {"k": "v", …}; a repeated key keeps its last
// value (spec/structures.md §8 B5).
func sessionToFields(e *Env, d *Doc, session Node) Node {
	obj := d.NewObject()
	for item := d.First(session); item != None; item = d.Next(item) {
		if !d.IsObject(item) {
			continue
		}
		for ch := d.First(item); ch != None; {
			next := d.Next(ch)
			key := d.Key(ch)
			if d.Get(obj, key) != None {
				e.lossy("session_fields: repeated key")
			}
			d.Set(obj, key, d.Detach(item, key))
			ch = next
		}
	}
	return obj
}

// isCustomerID reports whether id looks like a customer id (a UUID); agent ids are e-mail
// addresses or 32 hex digits.
func isCustomerID(id string) bool {
	return len(id) == 36 && strings.Count(id, "-") == 4
}

// newObjectWith builds an object from alternating keys and nodes.
func newObjectWith(d *Doc, kv ...any) Node {
	o := d.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(o, kv[i].(string), kv[i+1].(Node))
	}
	return o
}

// itoa formats a small integer.
func itoa(i int) string { return strconv.Itoa(i) }

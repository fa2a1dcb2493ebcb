package jsontree

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestDocNodeEditsKeepOrderAndKeys(t *testing.T) {
	d := mustParse(t, `{"a":1,"b":{"value":2},"c":3}`)
	r := d.Root()
	b := d.Get(r, "b")
	inner := d.Detach(b, "value")
	if old := d.ReplaceNode(r, b, inner); old != b {
		t.Fatalf("ReplaceNode returned %d, want %d", old, b)
	}
	d.InsertAfter(r, None, "first", d.NewBool(true))
	d.InsertAfter(r, d.Get(r, "c"), "last", d.NewString("z"))
	a := d.Get(r, "a")
	d.SwapAfter(r, d.Get(r, "first"), a, "A", d.NewInt(10))
	d.LinkAfter(r, d.Get(r, "A"), "a2", d.NewInt(11))
	d.Swap(r, d.Get(r, "c"), "C", d.NewInt(30))
	got := string(d.JSON())
	want := `{"first":true,"A":10,"a2":11,"b":2,"C":30,"last":"z"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestDocImportCopiesAcrossDocuments(t *testing.T) {
	src := mustParse(t, `{"x":{"k\"q":[1,"two",{"t":null}]}}`)
	dst := New()
	dst.Set(dst.Root(), "y", dst.Import(src, src.Get(src.Root(), "x")))
	Release(src) // the copy must not depend on src any more
	if got, want := string(dst.JSON()), `{"y":{"k\"q":[1,"two",{"t":null}]}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestDocStrBytesDecodesEscapesOnly(t *testing.T) {
	d := mustParse(t, `{"plain":"abc","esc":"a\nb\u00e9"}`)
	if b, ok := d.StrBytes(d.Get(d.Root(), "plain")); !ok || string(b) != "abc" {
		t.Errorf("plain = %q %v", b, ok)
	}
	if b, ok := d.StrBytes(d.Get(d.Root(), "esc")); !ok || string(b) != "a\nbé" {
		t.Errorf("escaped = %q %v", b, ok)
	}
	if _, ok := d.StrBytes(d.Root()); ok {
		t.Error("StrBytes accepted an object")
	}
}

func TestAcquiredDocumentsStartEmpty(t *testing.T) {
	d := Acquire()
	_ = d.ParseCopy([]byte(`{"big":[1,2,3]}`))
	Release(d)
	e := Acquire()
	if got := string(e.JSON()); got != `{}` {
		t.Fatalf("acquired document holds %s", got)
	}
	Release(e)
}

// FuzzParse: the parser never panics, accepts exactly what encoding/json accepts (within the
// depth limit, and refusing invalid UTF-8, which encoding/json lets through), and writes
// back a document that means the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2,{"b":"c"}]}`, `"\u00e9"`, `[1e10,-0.5,true,null]`, `{"a":"\ud83d\ude00"}`, `{"a"}`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var d Doc
		err := d.Parse(in)
		valid := json.Valid(in) && utf8.Valid(in)
		if err != nil {
			if valid && !errorsIsTooDeep(err) {
				t.Fatalf("refused valid JSON %q: %v", in, err)
			}
			return
		}
		if !valid {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		out := d.JSON()
		a, errA := decodeNumbers(in)
		b, errB := decodeNumbers(out)
		if errA != nil || errB != nil {
			t.Fatalf("output not valid JSON: %q → %q (%v, %v)", in, out, errA, errB)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Fatalf("meaning changed: %q → %q", in, out)
		}
	})
}

func errorsIsTooDeep(err error) bool {
	se, ok := err.(*SyntaxError)
	return ok && se.Err == ErrTooDeep
}

// decodeNumbers decodes JSON keeping numbers as written (huge exponents included).
func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

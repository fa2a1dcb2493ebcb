package jsontree

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func mustParse(t *testing.T, s string) *Doc {
	t.Helper()
	d := &Doc{}
	if err := d.Parse([]byte(s)); err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return d
}

func TestDocRoundTripsValidJSONCompactly(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `null`, `true`, `-0.5e+10`, `"a\u00e9\n\"b"`,
		` { "a" : [ 1 , { "b" : null } ] , "c\"d" : "x" } `,
		`{"emoji":"😀","esc":"\ud83d\ude00"}`,
	} {
		d := mustParse(t, in)
		got := string(d.AppendJSON(nil, d.Root()))
		var want, have any
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(got), &have); err != nil {
			t.Fatalf("%q → invalid output %q", in, got)
		}
		wb, _ := json.Marshal(want)
		hb, _ := json.Marshal(have)
		if string(wb) != string(hb) || strings.ContainsAny(got, " \n") && !strings.Contains(in, `\n`) {
			t.Errorf("%q → %q", in, got)
		}
	}
}

func TestDocRefusesInvalidJSON(t *testing.T) {
	for _, in := range []string{
		``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `{"a":1,}`, `01`, `1.`, `-`, `tru`, `"abc`,
		"\"a\x01\"", "\"\xff\"", `"\x"`, `"\u12"`, `{} {}`, `{"a":1}x`, `NaN`,
	} {
		d := &Doc{}
		err := d.Parse([]byte(in))
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", in, err)
		}
	}
}

func TestDocRefusesDeepNesting(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	mustParse(t, ok)
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	if err := (&Doc{}).Parse([]byte(deep)); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
	huge := strings.Repeat("[", 1_000_000)
	if err := (&Doc{}).Parse([]byte(huge)); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
}

func TestDocEditsKeepMemberOrder(t *testing.T) {
	d := mustParse(t, `{"id":"e1","created_at":"x","type":"message","text":"hi"}`)
	r := d.Root()
	d.Set(r, "created_at", d.NewInt(7))    // replace in place
	d.Rename(r, "created_at", "timestamp") // rename in place
	d.InsertBefore(r, "timestamp", "order", d.NewInt(1))
	d.Set(r, "recipients", d.NewString(`a"b`)) // append
	d.Delete(r, "type")
	v := d.Detach(r, "text")
	d.InsertBefore(r, "id", "text", v)
	got := string(d.AppendJSON(nil, r))
	want := `{"text":"hi","id":"e1","order":1,"timestamp":7,"recipients":"a\"b"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestDocReadsValues(t *testing.T) {
	d := mustParse(t, `{"s":"a\u00e9","n":42,"f":1.5,"b":true,"o":{"k":[1]},"esc\u0061ped":1}`)
	r := d.Root()
	if s, ok := d.Str(d.Get(r, "s")); !ok || s != "aé" {
		t.Errorf("Str = %q %v", s, ok)
	}
	if n, ok := d.Int(d.Get(r, "n")); !ok || n != 42 {
		t.Errorf("Int = %d %v", n, ok)
	}
	if _, ok := d.Int(d.Get(r, "f")); ok {
		t.Error("Int accepted 1.5")
	}
	if b, ok := d.Bool(d.Get(r, "b")); !ok || !b {
		t.Error("Bool")
	}
	if d.Get(r, "escaped") == None {
		t.Error("escaped key not found by its decoded name")
	}
	if !d.IsArray(d.Path(r, "o", "k")) || d.Len(d.Path(r, "o", "k")) != 1 {
		t.Error("Path")
	}
	if d.Get(d.Get(r, "n"), "x") != None {
		t.Error("Get on a number")
	}
}

package translate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/translate/jsontree"
)

func TestCheckDuplicateKeys(t *testing.T) {
	many := func(n int, extra string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		return b.String() + extra + "}"
	}
	for _, tc := range []struct{ doc, dup string }{
		{`{}`, ""},
		{`{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, ""}, // the same key in different objects
		{`{"a":1,"a":2}`, "a"},
		{`{"a":1,"\u0061":2}`, "a"}, // keys compare decoded
		{`{"x":[1,{"b":1,"b":2}]}`, "b"},
		{many(20, `"k20":0`), ""},
		{many(20, `"k3":0`), "k3"},   // found through the map
		{many(20, `"k19":0`), "k19"}, // a key added to the map after it was built
	} {
		d := jsontree.Acquire()
		if err := d.Parse([]byte(tc.doc)); err != nil {
			t.Fatal(err)
		}
		err := CheckDuplicateKeys(d)
		jsontree.Release(d)
		switch {
		case tc.dup == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.doc, err)
		case tc.dup != "" && (err == nil || !strings.Contains(err.Error(), `duplicate key "`+tc.dup+`"`)):
			t.Errorf("%s: %v, want duplicate key %q", tc.doc, err, tc.dup)
		}
	}
}

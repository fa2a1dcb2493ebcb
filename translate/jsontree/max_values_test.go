package jsontree

import (
	"errors"
	"strings"
	"testing"
)

// TestParseRefusesDocumentsOverMaxValues: a document with more values than MaxValues is
// refused with ErrTooLarge before its tree grows further; one at the cap is read.
func TestParseRefusesDocumentsOverMaxValues(t *testing.T) {
	defer SetMaxValues(0)
	SetMaxValues(4)
	var d Doc
	if err := d.Parse([]byte(`{"a":1,"b":[2,3]}`)); err != nil { // five values: the object, 1, the array, 2, 3
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("5 values: %v, want ErrTooLarge", err)
		}
	} else {
		t.Fatal("5 values read with a cap of 4")
	}
	if err := d.Parse([]byte(`{"a":1,"b":[2]}`)); err != nil {
		t.Fatalf("4 values with a cap of 4: %v", err)
	}
	SetMaxValues(0)
	if MaxValues() != DefaultMaxValues {
		t.Errorf("SetMaxValues(0) left %d, want the default", MaxValues())
	}
	big := "[" + strings.Repeat("1,", DefaultMaxValues) + "1]"
	if err := d.Parse([]byte(big)); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 250000 values") {
		t.Errorf("a document over the default: %v", err)
	}
}

package readall

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestAppendReadsEverythingIntoTheGivenBuffer(t *testing.T) {
	want := strings.Repeat("0123456789", 300)
	for name, r := range map[string]io.Reader{
		"one byte at a time": iotest.OneByteReader(strings.NewReader(want)),
		"data with EOF":      iotest.DataErrReader(strings.NewReader(want)),
		"half reads":         iotest.HalfReader(strings.NewReader(want)),
	} {
		got, err := Append(make([]byte, 0, 16), r)
		if err != nil || string(got) != want {
			t.Errorf("%s: got %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
	// A reused buffer starts over: nothing of the previous message is left in front.
	buf := []byte("previous message, longer than the next")
	got, err := Append(buf[:0], strings.NewReader("next"))
	if err != nil || string(got) != "next" {
		t.Errorf("reused buffer: %q, %v", got, err)
	}
}

func TestAppendReturnsTheReadersError(t *testing.T) {
	boom := errors.New("read limit exceeded")
	r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom))
	if _, err := Append(nil, r); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

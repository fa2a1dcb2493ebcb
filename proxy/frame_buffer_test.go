package proxy

import (
	"bytes"
	"testing"
)

func TestFramePoolKeepsNoHugeBuffer(t *testing.T) {
	huge := &frameBuffer{data: bytes.Repeat([]byte{'x'}, maxPooledFrame+1)}
	huge.release()
	for range 100 { // sync.Pool may hand back any pooled buffer: none may be the huge one
		b := framePool.Get().(*frameBuffer)
		if cap(b.data) > maxPooledFrame {
			t.Fatalf("pool returned a buffer of %d bytes", cap(b.data))
		}
	}
}

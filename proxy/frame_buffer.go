package proxy

import (
	"io"
	"sync"

	"github.com/lcgate/lcgate/internal/readall"
)

// maxPooledFrame is the largest buffer put back in framePool: a rare huge message must not
// keep its memory alive in the pool.
const maxPooledFrame = 64 << 10

// framePool holds the buffers relays read messages into. A buffer is taken when a message
// arrives and given back once everything made of it has been written, so an idle leg holds
// none, and a busy one reuses the same few instead of allocating one per frame.
var framePool = sync.Pool{New: func() any { return new(frameBuffer) }}

// frameBuffer is one message's bytes, read from a leg.
type frameBuffer struct{ data []byte }

// readMessage reads the message r (from NextReader) into a pooled buffer. The message is
// valid until release; the caller must not keep it, nor anything that aliases it, past that.
func readMessage(r io.Reader) (*frameBuffer, error) {
	buf := framePool.Get().(*frameBuffer)
	var err error
	if buf.data, err = readall.Append(buf.data[:0], r); err != nil {
		buf.release()
		return nil, err
	}
	return buf, nil
}

// release gives b back to the pool.
func (b *frameBuffer) release() {
	if cap(b.data) > maxPooledFrame {
		return
	}
	framePool.Put(b)
}

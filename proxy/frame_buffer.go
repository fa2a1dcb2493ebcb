package proxy

import (
	"sync"

	"github.com/fasthttp/websocket"
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

// readFrame reads c's next message into a pooled buffer. The message is valid until
// release; the caller must not keep it, nor anything that aliases it, past that.
func readFrame(c *websocket.Conn) (kind int, buf *frameBuffer, err error) {
	kind, r, err := c.NextReader()
	if err != nil {
		return kind, nil, err
	}
	buf = framePool.Get().(*frameBuffer)
	if buf.data, err = readall.Append(buf.data[:0], r); err != nil {
		buf.release()
		return kind, nil, err
	}
	return kind, buf, nil
}

// release gives b back to the pool.
func (b *frameBuffer) release() {
	if cap(b.data) > maxPooledFrame {
		return
	}
	framePool.Put(b)
}

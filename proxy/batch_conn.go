package proxy

import (
	"net"
	"sync"
)

// batchConn is the client leg's connection: the bytes written while a batch is open are
// gathered and written in one call when it closes, so that the frames ready for a client at
// once (an answer and the pushes held behind it, one frame's header and payload) cost one
// system call. Outside a batch, writes go straight through (the 101, control frames of other
// goroutines). The batch buffer comes from a pool for the time of the batch: an idle session
// holds none. Safe for concurrent use.
type batchConn struct {
	net.Conn
	mu   sync.Mutex
	open bool
	buf  *[]byte
}

// maxPooledBatch is the largest batch buffer given back to the pool.
const maxPooledBatch = 64 << 10

var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// Write gathers p into the open batch, or writes it through.
func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.open {
		return c.Conn.Write(p)
	}
	*c.buf = append(*c.buf, p...)
	return len(p), nil
}

// begin opens a batch. The caller serializes batches (the leg's write lock).
func (c *batchConn) begin() {
	c.mu.Lock()
	c.open, c.buf = true, batchBuffers.Get().(*[]byte)
	c.mu.Unlock()
}

// end writes the batch's bytes in one call, under the write deadline last set, and closes it.
func (c *batchConn) end() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if len(*c.buf) > 0 {
		_, err = c.Conn.Write(*c.buf)
	}
	if cap(*c.buf) <= maxPooledBatch {
		*c.buf = (*c.buf)[:0]
		batchBuffers.Put(c.buf)
	}
	c.open, c.buf = false, nil
	return err
}

package proxy

import (
	"net"
	"sync"
	"testing"
)

// countingConn records each Write it gets.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

// TestBatchConnWritesABurstInOneCall: the frames written while a batch is open reach the
// connection in one write, in order, also when one frame is larger than the WebSocket write
// buffer (header and payload are then two pieces); outside a batch writes go straight through.
func TestBatchConnWritesABurstInOneCall(t *testing.T) {
	under := &countingConn{}
	c := &batchConn{Conn: under}
	if _, err := c.Write([]byte("direct")); err != nil || len(under.writes) != 1 {
		t.Fatalf("a write outside a batch: %v, %d writes", err, len(under.writes))
	}
	c.begin()
	for _, p := range []string{"a", "bb", "ccc"} {
		if n, err := c.Write([]byte(p)); err != nil || n != len(p) {
			t.Fatalf("write in a batch: %d, %v", n, err)
		}
	}
	if len(under.writes) != 1 {
		t.Fatalf("%d writes before the batch ended, want none more", len(under.writes)-1)
	}
	if err := c.end(); err != nil {
		t.Fatal(err)
	}
	if len(under.writes) != 2 || string(under.writes[1]) != "abbccc" {
		t.Fatalf("writes %q, want the batch as one write", under.writes)
	}
}

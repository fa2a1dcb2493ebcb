package proxy

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// An upstream may close an idle keep-alive connection between two calls (its keep-alive
// time-out, a restart). A request written on such a connection fails after it was written,
// which would make it look like a request the upstream dropped, and a Web API request is
// never sent twice. So before a request goes out on a connection that has been idle, the
// connection is checked without reading from it (a peek): if the upstream has closed it,
// the request is refused there with errStaleUpstreamConn, never written, and the client
// (retryStale) sends it again on another connection. A request that did leave is never sent
// again.

// errStaleUpstreamConn is a request not written because its connection was closed by the
// upstream while idle.
var errStaleUpstreamConn = errors.New("the upstream closed the idle connection")

// staleProbeAfter is how long a connection must have been idle before its next request
// checks it (busy connections are not checked: the check is a system call). Tests set it.
var staleProbeAfter atomic.Int64

func init() { staleProbeAfter.Store(int64(500 * time.Millisecond)) }

// setStaleProbeAfter sets staleProbeAfter and returns the function that restores it.
func setStaleProbeAfter(d time.Duration) func() {
	prev := staleProbeAfter.Swap(int64(d))
	return func() { staleProbeAfter.Store(prev) }
}

// upstreamConns is the set of a Server's open Web upstream connections, so that a shutdown
// whose drain time-out is running out can cut the calls still waiting for the upstream
// (cutAll) and answer their clients in their format before their connections close.
type upstreamConns struct {
	mu    sync.Mutex
	conns map[*checkedConn]struct{}
	cut   atomic.Bool
}

// dial dials an upstream connection and registers it.
func (u *upstreamConns) dial(addr string, timeout time.Duration) (net.Conn, error) {
	c, err := dialUpstream(addr, timeout)
	if err != nil {
		return nil, err
	}
	cc := c.(*checkedConn)
	cc.set = u
	u.mu.Lock()
	if u.conns == nil {
		u.conns = map[*checkedConn]struct{}{}
	}
	u.conns[cc] = struct{}{}
	u.mu.Unlock()
	return cc, nil
}

// cutAll closes every upstream connection: the calls in flight fail at once.
func (u *upstreamConns) cutAll() {
	u.cut.Store(true)
	u.mu.Lock()
	conns := make([]*checkedConn, 0, len(u.conns))
	for c := range u.conns {
		conns = append(conns, c)
	}
	u.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// dialUpstream dials a Web upstream connection that checks itself before each request sent
// after a pause (see checkedConn), within timeout (fasthttp's default dial time-out when 0).
func dialUpstream(addr string, timeout time.Duration) (net.Conn, error) {
	dial := fasthttp.Dial
	if timeout > 0 {
		dial = func(addr string) (net.Conn, error) { return fasthttp.DialTimeout(addr, timeout) }
	}
	c, err := dial(addr)
	if err != nil {
		return nil, err
	}
	return &checkedConn{Conn: c}, nil
}

// retryStale is the Web client's retry rule: only a request that never left (its idle
// connection was found closed) is sent again.
func retryStale(_ *fasthttp.Request, _ int, err error) (resetTimeout, retry bool) {
	return false, errors.Is(err, errStaleUpstreamConn)
}

// checkedConn is an upstream connection that peeks at itself before the first write after
// an answer was read, when it has been idle for staleProbeAfter. The client uses a
// connection from one goroutine at a time.
type checkedConn struct {
	net.Conn
	lastRead time.Time      // when the last answer bytes were read; zero before any
	answered bool           // bytes were read since the last write
	set      *upstreamConns // the set it is registered in, if any
}

// Close closes the connection and forgets it.
func (c *checkedConn) Close() error {
	if u := c.set; u != nil {
		u.mu.Lock()
		delete(u.conns, c)
		u.mu.Unlock()
	}
	return c.Conn.Close()
}

func (c *checkedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lastRead, c.answered = time.Now(), true
	}
	return n, err
}

func (c *checkedConn) Write(b []byte) (int, error) {
	if c.answered {
		c.answered = false
		if time.Since(c.lastRead) >= time.Duration(staleProbeAfter.Load()) && closedByPeer(c.Conn) {
			return 0, errStaleUpstreamConn
		}
	}
	return c.Conn.Write(b)
}

// closedByPeer reports whether the peer has closed c (or reset it), without consuming any
// byte and without waiting: a peek that finds the end of the stream. A connection it cannot
// check counts as open.
func closedByPeer(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var buf [1]byte
	_ = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil || err == syscall.ECONNRESET
		return true // never wait
	})
	return closed
}

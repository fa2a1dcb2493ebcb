package proxy

import (
	"errors"
	"log/slog"
	"net"
	"syscall"
	"time"
)

// Accept backoff, as net/http's: a listener out of file descriptors (or memory) is retried
// after a pause that doubles from acceptBackoffMin to acceptBackoffMax, instead of ending the
// server. Open connections go on; new ones wait in the kernel's backlog meanwhile.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// patientListener retries Accept on the errors that pass once connections close: too many
// open files (EMFILE, ENFILE), no buffer space or memory, and connections aborted before
// they were accepted. fasthttp ends Serve on any such error.
type patientListener struct {
	net.Listener
	log *slog.Logger
}

// Accept returns the next connection, waiting out temporary shortages.
func (l patientListener) Accept() (net.Conn, error) {
	delay := time.Duration(0)
	for {
		c, err := l.Listener.Accept()
		if err == nil || !temporaryAcceptError(err) {
			return c, err
		}
		if delay == 0 {
			delay = acceptBackoffMin
			l.log.Warn("accepting connections paused", "error", err.Error())
		} else {
			delay = min(2*delay, acceptBackoffMax)
		}
		time.Sleep(delay)
	}
}

// temporaryAcceptError reports an Accept error that a later Accept may not have.
func temporaryAcceptError(err error) bool {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

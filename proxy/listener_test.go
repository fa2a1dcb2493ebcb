package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"syscall"
	"testing"
)

// failingListener fails its first Accepts with errs, then accepts from the real listener.
type failingListener struct {
	net.Listener
	errs []error
}

func (l *failingListener) Accept() (net.Conn, error) {
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		return nil, err
	}
	return l.Listener.Accept()
}

// TestServeOutlivesRunningOutOfFileDescriptors: accept errors that pass (EMFILE, ENFILE,
// ECONNABORTED) pause accepting instead of ending Serve, and the next client is served.
func TestServeOutlivesRunningOutOfFileDescriptors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	wrap := func(errno syscall.Errno) error {
		return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
	}
	fl := &failingListener{Listener: ln, errs: []error{wrap(syscall.EMFILE), wrap(syscall.ENFILE), wrap(syscall.ECONNABORTED)}}
	srv, err := New(Options{Upstream: startSim(t), UpstreamVersion: "3.2", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(fl) }()
	got := do(t, ln.Addr().String(), "POST", "/v3.2/customer/action/list_chats?license_id=123", map[string][]string{"Authorization": {"Bearer t"}}, `{}`)
	if got.Status != 200 {
		t.Errorf("after the accept errors: %d %s", got.Status, got.Body)
	}
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Error(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want nil after Shutdown", err)
	}
}

func TestOnlyPassingAcceptErrorsAreRetried(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{os.NewSyscallError("accept4", syscall.EMFILE), true},
		{fmt.Errorf("wrapped: %w", syscall.ENFILE), true},
		{syscall.ECONNABORTED, true},
		{net.ErrClosed, false},
		{errors.New("boom"), false},
	} {
		if got := temporaryAcceptError(tc.err); got != tc.want {
			t.Errorf("temporaryAcceptError(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

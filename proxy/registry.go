package proxy

import (
	"context"
	"sync"
	"sync/atomic"
)

// registry tracks RTM connections from the upstream dial to the end of their session,
// so that Shutdown can close them and wait for their goroutines. Its zero value is ready.
type registry struct {
	mu      sync.Mutex
	live    map[*session]struct{}
	closing bool
	wg      sync.WaitGroup // one count per connection between begin and end
	open    atomic.Int64   // the same count, readable
}

// begin counts a connection whose upstream leg is open but whose session has not started.
func (r *registry) begin() {
	r.wg.Add(1)
	r.open.Add(1)
}

// attach records a started session; during a shutdown it is sent away at once.
func (r *registry) attach(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		s.goAway()
	}
	if r.live == nil {
		r.live = make(map[*session]struct{})
	}
	r.live[s] = struct{}{}
}

// end undoes begin, and attach when s is not nil.
func (r *registry) end(s *session) {
	defer r.open.Add(-1)
	if s != nil {
		r.mu.Lock()
		delete(r.live, s)
		r.mu.Unlock()
	}
	r.wg.Done()
}

// drain sends every session away and waits for all connections to end. When ctx ends
// first it cuts the remaining sessions, waits for their goroutines (a connection still in
// its handshake ends within HandshakeTimeout), and returns ctx's error.
func (r *registry) drain(ctx context.Context) error {
	for _, s := range r.shutDown() {
		s.goAway()
	}
	ended := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(ended)
	}()
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		for _, s := range r.shutDown() {
			s.kill()
		}
		<-ended
		return ctx.Err()
	}
}

// shutDown marks the registry as shutting down and returns the live sessions.
func (r *registry) shutDown() []*session {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closing = true
	list := make([]*session, 0, len(r.live))
	for s := range r.live {
		list = append(list, s)
	}
	return list
}

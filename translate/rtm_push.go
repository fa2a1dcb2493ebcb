package translate

import (
	"context"
	"time"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// Over RTM the API pushes what a call stored to the caller's own session, with the request's
// id: incoming_event after send_event, for one. An expansion that must answer with the stored
// object (3.0's send_event answers the whole Event) takes it from that push instead of reading
// it back with another call (versions.PushCaller): one upstream call instead of two, and no
// read-back whose size grows with the chat. The push still reaches the client as it would.
// An upstream that does not push within pushGrace of its answer is taken not to: the
// session's later calls read back at once.

// pushGrace is how long after its answer a call waits for the push it caused.
const pushGrace = time.Second

// pushWatch waits for the push named push carrying one call's request id.
type pushWatch struct {
	push string
	got  chan *versions.Doc // a copy of the push's payload, in the upstream's version
}

// CallForPush implements versions.PushCaller for an expansion's calls.
func (c *rtmCaller) CallForPush(ctx context.Context, action string, req *versions.Doc, push string) (resp, pushed *versions.Doc, err error) {
	r := c.r
	r.mu.Lock()
	noEcho := r.noEcho
	r.mu.Unlock()
	if noEcho {
		resp, err = c.Call(ctx, action, req)
		return resp, nil, err
	}
	w := &pushWatch{push: push, got: make(chan *versions.Doc, 1)}
	resp, rid, err := c.call(ctx, action, req, w)
	if err == nil {
		pushed = r.awaitPush(ctx, w)
	}
	r.mu.Lock()
	delete(r.watches, rid)
	r.mu.Unlock()
	select { // a push that came too late
	case d := <-w.got:
		jsontree.Release(d)
	default:
	}
	return resp, pushed, err
}

// awaitPush returns the push w waits for once it came, or nil after pushGrace (the upstream
// is then taken not to send such pushes).
func (r *RTM) awaitPush(ctx context.Context, w *pushWatch) *versions.Doc {
	select {
	case d := <-w.got:
		return d
	default:
	}
	timer := time.NewTimer(pushGrace)
	defer timer.Stop()
	select {
	case d := <-w.got:
		return d
	case <-timer.C:
		r.mu.Lock()
		r.noEcho = true
		r.mu.Unlock()
	case <-ctx.Done():
	}
	return nil
}

// deliverWatched hands a copy of an upstream push to the call waiting for it, if any.
func (r *RTM) deliverWatched(f Frame) {
	r.mu.Lock()
	w := r.watches[f.RequestID]
	if w == nil || w.push != f.Action {
		r.mu.Unlock()
		return
	}
	delete(r.watches, f.RequestID) // the first such push only
	r.mu.Unlock()
	d := jsontree.Acquire()
	d.SetRoot(d.Import(f.Payload, f.Payload.Root()))
	w.got <- d // room for one, and only one is sent
}

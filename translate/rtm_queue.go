package translate

import (
	"cmp"
	"errors"
	"slices"
	"time"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// The session's FIFO (see RTM). The reader (FromClient) handles a frame itself while the
// FIFO is idle and the upstream has room (an expansion included, which it runs to its end);
// otherwise it appends the frame and the session's goroutine (serveQueue) takes frames in
// order, one at a time: it waits for room under UpstreamPendingLimit, sends a simple
// request, answers a refused one, runs an expansion to its end, and ends once the FIFO is
// empty. Backpressure: a full FIFO (MaxPending frames, MaxQueuedBytes bytes, or the shared
// HoldBudget spent) makes the reader wait, so the client's socket is not read and TCP slows
// the client, instead of answering errors a client would have to retry (requests are served
// in order, each once).

// errSessionEnded is an expansion's call abandoned because the session is ending.
var errSessionEnded = errors.New("the RTM session ended")

// frameQueue is a FIFO of client frames (copies, counted against the budget) with their
// total size.
type frameQueue struct {
	msgs  [][]byte
	head  int
	bytes int
}

func (q *frameQueue) len() int { return len(q.msgs) - q.head }

func (q *frameQueue) push(msg []byte) {
	if q.head > 0 && q.head == len(q.msgs) {
		q.msgs, q.head = q.msgs[:0], 0
	}
	q.msgs = append(q.msgs, msg)
	q.bytes += len(msg)
}

func (q *frameQueue) pop() ([]byte, bool) {
	if q.len() == 0 {
		return nil, false
	}
	msg := q.msgs[q.head]
	q.msgs[q.head] = nil
	q.head++
	q.bytes -= len(msg)
	return msg, true
}

// signal wakes the one waiter of c, if any, without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// direct reports whether the reader may handle a frame itself: nothing is queued or running
// and the upstream has room.
func (r *RTM) direct() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.busy && len(r.pending) < r.inFlight && r.ctx.Err() == nil
}

// fits reports whether a frame of n bytes may join the queue now.
func (r *RTM) fits(n int) bool {
	if r.queue.len() == 0 {
		return true
	}
	return r.queue.len() < r.maxPending && (r.maxQueuedBytes <= 0 || r.queue.bytes+n <= r.maxQueuedBytes)
}

// enqueue appends a copy of msg to the FIFO, waiting for room in it and in the shared budget,
// and starts the session's goroutine if it is not running. A frame that finds the session
// ending is dropped.
func (r *RTM) enqueue(msg []byte) {
	throttled := false
	for {
		r.mu.Lock()
		if r.ctx.Err() != nil {
			r.mu.Unlock()
			r.queuedDropped()
			return
		}
		if r.fits(len(msg)) {
			r.mu.Unlock()
			break
		}
		r.mu.Unlock()
		if !throttled {
			throttled = true
			r.throttle()
		}
		select {
		case <-r.space:
		case <-r.ctx.Done():
		}
	}
	if r.budget != nil {
		waited, err := r.budget.acquire(r.ctx, len(msg))
		if waited && !throttled {
			r.throttle()
		}
		if err != nil {
			r.queuedDropped()
			return
		}
	}
	cp := append(make([]byte, 0, len(msg)), msg...)
	r.mu.Lock()
	if r.ctx.Err() != nil {
		r.mu.Unlock()
		r.release(cp)
		r.queuedDropped()
		return
	}
	r.queue.push(cp)
	if !r.busy {
		r.busy = true
		r.wg.Add(1)
		go r.serveQueue()
	}
	r.mu.Unlock()
}

// serveQueue is the session's goroutine: it serves the FIFO's frames in order and ends once
// none is left, or at once when the session ends.
func (r *RTM) serveQueue() {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		if r.ctx.Err() != nil {
			r.busy = false
			r.dropQueueLocked()
			r.mu.Unlock()
			return
		}
		msg, ok := r.queue.pop()
		if !ok {
			r.busy = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		signal(r.space)
		r.serveQueued(msg)
		r.release(msg)
	}
}

// serveQueued serves one queued client frame once the upstream has room for it.
func (r *RTM) serveQueued(msg []byte) {
	if !r.waitRoom() {
		r.queuedDropped()
		return
	}
	up, back, exp := r.prepare(msg)
	switch {
	case up != nil:
		r.toUpstream(up, false)
	case back != nil:
		r.queuedDropped()
		if !r.answerInTurn(back) {
			r.toClient(back)
		}
	case exp != nil:
		r.queuedDropped()
		r.runExpansion(*exp)
	}
}

// release gives back what a queued frame took of the shared budget.
func (r *RTM) release(msg []byte) {
	if r.budget != nil {
		r.budget.release(len(msg))
	}
}

// dropQueueLocked abandons the queued frames (the session is ending).
func (r *RTM) dropQueueLocked() {
	for {
		msg, ok := r.queue.pop()
		if !ok {
			return
		}
		r.release(msg)
		r.queuedDropped()
	}
}

// waitRoom waits until the upstream has fewer than inFlight of the session's requests
// unanswered; false when the session ends first. (Requests the upstream leaves unanswered
// are expired by the session's timer, which makes room: see armExpiryLocked.)
func (r *RTM) waitRoom() bool {
	for {
		r.mu.Lock()
		ok, ended := len(r.pending) < r.inFlight, r.ctx.Err() != nil
		r.mu.Unlock()
		switch {
		case ended:
			return false
		case ok:
			return true
		}
		select {
		case <-r.room:
		case <-r.ctx.Done():
		}
	}
}

// armExpiryLocked makes sure the session's timer runs while requests of the client wait for
// the upstream: one timer per session, set for the oldest request's deadline.
func (r *RTM) armExpiryLocked(p *rtmPending) {
	if p.reply != nil || r.expiryArmed { // an expansion's call has its own timer
		return
	}
	r.expiryArmed = true
	if r.expiry == nil {
		r.expiry = time.AfterFunc(r.callTimeout, r.expire)
		return
	}
	r.expiry.Reset(r.callTimeout)
}

// expire answers request_timeout to the client's requests the upstream has left unanswered
// for the call timeout, in the order they were sent, and forgets them; it then sets the timer
// for the oldest request left. It runs on the timer's goroutine.
func (r *RTM) expire() {
	now := time.Now()
	var late []*rtmPending
	var oldest time.Time
	r.mu.Lock()
	if r.ctx.Err() != nil {
		r.mu.Unlock()
		return
	}
	for rid, p := range r.pending {
		switch {
		case p.reply != nil:
		case now.Sub(p.at) >= r.callTimeout:
			delete(r.pending, rid)
			late = append(late, p)
		case oldest.IsZero() || p.at.Before(oldest):
			oldest = p.at
		}
	}
	r.expiryArmed = !oldest.IsZero()
	if r.expiryArmed {
		r.expiry.Reset(oldest.Add(r.callTimeout).Sub(now))
	}
	r.mu.Unlock()
	slices.SortFunc(late, func(a, b *rtmPending) int { return cmp.Compare(a.seq, b.seq) })
	for _, p := range late {
		jsontree.Release(p.req)
		r.toClient(append([][]byte{r.errorFrame(Frame{RequestID: p.clientRID, HasRID: p.hasRID, Action: p.clientAction},
			&versions.APIError{Type: "request_timeout", Message: "lcgate: the upstream did not answer " + p.upstreamAction})}, p.trailing...)...)
	}
	if len(late) > 0 {
		signal(r.room)
	}
}

// toClient writes frames of the translator's own to the client, together; a failed write
// ends the session (false).
func (r *RTM) toClient(msgs ...[]byte) bool {
	if err := r.sendClient(msgs...); err != nil {
		r.failed()
		return false
	}
	return true
}

// toUpstream writes a frame to the upstream: a queued client request, or an expansion's own
// call (own); a failed write ends the session (false).
func (r *RTM) toUpstream(msg []byte, own bool) bool {
	if err := r.sendUp(msg, own); err != nil {
		r.failed()
		return false
	}
	return true
}

// failed stops the translator after a failed write and tells the session, once.
func (r *RTM) failed() {
	r.mu.Lock()
	already := r.hasFailed
	r.hasFailed = true
	r.mu.Unlock()
	if already {
		return
	}
	r.cancel()
	r.fail()
}

// throttle counts a wait of the reader.
func (r *RTM) throttle() {
	if r.OnThrottle != nil {
		r.OnThrottle()
	}
}

// queuedDropped reports a client frame FromClient queued that never went upstream as it was
// (answered by the gateway, served by an expansion, or abandoned with the session).
func (r *RTM) queuedDropped() {
	if r.onQueuedDrop != nil {
		r.onQueuedDrop()
	}
}

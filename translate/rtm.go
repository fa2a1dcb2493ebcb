package translate

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// RTM limits.
const (
	// DefaultMaxRTMPending bounds the requests of one session waiting for the upstream's
	// answer when NewRTM is given no limit.
	DefaultMaxRTMPending = 1000
	// RTMCallTimeout bounds one upstream call an expansion makes over RTM.
	RTMCallTimeout = 30 * time.Second
	// recentRIDs is how many answered requests keep their request id mapping, for the pushes
	// the upstream sends after the answer.
	recentRIDs = 64
	// UpstreamPendingLimit is the upstream's limit of unanswered requests per connection
	// (3.1 and 3.2); an expansion's calls wait for room under it.
	UpstreamPendingLimit = 10
)

// RTM translates the frames of one RTM connection between a client's version and an older
// or newer upstream's: requests up (with the gateway's own request ids, mapped back on
// answers and on the pushes the requester gets), answers, errors and pushes down. Calls that
// need several upstream calls run the engine's expansions over the same upstream connection.
// The I/O is the caller's: it supplies the functions that write a frame to each leg. Its
// methods are safe for concurrent use.
type RTM struct {
	engine           *Engine
	client, upstream versions.Version
	sendUp           func([]byte) error
	sendClient       func([]byte) error

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	maxPending int

	// OnDrop, when set before use, is told each frame not forwarded: its direction ("up":
	// from the client, "down": from the upstream) and why (see package metrics' Drop…).
	OnDrop func(direction, reason string)

	mu      sync.Mutex
	room    *sync.Cond // signalled when a request is answered
	seq     uint64
	pending map[string]*rtmPending // by the gateway's request id
	// recent holds the last recentRIDs answered requests, for late pushes: it grows to
	// that size, then next is the oldest entry, overwritten by the next answer (an idle
	// session holds one entry, not 64).
	recent []ridPair
	next   int
	// held keeps the pushes a running expansion's calls cause, by the client's request id,
	// until its answer is sent: the client sees the answer first, as from a server.
	held map[string][][]byte
	// cust is the session's customer, for a newer client's get_customer (rtm_customer.go).
	cust customerCache
}

// rtmPending is a request sent upstream and not yet answered.
type rtmPending struct {
	clientRID      string
	hasRID         bool
	clientAction   string
	upstreamAction string
	reply          chan rtmReply // set for an expansion's own call
	// after builds the pushes the client's version sent after this answer where the
	// upstream's sends none (versions.ActionChange.PushAfter), from a copy of the request.
	after []pushAfter
	req   *versions.Doc
	at    time.Time // when it was sent, for the sweep of unanswered requests
}

// pushAfter is a PushAfter change with the version its push is written in.
type pushAfter struct {
	version versions.Version
	build   func(e *versions.Env, req *versions.Doc) (string, *versions.Doc)
}

type rtmReply struct {
	payload *versions.Doc
	err     error
}

type ridPair struct{ gateway, client string }

// NewRTM returns the translator of one session. sendUp and sendClient write one text frame to
// the upstream and client legs; they must be safe for concurrent use. maxPending bounds the
// requests waiting for the upstream (DefaultMaxRTMPending when not positive).
func NewRTM(e *Engine, client, upstream versions.Version, maxPending int, sendUp, sendClient func([]byte) error) *RTM {
	if maxPending <= 0 {
		maxPending = DefaultMaxRTMPending
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &RTM{engine: e, client: client, upstream: upstream, sendUp: sendUp, sendClient: sendClient, maxPending: maxPending,
		ctx: ctx, cancel: cancel, pending: map[string]*rtmPending{}, held: map[string][][]byte{}}
	r.room = sync.NewCond(&r.mu)
	return r
}

// Stop ends the expansions still running and waits for them.
func (r *RTM) Stop() {
	r.cancel()
	r.mu.Lock()
	r.room.Broadcast()
	r.mu.Unlock()
	r.wg.Wait()
	r.releaseCustomer()
}

// FromClient translates a client frame: it returns the frame for the upstream, or an error
// answer for the client (an expansion answers later, through sendClient).
func (r *RTM) FromClient(msg []byte) (toUpstream, toClient []byte) {
	f, err := ParseFrame(msg)
	if err == nil {
		if err = CheckDuplicateKeys(f.Payload); err != nil {
			jsontree.Release(f.Payload)
		}
	}
	if err != nil {
		r.drop("up", "refused")
		return nil, r.errorFrame(f, err)
	}
	if f.Action == "ping" { // the same in every version; unanswered before login, so not tracked
		jsontree.Release(f.Payload)
		return msg, nil
	}
	if m, ok := versions.Lookup(r.client, f.Action); !ok || !m.RTM {
		r.drop("up", "refused")
		jsontree.Release(f.Payload)
		return nil, r.errorFrame(f, &versions.APIError{Type: "validation",
			Message: "lcgate: unknown action \"" + f.Action + "\" in RTM version " + r.client.String()})
	}
	if r.servesGetCustomer() {
		switch f.Action {
		case "get_customer":
			r.drop("up", "answered")
			jsontree.Release(f.Payload)
			return nil, r.answerGetCustomer(f)
		case "login":
			r.rememberLoginRequest(f)
		}
	}
	after := r.pushesAfter(f.Action)
	var reqCopy *versions.Doc
	if len(after) > 0 {
		reqCopy = jsontree.Acquire()
		reqCopy.SetRoot(reqCopy.Import(f.Payload, f.Payload.Root()))
	}
	action, err := r.engine.Rewrite(r.ctx, KindRequest, r.client, r.upstream, f.Action, f.Payload)
	if err != nil {
		jsontree.Release(reqCopy)
	}
	var needs *NeedsCallsError
	switch {
	case errors.As(err, &needs):
		r.expand(f)
		return nil, nil
	case err != nil:
		r.drop("up", "refused")
		jsontree.Release(f.Payload)
		return nil, r.errorFrame(f, err)
	}
	p := &rtmPending{clientRID: f.RequestID, hasRID: f.HasRID, clientAction: f.Action, upstreamAction: action,
		after: after, req: reqCopy}
	rid, ok := r.track(p)
	if !ok {
		r.drop("up", "refused")
		jsontree.Release(f.Payload)
		jsontree.Release(reqCopy)
		return nil, r.errorFrame(f, &versions.APIError{Type: "request_timeout", Message: "lcgate: too many requests waiting for the upstream"})
	}
	out := AppendFrame(nil, Frame{RequestID: rid, HasRID: true, Action: action, Payload: f.Payload})
	jsontree.Release(f.Payload)
	return out, nil
}

// pushesAfter lists the PushAfter changes between the client's version and the upstream's
// for a client action.
func (r *RTM) pushesAfter(action string) []pushAfter {
	var out []pushAfter
	for v := r.client; v < r.upstream; v++ {
		ac := versions.StepUp(v).ActionByOlder(action)
		if ac == nil {
			continue
		}
		if ac.PushAfter != nil {
			out = append(out, pushAfter{v, ac.PushAfter})
		}
		action = orName(ac.Newer, action)
	}
	return out
}

// FromUpstream translates an upstream frame for the client: the frames to send, in order
// (none: an expansion's own answer, or a push the client's version does not have).
func (r *RTM) FromUpstream(msg []byte) [][]byte {
	f, err := ParseFrame(msg)
	if err != nil {
		r.drop("down", "malformed")
		return r.answerMalformed(msg) // never the frame itself: the client could not read it either
	}
	defer func() {
		if f.Payload != nil {
			jsontree.Release(f.Payload)
		}
	}()
	if f.Type == "push" {
		return r.push(f)
	}
	p := r.answered(f.RequestID)
	if p == nil {
		if f.Action == "ping" {
			return [][]byte{msg} // the answer to an untracked ping
		}
		r.drop("down", "unknown_request")
		return nil
	}
	defer jsontree.Release(p.req)
	if p.reply != nil {
		rep := rtmReply{payload: f.Payload}
		if !f.Success {
			rep = rtmReply{err: frameError(f.Payload)}
		} else {
			f.Payload = nil // handed to the waiting expansion
		}
		p.reply <- rep
		r.drop("down", "gateway_call")
		return nil
	}
	out := Frame{RequestID: p.clientRID, HasRID: p.hasRID, Action: p.clientAction, Type: "response", Success: f.Success, Payload: f.Payload}
	kind := KindResponse
	if !f.Success {
		kind = KindError
	}
	if _, err := r.engine.Rewrite(r.ctx, kind, r.upstream, r.client, p.upstreamAction, f.Payload); err != nil {
		return [][]byte{r.errorFrame(Frame{RequestID: p.clientRID, HasRID: p.hasRID, Action: p.clientAction}, err)}
	}
	if f.Success && p.clientAction == "login" && r.servesGetCustomer() {
		r.rememberCustomer(f.Payload, f.Payload.Get(f.Payload.Root(), "customer"), true)
	}
	frames := [][]byte{AppendFrame(nil, out)}
	if f.Success {
		env := r.env()
		for _, pa := range p.after {
			name, d := pa.build(env, p.req)
			frames = r.appendPush(frames, pa.version, name, d, p.clientRID, p.hasRID)
		}
	}
	return frames
}

// env is the Env of the session's own rewrites.
func (r *RTM) env() *versions.Env {
	return &versions.Env{Ctx: r.ctx, Client: r.client, Upstream: r.upstream, Lossy: r.engine.OnLossy,
		Now: r.engine.now, NewDoc: jsontree.Acquire}
}

// appendPush translates a push the gateway built in version v for the client, and adds it.
func (r *RTM) appendPush(frames [][]byte, v versions.Version, name string, d *versions.Doc, rid string, hasRID bool) [][]byte {
	if d == nil {
		return frames
	}
	defer jsontree.Release(d)
	name, err := r.engine.Rewrite(r.ctx, KindPush, v, r.client, name, d)
	if err != nil || name == "" {
		return frames
	}
	return append(frames, AppendFrame(nil, Frame{RequestID: rid, HasRID: hasRID, Action: name, Type: "push", Payload: d}))
}

// push translates a push; the request id of the requester's copy is mapped back. A push the
// client's version sent alongside this one (versions.PushChange.Also) follows it.
func (r *RTM) push(f Frame) [][]byte {
	var also *versions.Doc
	var alsoName string
	var alsoVersion versions.Version
	if r.client < r.upstream {
		step := versions.StepUp(r.upstream - 1)
		if pc := step.PushByNewer(f.Action); pc != nil && pc.Also != nil {
			alsoName, also = pc.Also(r.env(), f.Payload)
			alsoVersion = step.Older
		}
	}
	var rid string
	var hasRID bool
	if f.HasRID {
		rid, hasRID = r.clientRID(f.RequestID)
	}
	var frames [][]byte
	name, err := r.engine.Rewrite(r.ctx, KindPush, r.upstream, r.client, f.Action, f.Payload)
	if err != nil || name == "" {
		r.drop("down", "no_counterpart")
	} else {
		if name == "customer_updated" && r.servesGetCustomer() {
			r.rememberCustomer(f.Payload, f.Payload.Get(f.Payload.Root(), "customer"), false)
		}
		if name == "incoming_chat" && hasRID && r.servesGetCustomer() {
			r.setRequester(f.Payload)
		}
		frames = append(frames, AppendFrame(nil, Frame{RequestID: rid, HasRID: hasRID, Action: name, Type: "push", Payload: f.Payload}))
	}
	frames = r.appendPush(frames, alsoVersion, alsoName, also, rid, hasRID)
	if hasRID && len(frames) > 0 && r.hold(rid, frames) {
		return nil
	}
	return frames
}

// hold keeps pushes for the client's request rid while that request's expansion runs.
func (r *RTM) hold(rid string, msgs [][]byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, running := r.held[rid]
	if running {
		r.held[rid] = append(q, msgs...)
	}
	return running
}

// track registers a request and returns the gateway's request id for it.
func (r *RTM) track(p *rtmPending) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) >= r.maxPending {
		return "", false
	}
	r.seq++
	rid := "lcgate-" + strconv.FormatUint(r.seq, 10)
	p.at = time.Now()
	if r.seq%64 == 0 {
		r.sweepLocked(p.at)
	}
	r.pending[rid] = p
	return rid, true
}

// sweepLocked forgets client requests the upstream left unanswered for twice the call
// timeout (an expansion's own calls time out by themselves).
func (r *RTM) sweepLocked(now time.Time) {
	for rid, p := range r.pending {
		if p.reply == nil && now.Sub(p.at) > 2*RTMCallTimeout {
			delete(r.pending, rid)
			jsontree.Release(p.req)
		}
	}
}

// trackWithRoom is track for an expansion's own call: it first waits until the upstream has
// room under its pending-request limit (or the session ends).
func (r *RTM) trackWithRoom(p *rtmPending) (string, bool) {
	r.mu.Lock()
	for len(r.pending) >= UpstreamPendingLimit && r.ctx.Err() == nil {
		r.room.Wait()
	}
	r.mu.Unlock()
	if r.ctx.Err() != nil {
		return "", false
	}
	return r.track(p)
}

// answered removes and returns the request an answer is for, remembering its id mapping for
// the pushes that may follow.
func (r *RTM) answered(rid string) *rtmPending {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending[rid]
	if p == nil {
		return nil
	}
	delete(r.pending, rid)
	r.room.Signal()
	if p.hasRID {
		if len(r.recent) < recentRIDs {
			r.recent = append(r.recent, ridPair{rid, p.clientRID})
		} else {
			r.recent[r.next] = ridPair{rid, p.clientRID}
			r.next = (r.next + 1) % recentRIDs
		}
	}
	return p
}

// clientRID maps a gateway request id of a push to the client's (none when the client's
// request had none, or the id is not the gateway's).
func (r *RTM) clientRID(rid string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pending[rid]; p != nil {
		return p.clientRID, p.hasRID
	}
	for _, pr := range r.recent {
		if pr.gateway == rid && rid != "" {
			return pr.client, true
		}
	}
	return "", false
}

// errorFrame is the error answer to a client frame.
func (r *RTM) errorFrame(f Frame, err error) []byte {
	var ae *versions.APIError
	if !errors.As(err, &ae) {
		ae = &versions.APIError{Type: "internal", Message: "lcgate: " + err.Error()}
	}
	return ErrorFrame(nil, f.RequestID, f.HasRID, f.Action, ae)
}

// expand serves a request that needs several upstream calls, in its own goroutine, over
// this connection; pushes its calls cause reach the client with the client's request id.
func (r *RTM) expand(f Frame) {
	if f.HasRID {
		r.mu.Lock()
		r.held[f.RequestID] = nil
		r.mu.Unlock()
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer jsontree.Release(f.Payload)
		caller := &rtmCaller{r: r, clientRID: f.RequestID, hasRID: f.HasRID}
		resp, err := r.engine.Call(r.ctx, Request{Client: r.client, Upstream: r.upstream, Action: f.Action, Payload: f.Payload}, caller)
		var out []byte
		if err != nil {
			out = r.errorFrame(f, err)
		} else {
			out = AppendFrame(nil, Frame{RequestID: f.RequestID, HasRID: f.HasRID, Action: f.Action, Type: "response", Success: true, Payload: resp})
			Release(resp)
		}
		_ = r.sendClient(out)
		if f.HasRID {
			r.flushHeld(f.RequestID)
		}
	}()
}

// flushHeld sends the pushes held for a finished expansion, in arrival order; pushes that
// arrive while it sends are held and sent in turn, so none overtakes another.
func (r *RTM) flushHeld(rid string) {
	for {
		r.mu.Lock()
		held := r.held[rid]
		if len(held) == 0 {
			delete(r.held, rid)
			r.mu.Unlock()
			return
		}
		r.held[rid] = nil
		r.mu.Unlock()
		for _, msg := range held {
			_ = r.sendClient(msg)
		}
	}
}

// rtmCaller is the raw versions.Caller of an expansion over RTM.
type rtmCaller struct {
	r         *RTM
	clientRID string
	hasRID    bool
}

// Call sends one upstream request with a gateway request id and waits for its answer.
func (c *rtmCaller) Call(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	reply := make(chan rtmReply, 1)
	rid, ok := c.r.trackWithRoom(&rtmPending{clientRID: c.clientRID, hasRID: c.hasRID, upstreamAction: action, reply: reply})
	if !ok {
		return nil, &versions.APIError{Type: "request_timeout", Message: "lcgate: too many requests waiting for the upstream"}
	}
	if err := c.r.sendUp(AppendFrame(nil, Frame{RequestID: rid, HasRID: true, Action: action, Payload: req})); err != nil {
		c.r.answered(rid)
		return nil, &versions.APIError{Type: "internal", Message: "lcgate: the upstream connection failed"}
	}
	timer := time.NewTimer(RTMCallTimeout)
	defer timer.Stop()
	select {
	case rep := <-reply:
		return rep.payload, rep.err
	case <-ctx.Done():
	case <-timer.C:
	}
	c.r.answered(rid)
	return nil, &versions.APIError{Type: "request_timeout", Message: "lcgate: the upstream did not answer " + action}
}

// Upload is not part of the RTM API.
func (c *rtmCaller) Upload(context.Context, versions.File) (*versions.Doc, error) {
	return nil, &versions.APIError{Type: "validation", Message: "lcgate: files are uploaded with the Web API"}
}

// drop reports a frame not forwarded.
func (r *RTM) drop(direction, reason string) {
	if r.OnDrop != nil {
		r.OnDrop(direction, reason)
	}
}

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
	// DefaultMaxRTMPending bounds the requests of one session read from the client and not yet
	// answered when RTMConfig gives no limit.
	DefaultMaxRTMPending = 1000
	// DefaultRTMCallTimeout bounds one upstream call over RTM when RTMConfig gives no limit.
	DefaultRTMCallTimeout = 30 * time.Second
	// recentRIDs is how many answered requests keep their request id mapping, for the pushes
	// the upstream sends after the answer.
	recentRIDs = 64
	// UpstreamPendingLimit is the upstream's limit of unanswered requests per connection
	// (3.1 and 3.2): a translated session never has more than that many in flight.
	UpstreamPendingLimit = 10
)

// RTMConfig configures the translator of one session.
type RTMConfig struct {
	// Client and Upstream are the versions of the two legs.
	Client, Upstream versions.Version
	// MaxPending bounds the requests read from the client and not yet sent upstream; at the
	// bound FromClient waits (the client's socket is not read: TCP slows the client).
	// DefaultMaxRTMPending when not positive.
	MaxPending int
	// MaxQueuedBytes bounds the bytes of those requests (one request always fits); 0: no
	// bound but MaxPending's and Budget's.
	MaxQueuedBytes int
	// Budget, when set, bounds the bytes held across every session sharing it.
	Budget *HoldBudget
	// CallTimeout bounds each upstream call: unanswered, the client gets request_timeout.
	// DefaultRTMCallTimeout when not positive.
	CallTimeout time.Duration
	// SendUp writes one text frame to the upstream leg: a queued client request, or an
	// expansion's own call (own). SendClient writes one to the client leg: an answer of the
	// translator's own or a held push. Both must be safe for concurrent use. When either fails
	// on the translator's own goroutine, the translator stops and calls Fail, which must end
	// the session.
	SendUp     func(msg []byte, own bool) error
	SendClient func(msgs ...[]byte) error
	Fail       func()
	// QueuedDropped, when set, is called for each client frame FromClient queued that is not
	// sent upstream as it is (answered by the gateway, served by an expansion, or abandoned
	// when the session ends): with the frames SendUp sends, it accounts for every queued frame.
	QueuedDropped func()
}

// RTM translates the frames of one RTM connection between a client's version and an older
// or newer upstream's: requests up (with the gateway's own request ids, mapped back on
// answers and on the pushes the requester gets), answers, errors and pushes down. Calls that
// need several upstream calls run the engine's expansions over the same upstream connection.
//
// Order: the session's requests reach the upstream in the order the client sent them, and
// their answers come back in that order. FromClient serves a request on the caller's goroutine
// (the client's reader): a simple one is translated and returned to be sent; one that needs
// several upstream calls runs to its end before FromClient returns, so the client's next
// frames stay unread meanwhile (TCP slows a fast client down); an answer of the gateway's own
// waits for the answers due before it. Only when the upstream already has
// UpstreamPendingLimit requests unanswered do frames go to a FIFO served in order by one
// goroutine of the session (rtm_queue.go), bounded per session and across sessions.
//
// The I/O is the caller's: it supplies the functions that write a frame to each leg. Its
// methods are safe for concurrent use.
type RTM struct {
	engine           *Engine
	client, upstream versions.Version
	sendUp           func([]byte, bool) error
	sendClient       func(...[]byte) error
	fail             func()
	onQueuedDrop     func()

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	maxPending, maxQueuedBytes, inFlight int
	callTimeout                          time.Duration
	budget                               *HoldBudget

	// OnDrop, when set before use, is told each frame not forwarded: its direction ("up":
	// from the client, "down": from the upstream) and why (see package metrics' Drop…).
	OnDrop func(direction, reason string)
	// OnThrottle, when set before use, is called each time FromClient has to wait for room
	// (the session's bound or the shared budget): the client is being slowed down.
	OnThrottle func()

	mu      sync.Mutex
	seq     uint64
	pending map[string]*rtmPending // by the gateway's request id
	// queue holds the client frames waiting for the session's goroutine, in order; busy says
	// that goroutine runs. room is signalled when a pending request is answered, space when
	// a queued frame leaves the queue (one waiter each: the session's goroutine, the reader).
	queue       frameQueue
	busy        bool
	room, space chan struct{}
	hasFailed   bool
	// expiry answers the requests the upstream leaves unanswered (rtm_queue.go); armed
	// while it is set.
	expiry      *time.Timer
	expiryArmed bool
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
	// watches are the expansions' calls waiting for the push their request causes, by the
	// gateway's request id; noEcho says the upstream once sent none (rtm_push.go).
	watches map[string]*pushWatch
	noEcho  bool
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
	// trailing are answers of the gateway's own to later client frames: they go out right
	// after this request's answer, so they never overtake it (see answerInTurn).
	trailing [][]byte
	at       time.Time // when it was sent, for the requests the upstream leaves unanswered
	seq      uint64    // the order it was sent in
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

// NewRTM returns the translator of one session.
func NewRTM(e *Engine, cfg RTMConfig) *RTM {
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxRTMPending
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultRTMCallTimeout
	}
	if cfg.Fail == nil {
		cfg.Fail = func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &RTM{engine: e, client: cfg.Client, upstream: cfg.Upstream, sendUp: cfg.SendUp, sendClient: cfg.SendClient,
		fail: cfg.Fail, onQueuedDrop: cfg.QueuedDropped, maxPending: cfg.MaxPending, maxQueuedBytes: cfg.MaxQueuedBytes,
		inFlight: min(cfg.MaxPending, UpstreamPendingLimit), callTimeout: cfg.CallTimeout, budget: cfg.Budget,
		ctx: ctx, cancel: cancel, pending: map[string]*rtmPending{}, held: map[string][][]byte{},
		room: make(chan struct{}, 1), space: make(chan struct{}, 1)}
}

// Stop ends the work still queued or running, waits for the session's goroutine, and gives
// back what the session held.
func (r *RTM) Stop() {
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	r.dropQueueLocked()
	if r.expiry != nil {
		r.expiry.Stop()
	}
	r.mu.Unlock()
	r.releaseCustomer()
}

// UpstreamGone tells the translator the upstream leg has ended: the work still queued or
// running for the session is abandoned at once (the session is ending).
func (r *RTM) UpstreamGone() { r.cancel() }

// FromClient translates a client frame: it returns the frame for the upstream, or an error
// answer for the client, or neither when an expansion serves it (its answer comes later,
// through SendClient). When the frame has to wait its turn (see RTM), it is queued: its fate
// is reported through SendUp or QueuedDropped. FromClient waits while the session holds as
// much as it may; call it from one goroutine at a time (the client's reader). msg is not
// kept.
func (r *RTM) FromClient(msg []byte) (toUpstream, toClient []byte, queued bool) {
	if !r.direct() {
		r.enqueue(msg)
		return nil, nil, true
	}
	up, back, exp := r.prepare(msg)
	switch {
	case exp != nil: // served here: the client's next frames wait (unread) until it is done
		r.runExpansion(*exp)
	case back != nil && r.answerInTurn(back): // it must not overtake the answers still due
		return nil, nil, false
	}
	return up, back, false
}

// answerInTurn queues an answer of the gateway's own behind the answer of the client's last
// request still waiting for the upstream, which is written with it; false when none waits
// (the answer can go at once).
func (r *RTM) answerInTurn(back []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last *rtmPending
	for _, p := range r.pending {
		if p.reply == nil && (last == nil || p.seq > last.seq) {
			last = p
		}
	}
	if last == nil {
		return false
	}
	last.trailing = append(last.trailing, back)
	return true
}

// prepare translates one client frame: the frame for the upstream, or the answer for the
// client, or the frame to serve with an expansion (which the caller runs).
func (r *RTM) prepare(msg []byte) (toUpstream, toClient []byte, expand *Frame) {
	f, err := ParseFrame(msg)
	if err == nil {
		if err = CheckDuplicateKeys(f.Payload); err != nil {
			jsontree.Release(f.Payload)
		}
	}
	if err != nil {
		r.drop("up", "refused")
		return nil, r.errorFrame(f, err), nil
	}
	if f.Action == "ping" { // the same in every version; unanswered before login, so not tracked
		jsontree.Release(f.Payload)
		return msg, nil, nil
	}
	if m, ok := versions.Lookup(r.client, f.Action); !ok || !m.RTM {
		r.drop("up", "refused")
		jsontree.Release(f.Payload)
		return nil, r.errorFrame(f, &versions.APIError{Type: "validation",
			Message: "lcgate: unknown action \"" + f.Action + "\" in RTM version " + r.client.String()}), nil
	}
	if r.servesGetCustomer() {
		switch f.Action {
		case "get_customer":
			r.drop("up", "answered")
			jsontree.Release(f.Payload)
			return nil, r.answerGetCustomer(f), nil
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
		return nil, nil, &f
	case err != nil:
		r.drop("up", "refused")
		jsontree.Release(f.Payload)
		return nil, r.errorFrame(f, err), nil
	}
	p := &rtmPending{clientRID: f.RequestID, hasRID: f.HasRID, clientAction: f.Action, upstreamAction: action,
		after: after, req: reqCopy}
	rid := r.track(p)
	out := AppendFrame(nil, Frame{RequestID: rid, HasRID: true, Action: action, Payload: f.Payload})
	jsontree.Release(f.Payload)
	return out, nil, nil
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
		return append([][]byte{r.errorFrame(Frame{RequestID: p.clientRID, HasRID: p.hasRID, Action: p.clientAction}, err)}, p.trailing...)
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
	return append(frames, p.trailing...)
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
		r.deliverWatched(f)
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

// track registers a request and returns the gateway's request id for it. The caller has
// made sure the upstream has room for it (see direct and waitRoom).
func (r *RTM) track(p *rtmPending) string { return r.trackWatched(p, nil) }

// trackWatched is track that also registers w, when set, for the push the request causes.
func (r *RTM) trackWatched(p *rtmPending, w *pushWatch) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	rid := "lcgate-" + strconv.FormatUint(r.seq, 10)
	if w != nil {
		if r.watches == nil {
			r.watches = map[string]*pushWatch{}
		}
		r.watches[rid] = w
	}
	p.at, p.seq = time.Now(), r.seq
	r.pending[rid] = p
	r.armExpiryLocked(p)
	return rid
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
	signal(r.room)
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

// runExpansion serves a request that needs several upstream calls, on the session's
// goroutine, over this connection; pushes its calls cause reach the client with the client's
// request id, after its answer.
func (r *RTM) runExpansion(f Frame) {
	defer jsontree.Release(f.Payload)
	if f.HasRID {
		r.mu.Lock()
		r.held[f.RequestID] = nil
		r.mu.Unlock()
	}
	caller := &rtmCaller{r: r, clientRID: f.RequestID, hasRID: f.HasRID}
	resp, err := r.engine.Call(r.ctx, Request{Client: r.client, Upstream: r.upstream, Action: f.Action, Payload: f.Payload}, caller)
	var out []byte
	if err != nil {
		out = r.errorFrame(f, err)
	} else {
		out = AppendFrame(nil, Frame{RequestID: f.RequestID, HasRID: f.HasRID, Action: f.Action, Type: "response", Success: true, Payload: resp})
		Release(resp)
	}
	if r.ctx.Err() != nil { // the session is ending: nobody waits for this answer
		return
	}
	if !f.HasRID {
		r.toClient(out)
		return
	}
	r.flushHeld(f.RequestID, out)
}

// flushHeld sends a finished expansion's answer and the pushes held for it, in arrival order
// and together (one write); pushes that arrive while it sends are held and sent in turn, so
// none overtakes another.
func (r *RTM) flushHeld(rid string, answer []byte) {
	for {
		r.mu.Lock()
		held := r.held[rid]
		if len(held) == 0 && answer == nil {
			delete(r.held, rid)
			r.mu.Unlock()
			return
		}
		r.held[rid] = nil
		r.mu.Unlock()
		if answer != nil {
			held = append([][]byte{answer}, held...)
			answer = nil
		}
		if !r.toClient(held...) {
			return
		}
	}
}

// rtmCaller is the raw versions.Caller of an expansion over RTM.
type rtmCaller struct {
	r         *RTM
	clientRID string
	hasRID    bool
}

// Call sends one upstream request with a gateway request id, once the upstream has room for
// it, and waits for its answer.
func (c *rtmCaller) Call(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	resp, _, err := c.call(ctx, action, req, nil)
	return resp, err
}

// call is Call; with w set, the push w names that the upstream sends with the call's request
// id is handed to w (see rtm_push.go). It returns the gateway's request id.
func (c *rtmCaller) call(ctx context.Context, action string, req *versions.Doc, w *pushWatch) (*versions.Doc, string, error) {
	if !c.r.waitRoom() {
		return nil, "", errSessionEnded
	}
	reply := make(chan rtmReply, 1)
	rid := c.r.trackWatched(&rtmPending{clientRID: c.clientRID, hasRID: c.hasRID, upstreamAction: action, reply: reply}, w)
	if !c.r.toUpstream(AppendFrame(nil, Frame{RequestID: rid, HasRID: true, Action: action, Payload: req}), true) {
		c.r.answered(rid)
		return nil, rid, errSessionEnded
	}
	timer := time.NewTimer(c.r.callTimeout)
	defer timer.Stop()
	select {
	case rep := <-reply:
		return rep.payload, rid, rep.err
	case <-ctx.Done():
		c.r.answered(rid)
		return nil, rid, errSessionEnded
	case <-timer.C:
	}
	c.r.answered(rid)
	return nil, rid, &versions.APIError{Type: "request_timeout", Message: "lcgate: the upstream did not answer " + action}
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

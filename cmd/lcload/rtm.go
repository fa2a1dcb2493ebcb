package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// seqPlaceholder in --payload is replaced by the frame's tag, <session>-<seq>.
const seqPlaceholder = "{seq}"

// holdPingEvery is how often a held session pings, as real clients do.
const holdPingEvery = 15 * time.Second

// closeWait is how long the sessions get to finish their closing handshake at the end.
const closeWait = time.Second

// RTMCmd opens RTM sessions that log in and send sequence-numbered frames at a fixed rate
// each, and checks that every request is answered once and in order, with the expected
// pushes.
type RTMCmd struct {
	URL        string        `help:"Base URL of the gateway or API, ws:// or wss:// (http:// and https:// are taken for them) (default ${default})." default:"ws://127.0.0.1:8080" placeholder:"URL"`
	Sessions   int           `help:"RTM sessions to open; session i (from 1) logs in with \"Bearer lcload-<i>\" (default ${default})." default:"100" placeholder:"N"`
	Rate       float64       `help:"Frames per second per session (default ${default})." default:"10" placeholder:"N"`
	Action     string        `help:"Action of the frames (default ${default})." default:"send_sneak_peek" placeholder:"ACTION"`
	Payload    string        `help:"Payload of the frames, JSON; every {seq} in it is replaced by the frame's tag <session>-<seq>, also its request_id (default ${default})." default:"${default_rtm_payload}" placeholder:"JSON"`
	Pushes     int           `name:"pushes-per-request" help:"Pushes expected after each answer, recognised by payload.event.text = <session>-<seq> (default ${default})." default:"0" placeholder:"K"`
	Ramp       time.Duration `help:"Time over which the sessions are opened, evenly (default ${default})." default:"5s" placeholder:"DURATION"`
	Drain      time.Duration `help:"After the last send, longest wait for missing answers and pushes, which then count as lost (default ${default})." default:"5s" placeholder:"DURATION"`
	Hold       bool          `help:"Only open the sessions and hold them for --duration, sending a ping action every 15 s; for measuring memory per session."`
	Life       time.Duration `name:"session-life" help:"Churn: each session ends after a lifetime drawn evenly from [D/2, 3D/2), counted from its first frame: it stops sending, awaits its answers and pushes (at most --drain), closes with 1000 and a new session logs in in its place with the same token, its frames tagged <i+g*N>-<seq> (the g-th successor of session i of N). 0: sessions live for the whole run (default ${default})." default:"0s" placeholder:"DURATION"`
	Schedulers int           `help:"Goroutines writing the frames, each for a share of the sessions; 0: 4 per CPU (default ${default})." default:"0" placeholder:"N"`
	Common     `embed:""`
}

// Validate reports every problem of the rtm flags at once.
func (c *RTMCmd) Validate() error {
	errs := c.check()
	if _, err := rtmURL(c.URL, c.Version, c.License); err != nil {
		errs = append(errs, err)
	}
	if c.Sessions < 1 {
		errs = append(errs, errors.New("--sessions must be at least 1"))
	}
	if !c.Hold && !finitePositive(c.Rate) {
		errs = append(errs, errors.New("--rate must be positive"))
	}
	if c.Action == "" {
		errs = append(errs, errors.New("--action must not be empty"))
	}
	if !gjson.Valid(strings.ReplaceAll(c.Payload, seqPlaceholder, "1-1")) {
		errs = append(errs, errors.New("--payload is not valid JSON once {seq} is replaced by a tag such as 1-1 (put {seq} inside a string)"))
	}
	if c.Pushes < 0 || c.Pushes > maxCount {
		errs = append(errs, fmt.Errorf("--pushes-per-request must be between 0 and %d", maxCount))
	}
	if c.Ramp < 0 || c.Drain < 0 || c.Life < 0 {
		errs = append(errs, errors.New("--ramp, --drain and --session-life must not be negative"))
	}
	if c.Schedulers < 0 {
		errs = append(errs, errors.New("--schedulers must not be negative"))
	}
	return errors.Join(errs...)
}

// rtmURL is the WebSocket URL of the RTM API of a version under a base URL.
func rtmURL(base, version string, license int) (string, error) {
	u, err := url.Parse(base)
	if err == nil {
		u.Scheme = map[string]string{"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}[u.Scheme]
	}
	if err != nil || u.Host == "" || u.Scheme == "" {
		return "", fmt.Errorf("--url %q is not a ws://, wss://, http:// or https:// URL", base)
	}
	return fmt.Sprintf("%s/v%s/customer/rtm/ws?license_id=%d", strings.TrimRight(u.String(), "/"), version, license), nil
}

// Run runs the sessions and prints the report.
func (c *RTMCmd) Run(rt runtime) error {
	r, err := c.run(rt.ctx, rt.stderr)
	if err != nil {
		return err // the run could not start: exit status 1
	}
	return r.write(rt.stdout, c.JSON)
}

// rtmRun is the state of one rtm run shared by its sessions and schedulers.
type rtmRun struct {
	c           *RTMCmd                   // the flags
	url         string                    // the RTM WebSocket URL
	dialer      *websocket.Dialer         // shared by the sessions
	k           int                       // pushes expected per request
	rate        float64                   // frames per second per session
	frames      int64                     // most frames a session sends: those due within the duration
	head        []byte                    // the frame from after the request_id to the payload
	parts       [][]byte                  // the payload, cut at each {seq}
	t0          atomic.Pointer[time.Time] // first scheduled send; nil until the sessions are open
	outstanding atomic.Int64              // answers and pushes sent for and not yet received
	late        atomic.Int64              // sends more than lateAfter behind schedule
	closing     atomic.Bool               // the run is ending: connection errors are no longer counted
	errs        errorCounts               // errors by kind
	hists       []*Histogram              // answer latencies, sharded over sessions
	pushHists   []*Histogram              // push latencies, the same way
	lastID      atomic.Int64              // the largest session id handed out

	// With --session-life: the goroutines that retire sessions and open their successors,
	// the readers of every session, and the counts of the sessions retired so far.
	churns  sync.WaitGroup
	readers sync.WaitGroup
	mu      sync.Mutex
	retired Report    // guarded by mu
	retEnd  time.Time // guarded by mu: the last first answer of a retired session
}

// slot is one of the --sessions places: the session in it, replaced as sessions churn.
type slot struct {
	n   int                     // from 1: the token is "Bearer lcload-<n>"
	gen int                     // the current session's generation: 0 for the first; the retirer's
	cur atomic.Pointer[session] // the current session; nil while it is replaced
}

// run opens the sessions, sends, waits for the stragglers and returns the report; an error
// means no session could be opened.
func (c *RTMCmd) run(ctx context.Context, log io.Writer) (*Report, error) {
	r, err := c.newRun()
	if err != nil {
		return nil, err
	}
	mode := modeRTM
	target := fmt.Sprintf("%d sessions opened over %s, %g %s/s each for %s, %d pushes per request, %s",
		c.Sessions, c.Ramp, c.Rate, c.Action, c.Duration, c.Pushes, r.url)
	if c.Hold {
		mode = modeRTMHold
		target = fmt.Sprintf("%d sessions opened over %s and held for %s, pinging every %s, %s",
			c.Sessions, c.Ramp, c.Duration, holdPingEvery, r.url)
	}
	if c.Life > 0 {
		target += fmt.Sprintf(", each session replaced after %s ± 50 %%", c.Life)
	}
	_, _ = fmt.Fprintf(log, "lcload: %s\n", target)

	slots, firstErr := r.openAll(ctx)
	defer r.readers.Wait()
	if len(slots) == 0 {
		return nil, fmt.Errorf("no session could be opened: %w", firstErr)
	}
	_, _ = fmt.Fprintf(log, "lcload: %d of %d sessions open\n", len(slots), c.Sessions)
	t0 := time.Now().Add(startDelay)
	r.t0.Store(&t0)
	r.sendAll(ctx, slots)
	sendEnd := time.Now()
	r.churns.Wait() // sessions being replaced are retired, and no successor opens now
	var open []*session
	for _, sl := range slots {
		if s := sl.cur.Load(); s != nil {
			open = append(open, s)
		}
	}
	var alive int64
	for _, s := range open {
		if !s.dead.Load() {
			alive++
		}
	}
	r.drain(open)
	r.closeAll(open)

	r.mu.Lock()
	rep := r.retired
	end := r.retEnd
	r.mu.Unlock()
	rep.Mode, rep.Target, rep.Sessions, rep.SessionsOpen = mode, target, int64(c.Sessions), alive
	rep.Late, rep.PushesPerReq, rep.Interrupted = r.late.Load(), r.k, ctx.Err() != nil
	if end.Before(sendEnd) {
		end = sendEnd
	}
	for _, s := range open {
		s.addTo(&rep)
		if s.lastAt.After(end) {
			end = s.lastAt
		}
	}
	rep.Errors = r.errs.snapshot()
	rep.setLatency(merge(r.hists))
	rep.setPushLatency(merge(r.pushHists))
	rep.setDuration(max(end.Sub(t0), 0))
	return &rep, nil
}

// newRun prepares a run: URL, dialer, frame template, timetable.
func (c *RTMCmd) newRun() (*rtmRun, error) {
	u, err := rtmURL(c.URL, c.Version, c.License)
	if err != nil {
		return nil, err
	}
	r := &rtmRun{c: c, url: u, k: c.Pushes, rate: c.Rate}
	action, payload := c.Action, c.Payload
	if c.Hold {
		action, payload, r.k, r.rate = "ping", "{}", 0, 1/holdPingEvery.Seconds()
	}
	r.frames = pace{rate: r.rate}.within(c.Duration) // session 1's, whose phase is 0: the most
	quoted, _ := json.Marshal(action)
	r.head = append(append([]byte(`","action":`), quoted...), `,"payload":`...)
	for p := range strings.SplitSeq(payload, seqPlaceholder) {
		r.parts = append(r.parts, []byte(p))
	}
	r.dialer = &websocket.Dialer{
		HandshakeTimeout: c.Timeout,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  &sync.Pool{}, // idle sessions hold no write buffer
	}
	shards := min(c.Sessions, 16)
	for range shards {
		r.hists = append(r.hists, new(Histogram))
		r.pushHists = append(r.pushHists, new(Histogram))
	}
	return r, nil
}

// merge sums histograms.
func merge(hs []*Histogram) *Histogram {
	all := new(Histogram)
	for _, h := range hs {
		all.Merge(h)
	}
	return all
}

// openAll opens the sessions, evenly over --ramp, each with its reader goroutine (in
// r.readers), and returns the slots of those that logged in, in order, and the first error
// of those that did not.
func (r *rtmRun) openAll(ctx context.Context) ([]*slot, error) {
	n := r.c.Sessions
	opened := make([]*slot, n)
	errs := make([]error, n)
	var logins sync.WaitGroup
	start := time.Now()
	for i := range n {
		sl := &slot{n: i + 1}
		s := r.newSession(sl.n, 0)
		at := start.Add(time.Duration(float64(r.c.Ramp) * float64(i) / float64(n)))
		logins.Add(1)
		r.readers.Go(func() {
			var slp sleeper
			ok := slp.until(ctx, at)
			slp.stop()
			if ok {
				errs[i] = s.open(ctx)
			} else {
				errs[i] = ctx.Err()
			}
			if errs[i] == nil {
				sl.cur.Store(s)
				opened[i] = sl
			}
			logins.Done()
			if errs[i] == nil {
				s.read()
			}
		})
	}
	logins.Wait()
	var open []*slot
	for _, sl := range opened {
		if sl != nil {
			open = append(open, sl)
		}
	}
	return open, firstNonNil(errs)
}

// firstNonNil is the first error of errs that is not nil.
func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// sendAll sends the frames of the open sessions from the schedulers and waits for them.
func (r *rtmRun) sendAll(ctx context.Context, slots []*slot) {
	p := r.c.Schedulers
	if p == 0 {
		p = 4 * goruntime.GOMAXPROCS(0)
	}
	p = min(p, len(slots))
	groups := make([][]*slot, p)
	for j, sl := range slots {
		groups[j%p] = append(groups[j%p], sl)
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() { r.schedule(ctx, g) })
	}
	wg.Wait()
}

// schedule sends the frames of a group of slots, which is in slot order and so in order of
// their phases: frame k of each, then frame k+1 of each, each at its scheduled time, or at
// once when late, until the duration is over. A slot's frame k goes to its current session
// as that session's seq k-base+1, base being the slot frame of the session's first; a slot
// whose session is being replaced skips its frames. With --session-life, a session whose
// lifetime is over when its next frame is due is handed to retire.
func (r *rtmRun) schedule(ctx context.Context, group []*slot) {
	var slp sleeper
	defer slp.stop()
	var buf []byte
	t0 := *r.t0.Load()
	end := t0.Add(r.c.Duration)
	paces := make([]pace, len(group))
	for i, sl := range group {
		paces[i] = pace{start: t0.Add(r.phase(sl.n)), rate: r.rate}
	}
	for k := range r.frames {
		for i, sl := range group {
			due := paces[i].at(k)
			if !due.Before(end) {
				continue
			}
			s := sl.cur.Load()
			if s == nil { // being replaced: keep the timetable
				if !slp.until(ctx, due) {
					return
				}
				continue
			}
			if s.dead.Load() {
				continue
			}
			if s.sent == 0 {
				s.base.Store(k)
				if s.life > 0 {
					s.end = due.Add(s.life)
				}
			}
			seq := k - s.base.Load() + 1
			if (s.life > 0 && !due.Before(s.end)) || seq >= int64(len(s.ans)) {
				sl.cur.Store(nil)
				r.churns.Go(func() { r.retire(ctx, sl, s, end) })
				continue
			}
			if !slp.until(ctx, due) {
				return
			}
			now := time.Now()
			if late(now, due) {
				r.late.Add(1)
			}
			buf = r.frame(buf[:0], s.id, seq)
			_ = s.conn.SetWriteDeadline(now.Add(r.c.Timeout))
			if err := s.conn.WriteMessage(websocket.TextMessage, buf); err != nil {
				if !s.dead.Swap(true) && !r.closing.Load() {
					r.errs.add("write")
				}
				continue
			}
			s.sent++
			s.expect(1 + int64(r.k))
		}
	}
}

// retire ends session s of slot sl: it waits (at most --drain) for the session's answers
// and pushes, closes it with 1000 and waits (at most --timeout) for the server's close
// frame; a session the server does not close that way counts a close_timeout or
// close_<code> error. The session's counts join the run's. Then, unless the run is over
// (ctx ended or the sends' end passed), a successor logs in in its place; if it cannot, the
// slot stays empty (its open counted the error).
func (r *rtmRun) retire(ctx context.Context, sl *slot, s *session, end time.Time) {
	deadline := time.Now().Add(r.c.Drain)
	tick := time.NewTicker(5 * time.Millisecond)
	for s.outstanding.Load() > 0 && !s.dead.Load() && time.Now().Before(deadline) {
		<-tick.C
	}
	tick.Stop()
	s.closing.Store(true)
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(r.c.Timeout))
	timeout := time.NewTimer(r.c.Timeout)
	select {
	case <-s.done:
	case <-timeout.C:
		s.forced.Store(true)
		r.errs.add("close_timeout")
	}
	timeout.Stop()
	_ = s.conn.Close()
	<-s.done
	r.outstanding.Add(-s.outstanding.Load()) // lost: the run's drain does not wait for them
	r.mu.Lock()
	s.addTo(&r.retired)
	if s.lastAt.After(r.retEnd) {
		r.retEnd = s.lastAt
	}
	r.mu.Unlock()

	if ctx.Err() != nil || !time.Now().Before(end) {
		return
	}
	sl.gen++
	next := r.newSession(sl.n, sl.gen)
	if next.open(ctx) != nil {
		return
	}
	r.readers.Go(next.read)
	sl.cur.Store(next)
}

// frame appends the frame of a session's seq to buf.
func (r *rtmRun) frame(buf []byte, id int, seq int64) []byte {
	buf = append(buf, `{"request_id":"`...)
	buf = appendTag(buf, id, seq)
	buf = append(buf, r.head...)
	for i, p := range r.parts {
		if i > 0 {
			buf = appendTag(buf, id, seq)
		}
		buf = append(buf, p...)
	}
	return append(buf, '}')
}

// appendTag appends <id>-<seq>.
func appendTag(buf []byte, id int, seq int64) []byte {
	buf = strconv.AppendInt(buf, int64(id), 10)
	buf = append(buf, '-')
	return strconv.AppendInt(buf, seq, 10)
}

// parseTag reads <id>-<seq>.
func parseTag(tag string) (id int, seq int64, ok bool) {
	a, b, found := strings.Cut(tag, "-")
	if !found {
		return 0, 0, false
	}
	id, err1 := strconv.Atoi(a)
	seq, err2 := strconv.ParseInt(b, 10, 64)
	return id, seq, err1 == nil && err2 == nil
}

// drain waits, at most --drain, until every request sent was answered and every push
// expected arrived, or no session is left open. It waits also after an interrupt, so
// that the requests in flight do not count as lost.
func (r *rtmRun) drain(open []*session) {
	deadline := time.Now().Add(r.c.Drain)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for r.outstanding.Load() > 0 && time.Now().Before(deadline) {
		if !slices.ContainsFunc(open, func(s *session) bool { return !s.dead.Load() }) {
			return
		}
		<-tick.C
	}
}

// closeAll ends the sessions: a close frame each, closeWait for the server's answers, then
// the connections are closed and the readers waited for.
func (r *rtmRun) closeAll(open []*session) {
	r.closing.Store(true)
	deadline := time.Now().Add(closeWait)
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	for _, s := range open {
		s.closing.Store(true)
		_ = s.conn.WriteControl(websocket.CloseMessage, msg, deadline)
	}
	done := make(chan struct{})
	go func() { r.readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
	}
	for _, s := range open {
		_ = s.conn.Close()
	}
	<-done
}

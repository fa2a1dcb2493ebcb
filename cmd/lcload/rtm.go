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
	if c.Ramp < 0 || c.Drain < 0 {
		errs = append(errs, errors.New("--ramp and --drain must not be negative"))
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
	_, _ = fmt.Fprintf(log, "lcload: %s\n", target)

	open, readers, firstErr := r.openAll(ctx)
	defer readers.Wait()
	if len(open) == 0 {
		return nil, fmt.Errorf("no session could be opened: %w", firstErr)
	}
	_, _ = fmt.Fprintf(log, "lcload: %d of %d sessions open\n", len(open), c.Sessions)
	t0 := time.Now().Add(startDelay)
	r.t0.Store(&t0)
	r.sendAll(ctx, open)
	sendEnd := time.Now()
	var alive int64
	for _, s := range open {
		if !s.dead.Load() {
			alive++
		}
	}
	r.drain(open)
	r.closeAll(open, readers)

	rep := &Report{Mode: mode, Target: target, Sessions: int64(c.Sessions), SessionsOpen: alive,
		Late: r.late.Load(), PushesPerReq: r.k, Interrupted: ctx.Err() != nil}
	end := sendEnd
	for _, s := range open {
		s.addTo(rep)
		if s.lastAt.After(end) {
			end = s.lastAt
		}
	}
	rep.Errors = r.errs.snapshot()
	rep.setLatency(merge(r.hists))
	rep.setPushLatency(merge(r.pushHists))
	rep.setDuration(max(end.Sub(t0), 0))
	return rep, nil
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

// openAll opens the sessions, evenly over --ramp, each with its reader goroutine, and
// returns those that logged in, in session order, the readers to wait for, and the first
// error of those that did not.
func (r *rtmRun) openAll(ctx context.Context) ([]*session, *sync.WaitGroup, error) {
	n := r.c.Sessions
	opened := make([]*session, n)
	errs := make([]error, n)
	var logins, readers sync.WaitGroup
	start := time.Now()
	for i := range n {
		s := r.newSession(i + 1)
		at := start.Add(time.Duration(float64(r.c.Ramp) * float64(i) / float64(n)))
		logins.Add(1)
		readers.Go(func() {
			var sl sleeper
			ok := sl.until(ctx, at)
			sl.stop()
			if ok {
				errs[i] = s.open(ctx)
			} else {
				errs[i] = ctx.Err()
			}
			if errs[i] == nil {
				opened[i] = s
			}
			logins.Done()
			if errs[i] == nil {
				s.read()
			}
		})
	}
	logins.Wait()
	var open []*session
	for _, s := range opened {
		if s != nil {
			open = append(open, s)
		}
	}
	return open, &readers, firstNonNil(errs)
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
func (r *rtmRun) sendAll(ctx context.Context, open []*session) {
	p := r.c.Schedulers
	if p == 0 {
		p = 4 * goruntime.GOMAXPROCS(0)
	}
	p = min(p, len(open))
	groups := make([][]*session, p)
	for j, s := range open {
		groups[j%p] = append(groups[j%p], s)
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() { r.schedule(ctx, g) })
	}
	wg.Wait()
}

// schedule sends the frames of a group of sessions, which is in session order and so in
// order of their phases: frame k of each, then frame k+1 of each, each at its scheduled
// time, or at once when late, until the duration is over.
func (r *rtmRun) schedule(ctx context.Context, group []*session) {
	var sl sleeper
	defer sl.stop()
	var buf []byte
	t0 := *r.t0.Load()
	end := t0.Add(r.c.Duration)
	paces := make([]pace, len(group))
	for i, s := range group {
		paces[i] = s.pace(t0)
	}
	for k := range r.frames {
		for i, s := range group {
			if s.dead.Load() {
				continue
			}
			due := paces[i].at(k)
			if !due.Before(end) {
				continue
			}
			if !sl.until(ctx, due) {
				return
			}
			now := time.Now()
			if late(now, due) {
				r.late.Add(1)
			}
			buf = r.frame(buf[:0], s.id, k+1)
			_ = s.conn.SetWriteDeadline(now.Add(r.c.Timeout))
			if err := s.conn.WriteMessage(websocket.TextMessage, buf); err != nil {
				if !s.dead.Swap(true) && !r.closing.Load() {
					r.errs.add("write")
				}
				continue
			}
			s.sent++
			r.outstanding.Add(1 + int64(r.k))
		}
	}
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
func (r *rtmRun) closeAll(open []*session, readers *sync.WaitGroup) {
	r.closing.Store(true)
	deadline := time.Now().Add(closeWait)
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	for _, s := range open {
		_ = s.conn.WriteControl(websocket.CloseMessage, msg, deadline)
	}
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
	}
	for _, s := range open {
		_ = s.conn.Close()
	}
	<-done
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// Per-seq answer counts saturate at maxCount; failedBit marks an answer with success:false.
const (
	maxCount  = 0x7f
	failedBit = 0x80
)

// session is one RTM connection of an rtm run. Its scheduler writes its frames; its reader
// goroutine reads and checks the answers and pushes. The counters below sent belong to the
// reader and are read once it has ended (done is closed).
type session struct {
	r           *rtmRun
	slot        int           // from 1: it logs in with "Bearer lcload-<slot>"
	id          int           // from 1, unique in the run; its frames are tagged <id>-<seq>, the login <id>-0
	phase       time.Duration // offset of its slot's timetable, spreading the sessions' sends evenly
	life        time.Duration // with --session-life: its lifetime, from its first frame's due time
	conn        *websocket.Conn
	dead        atomic.Bool  // the connection failed or ended: nothing more is sent on it
	closing     atomic.Bool  // lcload sent its close frame
	forced      atomic.Bool  // lcload gave up waiting for the server's close frame
	base        atomic.Int64 // the slot frame its seq 1 was (0 but for successors); the scheduler's
	outstanding atomic.Int64 // answers and pushes sent for and not yet received
	done        chan struct{}
	sent        int64     // frames written (seqs 1..sent); the scheduler's
	end         time.Time // with --session-life: no frame due from then on is sent; the scheduler's

	ans        []uint8      // per seq: answers received (saturating), | failedBit
	push       []uint8      // per seq: tagged pushes received (saturating); nil without pushes
	p          pace         // the slot's timetable, known from the first answer on
	lastAns    int64        // largest seq answered so far
	lastPush   int64        // largest seq of a push so far
	lastAt     time.Time    // arrival of the last first answer
	buf        bytes.Buffer // the frame being read
	hist       *Histogram   // answer latencies (a shard shared with other sessions)
	pushHist   *Histogram   // push latencies (likewise)
	cleanClose bool         // it ended with the server's close frame 1000 after lcload's

	// answers first received, duplicated, reordered; tagged pushes received, beyond K,
	// reordered; every frame received, the login's answer included
	answered, dup, reord, pushes, pushDup, pushReord, received int64
}

// phase is the offset of slot n's timetable (n from 1): the slots' sends spread evenly.
func (r *rtmRun) phase(n int) time.Duration {
	return time.Duration(float64(n-1) / (float64(r.c.Sessions) * r.rate) * float64(time.Second))
}

// newSession prepares the session of slot n (from 1) of generation gen (0 for the first):
// its id is n + gen·sessions. With --session-life its lifetime is drawn evenly from
// [life/2, 3·life/2), and it has room for the frames due within it.
func (r *rtmRun) newSession(n, gen int) *session {
	id := n + gen*r.c.Sessions
	s := &session{
		r:        r,
		slot:     n,
		id:       id,
		phase:    r.phase(n),
		done:     make(chan struct{}),
		hist:     r.hists[id%len(r.hists)],
		pushHist: r.pushHists[id%len(r.pushHists)],
	}
	frames := r.frames
	if r.c.Life > 0 {
		s.life = r.c.Life/2 + rand.N(r.c.Life)
		frames = min(frames, pace{rate: r.rate}.within(s.life)+1)
	}
	s.ans = make([]uint8, frames+1)
	if r.k > 0 {
		s.push = make([]uint8, frames+1)
	}
	for {
		last := r.lastID.Load()
		if int64(id) <= last || r.lastID.CompareAndSwap(last, int64(id)) {
			break
		}
	}
	return s
}

// pace is the session's timetable for a send phase starting at t0: slot frame k is due at
// at(k), and seq n of the session is slot frame base+n-1.
func (s *session) pace(t0 time.Time) pace {
	return pace{start: t0.Add(s.phase), rate: s.r.rate}
}

// expect counts n answers and pushes more awaited, for the session and the run.
func (s *session) expect(n int64) {
	s.outstanding.Add(n)
	s.r.outstanding.Add(n)
}

// settle counts n awaited answers and pushes received (or no longer awaited).
func (s *session) settle(n int64) {
	s.outstanding.Add(-n)
	s.r.outstanding.Add(-n)
}

// open connects and logs in with the token "Bearer lcload-<id>". On failure it counts the
// error by kind (dial, dial_status_N, dial_timeout, login_timeout, login_<error type>) and
// leaves no connection open.
func (s *session) open(ctx context.Context) error {
	timeout := s.r.c.Timeout
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, resp, err := s.r.dialer.DialContext(dctx, s.r.url, nil)
	if err != nil {
		kind := "dial"
		var ne net.Error
		switch {
		case errors.Is(err, websocket.ErrBadHandshake) && resp != nil:
			kind = "dial_status_" + strconv.Itoa(resp.StatusCode)
		case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
			kind = "dial_timeout"
		}
		s.r.errs.add(kind)
		return fmt.Errorf("session %d: %w", s.id, err)
	}
	s.conn = conn
	if err := s.login(time.Now().Add(timeout)); err != nil {
		_ = conn.Close()
		return fmt.Errorf("session %d: %w", s.id, err)
	}
	return nil
}

// login sends the login frame and waits for its answer until deadline.
func (s *session) login(deadline time.Time) error {
	var frame []byte
	frame = append(frame, `{"request_id":"`...)
	frame = appendTag(frame, s.id, 0)
	frame = append(frame, `","action":"login","payload":{"token":"Bearer lcload-`...)
	frame = strconv.AppendInt(frame, int64(s.slot), 10)
	frame = append(frame, `"}}`...)
	_ = s.conn.SetWriteDeadline(deadline)
	_ = s.conn.SetReadDeadline(deadline)
	if err := s.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
		s.r.errs.add("login_write")
		return err
	}
	tag := string(appendTag(nil, s.id, 0))
	for {
		data, err := s.next()
		if err == nil {
			s.received++
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				s.r.errs.add("login_timeout")
			} else {
				s.r.errs.add("login_closed")
			}
			return err
		}
		res := gjson.GetManyBytes(data, "type", "request_id", "success", "payload.error.type")
		if res[0].Str == "push" || res[1].Str != tag {
			continue
		}
		if !res[2].Bool() {
			kind := "login_" + orUnknown(res[3].Str)
			s.r.errs.add(kind)
			return errors.New(kind)
		}
		s.ans[0] = 1
		_ = s.conn.SetReadDeadline(time.Time{})
		return nil
	}
}

// orUnknown is an error type, or "unknown" when there is none.
func orUnknown(typ string) string {
	if typ == "" {
		return "unknown"
	}
	return typ
}

// next reads the next message into the session's buffer.
func (s *session) next() ([]byte, error) {
	_, rd, err := s.conn.NextReader()
	if err != nil {
		return nil, err
	}
	s.buf.Reset()
	_, err = s.buf.ReadFrom(rd)
	return s.buf.Bytes(), err
}

// read checks every frame until the connection ends, then closes done. An end before the
// run's or before lcload's close frame counts as a "closed" error; after lcload's close
// frame of a retired session (--session-life), an end other than the server's close frame
// 1000 counts as close_<code> (close_abnormal: no close frame).
func (s *session) read() {
	defer close(s.done)
	for {
		data, err := s.next()
		if err != nil {
			s.ended(err)
			return
		}
		s.received++
		s.handle(data, time.Now())
	}
}

// ended counts how the session's connection ended with err.
func (s *session) ended(err error) {
	wasDead := s.dead.Swap(true)
	var ce *websocket.CloseError
	isClose := errors.As(err, &ce)
	switch {
	case !s.closing.Load():
		if !wasDead && !s.r.closing.Load() {
			s.r.errs.add("closed")
		}
	case isClose && ce.Code == websocket.CloseNormalClosure:
		s.cleanClose = true
	case s.forced.Load() || s.r.closing.Load(): // given up on, or the end of the run
	case isClose:
		s.r.errs.add("close_" + strconv.Itoa(ce.Code))
	default:
		s.r.errs.add("close_abnormal")
	}
}

// handle checks one frame received at now: an answer (type response), or a push.
func (s *session) handle(data []byte, now time.Time) {
	res := gjson.GetManyBytes(data, "type", "request_id", "success", "payload.event.text", "payload.error.type")
	if typ := res[0].Str; typ == "response" || (typ == "" && res[2].Exists()) {
		s.answer(res[1].Str, res[2].Bool(), res[4].Str, now)
	} else if s.push != nil {
		s.pushed(res[3].Str, now)
	}
}

// due is when seq was scheduled; ok is false before the send phase.
func (s *session) due(seq int64) (time.Time, bool) {
	if s.p.start.IsZero() {
		t0 := s.r.t0.Load()
		if t0 == nil {
			return time.Time{}, false
		}
		s.p = s.pace(*t0)
	}
	return s.p.at(s.base.Load() + seq - 1), true
}

// answer checks the answer to request rid: once, in order; success:false counts as an error
// of its type and expects no pushes.
func (s *session) answer(rid string, success bool, errType string, now time.Time) {
	id, seq, ok := parseTag(rid)
	if !ok || id != s.id || seq < 1 || seq >= int64(len(s.ans)) {
		s.r.errs.add("unexpected_answer")
		return
	}
	due, ok := s.due(seq)
	if !ok {
		s.r.errs.add("unexpected_answer")
		return
	}
	if c := s.ans[seq] & maxCount; c > 0 {
		s.dup++
		if c < maxCount {
			s.ans[seq]++
		}
		return
	}
	s.ans[seq]++
	s.answered++
	s.lastAt = now
	s.hist.Record(now.Sub(due))
	if seq < s.lastAns {
		s.reord++
	} else {
		s.lastAns = seq
	}
	done := int64(1)
	if !success {
		s.ans[seq] |= failedBit
		s.r.errs.add("failed_" + orUnknown(errType))
		if s.push != nil {
			done += max(0, int64(s.r.k)-int64(s.push[seq]))
		}
	}
	s.settle(done)
}

// pushed checks a push whose payload.event.text is text: pushes not tagged by this session
// are not ours (a tag of another session counts as an unexpected_push error); ours must
// come K per request, in non-decreasing seq order.
func (s *session) pushed(text string, now time.Time) {
	id, seq, ok := parseTag(text)
	if !ok || id < 1 || int64(id) > s.r.lastID.Load() {
		return
	}
	if id != s.id || seq < 1 || seq >= int64(len(s.push)) {
		s.r.errs.add("unexpected_push")
		return
	}
	due, ok := s.due(seq)
	if !ok {
		s.r.errs.add("unexpected_push")
		return
	}
	s.pushes++
	p := s.push[seq]
	if p < 0xff {
		s.push[seq]++
	}
	if int(p) >= s.r.k {
		s.pushDup++
	} else {
		s.pushHist.Record(now.Sub(due))
		if s.ans[seq]&failedBit == 0 { // a failed answer already settled its pushes
			s.settle(1)
		}
	}
	if seq < s.lastPush {
		s.pushReord++
	} else {
		s.lastPush = seq
	}
}

// addTo adds the session's counts to the report: requests sent and never answered are
// lost, and so are the pushes missing for each request not answered with success:false.
// The session counts as opened, and as closed when it ended with the server's close frame
// 1000 after lcload's.
func (s *session) addTo(rep *Report) {
	rep.SessionsOpened++
	if s.cleanClose {
		rep.SessionsClosed++
	}
	rep.Received += s.received
	rep.Sent += s.sent
	rep.Answered += s.answered
	rep.Duplicated += s.dup
	rep.Reordered += s.reord
	rep.Pushes += s.pushes
	rep.PushDuplicated += s.pushDup
	rep.PushReordered += s.pushReord
	for seq := int64(1); seq <= s.sent; seq++ {
		a := s.ans[seq]
		if a&maxCount == 0 {
			rep.Lost++
		}
		if s.push != nil && a&failedBit == 0 {
			rep.PushLost += int64(max(0, s.r.k-int(s.push[seq])))
		}
	}
}

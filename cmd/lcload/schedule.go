package main

import (
	"context"
	"sync/atomic"
	"time"
)

// lateAfter is how far behind its scheduled time a send must be to count as late.
const lateAfter = time.Millisecond

// pace is a fixed-rate timetable: event n (from 0) is due at start + n/rate. Latencies are
// measured from these times, not from the actual sends, so that a stall of the server or
// of the generator shows in them (no coordinated omission).
type pace struct {
	start time.Time // when event 0 is due
	rate  float64   // events per second, > 0
}

// at is the time event n is due.
func (p pace) at(n int64) time.Time {
	return p.start.Add(time.Duration(float64(n) * float64(time.Second) / p.rate))
}

// within is the number of events due in [start, start+d).
func (p pace) within(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	end := p.start.Add(d)
	n := int64(d.Seconds() * p.rate) // then corrected for the rounding of the float product
	for n > 0 && !p.at(n-1).Before(end) {
		n--
	}
	for p.at(n).Before(end) {
		n++
	}
	return n
}

// tickets hands out the events of a pace to several senders: each event once, in order.
type tickets struct {
	pace  pace         // the timetable
	count int64        // events in the run
	next  atomic.Int64 // the next event to hand out
}

// take returns the next event and its due time; ok is false once all are taken.
func (t *tickets) take() (n int64, due time.Time, ok bool) {
	n = t.next.Add(1) - 1
	if n >= t.count {
		return n, time.Time{}, false
	}
	return n, t.pace.at(n), true
}

// sleeper waits for scheduled times. Go's timers fire up to a millisecond late when the
// process is idle (its poller sleeps in whole milliseconds), which would show in the
// latencies and the late count; so the sleeper uses its timer until fineWindow before the
// time, then sleeps the rest in one fineSleep (nanosleep on Linux, within ~0.1 ms).
type sleeper struct {
	timer *time.Timer // made at the first long wait, then reused
}

// fineWindow is the end of a wait left to fineSleep: more than the timer's lateness.
const fineWindow = 2 * time.Millisecond

// until waits until t (at once when t has passed) and reports whether ctx is still live.
func (s *sleeper) until(ctx context.Context, t time.Time) bool {
	if d := time.Until(t) - fineWindow; d > 0 {
		if s.timer == nil {
			s.timer = time.NewTimer(d)
		} else {
			s.timer.Reset(d)
		}
		select {
		case <-s.timer.C:
		case <-ctx.Done():
			s.timer.Stop()
			return false
		}
	}
	for d := time.Until(t); d > 0; d = time.Until(t) { // again when a signal cut it short
		fineSleep(d)
	}
	return ctx.Err() == nil
}

// stop releases the timer.
func (s *sleeper) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}

// late reports whether a send at now of an event due at due is late by more than lateAfter.
func late(now, due time.Time) bool { return now.Sub(due) > lateAfter }

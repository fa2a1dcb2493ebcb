package sim

import (
	"sync"
	"time"
)

// Clock supplies the simulator's time. Implementations must be safe for concurrent use.
type Clock interface {
	Now() time.Time
}

// systemClock is the wall clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// StepClock is a deterministic Clock for tests: the first call returns Start and every later
// call returns the previous value plus Step. It is safe for concurrent use.
type StepClock struct {
	mu   sync.Mutex
	next time.Time
	step time.Duration
}

// NewStepClock returns a StepClock starting at start and advancing by step on every call.
func NewStepClock(start time.Time, step time.Duration) *StepClock {
	return &StepClock{next: start.UTC(), step: step}
}

// Now returns the current value and advances the clock by its step.
func (c *StepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.next
	c.next = c.next.Add(c.step)
	return t
}

// monotonicClock wraps a Clock so that every reading is in UTC, truncated to the microsecond,
// and strictly later than the previous one. The simulator derives 3.0/3.1 `order` values from
// these readings, so they must never repeat.
type monotonicClock struct {
	mu   sync.Mutex
	src  Clock
	last time.Time
}

func (c *monotonicClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.src.Now().UTC().Truncate(time.Microsecond)
	if !t.After(c.last) {
		t = c.last.Add(time.Microsecond)
	}
	c.last = t
	return t
}

// formatTime renders t as RFC 3339 in UTC with exactly 6 fractional digits.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

package translate

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// HoldBudget bounds the bytes that translated RTM sessions hold, across sessions: the client
// frames each session has read and not yet sent upstream (see RTM). A session that finds the
// budget spent stops reading its client until other sessions' frames have gone upstream, so
// memory is bounded by configuration, never by load. Safe for concurrent use.
type HoldBudget struct {
	sem    *semaphore.Weighted
	max    int64
	held   atomic.Int64
	frames atomic.Int64
}

// NewHoldBudget returns a budget of maxBytes bytes (at least 1).
func NewHoldBudget(maxBytes int64) *HoldBudget {
	maxBytes = max(maxBytes, 1)
	return &HoldBudget{sem: semaphore.NewWeighted(maxBytes), max: maxBytes}
}

// Max is the budget's size in bytes.
func (b *HoldBudget) Max() int64 { return b.max }

// Held is the bytes held now.
func (b *HoldBudget) Held() int64 { return b.held.Load() }

// Frames is the frames held now.
func (b *HoldBudget) Frames() int64 { return b.frames.Load() }

// Available is the bytes still free.
func (b *HoldBudget) Available() int64 { return b.max - b.held.Load() }

// weight is what a frame of n bytes takes of the budget: never more than all of it, so a
// frame larger than the budget still passes alone.
func (b *HoldBudget) weight(n int) int64 { return min(int64(n), b.max) }

// acquire takes n bytes for one frame, waiting until they are free or ctx ends; throttled
// says it had to wait.
func (b *HoldBudget) acquire(ctx context.Context, n int) (throttled bool, err error) {
	w := b.weight(n)
	if !b.sem.TryAcquire(w) {
		throttled = true
		if err = b.sem.Acquire(ctx, w); err != nil {
			return throttled, err
		}
	}
	b.held.Add(w)
	b.frames.Add(1)
	return throttled, nil
}

// release gives back what acquire took for a frame of n bytes.
func (b *HoldBudget) release(n int) {
	w := b.weight(n)
	b.held.Add(-w)
	b.frames.Add(-1)
	b.sem.Release(w)
}

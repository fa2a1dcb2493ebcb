package proxy

import "sync/atomic"

// FrameCounts counts the RTM frames of one direction, across sessions. They reconcile as
// In + Generated = Out + Dropped: every frame read is written or dropped, and the gateway
// writes frames of its own (an expansion's calls and answers, rebuilt pushes, pushes held
// until an answer and sent then).
type FrameCounts struct {
	In, Out, Dropped, Generated int64
}

// frameCounters are the live counters of one direction.
type frameCounters struct{ in, out, dropped, generated atomic.Int64 }

func (c *frameCounters) snapshot() FrameCounts {
	return FrameCounts{In: c.in.Load(), Out: c.out.Load(), Dropped: c.dropped.Load(), Generated: c.generated.Load()}
}

// FrameCounts returns the RTM frame counts of both directions since the Server started:
// client → upstream, and upstream → client. Safe for concurrent use.
func (s *Server) FrameCounts() (up, down FrameCounts) {
	return s.upFrames.snapshot(), s.downFrames.snapshot()
}

package proxy

import (
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/valyala/bytebufferpool"
	"github.com/valyala/fasthttp"
	"golang.org/x/sync/semaphore"
)

// Web request bodies are read as they arrive (fasthttp's StreamRequestBody), into buffers
// that grow with what has arrived, never with what a Content-Length declared. The bytes of
// the bodies being read or served are held against one budget for the whole server
// (Options.MaxBodyTotal): a body that would take it past its size gets 503. A body that
// arrives slower than Options.MinBodyRate, once bodyRateGrace has passed, is cut with 408:
// a trickle holds a connection for seconds, not for the read time-out.

// bodyRateGrace is how long a body may arrive at any pace before MinBodyRate applies, and
// the longest pause between two of its reads. A variable for tests.
var bodyRateGrace = 5 * time.Second

// bodyPrefetch is what fasthttp reads of a body before the handler runs (its streaming
// pre-read): that part's time is bounded by bodyReadTimeout.
const bodyPrefetch = 8 << 10

// bodyReadTimeout is the read time-out of a request with a body, from its headers until
// the handler reads on (HeaderReceived): the grace plus fasthttp's pre-read at MinBodyRate,
// never more than ReadTimeout. A request without a body keeps ReadTimeout.
func (s *Server) bodyReadTimeout(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	cl := h.ContentLength()
	if cl == 0 || cl == -2 { // no body
		return fasthttp.RequestConfig{}
	}
	prefetch := bodyPrefetch
	if cl > 0 {
		prefetch = min(cl, bodyPrefetch)
	}
	d := bodyRateGrace + time.Duration(float64(prefetch)/float64(s.opts.MinBodyRate)*float64(time.Second))
	return fasthttp.RequestConfig{ReadTimeout: min(d, s.opts.ReadTimeout)}
}

// firstBodyChunk is the buffer a body of unknown or large length starts with; it doubles as
// bytes arrive.
const firstBodyChunk = 16 << 10

// errBodiesFull is a body refused because the bodies being held take the whole budget.
var errBodiesFull = errors.New("request bodies budget spent")

// errBodyTooSlow is a body that arrived slower than Options.MinBodyRate.
var errBodyTooSlow = errors.New("request body too slow")

// bodyBudget bounds the bytes of request bodies held at once, across connections.
type bodyBudget struct {
	sem  *semaphore.Weighted
	held atomic.Int64
}

func newBodyBudget(max int64) *bodyBudget {
	return &bodyBudget{sem: semaphore.NewWeighted(max)}
}

// take reserves n bytes, at once or not at all.
func (b *bodyBudget) take(n int64) bool {
	if !b.sem.TryAcquire(n) {
		return false
	}
	b.held.Add(n)
	return true
}

func (b *bodyBudget) give(n int64) {
	if n > 0 {
		b.held.Add(-n)
		b.sem.Release(n)
	}
}

// readBody reads the request's streamed body whole into a buffer held against the server's
// budget, and makes it the request's body. The returned function gives the buffer and the
// budget back; call it once the answer no longer needs the body (it is never nil).
func (s *Server) readBody(ctx *fasthttp.RequestCtx) (func(), error) {
	stream := ctx.RequestBodyStream()
	if stream == nil {
		return func() {}, nil
	}
	limit := s.opts.MaxBodySize
	if cl := ctx.Request.Header.ContentLength(); cl > limit {
		ctx.SetConnectionClose() // the rest of the body is not read
		return func() {}, &RequestError{Reason: "request body too large", Err: fasthttp.ErrBodyTooLarge}
	}
	buf := bytebufferpool.Get()
	buf.B = buf.B[:0]
	held := int64(cap(buf.B))
	if !s.bodies.take(held) {
		bytebufferpool.Put(buf)
		ctx.SetConnectionClose()
		return func() {}, errBodiesFullRequest
	}
	done := func() {
		ctx.Request.ResetBody() // it may refer to buf
		s.bodies.give(held)
		if cap(buf.B) <= 64<<10 {
			bytebufferpool.Put(buf)
		}
	}
	start := time.Now()
	until := start.Add(s.opts.ReadTimeout) // the whole body, as before streaming
	for {
		_ = ctx.SetReadDeadline(minTime(until, time.Now().Add(bodyRateGrace)))
		if len(buf.B) == cap(buf.B) {
			if err := s.growBody(buf, &held, limit); err != nil {
				ctx.SetConnectionClose()
				return done, err
			}
		}
		n, err := stream.Read(buf.B[len(buf.B):cap(buf.B)])
		buf.B = buf.B[:len(buf.B)+n]
		if len(buf.B) > limit {
			ctx.SetConnectionClose()
			return done, &RequestError{Reason: "request body too large", Err: fasthttp.ErrBodyTooLarge}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ctx.SetConnectionClose()
			var timeout interface{ Timeout() bool }
			if errors.As(err, &timeout) && timeout.Timeout() {
				return done, errRequestNotReceived
			}
			return done, &RequestError{Reason: "unreadable request body", Err: err}
		}
		if elapsed := time.Since(start); elapsed > bodyRateGrace && float64(len(buf.B)) < float64(s.opts.MinBodyRate)*elapsed.Seconds() {
			ctx.SetConnectionClose()
			return done, errBodyTooSlowRequest
		}
	}
	ctx.Request.SetBodyRaw(buf.B)
	return done, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// growBody doubles buf's room (to at most limit+1 bytes, enough to see a body over the
// limit), taking the new bytes from the server's budget.
func (s *Server) growBody(buf *bytebufferpool.ByteBuffer, held *int64, limit int) error {
	newCap := min(max(2*cap(buf.B), firstBodyChunk), limit+1) // above cap: a full buffer holds at most limit bytes
	if more := int64(newCap) - *held; more > 0 {
		if !s.bodies.take(more) {
			return errBodiesFullRequest
		}
		*held += more
	}
	grown := make([]byte, len(buf.B), newCap)
	copy(grown, buf.B)
	buf.B = grown
	return nil
}

// The client's errors for the two refusals.
var (
	errBodiesFullRequest  = &RequestError{Reason: "too many request bytes in flight, retry later", Err: errBodiesFull}
	errBodyTooSlowRequest = &RequestError{Reason: "the request body arrived too slowly", Err: errBodyTooSlow}
)

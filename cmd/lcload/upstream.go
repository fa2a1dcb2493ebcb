package main

import (
	"fmt"
	"net"
	"time"

	"github.com/lcgate/lcgate/bench/canned"
)

// UpstreamCmd runs the canned 3.2 upstream (package bench/canned) for benchmarks: fixed,
// realistic answers to every 3.2 action, as fast as fasthttp allows, so that a benchmark
// measures what stands in front of it.
type UpstreamCmd struct {
	Listen           string        `help:"Address to serve on (default ${default})." default:"127.0.0.1:8081" placeholder:"ADDR"`
	PushesPerRequest int           `help:"incoming_event pushes an RTM connection gets after each answer, tagged with the request's sneak_peek_text (default ${default})." default:"0" placeholder:"N"`
	PushInterval     time.Duration `help:"When set, every logged-in RTM connection also gets one push per interval." placeholder:"DURATION"`
	EchoEvents       bool          `help:"Follow each RTM send_event, as LiveChat does, with the incoming_event push of the stored event, carrying the request's request_id."`
}

// Run serves until SIGINT or SIGTERM.
func (c *UpstreamCmd) Run(rt runtime) error {
	if c.PushesPerRequest < 0 || c.PushInterval < 0 {
		return fmt.Errorf("--pushes-per-request and --push-interval must not be negative")
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	s := canned.New(canned.Options{PushesPerRequest: c.PushesPerRequest, PushInterval: c.PushInterval, EchoEvents: c.EchoEvents})
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	fmt.Fprintf(rt.stderr, "lcload: canned 3.2 upstream on http://%s (ws://%s/v3.2/customer/rtm/ws)\n", ln.Addr(), ln.Addr())
	select {
	case <-rt.ctx.Done():
	case err := <-served:
		return err
	}
	if err := s.Shutdown(); err != nil {
		return err
	}
	return <-served
}

package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/lcgate/lcgate/sim"
)

// SimCmd runs the simulator alone, speaking 3.0, 3.1 and 3.2 on one listener.
type SimCmd struct {
	Listen string    `help:"Address the simulator listens on (default ${default})." default:"${default_sim_listen}" env:"LCGATE_SIM_LISTEN" placeholder:"ADDR"`
	Log    LogConfig `embed:""`
}

// Validate reports every problem of the sim flags at once. It is pure.
func (c SimCmd) Validate() error {
	errs := c.Log.check(checkAddress(nil, "listen", c.Listen))
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Run serves the simulator until SIGINT or SIGTERM, then closes its RTM connections with
// 1001 and returns.
func (c *SimCmd) Run(rt runtime) error {
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := sim.New(sim.Options{Logger: newLogger(c.Log, rt.stderr)})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	printSimURLs(rt.stderr, ln.Addr())

	var failed error
	select {
	case <-rt.ctx.Done():
	case failed = <-served:
		failed = stoppedUnexpectedly("the simulator", failed)
		served = nil
	}
	err = errors.Join(failed, srv.Shutdown())
	if served != nil {
		err = errors.Join(err, <-served)
	}
	return err
}

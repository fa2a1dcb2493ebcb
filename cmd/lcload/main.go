// Command lcload generates load against lcgate, or any endpoint of the LiveChat Customer
// Chat API 3.0, 3.1 or 3.2, and measures it:
//
//   - lcload web sends one Web API action at a fixed rate (open loop, latency measured from
//     each request's scheduled send time), or back-to-back from N workers (--closed N);
//   - lcload rtm opens RTM sessions that log in and send sequence-numbered frames at a fixed
//     rate each, and checks that every request is answered once, in order, with the
//     expected pushes; --hold only keeps the sessions open; --session-life churns them (each
//     closes after a jittered lifetime and a new one logs in in its place, every session's
//     sequence checked on its own);
//   - lcload upstream serves the canned 3.2 upstream (package bench/canned) benchmarks use.
//
// It prints a summary, or one JSON object with --json. Exit status: 0 when the run
// completed (even with errors), 1 when it could not start, 2 on bad flags.
//
// Latency is measured from each request's scheduled send time (in closed loop, from the
// actual send) to its answer, and for RTM pushes from their request's scheduled send time.
// Errors are counted by kind:
//
//   - Web: status_<code> (a non-2xx answer), timeout (no answer within --timeout),
//     no_free_conns, transport (any other failure: refused, reset, closed early);
//   - RTM: failed_<error type> (an answer with success:false), dial, dial_timeout,
//     dial_status_<code> (the handshake refused), login_<error type>, login_timeout,
//     login_closed, login_write, closed (the server ended a session during the run),
//     write, unexpected_answer (a request id not sent on that session), unexpected_push (a
//     push tagged by another session, or with a seq never sent); with --session-life, a
//     session lcload closed during the run that the server did not close with 1000:
//     close_<code>, close_abnormal (no close frame) or close_timeout (none within --timeout).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
)

// Exit statuses.
const (
	exitOK     = 0 // the run completed, errors or not
	exitFailed = 1 // the run could not start
	exitUsage  = 2 // bad flags
)

// Defaults of --body (web) and --payload (rtm), given to kong as variables.
const (
	defaultWebBody    = `{"chat_id":"C1","event":{"type":"message","text":"hi"}}`
	defaultRTMPayload = `{"chat_id":"C1","sneak_peek_text":"{seq}"}`
)

// CLI is lcload's command line.
type CLI struct {
	Web      WebCmd      `cmd:"" help:"Send one Web API action at a fixed rate (or back-to-back with --closed)."`
	RTM      RTMCmd      `cmd:"" name:"rtm" help:"Open RTM sessions that send sequence-numbered frames at a fixed rate and check every answer and push."`
	Upstream UpstreamCmd `cmd:"" help:"Serve the canned 3.2 upstream that benchmarks put lcgate (or nginx) in front of."`
}

// Common are the flags both commands have.
type Common struct {
	Version  string        `help:"Customer Chat API version the client speaks: 3.0, 3.1 or 3.2 (default ${default})." enum:"3.0,3.1,3.2" default:"3.2" placeholder:"VERSION"`
	License  int           `help:"license_id query parameter (default ${default})." default:"123" placeholder:"N"`
	Duration time.Duration `help:"How long to send, after the warm-up or ramp (default ${default})." default:"10s" placeholder:"DURATION"`
	Timeout  time.Duration `help:"Longest wait for one Web answer, a connection or an RTM login (default ${default})." default:"10s" placeholder:"DURATION"`
	JSON     bool          `name:"json" help:"Print the report as one JSON object instead of the summary."`
}

// check returns the problems of the common flags.
func (c Common) check() []error {
	var errs []error
	if c.Duration <= 0 {
		errs = append(errs, errors.New("--duration must be positive"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, errors.New("--timeout must be positive"))
	}
	return errs
}

// finitePositive reports whether a rate is usable: above 0, not infinite, not NaN.
func finitePositive(f float64) bool { return f > 0 && !math.IsInf(f, 1) }

// runtime is what commands receive from main besides their flags.
type runtime struct {
	ctx    context.Context // cancelled on SIGINT or SIGTERM: the run stops sending and reports
	stdout io.Writer
	stderr io.Writer
}

// kongExit carries an exit status requested by kong (--help) out of the parser.
type kongExit int

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second Ctrl-C kills at once
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// newParser builds the kong parser for cli, writing help and errors to stdout and stderr.
func newParser(cli *CLI, stdout, stderr io.Writer, options ...kong.Option) (*kong.Kong, error) {
	return kong.New(cli, append([]kong.Option{
		kong.Name("lcload"),
		kong.Description("A load generator speaking the LiveChat Customer Chat API (3.0, 3.1, 3.2) over the Web API and RTM."),
		kong.Vars{"default_web_body": defaultWebBody, "default_rtm_payload": defaultRTMPayload},
		kong.ShortUsageOnError(),
		kong.Writers(stdout, stderr),
	}, options...)...)
}

// run parses args, runs the command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := newParser(&cli, stdout, stderr, kong.Exit(func(c int) { panic(kongExit(c)) }))
	if err != nil {
		panic(err) // the CLI struct is malformed: a programming error
	}
	parsed := false
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			code = int(c)
			if !parsed && c != 0 {
				code = exitUsage
			}
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		parser.FatalIfErrorf(err) // prints the error and a short usage, then exits
		return exitUsage
	}
	parsed = true
	if err := kctx.Run(runtime{ctx: ctx, stdout: stdout, stderr: stderr}); err != nil {
		fmt.Fprintf(stderr, "lcload: %v\n", err)
		return exitFailed
	}
	return exitOK
}

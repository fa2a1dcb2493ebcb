package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// startDelay is how far ahead of now a run's first send is scheduled, for its senders to
// be ready by then.
const startDelay = 20 * time.Millisecond

// WebCmd sends one Web API action at a fixed rate (open loop), or back-to-back from
// --closed workers (closed loop).
type WebCmd struct {
	URL    string        `help:"Base URL of the gateway or API, http:// or https:// (default ${default})." default:"http://127.0.0.1:8080" placeholder:"URL"`
	Action string        `help:"Action to call (default ${default})." default:"send_event" placeholder:"ACTION"`
	Body   string        `help:"Request body, JSON; for --version 3.0 it is wrapped in {\"payload\": …} unless --raw (default ${default})." default:"${default_web_body}" placeholder:"JSON"`
	Raw    bool          `help:"Send --body as it is, also for --version 3.0."`
	Token  string        `help:"Bearer token of the Authorization header (default ${default})." default:"demo" placeholder:"TOKEN"`
	Rate   float64       `help:"Requests per second, spread over the connections (default ${default})." default:"1000" placeholder:"N"`
	Conns  int           `help:"Connections, and so requests in flight at most (default ${default})." default:"64" placeholder:"N"`
	Warmup time.Duration `help:"Time sent before measuring, at the same rate (default ${default})." default:"2s" placeholder:"DURATION"`
	Closed int           `help:"Closed loop instead: N workers sending back-to-back, latency measured from the actual send; --rate is not used." default:"0" placeholder:"N"`
	Common `embed:""`
}

// Validate reports every problem of the web flags at once.
func (c *WebCmd) Validate() error {
	errs := c.check()
	if _, _, err := webTarget(c.URL); err != nil {
		errs = append(errs, err)
	}
	if c.Action == "" || strings.ContainsAny(c.Action, "/?#") {
		errs = append(errs, fmt.Errorf("--action %q is not an action name", c.Action))
	}
	if !gjson.Valid(c.Body) {
		errs = append(errs, errors.New("--body is not valid JSON"))
	}
	if c.Closed < 0 {
		errs = append(errs, errors.New("--closed must not be negative"))
	}
	if c.Closed == 0 && !finitePositive(c.Rate) {
		errs = append(errs, errors.New("--rate must be positive"))
	}
	if c.Conns < 1 {
		errs = append(errs, errors.New("--conns must be at least 1"))
	}
	if c.Warmup < 0 {
		errs = append(errs, errors.New("--warmup must not be negative"))
	}
	return errors.Join(errs...)
}

// webTarget returns the host:port to connect to for a base URL and whether it is TLS.
func webTarget(base string) (addr string, isTLS bool, err error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("--url %q is not an http:// or https:// URL", base)
	}
	isTLS = u.Scheme == "https"
	port := u.Port()
	if port == "" {
		port = map[bool]string{false: "80", true: "443"}[isTLS]
	}
	return net.JoinHostPort(u.Hostname(), port), isTLS, nil
}

// actionURL is the full URL of the action.
func (c *WebCmd) actionURL() string {
	return fmt.Sprintf("%s/v%s/customer/action/%s?license_id=%d", strings.TrimRight(c.URL, "/"), c.Version, c.Action, c.License)
}

// body is the request body as sent: in 3.0's envelope when that applies.
func (c *WebCmd) body() string {
	if c.Version == "3.0" && !c.Raw {
		return `{"payload":` + c.Body + `}`
	}
	return c.Body
}

// Run runs the load and prints the report.
func (c *WebCmd) Run(rt runtime) error {
	r, err := c.run(rt.ctx, rt.stderr)
	if err != nil {
		return err // the run could not start: exit status 1
	}
	return r.write(rt.stdout, c.JSON)
}

// webStats are the counts of a Web run, shared by its workers.
type webStats struct {
	sent, answered, late atomic.Int64 // measured requests sent, answered, sent late
	hist                 *Histogram   // latencies of the answers
	errs                 errorCounts  // errors by kind
}

// record counts the outcome of one measured request that took lat.
func (s *webStats) record(err error, status int, lat time.Duration) {
	if err != nil {
		s.errs.add(webErrorKind(err))
		return
	}
	s.answered.Add(1)
	s.hist.Record(lat)
	if status < 200 || status > 299 {
		s.errs.add("status_" + strconv.Itoa(status))
	}
}

// webErrorKind names a failed request's error: timeout, no_free_conns or transport.
func webErrorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, fasthttp.ErrNoFreeConns):
		return "no_free_conns"
	default:
		return "transport"
	}
}

// run sends the load and returns the report; an error means the run could not start.
func (c *WebCmd) run(ctx context.Context, log io.Writer) (*Report, error) {
	addr, isTLS, err := webTarget(c.URL)
	if err != nil {
		return nil, err
	}
	conn, err := net.DialTimeout("tcp", addr, c.Timeout)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", addr, err)
	}
	_ = conn.Close()

	client := &fasthttp.HostClient{
		Addr:                      addr,
		IsTLS:                     isTLS,
		Name:                      "lcload",
		MaxConns:                  c.Conns,
		MaxConnWaitTimeout:        c.Timeout,
		MaxIdemponentCallAttempts: 1, // a failed request is counted, never sent again
		RetryIfErr:                func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
	}
	defer client.CloseIdleConnections()
	template := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(template)
	template.SetRequestURI(c.actionURL())
	template.Header.SetMethod(fasthttp.MethodPost)
	template.Header.SetContentType("application/json")
	template.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+c.Token)
	template.SetBodyString(c.body())

	st := &webStats{hist: new(Histogram)}
	r := &Report{Mode: modeWebOpen, WarmupS: c.Warmup.Seconds()}
	r.Target = fmt.Sprintf("open loop, %g req/s over %d connections, %s (+%s warm-up), POST %s",
		c.Rate, c.Conns, c.Duration, c.Warmup, c.actionURL())
	if c.Closed > 0 {
		r.Mode = modeWebClosed
		r.Target = fmt.Sprintf("closed loop, %d workers over %d connections, %s (+%s warm-up), POST %s",
			c.Closed, c.Conns, c.Duration, c.Warmup, c.actionURL())
	}
	_, _ = fmt.Fprintf(log, "lcload: %s\n", r.Target)
	var measureFrom time.Time
	if c.Closed > 0 {
		measureFrom = c.runClosed(ctx, client, template, st)
	} else {
		measureFrom = c.runOpen(ctx, client, template, st)
	}
	r.Sent, r.Answered, r.Late = st.sent.Load(), st.answered.Load(), st.late.Load()
	r.Interrupted = ctx.Err() != nil
	r.Errors = st.errs.snapshot()
	r.setLatency(st.hist)
	r.setDuration(max(time.Since(measureFrom), 0))
	return r, nil
}

// runOpen sends at the fixed rate from --conns workers, each taking the next scheduled
// request, waiting for its time (not at all when late) and measuring from that time. It
// returns the start of the measured part.
func (c *WebCmd) runOpen(ctx context.Context, client *fasthttp.HostClient, template *fasthttp.Request, st *webStats) time.Time {
	p := pace{start: time.Now().Add(startDelay), rate: c.Rate}
	warm := p.within(c.Warmup)
	t := &tickets{pace: p, count: p.within(c.Warmup + c.Duration)}
	c.workers(c.Conns, template, func(req *fasthttp.Request, resp *fasthttp.Response, sl *sleeper) {
		for {
			n, due, ok := t.take()
			if !ok || !sl.until(ctx, due) {
				return
			}
			measured := n >= warm
			if measured {
				st.sent.Add(1)
				if late(time.Now(), due) {
					st.late.Add(1)
				}
			}
			err := client.DoTimeout(req, resp, c.Timeout)
			if measured {
				st.record(err, resp.StatusCode(), time.Since(due))
			}
		}
	})
	return p.at(warm)
}

// runClosed sends back-to-back from --closed workers until the warm-up and the duration
// are over, measuring from the actual sends. It returns the start of the measured part.
func (c *WebCmd) runClosed(ctx context.Context, client *fasthttp.HostClient, template *fasthttp.Request, st *webStats) time.Time {
	from := time.Now().Add(c.Warmup)
	end := from.Add(c.Duration)
	c.workers(c.Closed, template, func(req *fasthttp.Request, resp *fasthttp.Response, _ *sleeper) {
		for ctx.Err() == nil {
			at := time.Now()
			if !at.Before(end) {
				return
			}
			measured := !at.Before(from)
			if measured {
				st.sent.Add(1)
			}
			err := client.DoTimeout(req, resp, c.Timeout)
			if measured {
				st.record(err, resp.StatusCode(), time.Since(at))
			}
		}
	})
	return from
}

// workers runs n copies of work, each with its own copy of the request, a response and a
// sleeper, and waits for them.
func (c *WebCmd) workers(n int, template *fasthttp.Request, work func(*fasthttp.Request, *fasthttp.Response, *sleeper)) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			template.CopyTo(req)
			var sl sleeper
			defer sl.stop()
			work(req, resp, &sl)
		})
	}
	wg.Wait()
}

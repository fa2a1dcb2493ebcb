package sim

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// Default values of Options.
const (
	// DefaultLoginTimeout is how long an RTM connection may stay without a successful login.
	DefaultLoginTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long a logged-in RTM connection may stay silent.
	DefaultIdleTimeout = 30 * time.Second
	// MaxUploadSize is the largest file upload_file and send_file accept (10 MB).
	MaxUploadSize = 10 << 20
	// MaxPendingRequests is how many RTM requests of one connection may wait for an answer
	// (3.1 and 3.2; more get pending_requests_limit_reached).
	MaxPendingRequests = 10
	// maxBodySize bounds a Web request body; larger uploads are refused by fasthttp itself.
	maxBodySize = 4 * MaxUploadSize
	// maxFrameSize bounds one RTM message.
	maxFrameSize = 1 << 20
)

// Options configures a Server. The zero value is a working simulator on the system clock.
type Options struct {
	// Clock supplies the time of every event, thread and marker. Nil means the system clock.
	Clock Clock
	// Licenses lists the licence ids that exist. Empty means every positive id exists.
	Licenses []int
	// Region, when "dal" or "fra", makes the simulator serve only that region: a token with
	// the other region's prefix gets misdirected_request (Web) or a customer_disconnected push
	// with reason misdirected_connection (RTM). Empty serves every region.
	Region string
	// LoginTimeout closes an RTM connection that has not logged in. Zero means 30 s.
	LoginTimeout time.Duration
	// IdleTimeout closes a logged-in RTM connection after that much silence. Zero means 30 s.
	IdleTimeout time.Duration
	// ResponseDelay holds every RTM answer back this long, so tests can fill the pending
	// request limit. Zero answers at once.
	ResponseDelay time.Duration
	// Logger receives connection-level diagnostics (never tokens). Nil discards them.
	Logger *slog.Logger
}

// Server is an in-memory LiveChat Customer Chat API speaking 3.0, 3.1 and 3.2 natively over
// the Web API and the RTM API, with an agent control API under /sim/agent/. It is safe for
// concurrent use. Its state lives until the Server is dropped.
type Server struct {
	opts     Options
	st       *store
	http     *fasthttp.Server
	upgrader websocket.FastHTTPUpgrader
	log      *slog.Logger
	conns    sync.WaitGroup
}

// New returns a Server with an empty state.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.LoginTimeout <= 0 {
		opts.LoginTimeout = DefaultLoginTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{opts: opts, st: newStore(opts.Clock), log: log}
	s.upgrader = websocket.FastHTTPUpgrader{
		CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
	}
	s.http = &fasthttp.Server{
		Handler:            s.Handler,
		Name:               "lcgate-sim",
		MaxRequestBodySize: maxBodySize,
		ReadTimeout:        time.Minute,
		IdleTimeout:        time.Minute,
		Logger:             fasthttpLogger{log},
	}
	return s
}

// Serve accepts connections on ln until Shutdown is called.
func (s *Server) Serve(ln net.Listener) error { return s.http.Serve(ln) }

// Shutdown stops accepting, closes every RTM connection with 1001 (going away) and waits for
// handlers to return.
func (s *Server) Shutdown() error {
	s.st.mu.Lock()
	for _, set := range s.st.conns {
		for c := range set {
			c.closeLocked(websocket.CloseGoingAway, "server shutting down")
		}
	}
	for _, c := range s.st.anon {
		c.closeLocked(websocket.CloseGoingAway, "server shutting down")
	}
	s.st.mu.Unlock()
	err := s.http.Shutdown()
	s.conns.Wait()
	return err
}

// checkLicense validates the license_id query value as the API does.
func (s *Server) checkLicense(raw []byte) (int, *apiError) {
	if len(raw) == 0 {
		return 0, validationf("`license_id` is required")
	}
	var n int
	if _, err := fmt.Sscanf(string(raw), "%d", &n); err != nil || n <= 0 || itoa(n) != string(raw) {
		return 0, validationf("`license_id` must be a positive integer")
	}
	if len(s.opts.Licenses) > 0 && !containsInt(s.opts.Licenses, n) {
		return 0, errorf("license_not_found", "License not found")
	}
	return n, nil
}

// checkRegion refuses a token of the other data centre when the simulator serves one region.
func (s *Server) checkRegion(token string) *apiError {
	if s.opts.Region == "" {
		return nil
	}
	if r := tokenRegion(token); r != s.opts.Region {
		e := errorf("misdirected_request", "Wrong region")
		e.data = newObj().set("region", r)
		return e
	}
	return nil
}

// invoke runs a method under the store lock. onResult, when set, sees the outcome before the
// call's pushes are delivered (an RTM answer precedes the pushes it caused). A panic in a
// handler becomes an `internal` error.
func (s *Server) invoke(c *call, m method, onResult func(*obj, *apiError)) (res *obj, err *apiError) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("sim: handler panic", "panic", fmt.Sprint(r))
			res, err = nil, errorf("internal", "Internal server error")
			if onResult != nil {
				onResult(nil, err)
			}
		}
	}()
	res, err = m.h(c)
	if onResult != nil {
		onResult(res, err)
	}
	if err == nil {
		s.deliverLocked(c.pushes, c.conn, c.requestID)
		for _, f := range c.after {
			f()
		}
	}
	return res, err
}

// deliverLocked renders each push once per version and queues it on every RTM connection of
// its customer; the requester's copy carries the request_id.
func (s *Server) deliverLocked(pushes []pendingPush, requester *rtmConn, requestID string) {
	for _, p := range pushes {
		var rendered [3]*obj
		var names [3]string
		var done [3]bool
		for conn := range s.st.conns[p.customerID] {
			v := conn.v
			if !done[v] {
				names[v], rendered[v] = p.render(v)
				done[v] = true
			}
			if names[v] == "" {
				continue
			}
			f := newObj()
			if conn == requester && requestID != "" {
				f.set("request_id", requestID)
			}
			f.set("action", names[v]).set("type", "push").set("payload", rendered[v])
			conn.sendLocked(mustMarshal(f))
		}
	}
}

// attach registers a logged-in connection as one of the customer's.
func (s *Server) attach(c *rtmConn, cust *customer) {
	c.cust = cust
	delete(s.st.anon, c)
	set := s.st.conns[cust.id]
	if set == nil {
		set = map[*rtmConn]struct{}{}
		s.st.conns[cust.id] = set
	}
	set[c] = struct{}{}
}

// fasthttpLogger sends fasthttp's own messages to the simulator's logger at debug level,
// without their arguments: they can quote raw requests, tokens included.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, _ ...any) {
	l.log.Debug("sim: fasthttp: " + format)
}

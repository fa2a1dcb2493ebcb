package proxy

import (
	"errors"
	"fmt"
	"net"

	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
	"github.com/valyala/fasthttp"
)

// Error types of the Customer Chat API error object that the gateway itself produces.
// Every version (3.0, 3.1, 3.2) knows them.
const (
	TypeValidation     = "validation"
	TypeInternal       = "internal"
	TypeRequestTimeout = "request_timeout"
	TypeEntityTooLarge = "entity_too_large"
)

// RouteError reports a request path that is not a Customer Chat API endpoint lcgate
// serves. Clients get HTTP 404 with a validation error.
type RouteError struct {
	// Path is the client's request path, cut to 128 bytes.
	Path string
	// Version is the version segment (for example "v2.0") when the path starts with a
	// version lcgate does not serve; empty otherwise.
	Version string
}

// Error is the client-safe message: it names the problem and repeats the clipped path.
func (e *RouteError) Error() string {
	if e.Version != "" {
		return fmt.Sprintf("lcgate: API version %q is not served (use v3.0, v3.1 or v3.2); path %q",
			e.Version, e.Path)
	}
	return fmt.Sprintf("lcgate: no endpoint at %q; use /v3.X/customer/action/<action> or /v3.X/customer/rtm/ws",
		e.Path)
}

// RequestError reports a client request the gateway cannot read or accept, for example a
// body over the size limit or a plain GET on the RTM endpoint. Err is the cause.
type RequestError struct {
	// Reason is a short client-safe description, used as the error message.
	Reason string
	// Err is the cause (for example fasthttp.ErrBodyTooLarge); it may be nil.
	Err error
}

// Error is Reason followed by the cause, for logs.
func (e *RequestError) Error() string {
	if e.Err == nil {
		return "lcgate: " + e.Reason
	}
	return "lcgate: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// UpstreamError reports that the upstream could not be reached or did not answer in time.
// Its message may name the upstream's address: it is logged, never shown to clients.
type UpstreamError struct {
	// Op is what the gateway was doing: "forward" (Web) or "dial" (RTM).
	Op string
	// Err is the cause returned by the network client.
	Err error
}

// Error names the operation and the cause, for logs only.
func (e *UpstreamError) Error() string { return "lcgate: upstream " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *UpstreamError) Unwrap() error { return e.Err }

// Reply is what a client is told about an error: the HTTP status, and the type and
// message of the Customer Chat API error object.
type Reply struct {
	Status  int
	Type    string
	Message string
	Data    []byte // raw JSON of the error's `data`, or nil
}

// ReplyFor maps an error returned by a handler to the reply the client gets. It is pure,
// and the only place where errors become statuses. Messages never include upstream
// addresses, headers or tokens.
func ReplyFor(err error) Reply {
	var (
		routeErr    *RouteError
		requestErr  *RequestError
		upstreamErr *UpstreamError
		apiErr      *versions.APIError
	)
	switch {
	case errors.As(err, &routeErr):
		return Reply{Status: fasthttp.StatusNotFound, Type: TypeValidation, Message: routeErr.Error()}
	case errors.As(err, &requestErr):
		return replyForRequest(requestErr)
	case errors.As(err, &upstreamErr):
		return replyForUpstream(upstreamErr)
	case errors.As(err, &apiErr):
		return Reply{Status: translate.Status(apiErr), Type: apiErr.Type, Message: apiErr.Message, Data: apiErr.Data}
	}
	return Reply{Status: fasthttp.StatusInternalServerError, Type: TypeInternal, Message: "lcgate: internal error"}
}

func replyForRequest(err *RequestError) Reply {
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.Is(err.Err, errSessionsFull):
		return Reply{Status: fasthttp.StatusServiceUnavailable, Type: TypeInternal, Message: "lcgate: too many open RTM sessions, retry later"}
	case errors.Is(err.Err, errBodiesFull):
		return Reply{Status: fasthttp.StatusServiceUnavailable, Type: TypeInternal, Message: "lcgate: " + err.Reason}
	case errors.Is(err.Err, errBodyTooSlow):
		return Reply{Status: fasthttp.StatusRequestTimeout, Type: TypeRequestTimeout, Message: "lcgate: " + err.Reason}
	case errors.Is(err.Err, errReadTimeout):
		return Reply{Status: fasthttp.StatusRequestTimeout, Type: TypeRequestTimeout, Message: "lcgate: " + err.Reason}
	case errors.Is(err.Err, errHeldSpent):
		return Reply{Status: fasthttp.StatusServiceUnavailable, Type: TypeInternal, Message: "lcgate: too many RTM requests waiting for the upstream, retry later"}
	case errors.Is(err.Err, fasthttp.ErrBodyTooLarge):
		return Reply{Status: fasthttp.StatusRequestEntityTooLarge, Type: TypeEntityTooLarge, Message: "lcgate: request body too large"}
	case errors.As(err.Err, &small):
		return Reply{Status: fasthttp.StatusRequestHeaderFieldsTooLarge, Type: TypeValidation, Message: "lcgate: request headers too large"}
	}
	return Reply{Status: fasthttp.StatusBadRequest, Type: TypeValidation, Message: "lcgate: " + err.Reason}
}

// errTooManySessions refuses an RTM upgrade beyond Options.MaxSessions.
var errTooManySessions = &RequestError{Reason: "too many open RTM sessions", Err: errSessionsFull}

var errSessionsFull = errors.New("sessions full")

// errRequestNotReceived is a request whose headers or body did not arrive within
// Options.ReadTimeout.
var errRequestNotReceived = &RequestError{Reason: "the request was not received within the read time-out", Err: errReadTimeout}

var errReadTimeout = errors.New("read time-out")

// errHeldFull refuses an RTM upgrade while translated sessions hold Options.MaxHeldBytes of
// client requests: a new session could not queue one.
var errHeldFull = &RequestError{Reason: "too many RTM requests waiting for the upstream", Err: errHeldSpent}

var errHeldSpent = errors.New("held budget spent")

// errShutdownCut is an upstream call cut because the gateway's drain time-out ran out.
var errShutdownCut = errors.New("cut by the gateway's shutdown")

// errBadAnswer is an upstream answer that is not the API's JSON.
var errBadAnswer = errors.New("answer is not a Customer Chat API document")

func replyForUpstream(err *UpstreamError) Reply {
	var netErr net.Error
	switch {
	case errors.Is(err.Err, errShutdownCut):
		return Reply{Status: fasthttp.StatusServiceUnavailable, Type: TypeInternal,
			Message: "lcgate: the gateway shut down before the upstream answered; the call may have been served"}
	case errors.Is(err.Err, errBadAnswer):
		return Reply{Status: fasthttp.StatusBadGateway, Type: TypeInternal, Message: "lcgate: the upstream's answer is not valid"}
	case errors.Is(err.Err, fasthttp.ErrTimeout), errors.Is(err.Err, fasthttp.ErrDialTimeout),
		errors.As(err.Err, &netErr) && netErr.Timeout():
		return Reply{Status: fasthttp.StatusGatewayTimeout, Type: TypeRequestTimeout, Message: "lcgate: upstream timed out"}
	case errors.Is(err.Err, fasthttp.ErrNoFreeConns):
		return Reply{Status: fasthttp.StatusServiceUnavailable, Type: TypeInternal, Message: "lcgate: too many concurrent upstream requests"}
	case errors.Is(err.Err, fasthttp.ErrBodyTooLarge):
		return Reply{Status: fasthttp.StatusBadGateway, Type: TypeInternal, Message: "lcgate: upstream answer too large"}
	}
	return Reply{Status: fasthttp.StatusBadGateway, Type: TypeInternal, Message: "lcgate: upstream unreachable"}
}

package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/lcgate/lcgate/metrics"
	"github.com/lcgate/lcgate/routing"
	"github.com/lcgate/lcgate/translate/jsontree"
	"log/slog"
	"strings"
	"time"
)

// Default values of Options; a zero field means its default.
const (
	// DefaultUpstreamTimeout bounds one Web request to the upstream: writing it and
	// reading the whole answer.
	DefaultUpstreamTimeout = 30 * time.Second
	// DefaultHandshakeTimeout bounds the upstream WebSocket handshake, and the time an
	// upstream leg may wait for the client's upgrade to complete.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds writing one RTM frame to either leg.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultCloseGrace is how long a leg may take to answer a close frame before its TCP
	// connection is cut.
	DefaultCloseGrace = 5 * time.Second
	// DefaultMaxBodySize caps Web request and response bodies (16 MiB: upload_file accepts
	// files up to 10 MB).
	DefaultMaxBodySize = 16 << 20
	// DefaultMaxMessageSize caps one RTM message in either direction (1 MiB). A bigger
	// message closes its sender's leg with 1009.
	DefaultMaxMessageSize = 1 << 20
	// DefaultMaxUpstreamConns caps the Web connections open to the upstream at once.
	DefaultMaxUpstreamConns = 512
	// DefaultReadTimeout bounds reading a whole client request, headers and body.
	DefaultReadTimeout = 30 * time.Second
	// DefaultClientWriteTimeout bounds writing a Web answer to a client.
	DefaultClientWriteTimeout = 30 * time.Second
	// DefaultIdleTimeout closes a client keep-alive connection idle that long (nginx's
	// keepalive_timeout).
	DefaultIdleTimeout = 75 * time.Second
	// DefaultMaxHeaderSize caps a request's headers in bytes; larger get 431.
	DefaultMaxHeaderSize = 8 << 10
	// DefaultMaxPendingPerSession caps the requests of one translated RTM session read from
	// the client and not yet sent upstream; at the cap lcgate stops reading that client.
	DefaultMaxPendingPerSession = 1000
	// DefaultMaxBodyTotal caps the bytes of Web request bodies held at once, all connections
	// together.
	DefaultMaxBodyTotal = 64 << 20
	// DefaultMinBodyRate is the slowest a request body may arrive, in bytes per second, once
	// its first 5 s have passed.
	DefaultMinBodyRate = 1024
	// DefaultMaxHeldBytes caps the bytes of client requests all translated RTM sessions
	// together hold while they wait their turn; past it sessions stop reading their clients
	// and new sessions get 503.
	DefaultMaxHeldBytes = 64 << 20
	// DefaultRTMIdleTimeout closes an RTM leg silent that long: clients ping every 15 s and
	// the API closes after about 30 s of silence, so only a dead peer stays quiet longer.
	DefaultRTMIdleTimeout = 90 * time.Second
	// DefaultMaxSessions caps the RTM sessions (WebSocket and SockJS) open at once; each
	// holds two connections and a few goroutines.
	DefaultMaxSessions = 20000
)

// Options configures a Server. Either Routes, or Upstream and UpstreamVersion, are
// required; every other zero field takes the default named after it.
type Options struct {
	// Routes, when set, is the routing table: several upstreams, each with its version, a
	// default and a canary share, URLs per region (see package routing). Upstream and
	// UpstreamVersion are then not used. Server.Reload replaces it.
	Routes *routing.Table
	// Upstream is the base URL of the upstream Customer Chat API: "http://host:port" or
	// "https://host:port", with no path, query or user info. RTM connections go to the
	// matching ws:// or wss:// URL.
	Upstream string
	// UpstreamVersion is the version the upstream speaks: "3.0", "3.1" or "3.2".
	UpstreamVersion string
	// Logger receives request and connection diagnostics. Nil discards them. Header
	// values (Authorization, Cookie) and query strings are never logged.
	Logger *slog.Logger
	// UpstreamTimeout bounds one Web request to the upstream. Zero means
	// DefaultUpstreamTimeout.
	UpstreamTimeout time.Duration
	// HandshakeTimeout bounds the upstream WebSocket handshake. Zero means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// WriteTimeout bounds writing one RTM frame. Zero means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// CloseGrace bounds the RTM closing handshake. Zero means DefaultCloseGrace.
	CloseGrace time.Duration
	// MaxBodySize caps Web bodies in bytes, both ways. Zero means DefaultMaxBodySize.
	MaxBodySize int
	// MaxMessageSize caps one RTM message in bytes. Zero means DefaultMaxMessageSize.
	MaxMessageSize int64
	// MaxUpstreamConns caps concurrent Web connections to the upstream. Zero means
	// DefaultMaxUpstreamConns.
	MaxUpstreamConns int
	// ReadTimeout, ClientWriteTimeout and IdleTimeout bound a client connection: reading a
	// request, writing an answer, staying idle. Zero means their defaults.
	ReadTimeout, ClientWriteTimeout, IdleTimeout time.Duration
	// RTMIdleTimeout closes an RTM session one of whose legs sent nothing (data, ping or
	// pong) for that long. Zero means DefaultRTMIdleTimeout.
	RTMIdleTimeout time.Duration
	// MaxHeaderSize caps a request's headers in bytes (431 beyond). Zero means
	// DefaultMaxHeaderSize.
	MaxHeaderSize int
	// MaxPendingPerSession caps the requests of one translated RTM session read from the
	// client and not yet sent upstream (a session has at most translate.UpstreamPendingLimit
	// unanswered upstream, and serves its requests in order); at the cap lcgate stops reading
	// the client, so TCP slows it down. Zero means DefaultMaxPendingPerSession.
	MaxPendingPerSession int
	// MaxHeldBytes caps the bytes of client requests that all translated RTM sessions hold
	// while they wait their turn (one session holds at most MaxMessageSize of them). Past it,
	// sessions stop reading their clients until others' requests have gone upstream, and new
	// RTM sessions get 503. Zero means DefaultMaxHeldBytes.
	MaxHeldBytes int64
	// MaxBodyTotal caps the bytes of Web request bodies held at once, all connections
	// together: bodies are read as they arrive, into buffers that grow with what arrived,
	// and a body that would take the total past the cap gets 503. Zero means
	// DefaultMaxBodyTotal.
	MaxBodyTotal int64
	// MinBodyRate is the slowest a Web request body may arrive, in bytes per second, once its
	// first 5 s have passed; a slower one is cut with 408. Zero means DefaultMinBodyRate.
	MinBodyRate int
	// MaxJSONValues caps the values (objects, arrays, scalars) one translated document may
	// hold; a request over it gets 413 entity_too_large, an upstream answer 502. It bounds a
	// translation's memory (about 40 bytes a value besides the text). It applies to the
	// whole process (jsontree.SetMaxValues). Zero means jsontree.DefaultMaxValues.
	MaxJSONValues int
	// MaxSessions caps the RTM sessions open at once; more get 503 before the upgrade. Zero
	// means DefaultMaxSessions.
	MaxSessions int
	// BareV30Answers sends translated Web answers to 3.0 clients bare instead of wrapped in
	// {"payload": …}. 3.0 documents only its request envelope; the wrapped answer is the
	// default (spec/methods.md §1.1), this switch is for deployments whose clients read bare
	// bodies. Upstream 3.0 answers are read either way.
	BareV30Answers bool
	// UpstreamCA holds PEM certificates trusted for an https upstream, besides the system's
	// roots (a private CA). Nil trusts the system's roots only.
	UpstreamCA []byte
	// UpstreamInsecureSkipVerify accepts any certificate from an https upstream. For local
	// testing only: it gives up the upstream's authentication.
	UpstreamInsecureSkipVerify bool
	// Metrics, when set, receives the gateway's measurements (requests, times, sessions,
	// frames, expansions, lossy conversions, upstream errors). Nil measures nothing.
	Metrics *metrics.Metrics
}

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.UpstreamTimeout = orDefault(o.UpstreamTimeout, DefaultUpstreamTimeout)
	o.HandshakeTimeout = orDefault(o.HandshakeTimeout, DefaultHandshakeTimeout)
	o.WriteTimeout = orDefault(o.WriteTimeout, DefaultWriteTimeout)
	o.CloseGrace = orDefault(o.CloseGrace, DefaultCloseGrace)
	o.MaxBodySize = orDefault(o.MaxBodySize, DefaultMaxBodySize)
	o.MaxMessageSize = orDefault(o.MaxMessageSize, DefaultMaxMessageSize)
	o.MaxUpstreamConns = orDefault(o.MaxUpstreamConns, DefaultMaxUpstreamConns)
	o.MaxSessions = orDefault(o.MaxSessions, DefaultMaxSessions)
	o.ReadTimeout = orDefault(o.ReadTimeout, DefaultReadTimeout)
	o.RTMIdleTimeout = orDefault(o.RTMIdleTimeout, DefaultRTMIdleTimeout)
	o.ClientWriteTimeout = orDefault(o.ClientWriteTimeout, DefaultClientWriteTimeout)
	o.IdleTimeout = orDefault(o.IdleTimeout, DefaultIdleTimeout)
	o.MaxHeaderSize = orDefault(o.MaxHeaderSize, DefaultMaxHeaderSize)
	o.MaxPendingPerSession = orDefault(o.MaxPendingPerSession, DefaultMaxPendingPerSession)
	o.MaxHeldBytes = orDefault(o.MaxHeldBytes, DefaultMaxHeldBytes)
	o.MaxJSONValues = orDefault(o.MaxJSONValues, jsontree.DefaultMaxValues)
	o.MaxBodyTotal = orDefault(o.MaxBodyTotal, DefaultMaxBodyTotal)
	o.MinBodyRate = orDefault(o.MinBodyRate, DefaultMinBodyRate)
	return o
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// validate reports every problem of o at once.
func (o Options) validate() error {
	var errs []error
	switch {
	case o.Routes != nil:
		if err := checkTableURLs(o.Routes); err != nil {
			errs = append(errs, fmt.Errorf("option Routes: %w", err))
		}
	default:
		if _, err := parseUpstream(o.Upstream); err != nil {
			errs = append(errs, fmt.Errorf("option Upstream: %w", err))
		}
		if !IsVersion(o.UpstreamVersion) {
			errs = append(errs, fmt.Errorf("option UpstreamVersion: %q is not one of %s",
				o.UpstreamVersion, strings.Join(apiVersions, ", ")))
		}
	}
	if len(o.UpstreamCA) > 0 {
		if ok := x509.NewCertPool().AppendCertsFromPEM(o.UpstreamCA); !ok {
			errs = append(errs, errors.New("option UpstreamCA: no PEM certificate in it"))
		}
	}
	if o.UpstreamTimeout < 0 || o.HandshakeTimeout < 0 || o.WriteTimeout < 0 || o.CloseGrace < 0 ||
		o.MaxBodySize < 0 || o.MaxMessageSize < 0 || o.MaxUpstreamConns < 0 || o.MaxSessions < 0 ||
		o.ReadTimeout < 0 || o.RTMIdleTimeout < 0 || o.ClientWriteTimeout < 0 || o.IdleTimeout < 0 || o.MaxHeaderSize < 0 || o.MaxPendingPerSession < 0 ||
		o.MaxHeldBytes < 0 || o.MaxJSONValues < 0 ||
		o.MaxBodyTotal < 0 || o.MinBodyRate < 0 {
		errs = append(errs, errors.New("timeouts and limits must not be negative"))
	}
	return errors.Join(errs...)
}

// upstreamTLS is the TLS configuration of an https upstream: certificates verified against
// the system's roots plus UpstreamCA, SNI set to the upstream's host name.
func (o Options) upstreamTLS(up upstream) *tls.Config {
	if !up.tls {
		return nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: up.hostname,
		InsecureSkipVerify: o.UpstreamInsecureSkipVerify} // an explicit, documented switch
	if len(o.UpstreamCA) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(o.UpstreamCA)
		cfg.RootCAs = pool
	}
	return cfg
}

package main

import (
	"crypto/x509"
	"fmt"
	"github.com/lcgate/lcgate/translate/jsontree"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lcgate/lcgate/proxy"
)

// UpstreamEmbedded as the upstream starts the simulator in-process, on a loopback port.
const UpstreamEmbedded = "embedded"

// Default values of the configuration. kong reads them through kongVars, so --help shows
// them and they are written down once.
const (
	DefaultListen          = "127.0.0.1:8080"
	DefaultUpstream        = UpstreamEmbedded
	DefaultUpstreamVersion = "3.2"
	DefaultMetricsListen   = "127.0.0.1:9180"
	DefaultSimListen       = "127.0.0.1:8081"
	DefaultLogLevel        = "info"
	DefaultLogFormat       = "text"
	DefaultV30Answers      = "wrapped"
	// DefaultDrainTimeout bounds a graceful shutdown.
	DefaultDrainTimeout = 10 * time.Second
)

// logLevels and logFormats are the accepted values of --log-level and --log-format.
var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"text", "json"}
	v30Answers = []string{"wrapped", "bare"}
)

// Config is the configuration of `lcgate serve`. Every field is a flag, an LCGATE_*
// environment variable and a key of the --config file (the flag name with "_" for "-").
// A flag beats the variable, which beats the file, which beats the default.
type Config struct {
	Listen                     string    `help:"Address the gateway accepts clients on (default ${default})." default:"${default_listen}" env:"LCGATE_LISTEN" placeholder:"ADDR"`
	Upstream                   string    `help:"Upstream base URL (http://host:port or https://host), or \"embedded\" for the in-process simulator (default ${default})." default:"${default_upstream}" env:"LCGATE_UPSTREAM" placeholder:"URL|embedded"`
	UpstreamVersion            string    `help:"Customer Chat API version the upstream speaks: 3.0, 3.1 or 3.2 (default ${default})." default:"${default_upstream_version}" env:"LCGATE_UPSTREAM_VERSION" placeholder:"VERSION"`
	Routes                     string    `help:"YAML file of upstreams with their versions, a default and a canary share, URLs per region; read again on SIGHUP. When set, --upstream and --upstream-version are not used." env:"LCGATE_ROUTES" placeholder:"FILE"`
	MetricsListen              string    `help:"Address of the operator endpoints /healthz and /readyz (default ${default})." default:"${default_metrics_listen}" env:"LCGATE_METRICS_LISTEN" placeholder:"ADDR"`
	UpstreamCA                 string    `name:"upstream-ca" help:"PEM file of CA certificates trusted for an https upstream, besides the system's." env:"LCGATE_UPSTREAM_CA" placeholder:"FILE"`
	UpstreamInsecureSkipVerify bool      `name:"upstream-insecure-skip-verify" help:"Accept any certificate from an https upstream. For local testing only." env:"LCGATE_UPSTREAM_INSECURE_SKIP_VERIFY"`
	Pprof                      bool      `name:"pprof" help:"Serve Go's profiles (CPU, heap, allocations, goroutines) under /debug/pprof/ on the metrics listener. Keep that listener private." env:"LCGATE_PPROF"`
	V30Answers                 string    `name:"v30-answers" help:"Framing of translated Web answers to 3.0 clients: wrapped in {\"payload\": …} or bare (default ${default}; 3.0's answer framing is undocumented)." default:"${default_v30_answers}" env:"LCGATE_V30_ANSWERS" placeholder:"wrapped|bare"`
	MemoryLimit                int64     `help:"Go's soft memory limit in bytes: under it the runtime returns memory to the system as it nears the limit instead of minutes later. 0 (default): 90 % of the container's memory limit (cgroup) when it has one, else none; -1: none. GOMEMLIMIT, when set, wins over the default." default:"0" env:"LCGATE_MEMORY_LIMIT" placeholder:"BYTES"`
	Limits                     Limits    `embed:""`
	Log                        LogConfig `embed:""`
}

// Limits are the gateway's timeouts and size limits; their defaults are the proxy's.
type Limits struct {
	UpstreamTimeout    time.Duration `help:"Longest wait for one upstream Web call, sending it and reading its answer (default ${default})." default:"${default_upstream_timeout}" env:"LCGATE_UPSTREAM_TIMEOUT" placeholder:"DURATION"`
	HandshakeTimeout   time.Duration `help:"Longest upstream WebSocket handshake (default ${default})." default:"${default_handshake_timeout}" env:"LCGATE_HANDSHAKE_TIMEOUT" placeholder:"DURATION"`
	WriteTimeout       time.Duration `help:"Longest write of one RTM frame to either leg (default ${default})." default:"${default_write_timeout}" env:"LCGATE_WRITE_TIMEOUT" placeholder:"DURATION"`
	CloseGrace         time.Duration `help:"How long a leg may take to answer a close frame (default ${default})." default:"${default_close_grace}" env:"LCGATE_CLOSE_GRACE" placeholder:"DURATION"`
	DrainTimeout       time.Duration `help:"On SIGTERM, how long Web calls and RTM sessions get to finish before they are cut (default ${default})." default:"${default_drain_timeout}" env:"LCGATE_DRAIN_TIMEOUT" placeholder:"DURATION"`
	MaxBodySize        int           `help:"Largest Web request or answer body in bytes; larger requests get 413 (default ${default})." default:"${default_max_body_size}" env:"LCGATE_MAX_BODY_SIZE" placeholder:"BYTES"`
	MaxMessageSize     int64         `help:"Largest RTM message in bytes; a larger one closes its sender's leg with 1009 (default ${default})." default:"${default_max_message_size}" env:"LCGATE_MAX_MESSAGE_SIZE" placeholder:"BYTES"`
	MaxUpstreamConns   int           `help:"Most Web connections open to the upstream at once (default ${default})." default:"${default_max_upstream_conns}" env:"LCGATE_MAX_UPSTREAM_CONNS" placeholder:"N"`
	MaxSessions        int           `help:"Most RTM sessions open at once; more are refused with 503 (default ${default})." default:"${default_max_sessions}" env:"LCGATE_MAX_SESSIONS" placeholder:"N"`
	MaxPending         int           `help:"Most requests of one translated RTM session read from the client and not yet sent upstream; at the cap lcgate stops reading that client (default ${default})." default:"${default_max_pending}" env:"LCGATE_MAX_PENDING" placeholder:"N"`
	MaxHeldBytes       int64         `help:"Most bytes of client requests all translated RTM sessions hold while they wait their turn; past it sessions stop reading their clients and new sessions get 503 (default ${default})." default:"${default_max_held_bytes}" env:"LCGATE_MAX_HELD_BYTES" placeholder:"BYTES"`
	MaxBodyTotal       int64         `help:"Most bytes of Web request bodies held at once, all connections together; bodies are read as they arrive and one that would pass it gets 503 (default ${default})." default:"${default_max_body_total}" env:"LCGATE_MAX_BODY_TOTAL" placeholder:"BYTES"`
	MinBodyRate        int           `help:"Slowest a Web request body may arrive, in bytes per second, after its first 5 s; a slower one is cut with 408 (default ${default})." default:"${default_min_body_rate}" env:"LCGATE_MIN_BODY_RATE" placeholder:"BYTES"`
	MaxJSONValues      int           `name:"max-json-values" help:"Most values (objects, arrays, scalars) one translated JSON document may hold; a request over it gets 413, an upstream answer 502. Bounds a translation's memory, about 40 bytes a value (default ${default})." default:"${default_max_json_values}" env:"LCGATE_MAX_JSON_VALUES" placeholder:"N"`
	MaxHeaderSize      int           `help:"Largest request headers in bytes; larger get 431 (default ${default})." default:"${default_max_header_size}" env:"LCGATE_MAX_HEADER_SIZE" placeholder:"BYTES"`
	ReadTimeout        time.Duration `help:"Longest read of a whole client request (default ${default})." default:"${default_read_timeout}" env:"LCGATE_READ_TIMEOUT" placeholder:"DURATION"`
	ClientWriteTimeout time.Duration `name:"client-write-timeout" help:"Longest write of a Web answer to a client (default ${default})." default:"${default_client_write_timeout}" env:"LCGATE_CLIENT_WRITE_TIMEOUT" placeholder:"DURATION"`
	RTMIdleTimeout     time.Duration `name:"rtm-idle-timeout" help:"Close an RTM session one of whose legs sent nothing (data, ping or pong) for that long (default ${default})." default:"${default_rtm_idle_timeout}" env:"LCGATE_RTM_IDLE_TIMEOUT" placeholder:"DURATION"`
	IdleTimeout        time.Duration `help:"How long an idle client keep-alive connection stays open (default ${default})." default:"${default_idle_timeout}" env:"LCGATE_IDLE_TIMEOUT" placeholder:"DURATION"`
}

// check adds the problems of the limits to errs: every one must be positive.
func (l Limits) check(errs ConfigError) ConfigError {
	for _, d := range []struct {
		field string
		bad   bool
	}{
		{"upstream-timeout", l.UpstreamTimeout <= 0}, {"handshake-timeout", l.HandshakeTimeout <= 0},
		{"write-timeout", l.WriteTimeout <= 0}, {"close-grace", l.CloseGrace <= 0},
		{"drain-timeout", l.DrainTimeout <= 0}, {"max-body-size", l.MaxBodySize <= 0},
		{"max-message-size", l.MaxMessageSize <= 0}, {"max-upstream-conns", l.MaxUpstreamConns <= 0},
		{"max-sessions", l.MaxSessions <= 0}, {"max-pending", l.MaxPending <= 0},
		{"max-held-bytes", l.MaxHeldBytes <= 0}, {"max-json-values", l.MaxJSONValues <= 0},
		{"max-body-total", l.MaxBodyTotal <= 0}, {"min-body-rate", l.MinBodyRate <= 0},
		{"max-header-size", l.MaxHeaderSize <= 0}, {"read-timeout", l.ReadTimeout <= 0},
		{"client-write-timeout", l.ClientWriteTimeout <= 0}, {"idle-timeout", l.IdleTimeout <= 0},
		{"rtm-idle-timeout", l.RTMIdleTimeout <= 0},
	} {
		if d.bad {
			errs = append(errs, FieldError{d.field, "must be positive"})
		}
	}
	return errs
}

// LogConfig selects the log/slog handler; logs go to stderr. Credentials (Authorization,
// Cookie, tokens) are never logged.
type LogConfig struct {
	LogLevel  string `help:"Lowest level logged: debug, info, warn or error (default ${default})." default:"${default_log_level}" env:"LCGATE_LOG_LEVEL" placeholder:"LEVEL"`
	LogFormat string `help:"Log format: text or json (default ${default})." default:"${default_log_format}" env:"LCGATE_LOG_FORMAT" placeholder:"FORMAT"`
}

// kongVars are the defaults as kong interpolation variables.
func kongVars() map[string]string {
	return map[string]string{
		"default_listen":               DefaultListen,
		"default_upstream":             DefaultUpstream,
		"default_upstream_version":     DefaultUpstreamVersion,
		"default_metrics_listen":       DefaultMetricsListen,
		"default_sim_listen":           DefaultSimListen,
		"default_log_level":            DefaultLogLevel,
		"default_log_format":           DefaultLogFormat,
		"default_v30_answers":          DefaultV30Answers,
		"default_upstream_timeout":     proxy.DefaultUpstreamTimeout.String(),
		"default_handshake_timeout":    proxy.DefaultHandshakeTimeout.String(),
		"default_write_timeout":        proxy.DefaultWriteTimeout.String(),
		"default_close_grace":          proxy.DefaultCloseGrace.String(),
		"default_drain_timeout":        DefaultDrainTimeout.String(),
		"default_max_body_size":        strconv.Itoa(proxy.DefaultMaxBodySize),
		"default_max_message_size":     strconv.Itoa(proxy.DefaultMaxMessageSize),
		"default_max_upstream_conns":   strconv.Itoa(proxy.DefaultMaxUpstreamConns),
		"default_max_sessions":         strconv.Itoa(proxy.DefaultMaxSessions),
		"default_max_pending":          strconv.Itoa(proxy.DefaultMaxPendingPerSession),
		"default_max_held_bytes":       strconv.Itoa(proxy.DefaultMaxHeldBytes),
		"default_max_json_values":      strconv.Itoa(jsontree.DefaultMaxValues),
		"default_max_body_total":       strconv.Itoa(proxy.DefaultMaxBodyTotal),
		"default_min_body_rate":        strconv.Itoa(proxy.DefaultMinBodyRate),
		"default_max_header_size":      strconv.Itoa(proxy.DefaultMaxHeaderSize),
		"default_read_timeout":         proxy.DefaultReadTimeout.String(),
		"default_client_write_timeout": proxy.DefaultClientWriteTimeout.String(),
		"default_idle_timeout":         proxy.DefaultIdleTimeout.String(),
		"default_rtm_idle_timeout":     proxy.DefaultRTMIdleTimeout.String(),
	}
}

// FieldError is one configuration problem: the flag it concerns and what is wrong.
type FieldError struct {
	Field   string // flag name without dashes, e.g. "upstream-version"
	Problem string
}

// Error is "field: problem".
func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// ConfigError lists every problem of a configuration, in field order.
type ConfigError []FieldError

// Error lists the problems, one per line.
func (e ConfigError) Error() string {
	lines := make([]string, len(e))
	for i, f := range e {
		lines[i] = "  " + f.Error()
	}
	return "invalid configuration:\n" + strings.Join(lines, "\n")
}

// Validate reports every problem of c at once as a ConfigError, or nil. It is pure.
func (c Config) Validate() error {
	var errs ConfigError
	errs = checkAddress(errs, "listen", c.Listen)
	if c.Routes != "" {
		if _, err := readRoutes(c.Routes, ""); err != nil {
			errs = append(errs, FieldError{"routes", err.Error()})
		}
	}
	if c.Upstream != UpstreamEmbedded {
		if err := proxy.CheckUpstreamURL(c.Upstream); err != nil {
			errs = append(errs, FieldError{"upstream", fmt.Sprintf(`want %q or a URL: %v`, UpstreamEmbedded, err)})
		}
	}
	if !proxy.IsVersion(c.UpstreamVersion) {
		errs = append(errs, FieldError{"upstream-version", fmt.Sprintf(
			`%q is not one of %s (in YAML, quote it: "3.0")`, c.UpstreamVersion, strings.Join(proxy.Versions(), ", "))})
	}
	errs = checkAddress(errs, "metrics-listen", c.MetricsListen)
	if c.MetricsListen == c.Listen && !strings.HasSuffix(c.Listen, ":0") {
		errs = append(errs, FieldError{"metrics-listen", fmt.Sprintf("%q is also the gateway's address", c.MetricsListen)})
	}
	if c.UpstreamCA != "" {
		if pem, err := os.ReadFile(c.UpstreamCA); err != nil {
			errs = append(errs, FieldError{"upstream-ca", err.Error()})
		} else if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			errs = append(errs, FieldError{"upstream-ca", fmt.Sprintf("%q holds no PEM certificate", c.UpstreamCA)})
		}
	}
	if !slices.Contains(v30Answers, c.V30Answers) {
		errs = append(errs, FieldError{"v30-answers", fmt.Sprintf("%q is not one of %s", c.V30Answers, strings.Join(v30Answers, ", "))})
	}
	if c.MemoryLimit < -1 {
		errs = append(errs, FieldError{"memory-limit", "must be a number of bytes, 0 (from the container) or -1 (none)"})
	}
	errs = c.Limits.check(errs)
	errs = c.Log.check(errs)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// check appends the problems of c to errs. (It is not named Validate: kong would call it a
// second time.)
func (c LogConfig) check(errs ConfigError) ConfigError {
	if !slices.Contains(logLevels, c.LogLevel) {
		errs = append(errs, FieldError{"log-level", fmt.Sprintf("%q is not one of %s", c.LogLevel, strings.Join(logLevels, ", "))})
	}
	if !slices.Contains(logFormats, c.LogFormat) {
		errs = append(errs, FieldError{"log-format", fmt.Sprintf("%q is not one of %s", c.LogFormat, strings.Join(logFormats, ", "))})
	}
	return errs
}

// checkAddress appends a problem unless addr is host:port with a numeric port (the host
// may be empty: all interfaces).
func checkAddress(errs ConfigError, field, addr string) ConfigError {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return append(errs, FieldError{field, fmt.Sprintf("%q is not host:port", addr)})
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return append(errs, FieldError{field, fmt.Sprintf("%q has no port number 0-65535", addr)})
	}
	return errs
}

// DefaultLimits are the limits the flags default to.
func DefaultLimits() Limits {
	return Limits{UpstreamTimeout: proxy.DefaultUpstreamTimeout, HandshakeTimeout: proxy.DefaultHandshakeTimeout,
		WriteTimeout: proxy.DefaultWriteTimeout, CloseGrace: proxy.DefaultCloseGrace, DrainTimeout: DefaultDrainTimeout,
		MaxBodySize: proxy.DefaultMaxBodySize, MaxMessageSize: proxy.DefaultMaxMessageSize,
		MaxUpstreamConns: proxy.DefaultMaxUpstreamConns, MaxSessions: proxy.DefaultMaxSessions,
		MaxPending: proxy.DefaultMaxPendingPerSession, MaxHeldBytes: proxy.DefaultMaxHeldBytes,
		MaxJSONValues: jsontree.DefaultMaxValues, MaxBodyTotal: proxy.DefaultMaxBodyTotal,
		MinBodyRate: proxy.DefaultMinBodyRate, MaxHeaderSize: proxy.DefaultMaxHeaderSize,
		ReadTimeout: proxy.DefaultReadTimeout, ClientWriteTimeout: proxy.DefaultClientWriteTimeout,
		IdleTimeout: proxy.DefaultIdleTimeout, RTMIdleTimeout: proxy.DefaultRTMIdleTimeout}
}

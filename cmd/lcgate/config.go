package main

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

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
	DefaultMetricsListen   = "127.0.0.1:9090"
	DefaultSimListen       = "127.0.0.1:8081"
	DefaultLogLevel        = "info"
	DefaultLogFormat       = "text"
	DefaultV30Answers      = "wrapped"
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
	MetricsListen              string    `help:"Address of the operator endpoints /healthz and /readyz (default ${default})." default:"${default_metrics_listen}" env:"LCGATE_METRICS_LISTEN" placeholder:"ADDR"`
	UpstreamCA                 string    `name:"upstream-ca" help:"PEM file of CA certificates trusted for an https upstream, besides the system's." env:"LCGATE_UPSTREAM_CA" placeholder:"FILE"`
	UpstreamInsecureSkipVerify bool      `name:"upstream-insecure-skip-verify" help:"Accept any certificate from an https upstream. For local testing only." env:"LCGATE_UPSTREAM_INSECURE_SKIP_VERIFY"`
	V30Answers                 string    `name:"v30-answers" help:"Framing of translated Web answers to 3.0 clients: wrapped in {\"payload\": …} or bare (default ${default}; 3.0's answer framing is undocumented)." default:"${default_v30_answers}" env:"LCGATE_V30_ANSWERS" placeholder:"wrapped|bare"`
	Log                        LogConfig `embed:""`
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
		"default_listen":           DefaultListen,
		"default_upstream":         DefaultUpstream,
		"default_upstream_version": DefaultUpstreamVersion,
		"default_metrics_listen":   DefaultMetricsListen,
		"default_sim_listen":       DefaultSimListen,
		"default_log_level":        DefaultLogLevel,
		"default_log_format":       DefaultLogFormat,
		"default_v30_answers":      DefaultV30Answers,
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

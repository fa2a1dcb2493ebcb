package main

import (
	"errors"
	"reflect"
	"testing"
)

func validConfig() Config {
	return Config{
		Listen: DefaultListen, Upstream: DefaultUpstream, UpstreamVersion: DefaultUpstreamVersion,
		MetricsListen: DefaultMetricsListen, V30Answers: DefaultV30Answers, Limits: DefaultLimits(), Log: LogConfig{LogLevel: DefaultLogLevel, LogFormat: DefaultLogFormat},
	}
}

func TestConfigValidateReportsEveryProblemWithItsField(t *testing.T) {
	tests := []struct {
		desc   string
		change func(*Config)
		fields []string // nil: valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"upstream URL", func(c *Config) { c.Upstream = "http://127.0.0.1:9000" }, nil},
		{"https upstream", func(c *Config) { c.Upstream = "https://api.livechatinc.com" }, nil},
		{"every version", func(c *Config) { c.UpstreamVersion = "3.0" }, nil},
		{"all interfaces", func(c *Config) { c.Listen = ":8080" }, nil},
		{"both on port 0", func(c *Config) { c.Listen, c.MetricsListen = "127.0.0.1:0", "127.0.0.1:0" }, nil},
		{"json debug", func(c *Config) { c.Log = LogConfig{LogLevel: "debug", LogFormat: "json"} }, nil},
		{"listen without port", func(c *Config) { c.Listen = "localhost" }, []string{"listen"}},
		{"listen bad port", func(c *Config) { c.Listen = "127.0.0.1:http" }, []string{"listen"}},
		{"listen port too big", func(c *Config) { c.Listen = "127.0.0.1:70000" }, []string{"listen"}},
		{"upstream scheme", func(c *Config) { c.Upstream = "ws://127.0.0.1:9000" }, []string{"upstream"}},
		{"upstream path", func(c *Config) { c.Upstream = "http://127.0.0.1:9000/v3.2" }, []string{"upstream"}},
		{"upstream empty", func(c *Config) { c.Upstream = "" }, []string{"upstream"}},
		{"version 3.3", func(c *Config) { c.UpstreamVersion = "3.3" }, []string{"upstream-version"}},
		{"version unquoted 3.0", func(c *Config) { c.UpstreamVersion = "3" }, []string{"upstream-version"}},
		{"metrics on gateway port", func(c *Config) { c.MetricsListen = c.Listen }, []string{"metrics-listen"}},
		{"log level", func(c *Config) { c.Log.LogLevel = "INFO" }, []string{"log-level"}},
		{"log format", func(c *Config) { c.Log.LogFormat = "logfmt" }, []string{"log-format"}},
		{"everything wrong", func(c *Config) {
			*c = Config{Listen: "x", Upstream: "y", UpstreamVersion: "z", MetricsListen: "w", V30Answers: "naked", Limits: DefaultLimits(),
				Log: LogConfig{LogLevel: "v", LogFormat: "u"}}
		}, []string{"listen", "upstream", "upstream-version", "metrics-listen", "v30-answers", "log-level", "log-format"}},
		{"v30 answers", func(c *Config) { c.V30Answers = "Bare" }, []string{"v30-answers"}},
		{"limits", func(c *Config) { c.Limits.UpstreamTimeout = 0; c.Limits.MaxBodySize = -1 }, []string{"upstream-timeout", "max-body-size"}},
		{"upstream CA missing", func(c *Config) { c.UpstreamCA = "/nonexistent/ca.pem" }, []string{"upstream-ca"}},
		{"upstream CA not PEM", func(c *Config) { c.UpstreamCA = "config_test.go" }, []string{"upstream-ca"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			c := validConfig()
			tc.change(&c)
			err := c.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ce ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate() = %v, want a ConfigError", err)
			}
			var fields []string
			for _, f := range ce {
				fields = append(fields, f.Field)
			}
			if !reflect.DeepEqual(fields, tc.fields) {
				t.Errorf("fields %v, want %v (%v)", fields, tc.fields, err)
			}
		})
	}
}

func TestSimValidateReportsEveryProblem(t *testing.T) {
	err := SimCmd{Listen: "nope", Log: LogConfig{LogLevel: "x", LogFormat: "y"}}.Validate()
	var ce ConfigError
	if !errors.As(err, &ce) || len(ce) != 3 {
		t.Fatalf("Validate() = %v, want 3 problems", err)
	}
	if err := (SimCmd{Listen: DefaultSimListen, Log: LogConfig{DefaultLogLevel, DefaultLogFormat}}).Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

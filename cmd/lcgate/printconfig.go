package main

import (
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// printConfig writes the effective configuration as a config file would hold it: flag names
// (with "_" for "-") as keys. No setting is secret today (the CA option is a path); a secret
// one would be written as "<redacted>".
func printConfig(w io.Writer, c Config) error {
	settings := map[string]any{
		"listen":                        c.Listen,
		"upstream":                      c.Upstream,
		"upstream_version":              c.UpstreamVersion,
		"metrics_listen":                c.MetricsListen,
		"upstream_ca":                   c.UpstreamCA,
		"upstream_insecure_skip_verify": c.UpstreamInsecureSkipVerify,
		"v30_answers":                   c.V30Answers,
		"memory_limit":                  c.MemoryLimit,
		"upstream_timeout":              c.Limits.UpstreamTimeout.String(),
		"handshake_timeout":             c.Limits.HandshakeTimeout.String(),
		"write_timeout":                 c.Limits.WriteTimeout.String(),
		"close_grace":                   c.Limits.CloseGrace.String(),
		"drain_timeout":                 c.Limits.DrainTimeout.String(),
		"max_body_size":                 c.Limits.MaxBodySize,
		"max_message_size":              c.Limits.MaxMessageSize,
		"max_upstream_conns":            c.Limits.MaxUpstreamConns,
		"max_sessions":                  c.Limits.MaxSessions,
		"max_pending":                   c.Limits.MaxPending,
		"max_held_bytes":                c.Limits.MaxHeldBytes,
		"max_json_values":               c.Limits.MaxJSONValues,
		"max_body_total":                c.Limits.MaxBodyTotal,
		"min_body_rate":                 c.Limits.MinBodyRate,
		"max_header_size":               c.Limits.MaxHeaderSize,
		"read_timeout":                  c.Limits.ReadTimeout.String(),
		"client_write_timeout":          c.Limits.ClientWriteTimeout.String(),
		"idle_timeout":                  c.Limits.IdleTimeout.String(),
		"rtm_idle_timeout":              c.Limits.RTMIdleTimeout.String(),
		"log_level":                     c.Log.LogLevel,
		"log_format":                    c.Log.LogFormat,
	}
	out, err := yaml.Marshal(settings)
	if err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	_, err = w.Write(out)
	return err
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// parse runs lcgate's parser on args, without exiting on errors.
func parse(t *testing.T, args ...string) (*CLI, *kong.Context, error) {
	t.Helper()
	var cli CLI
	var out bytes.Buffer
	parser, err := newParser(&cli, &out, &out, kong.Exit(func(int) { t.Fatalf("exit: %s", out.String()) }))
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(args)
	return &cli, kctx, err
}

// writeConfig writes a YAML config file for one test and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lcgate.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServeIsTheDefaultCommandWithDocumentedDefaults(t *testing.T) {
	cli, kctx, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if kctx.Command() != "serve" {
		t.Errorf("command %q, want serve", kctx.Command())
	}
	want := Config{
		Listen: DefaultListen, Upstream: DefaultUpstream, UpstreamVersion: DefaultUpstreamVersion,
		MetricsListen: DefaultMetricsListen, V30Answers: DefaultV30Answers, Limits: DefaultLimits(), Log: LogConfig{LogLevel: DefaultLogLevel, LogFormat: DefaultLogFormat},
	}
	if cli.Serve.Config != want {
		t.Errorf("config %+v, want %+v", cli.Serve.Config, want)
	}
}

func TestServeFlagsWorkWithoutTheCommandName(t *testing.T) {
	cli, kctx, err := parse(t, "--listen", "127.0.0.1:7000", "--upstream-version", "3.1")
	if err != nil {
		t.Fatal(err)
	}
	if kctx.Command() != "serve" || cli.Serve.Config.Listen != "127.0.0.1:7000" || cli.Serve.Config.UpstreamVersion != "3.1" {
		t.Errorf("command %q config %+v", kctx.Command(), cli.Serve.Config)
	}
}

func TestEveryFlagIsAnEnvironmentVariable(t *testing.T) {
	t.Setenv("LCGATE_LISTEN", "127.0.0.1:7001")
	t.Setenv("LCGATE_UPSTREAM", "http://127.0.0.1:9000")
	t.Setenv("LCGATE_UPSTREAM_VERSION", "3.0")
	t.Setenv("LCGATE_METRICS_LISTEN", "127.0.0.1:7002")
	t.Setenv("LCGATE_LOG_LEVEL", "debug")
	t.Setenv("LCGATE_LOG_FORMAT", "json")
	cli, _, err := parse(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Listen: "127.0.0.1:7001", Upstream: "http://127.0.0.1:9000", UpstreamVersion: "3.0",
		MetricsListen: "127.0.0.1:7002", V30Answers: DefaultV30Answers, Limits: DefaultLimits(), Log: LogConfig{LogLevel: "debug", LogFormat: "json"},
	}
	if cli.Serve.Config != want {
		t.Errorf("config %+v, want %+v", cli.Serve.Config, want)
	}

	t.Setenv("LCGATE_SIM_LISTEN", "127.0.0.1:7003")
	cli, _, err = parse(t, "sim")
	if err != nil {
		t.Fatal(err)
	}
	if cli.Sim.Listen != "127.0.0.1:7003" || cli.Sim.Log.LogFormat != "json" {
		t.Errorf("sim %+v", cli.Sim)
	}
}

func TestConfigFileSetsFlagsAndFlagsAndVariablesWin(t *testing.T) {
	path := writeConfig(t, `
listen: 127.0.0.1:7100
upstream: http://127.0.0.1:9100
upstream_version: 3.1
metrics_listen: 127.0.0.1:7101
log_format: json
`)
	cli, _, err := parse(t, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Listen: "127.0.0.1:7100", Upstream: "http://127.0.0.1:9100", UpstreamVersion: "3.1",
		MetricsListen: "127.0.0.1:7101", V30Answers: DefaultV30Answers, Limits: DefaultLimits(), Log: LogConfig{LogLevel: DefaultLogLevel, LogFormat: "json"},
	}
	if cli.Serve.Config != want {
		t.Errorf("config %+v, want %+v", cli.Serve.Config, want)
	}

	t.Setenv("LCGATE_UPSTREAM", "http://127.0.0.1:9200")
	cli, _, err = parse(t, "--config", path, "--listen", "127.0.0.1:7200")
	if err != nil {
		t.Fatal(err)
	}
	if got := cli.Serve.Config; got.Listen != "127.0.0.1:7200" || got.Upstream != "http://127.0.0.1:9200" ||
		got.UpstreamVersion != "3.1" {
		t.Errorf("flag > variable > file not respected: %+v", got)
	}
}

func TestConfigFileRejectsUnknownKeys(t *testing.T) {
	path := writeConfig(t, "listen: 127.0.0.1:7300\nupstrem: http://127.0.0.1:9000\n")
	_, _, err := parse(t, "--config", path)
	if err == nil || !strings.Contains(err.Error(), "upstrem") {
		t.Fatalf("err = %v, want it to name the unknown key", err)
	}
}

func TestConfigFileMustBeAMapping(t *testing.T) {
	path := writeConfig(t, "- listen\n")
	if _, _, err := parse(t, "--config", path); err == nil {
		t.Fatal("a YAML list was accepted as configuration")
	}
}

func TestInvalidFlagsAreReportedTogether(t *testing.T) {
	_, _, err := parse(t, "--listen", "nope", "--upstream-version", "3.9")
	if err == nil || !strings.Contains(err.Error(), "listen:") || !strings.Contains(err.Error(), "upstream-version:") {
		t.Fatalf("err = %v, want both problems", err)
	}
}

func TestConfigFileCanComeFromTheEnvironment(t *testing.T) {
	t.Setenv("LCGATE_CONFIG", writeConfig(t, "upstream_version: \"3.0\"\n"))
	cli, _, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if cli.Serve.Config.UpstreamVersion != "3.0" {
		t.Errorf("upstream-version %q, want 3.0 from $LCGATE_CONFIG", cli.Serve.Config.UpstreamVersion)
	}
}

func TestUnquotedThreePointZeroInYAMLIsExplained(t *testing.T) {
	_, _, err := parse(t, "--config", writeConfig(t, "upstream_version: 3.0\n"))
	if err == nil || !strings.Contains(err.Error(), `quote it`) {
		t.Fatalf("err = %v, want a hint to quote 3.0", err)
	}
}

// TestPrintConfigShowsTheEffectiveConfiguration: --print-config merges flags, variables and
// defaults and prints them as config-file keys, without starting anything.
func TestPrintConfigShowsTheEffectiveConfiguration(t *testing.T) {
	t.Setenv("LCGATE_UPSTREAM_TIMEOUT", "5s")
	var cli CLI
	var out bytes.Buffer
	p, err := newParser(&cli, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := p.Parse([]string{"serve", "--print-config", "--max-body-size", "1000"})
	if err != nil {
		t.Fatal(err)
	}
	if err := kctx.Run(runtime{ctx: context.Background(), stdout: &out, stderr: &out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"upstream_timeout: 5s\n", "max_body_size: 1000\n", "upstream_version: \"3.2\"\n", "listen: 127.0.0.1:8080\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--print-config lacks %q:\n%s", want, out.String())
		}
	}
}

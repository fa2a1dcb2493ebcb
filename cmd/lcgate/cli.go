package main

import (
	"context"
	"io"

	"github.com/alecthomas/kong"
)

// CLI is lcgate's command line. serve is the default command: `lcgate --listen ADDR` is
// `lcgate serve --listen ADDR`.
type CLI struct {
	Config    kong.ConfigFlag `help:"YAML file of flag defaults (keys: flag names, with _ for -)." env:"LCGATE_CONFIG" placeholder:"FILE"`
	Serve     ServeCmd        `cmd:"" default:"withargs" help:"Run the gateway (the default command)."`
	Sim       SimCmd          `cmd:"" help:"Run the LiveChat simulator alone."`
	Translate TranslateCmd    `cmd:"" help:"Translate one message read from stdin between versions."`
	Version   VersionCmd      `cmd:"" help:"Print lcgate's version."`
}

// runtime is what commands receive from main besides their flags.
type runtime struct {
	ctx    context.Context // cancelled on SIGINT or SIGTERM
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader // nil: os.Stdin
}

// newParser builds the kong parser for cli, writing help and errors to stdout and stderr.
func newParser(cli *CLI, stdout, stderr io.Writer, options ...kong.Option) (*kong.Kong, error) {
	return kong.New(cli, append([]kong.Option{
		kong.Name("lcgate"),
		kong.Description("A gateway that lets LiveChat Customer Chat API clients of versions 3.0, 3.1 " +
			"and 3.2 talk to an upstream of any of those versions."),
		kong.Vars(kongVars()),
		kong.Configuration(loadYAML),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
	}, options...)...)
}

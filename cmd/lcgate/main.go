// Command lcgate runs the LiveChat Customer Chat API version gateway (lcgate serve, the
// default), the simulator alone (lcgate sim), or prints its version (lcgate version).
// Every flag is also an LCGATE_* environment variable and a key of the --config file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	var cli CLI
	parser, err := newParser(&cli, os.Stdout, os.Stderr)
	if err != nil {
		panic(err) // the CLI struct is malformed: a programming error
	}
	kctx, err := parser.Parse(os.Args[1:])
	parser.FatalIfErrorf(err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = kctx.Run(runtime{ctx: ctx, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	kctx.FatalIfErrorf(err)
}

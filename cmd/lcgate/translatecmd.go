package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// TranslateCmd translates one message read from stdin, for people debugging an integration.
type TranslateCmd struct {
	From   string `required:"" enum:"3.0,3.1,3.2" help:"Version the message is in (${enum})."`
	To     string `required:"" enum:"3.0,3.1,3.2" help:"Version to translate it to (${enum})."`
	Kind   string `required:"" enum:"request,response,push,error" help:"Kind of message (${enum})."`
	Action string `help:"Action (request, response) or push name, in the --from version."`
}

// Run reads the payload (a request or response payload, a push payload, or an error body)
// from stdin and prints its translation. A request whose translation needs upstream calls is
// dry-run: each call it would make is printed, answered with {}.
func (c *TranslateCmd) Run(rt runtime) error {
	from, _ := versions.Parse(c.From)
	to, _ := versions.Parse(c.To)
	kind, _ := translate.ParseKind(c.Kind)
	if kind != translate.KindError && c.Action == "" {
		return errors.New("--action is required for requests, responses and pushes")
	}
	in, err := io.ReadAll(rt.stdinReader())
	if err != nil {
		return err
	}
	d, err := translate.ParsePayload(in, false)
	if err != nil {
		return err
	}
	var engine translate.Engine
	name, err := engine.Rewrite(rt.ctx, kind, from, to, c.Action, d)
	var needs *translate.NeedsCallsError
	switch {
	case errors.As(err, &needs) && kind == translate.KindRequest && from < to:
		return c.dryRun(rt, from, to, in)
	case err != nil:
		return err
	case name == "":
		_, err = fmt.Fprintf(rt.stdout, "# %s has no counterpart in %s: the push is dropped\n", c.Action, c.To)
		return err
	}
	_, err = fmt.Fprintf(rt.stdout, "# %s %s in %s\n%s\n", c.Kind, name, c.To, d.JSON())
	return err
}

// dryRun serves the request with a fake upstream that prints each call and answers {}.
func (c *TranslateCmd) dryRun(rt runtime, from, to versions.Version, in []byte) error {
	d, err := translate.ParsePayload(in, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(rt.stdout, "# %s needs calls to the upstream; each call, answered with {} in this dry run:\n", c.Action)
	var engine translate.Engine
	resp, err := engine.Call(rt.ctx, translate.Request{Client: from, Upstream: to, Action: c.Action, Payload: d},
		printingCaller{rt: rt, version: to})
	if err != nil {
		_, err = fmt.Fprintf(rt.stdout, "# stopped: %v\n", err)
		return err
	}
	_, err = fmt.Fprintf(rt.stdout, "# answer in %s\n%s\n", c.From, resp.JSON())
	return err
}

// printingCaller prints calls instead of making them.
type printingCaller struct {
	rt      runtime
	version versions.Version
}

func (p printingCaller) Call(_ context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	fmt.Fprintf(p.rt.stdout, "→ %s %s %s\n", p.version, action, req.JSON())
	return jsontree.New(), nil
}

func (p printingCaller) Upload(_ context.Context, f versions.File) (*versions.Doc, error) {
	fmt.Fprintf(p.rt.stdout, "→ %s upload_file (multipart file %q, %d bytes)\n", p.version, f.Name, len(f.Data))
	return jsontree.New(), nil
}

// stdinReader is the command's input.
func (rt runtime) stdinReader() io.Reader {
	if rt.stdin != nil {
		return rt.stdin
	}
	return os.Stdin
}

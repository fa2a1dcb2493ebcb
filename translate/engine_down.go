package translate

import (
	"context"

	"github.com/lcgate/lcgate/versions"
)

// callDown serves a newer call on an older version: rewrite the request (or emulate the call
// with the older version's methods), call the next older version, and bring the answer up.
// Error types need no mapping on the way up: every older type is known to the newer versions
// (spec/structures.md §9).
func (c *chainCaller) callDown(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	step := c.env.Step
	env := &c.env
	env.Ctx = ctx
	older := action
	ac := step.ActionByNewer(action)
	if ac != nil {
		switch {
		case ac.Emulate != nil:
			if c.e.OnExpand != nil {
				c.e.OnExpand(action)
			}
			return ac.Emulate(env, req)
		case ac.Unavailable != "" || ac.Older == "":
			return nil, UnavailableError(ac, step.Older, c.req.Upstream)
		}
		older = ac.Older
		if ac.RequestDown != nil {
			if err := ac.RequestDown(env, req); err != nil {
				return nil, err
			}
		}
	}
	resp, err := env.Next.Call(ctx, older, req)
	if err != nil {
		return nil, err
	}
	walk(step, env, resp, resp.Root(), versions.ResponseShapes[older], true)
	if ac != nil && ac.ResponseUp != nil {
		if err := ac.ResponseUp(env, resp); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// UnavailableError is the client's error for a call its version has and the older version
// (on the way to an upstream of version upstream) cannot serve: a validation error naming the
// missing capability (spec/methods.md §6).
func UnavailableError(ac *versions.ActionChange, older, upstream versions.Version) *versions.APIError {
	msg := ac.Unavailable
	if msg == "" {
		msg = ac.Newer + " has no counterpart in version " + older.String()
	}
	return &versions.APIError{Status: 400, Type: "validation",
		Message: "lcgate: " + msg + "; the upstream speaks version " + upstream.String()}
}

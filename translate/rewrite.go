package translate

import (
	"context"
	"fmt"

	"github.com/lcgate/lcgate/versions"
)

// Kind is the kind of message a rewrite translates.
type Kind uint8

// The kinds of message.
const (
	KindRequest Kind = iota + 1
	KindResponse
	KindPush
	KindError
)

// ParseKind reads "request", "response", "push" or "error".
func ParseKind(s string) (Kind, bool) {
	switch s {
	case "request":
		return KindRequest, true
	case "response":
		return KindResponse, true
	case "push":
		return KindPush, true
	case "error":
		return KindError, true
	}
	return 0, false
}

// NeedsCallsError reports a message whose translation needs calls to the upstream (an
// expansion): it cannot be rewritten on its own.
type NeedsCallsError struct {
	Action string
	From   versions.Version
	To     versions.Version
	Change string
}

func (e *NeedsCallsError) Error() string {
	return fmt.Sprintf("%s from %s to %s needs calls to the upstream (%s)", e.Action, e.From, e.To, e.Change)
}

// Rewrite translates one message from version from to version to without any call: a
// request of the client's action, or a response, push or error named as in version from.
// It returns the message's action (or push) name in version to; "" means version to has no
// such push. Changes that need calls return *NeedsCallsError.
func (e *Engine) Rewrite(ctx context.Context, kind Kind, from, to versions.Version, action string, d *versions.Doc) (string, error) {
	env := &versions.Env{Ctx: ctx, Client: min(from, to), Upstream: max(from, to), Lossy: e.OnLossy, Now: e.now}
	for from != to {
		var err error
		if from < to {
			action, err = rewriteUp(env, versions.StepUp(from), kind, action, d)
			from++
		} else {
			action, err = rewriteDown(env, versions.StepUp(from-1), kind, action, d)
			from--
		}
		if err != nil || action == "" {
			return action, err
		}
	}
	return action, nil
}

// rewriteUp carries a message across step s from its older version to its newer one.
func rewriteUp(env *versions.Env, s *versions.Step, kind Kind, action string, d *versions.Doc) (string, error) {
	switch kind {
	case KindRequest:
		ac := s.ActionByOlder(action)
		if ac == nil {
			return action, nil
		}
		switch {
		case ac.Missing != "":
			return "", &versions.APIError{Status: 400, Type: "validation", Message: "lcgate: " + ac.Missing}
		case ac.Expand != nil || ac.Newer == "":
			return "", &NeedsCallsError{Action: action, From: s.Older, To: s.Newer, Change: ac.Name}
		case ac.RequestUp != nil:
			if err := ac.RequestUp(env, d); err != nil {
				return "", err
			}
		}
		return ac.Newer, nil
	case KindResponse:
		ac := s.ActionByOlder(action)
		if ac != nil && (ac.Emulate != nil || ac.Newer == "") {
			return "", &NeedsCallsError{Action: action, From: s.Older, To: s.Newer, Change: ac.Name}
		}
		walk(s, env, d, d.Root(), versions.ResponseShapes[action], true)
		if ac == nil {
			return action, nil
		}
		if ac.ResponseUp != nil {
			if err := ac.ResponseUp(env, d); err != nil {
				return "", err
			}
		}
		return orName(ac.Newer, action), nil
	case KindPush:
		walk(s, env, d, d.Root(), versions.PushShapes[action], true)
		pc := s.PushByOlder(action)
		if pc == nil || (pc.UpWhen != nil && !pc.UpWhen(d)) {
			return action, nil
		}
		if pc.Up != nil {
			if err := pc.Up(env, d); err != nil {
				return "", err
			}
		}
		return pc.Newer, nil
	}
	return action, nil
}

// rewriteDown carries a message across step s from its newer version to its older one.
func rewriteDown(env *versions.Env, s *versions.Step, kind Kind, action string, d *versions.Doc) (string, error) {
	switch kind {
	case KindRequest:
		ac := s.ActionByNewer(action)
		if ac == nil {
			return action, nil
		}
		switch {
		case ac.Emulate != nil:
			return "", &NeedsCallsError{Action: action, From: s.Newer, To: s.Older, Change: ac.Name}
		case ac.Unavailable != "" || ac.Older == "":
			return "", UnavailableError(ac, s.Older, env.Client)
		}
		if ac.RequestDown != nil {
			if err := ac.RequestDown(env, d); err != nil {
				return "", err
			}
		}
		return ac.Older, nil
	case KindResponse:
		walk(s, env, d, d.Root(), versions.ResponseShapes[action], false)
		ac := s.ActionByNewer(action)
		if ac == nil {
			return action, nil
		}
		if ac.Expand != nil {
			return "", &NeedsCallsError{Action: action, From: s.Newer, To: s.Older, Change: ac.Name}
		}
		if ac.ResponseDown != nil {
			if err := ac.ResponseDown(env, d); err != nil {
				return "", err
			}
		}
		return orName(ac.Older, action), nil
	case KindPush:
		walk(s, env, d, d.Root(), versions.PushShapes[action], false)
		pc := s.PushByNewer(action)
		if pc == nil {
			return action, nil
		}
		if pc.Older == "" {
			return "", nil
		}
		if pc.Down != nil {
			if err := pc.Down(env, d); err != nil {
				return "", err
			}
		}
		return pc.Older, nil
	case KindError:
		typ := d.Path(d.Root(), "error", "type")
		if t, ok := d.Str(typ); ok {
			if older, ok := s.ErrorTypesDown[t]; ok {
				d.Set(d.Get(d.Root(), "error"), "type", d.NewString(older))
			}
		}
	}
	return action, nil
}

func orName(name, def string) string {
	if name == "" {
		return def
	}
	return name
}

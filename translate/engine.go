package translate

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// Engine serves calls across versions. The zero value is ready to use; it is safe for
// concurrent use.
type Engine struct {
	// OnLossy, when set, is called each time a change loses information (for metrics).
	OnLossy func(change string)
	// Now, when set, replaces time.Now.
	Now func() time.Time
	// OnExpand, when set, is called with the client-side action of each call served with
	// several upstream calls (for metrics).
	OnExpand func(action string)
}

// Request is one client call.
type Request struct {
	Client, Upstream versions.Version
	Action           string
	Payload          *versions.Doc     // the request payload (bare), consumed by Call
	Files            []versions.File   // multipart files
	Form             map[string]string // multipart values, without version prefix
}

// Call serves r on the upstream reached by raw (which speaks r.Upstream) and returns the
// answer in r.Client's shape. Errors are *versions.APIError in the client's version (types it
// knows), or errors of raw. Release the answer with Release once it is written.
func (e *Engine) Call(ctx context.Context, r Request, raw versions.Caller) (*versions.Doc, error) {
	if _, ok := versions.Lookup(r.Client, r.Action); !ok {
		return nil, &versions.APIError{Status: 404, Type: "validation",
			Message: fmt.Sprintf("lcgate: unknown action %q in version %s", r.Action, r.Client)}
	}
	ch := newChain(ctx, e, &r, raw)
	resp, err := ch.callers[0].serve(ctx)
	ch.arena.release(resp)
	ch.recycle()
	return resp, err
}

// chain is everything one client call needs, in one pooled object: a caller per version from
// the client's to the upstream's, each with the Env of its step, the request, and the call's
// documents. Nothing of it outlives Call (versions runs no goroutines).
type chain struct {
	callers [3]chainCaller
	arena   arena
	want    pushWant // the push a CallForPush waits for (engine_push.go)
	req     Request
	newDoc  func() *versions.Doc // arena.newDoc, bound once per pooled chain
}

var chainPool = sync.Pool{New: func() any {
	ch := &chain{}
	ch.newDoc = ch.arena.newDoc
	return ch
}}

// recycle gives ch back to chainPool, dropping everything it referenced.
func (ch *chain) recycle() {
	ch.callers = [3]chainCaller{}
	ch.req = Request{}
	ch.want = pushWant{}
	chainPool.Put(ch)
}

func newChain(ctx context.Context, e *Engine, req *Request, raw versions.Caller) *chain {
	ch := chainPool.Get().(*chain)
	ch.req = *req
	r := &ch.req
	// The chain runs from the client's version towards the upstream's, up or down.
	dir := versions.Version(1)
	if r.Client > r.Upstream {
		dir = ^versions.Version(0) // -1: the versions are small unsigned numbers
	}
	for i := range ch.callers {
		c := &ch.callers[i]
		c.e, c.v, c.req, c.raw, c.arena, c.want = e, r.Client+dir*versions.Version(i), r, raw, &ch.arena, &ch.want
		if i+1 < len(ch.callers) {
			c.nextCaller = &ch.callers[i+1]
		}
		env := versions.Env{Ctx: ctx, Client: r.Client, Upstream: r.Upstream, Next: c.nextCaller,
			Lossy: e.OnLossy, Now: e.now, Files: r.Files, Form: r.Form, NewDoc: ch.newDoc}
		switch {
		case c.v < r.Upstream && r.Client <= c.v:
			env.Step, env.Walk = versions.StepUp(c.v), walkEnvDown
			c.env = env
		case c.v > r.Upstream && r.Client >= c.v:
			env.Step, env.Walk = versions.StepUp(c.v-1), walkEnvUp
			c.env = env
		}
	}
	return ch
}

// walkEnvDown is versions.Env.Walk of an older client's chain: the step's structure
// changes, newer → older.
func walkEnvDown(env *versions.Env, d *versions.Doc, n versions.Node, s *versions.Shape) {
	walk(env.Step, env, d, n, s, false)
}

// walkEnvUp is versions.Env.Walk of a newer client's chain: the step's structure changes,
// older → newer.
func walkEnvUp(env *versions.Env, d *versions.Doc, n versions.Node, s *versions.Shape) {
	walk(env.Step, env, d, n, s, true)
}

// serve runs the client's call.
func (c *chainCaller) serve(ctx context.Context) (*versions.Doc, error) {
	r := c.req
	if r.Action == versions.UploadAction { // multipart: the file travels as is; each side names its field
		if len(r.Files) == 0 {
			return nil, &versions.APIError{Status: 400, Type: "validation",
				Message: "lcgate: upload_file needs a multipart/form-data body with a file"}
		}
		return c.Upload(ctx, r.Files[0])
	}
	return c.Call(ctx, r.Action, r.Payload)
}

// chainCaller is a versions.Caller at version v: it translates along the chain towards the
// upstream.
type chainCaller struct {
	e          *Engine
	v          versions.Version
	req        *Request
	raw        versions.Caller
	arena      *arena
	want       *pushWant
	nextCaller *chainCaller
	env        versions.Env // the Env of the step from v to v+1
}

// arena holds the documents one client call creates, to recycle them when it ends.
type arena struct{ docs []*versions.Doc }

func (a *arena) newDoc() *versions.Doc {
	d := jsontree.Acquire()
	a.docs = append(a.docs, d)
	return d
}

func (a *arena) track(d *versions.Doc) {
	if d != nil {
		a.docs = append(a.docs, d)
	}
}

// release recycles every document but keep (the answer, owned by the caller).
func (a *arena) release(keep *versions.Doc) {
	for _, d := range a.docs {
		if d != keep {
			jsontree.Release(d)
		}
	}
	clear(a.docs)
	a.docs = a.docs[:0]
}

// Call implements versions.Caller.
func (c *chainCaller) Call(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	switch {
	case c.v == c.req.Upstream && versions.IsInternal(action):
		return c.serveInternal(ctx, action, req)
	case c.v == c.req.Upstream && c.want.active:
		return c.rawCallForPush(ctx, action, req)
	case c.v == c.req.Upstream:
		resp, err := c.raw.Call(ctx, action, req)
		c.arena.track(resp)
		return resp, err
	case c.v < c.req.Upstream:
		return c.callUp(ctx, action, req)
	}
	return c.callDown(ctx, action, req)
}

// serveInternal serves one of lcgate's internal calls on the upstream's own version, with
// the upstream's methods (it never reaches the upstream as such).
func (c *chainCaller) serveInternal(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	serve, ok := versions.ServeInternal(c.v, action)
	if !ok {
		return nil, &versions.APIError{Status: 500, Type: "internal",
			Message: fmt.Sprintf("lcgate: %s cannot be served on version %s", action, c.v)}
	}
	env := &versions.Env{Ctx: ctx, Client: c.req.Client, Upstream: c.req.Upstream, Next: c,
		Lossy: c.e.OnLossy, Now: c.e.now, NewDoc: c.arena.newDoc}
	return serve(env, req)
}

// Upload implements versions.Caller: files travel unchanged; the multipart field name is the
// raw caller's business.
func (c *chainCaller) Upload(ctx context.Context, f versions.File) (*versions.Doc, error) {
	if c.v == c.req.Upstream {
		resp, err := c.raw.Upload(ctx, f)
		c.arena.track(resp)
		return resp, err
	}
	return c.nextCaller.Upload(ctx, f)
}

// lossy reports a lossy conversion made outside the changes' own functions.
func (e *Engine) lossy(change string) {
	if e.OnLossy != nil {
		e.OnLossy(change)
	}
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// callUp serves an older call on a newer version: rewrite the request, call the next
// version, and bring the answer (or error) down.
func (c *chainCaller) callUp(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	step := c.env.Step
	env := &c.env
	env.Ctx = ctx
	newer := action
	ac := step.ActionByOlder(action)
	if ac != nil {
		switch {
		case ac.Missing != "":
			return nil, &versions.APIError{Status: 400, Type: "validation", Message: "lcgate: " + ac.Missing}
		case ac.Expand != nil:
			if c.e.OnExpand != nil {
				c.e.OnExpand(action)
			}
			resp, err := ac.Expand(env, req)
			return resp, downError(step, err)
		}
		newer = ac.Newer
		if ac.RequestUp != nil {
			if err := ac.RequestUp(env, req); err != nil {
				return nil, err
			}
		}
	}
	resp, err := env.Next.Call(ctx, newer, req)
	if err != nil {
		return nil, downError(step, err)
	}
	walkDown(step, env, resp, resp.Root(), versions.ResponseShapes[newer])
	if ac != nil && ac.ResponseDown != nil {
		if err := ac.ResponseDown(env, resp); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// downError maps an API error's type to one the older version knows.
func downError(step *versions.Step, err error) error {
	if ae, ok := err.(*versions.APIError); ok {
		if t, ok := step.ErrorTypesDown[ae.Type]; ok {
			cp := *ae
			cp.Type, cp.Status = t, 0 // the status follows the new type
			return &cp
		}
	}
	return err
}

// walkDown applies the step's structure changes (newer → older) to every structure of the
// subtree n, parents before their children, as shape s describes it.
func walkDown(step *versions.Step, env *versions.Env, d *versions.Doc, n versions.Node, s *versions.Shape) {
	walk(step, env, d, n, s, false)
}

// walk applies the step's structure changes, Up or Down, to every structure of the subtree n,
// parents before their children (a change sees its subtree in its own version's shape).
func walk(step *versions.Step, env *versions.Env, d *versions.Doc, n versions.Node, s *versions.Shape, up bool) {
	if s == nil || n == versions.None {
		return
	}
	if s.Is != versions.NoStructure {
		for i := range step.Structures {
			ch := &step.Structures[i]
			if ch.On != s.Is {
				continue
			}
			if f := ch.Down; !up && f != nil {
				f(env, d, n)
			} else if f := ch.Up; up && f != nil {
				f(env, d, n)
			}
		}
	}
	switch {
	case s.Fields != nil && d.IsObject(n):
		for ch := d.First(n); ch != versions.None; ch = d.Next(ch) {
			if sub := s.Field(d.KeyBytes(ch)); sub != nil {
				walk(step, env, d, ch, sub, up)
			}
		}
	case s.Items != nil && d.IsArray(n):
		for ch := d.First(n); ch != versions.None; ch = d.Next(ch) {
			walk(step, env, d, ch, s.Items, up)
		}
	case s.Values != nil && d.IsObject(n):
		for ch := d.First(n); ch != versions.None; ch = d.Next(ch) {
			walk(step, env, d, ch, s.Values, up)
		}
	}
}

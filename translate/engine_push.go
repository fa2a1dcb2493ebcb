package translate

import (
	"context"

	"github.com/lcgate/lcgate/versions"
)

// pushWant is the push a CallForPush waits for, set while its call crosses the chain: the
// raw call on the upstream's version asks the raw Caller for the push (named in the
// upstream's version) and leaves it in got.
type pushWant struct {
	active bool
	push   string
	got    *versions.Doc
}

// CallForPush implements versions.PushCaller: Call, plus the push named push (in c's
// version) that the call caused on the session, when the raw Caller can tell (RTM) and the
// call reaches the upstream as one call (no expansion on the way). Otherwise pushed is nil.
func (c *chainCaller) CallForPush(ctx context.Context, action string, req *versions.Doc, push string) (resp, pushed *versions.Doc, err error) {
	upPush, ok := c.pushPath(action, push)
	if !ok {
		resp, err = c.Call(ctx, action, req)
		return resp, nil, err
	}
	c.want.active, c.want.push, c.want.got = true, upPush, nil
	resp, err = c.Call(ctx, action, req)
	got := c.want.got
	*c.want = pushWant{}
	if err != nil || got == nil {
		return resp, nil, err
	}
	// The push in c's version; a copy the client never sees, so its losses are not counted.
	quiet := Engine{Now: c.e.Now}
	if name, rerr := quiet.Rewrite(ctx, KindPush, c.req.Upstream, c.v, upPush, got); rerr != nil || name != push {
		return resp, nil, nil
	}
	return resp, got, nil
}

// pushPath reports the push's name in the upstream's version when action, called at c's
// version, reaches an older-or-equal upstream's raw Caller as one call that can tell pushes.
func (c *chainCaller) pushPath(action, push string) (string, bool) {
	if _, ok := c.raw.(versions.PushCaller); !ok || c.v > c.req.Upstream || versions.IsInternal(action) || c.want.active {
		return "", false
	}
	for v := c.v; v < c.req.Upstream; v++ {
		step := versions.StepUp(v)
		if ac := step.ActionByOlder(action); ac != nil {
			if ac.Expand != nil || ac.Missing != "" || ac.Newer == "" {
				return "", false
			}
			action = ac.Newer
		}
		if pc := step.PushByOlder(push); pc != nil {
			if pc.Newer == "" || pc.UpWhen != nil {
				return "", false
			}
			push = pc.Newer
		}
	}
	return push, true
}

// rawCallForPush is the raw call of a CallForPush on the upstream's version.
func (c *chainCaller) rawCallForPush(ctx context.Context, action string, req *versions.Doc) (*versions.Doc, error) {
	c.want.active = false // one raw call only
	resp, pushed, err := c.raw.(versions.PushCaller).CallForPush(ctx, action, req, c.want.push)
	c.arena.track(resp)
	c.arena.track(pushed)
	c.want.got = pushed
	return resp, err
}

package translate

import (
	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// A 3.2 client's get_customer on an older upstream, which has no such method, is answered
// over RTM from what the session knows (spec/methods.md R18): the customer of the login
// answer, with the email and avatar the login request set, replaced by the customer of each
// customer_updated push. The Web API has no session to remember it: there the call is
// unavailable.

// customerMembers are the members of a 3.2 get_customer answer, in its order.
var customerMembers = []string{"id", "type", "name", "email", "avatar", "session_fields"}

// customerCache holds the session's customer in 3.2 shape; guarded by RTM.mu.
type customerCache struct {
	doc   *versions.Doc // nil until the login answer
	login *versions.Doc // the login request's customer, until its answer
}

// servesGetCustomer reports whether the session answers get_customer itself.
func (r *RTM) servesGetCustomer() bool {
	return r.client >= versions.V32 && r.upstream < versions.V32
}

// rememberLoginRequest keeps the login request's customer (3.2 shape) for its answer.
func (r *RTM) rememberLoginRequest(f Frame) {
	c := f.Payload.Get(f.Payload.Root(), "customer")
	if !f.Payload.IsObject(c) {
		return
	}
	d := jsontree.Acquire()
	d.SetRoot(d.Import(f.Payload, c))
	r.mu.Lock()
	defer r.mu.Unlock()
	jsontree.Release(r.cust.login)
	r.cust.login = d
}

// rememberCustomer records the customer object c of d (3.2 shape): from the login answer
// (fill, with the login request's email and avatar) or a customer_updated push.
func (r *RTM) rememberCustomer(d *versions.Doc, c versions.Node, fromLogin bool) {
	if !d.IsObject(c) {
		return
	}
	out := jsontree.Acquire()
	root := out.Root()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range customerMembers {
		v := d.Get(c, k)
		if v == versions.None && fromLogin && r.cust.login != nil {
			if lc := r.cust.login; k == "email" || k == "avatar" {
				v = lc.Get(lc.Root(), k)
				if v != versions.None {
					out.Set(root, k, out.Import(lc, v))
				}
				continue
			}
		}
		switch {
		case k == "type":
			out.Set(root, k, out.NewString("customer"))
		case v != versions.None:
			out.Set(root, k, out.Import(d, v))
		}
	}
	if fromLogin {
		jsontree.Release(r.cust.login)
		r.cust.login = nil
	}
	jsontree.Release(r.cust.doc)
	r.cust.doc = out
}

// answerGetCustomer is the answer to a get_customer request, from the session's customer.
func (r *RTM) answerGetCustomer(f Frame) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cust.doc == nil {
		return ErrorFrame(nil, f.RequestID, f.HasRID, f.Action, &versions.APIError{Type: "authentication",
			Message: "lcgate: get_customer before login"})
	}
	r.engine.lossy("R18 get_customer answered from the session's login and customer_updated pushes")
	return AppendFrame(nil, Frame{RequestID: f.RequestID, HasRID: f.HasRID, Action: f.Action, Type: "response",
		Success: true, Payload: r.cust.doc})
}

// releaseCustomer frees the cache when the session ends.
func (r *RTM) releaseCustomer() {
	r.mu.Lock()
	defer r.mu.Unlock()
	jsontree.Release(r.cust.doc)
	jsontree.Release(r.cust.login)
	r.cust = customerCache{}
}

// setRequester fills a 3.2 incoming_chat's requester_id, which older upstreams do not send,
// when the push answers the session's own request (it carries its request id): the chat was
// started or activated by the session's customer (spec/structures.md B7).
func (r *RTM) setRequester(d *versions.Doc) {
	root := d.Root()
	if d.Get(root, "requester_id") != versions.None {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cust.doc == nil {
		return
	}
	id, ok := r.cust.doc.Str(r.cust.doc.Get(r.cust.doc.Root(), "id"))
	if !ok {
		return
	}
	d.InsertAfter(root, versions.None, "requester_id", d.NewString(id))
}

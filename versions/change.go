package versions

import (
	"context"
	"fmt"
	"time"

	"github.com/lcgate/lcgate/translate/jsontree"
)

// Doc and Node are the editable JSON documents changes work on.
type (
	Doc  = jsontree.Doc
	Node = jsontree.Node
)

// None is the absent node.
const None = jsontree.None

// Caller makes a call in one version and returns its answer in that version. Expansions get
// the Caller of the next version along the chain, which translates further as needed, so an
// expansion of the 3.0 → 3.1 step only knows 3.1.
type Caller interface {
	// Call sends action with the request payload req (which it may consume) and returns the
	// response payload. Errors from the API are *APIError.
	Call(ctx context.Context, action string, req *Doc) (*Doc, error)
	// Upload sends a file with upload_file and returns the response payload.
	Upload(ctx context.Context, f File) (*Doc, error)
}

// PushCaller is a Caller that can also hand back a push its call caused on the caller's own
// session: over RTM the API pushes to the sender's session, with the request's id, what the
// call stored (incoming_event after send_event, incoming_chat after start_chat), so the
// stored object can be read from the push instead of read back with another call.
type PushCaller interface {
	Caller
	// CallForPush is Call that also returns the push named push (in the Caller's version)
	// that the upstream sent to the session for this request, or nil when none came.
	CallForPush(ctx context.Context, action string, req *Doc, push string) (resp, pushed *Doc, err error)
}

// callForPush is CallForPush on e.Next when it is a PushCaller, else Call without a push
// (the Web API has no pushes).
func callForPush(e *Env, action string, req *Doc, push string) (resp, pushed *Doc, err error) {
	if pc, ok := e.Next.(PushCaller); ok {
		return pc.CallForPush(e.Ctx, action, req, push)
	}
	resp, err = e.Next.Call(e.Ctx, action, req)
	return resp, nil, err
}

// File is a file part of a multipart request.
type File struct {
	Field       string // form field name as the client sent it
	Name        string // file name
	ContentType string
	Data        []byte
}

// APIError is an error object of the Customer Chat API: {"error": {type, message, data?}}.
// Status is the HTTP status of a Web answer (0 when it came over RTM).
type APIError struct {
	Status  int
	Type    string
	Message string
	Data    []byte // raw JSON of `data`, or nil
}

func (e *APIError) Error() string { return fmt.Sprintf("%s: %s", e.Type, e.Message) }

// Env is what a change's functions get from the engine for one call.
type Env struct {
	Ctx context.Context
	// Client is the version the outermost caller speaks; Upstream the upstream's.
	Client, Upstream Version
	// Next calls the step's newer version (for expansions of an older client's call).
	Next Caller
	// Step is the step the change belongs to; Walk, set by the engine, runs its structure
	// changes towards the client's side over a subtree: newer → older for an older client's
	// expansion (see Down), older → newer for a newer client's emulation (see Up).
	Step *Step
	Walk func(e *Env, d *Doc, n Node, s *Shape)
	// Lossy records that a change lost information (counted in metrics).
	Lossy func(change string)
	// Now is the current time.
	Now func() time.Time
	// Files holds the multipart files of the request, if any.
	Files []File
	// Form holds the multipart values of the request, by field name without version prefix.
	Form map[string]string
	// NewDoc, when set, supplies the documents the changes build (the engine recycles them
	// once the call is over).
	NewDoc func() *Doc
}

// Down converts the subtree n, of shape s, from the step's newer version to its older one
// with the step's structure changes (for expansions assembling answers from other calls).
func (e *Env) Down(d *Doc, n Node, s *Shape) { e.Walk(e, d, n, s) }

// Up converts the subtree n, of shape s, from the step's older version to its newer one with
// the step's structure changes (for emulations assembling answers from older calls).
func (e *Env) Up(d *Doc, n Node, s *Shape) { e.Walk(e, d, n, s) }

// newDoc returns an empty-object document for a request or an answer being built.
func (e *Env) newDoc() *Doc {
	if e != nil && e.NewDoc != nil {
		return e.NewDoc()
	}
	return jsontree.New()
}

// lossy records a lossy conversion when a recorder is set.
func (e *Env) lossy(change string) {
	if e != nil && e.Lossy != nil {
		e.Lossy(change)
	}
}

// StructureChange is one change to a data structure, applied wherever the structure occurs.
type StructureChange struct {
	Name string    // the changelog line
	On   Structure // the structure it changes
	// Down rewrites the node from the newer version's shape to the older one; Up the reverse.
	Down, Up func(e *Env, d *Doc, n Node)
	// LossDown says what Down can lose (newer → older data: the answers an older client gets
	// from a newer upstream), LossUp what Up can lose (older → newer data: the answers a newer
	// client gets from an older upstream); "" = nothing. Pairs and PairTableMarkdown read them.
	LossDown, LossUp string
}

// ActionChange is one change to a method: a rename, changed parameters, a changed answer, or
// an expansion into several calls.
type ActionChange struct {
	Name         string // the changelog line
	Older, Newer string // the action's name in the older and the newer version ("" = none)
	// RequestUp rewrites an older request payload for the newer version; RequestDown the
	// reverse. ResponseDown rewrites the newer answer for the older version, after the
	// structure changes; ResponseUp the reverse. Nil means nothing changes.
	RequestUp, RequestDown   func(e *Env, d *Doc) error
	ResponseDown, ResponseUp func(e *Env, d *Doc) error
	// Expand, when set, serves an older client's call on its own, through e.Next; the
	// request and answer rewrites are not used.
	Expand func(e *Env, req *Doc) (*Doc, error)
	// Missing, when set, means the newer version cannot serve the older call: the message
	// names the missing capability.
	Missing string
	// Emulate, when set, serves a newer client's call on the older version, through e.Next
	// (a Caller of the older version); the request and answer rewrites are not used.
	Emulate func(e *Env, req *Doc) (*Doc, error)
	// Unavailable, when set, means the older version cannot serve the newer call at all: the
	// message names the missing capability, and the client gets a validation error.
	Unavailable string
	// PushAfter, when set, builds the push an older RTM client gets after a successful answer
	// where the newer version sends none: its name in the older version and its payload,
	// made from the request's payload (in the older version's shape).
	PushAfter func(e *Env, req *Doc) (string, *Doc)
	// LossDown says what serving the older version's call on the newer version can lose: its
	// answer comes down (ResponseDown, Expand, PushAfter), its request goes up (RequestUp).
	// LossUp says what serving the newer version's call on the older version can lose: its
	// answer comes up (ResponseUp, Emulate), its request goes down (RequestDown). Both are
	// named after the answer's direction, as a StructureChange's are, so that one walk reads
	// one of them on every change it crosses; "" = nothing.
	LossDown, LossUp string
}

// PushChange is one change to a push.
type PushChange struct {
	Name         string
	Older, Newer string // the push's name in each version ("" = the version has no such push)
	// Down rewrites a newer push payload for the older version, after the structure changes;
	// Up the reverse.
	Down, Up func(e *Env, d *Doc) error
	// UpWhen, when set, limits Up (and the renaming) to the older pushes it accepts: the
	// older push name may stand for several newer pushes (incoming_multicast).
	UpWhen func(d *Doc) bool
	// Also, when set, builds a second push the older version sent where the newer sends this
	// one only: its name in the older version and its payload, read from the newer push
	// before Down rewrites it. (Used only on the step next to the upstream.)
	Also func(e *Env, d *Doc) (string, *Doc)
}

// Step is the changes between two adjacent versions.
type Step struct {
	Older, Newer Version
	Structures   []StructureChange
	Actions      []*ActionChange
	Pushes       []*PushChange
	// ErrorTypesDown maps error types of the newer version the older one lacks to the type
	// the older client gets (spec/methods.md §6).
	ErrorTypesDown map[string]string

	byOlder, byNewer         map[string]*ActionChange
	pushByNewer, pushByOlder map[string]*PushChange
}

// ActionByOlder returns the change of the older version's action, or nil.
func (s *Step) ActionByOlder(name string) *ActionChange { return s.byOlder[name] }

// ActionByNewer returns the change of the newer version's action, or nil.
func (s *Step) ActionByNewer(name string) *ActionChange { return s.byNewer[name] }

// PushByNewer returns the change of the newer version's push, or nil.
func (s *Step) PushByNewer(name string) *PushChange { return s.pushByNewer[name] }

// PushByOlder returns the change of the older version's push, or nil.
func (s *Step) PushByOlder(name string) *PushChange { return s.pushByOlder[name] }

func (s *Step) index() *Step {
	s.byOlder, s.byNewer = map[string]*ActionChange{}, map[string]*ActionChange{}
	for _, a := range s.Actions {
		if a.Older != "" {
			s.byOlder[a.Older] = a
		}
		if a.Newer != "" {
			s.byNewer[a.Newer] = a
		}
	}
	s.pushByNewer, s.pushByOlder = map[string]*PushChange{}, map[string]*PushChange{}
	for _, p := range s.Pushes {
		if p.Newer != "" {
			s.pushByNewer[p.Newer] = p
		}
		if p.Older != "" {
			s.pushByOlder[p.Older] = p
		}
	}
	return s
}

// Steps lists the steps in order: Steps[i] goes from All[i] to All[i+1].
var Steps = []*Step{step30to31.index(), step31to32.index()}

// StepUp returns the step from v to the next newer version.
func StepUp(v Version) *Step { return Steps[v] }

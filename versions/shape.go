package versions

import "sort"

// Structure names a data structure whose changes apply wherever it occurs.
type Structure uint8

// The structures (spec/structures.md §3).
const (
	NoStructure Structure = iota
	Event
	Thread
	Chat          // a chat with `thread` or `threads` (start_chat 3.0, get_chat, incoming_chat…)
	ChatSummary   // an item of get_chats_summary / list_chats
	ThreadSummary // an item of get_chat_threads_summary
	User          // a chat user: customer or agent
	Customer      // the Customer structure outside chats (update_customer, customer_updated, get_customer)
	Properties    // properties in responses and pushes ({"value": X} wrapped up to 3.1)
	FormField     // a field of get_form (options gain `id` in 3.2)
	FilledForm    // a filled_form event's fields (group_chooser answer gains `id` in 3.2)
)

// Shape says which structures occur where in a message: the structure at this node, and the
// shapes of its members, of its array items, or of every member value of a map.
type Shape struct {
	Is     Structure
	Fields map[string]*Shape
	Items  *Shape
	Values *Shape

	fields []FieldShape // Fields as a slice, filled by init: faster to search than the map
}

// FieldShape is one member of Shape.Fields.
type FieldShape struct {
	Name  string
	Shape *Shape
}

// Field returns the shape of the member whose key is name, or nil.
func (s *Shape) Field(name []byte) *Shape {
	for i := range s.fields {
		if string(name) == s.fields[i].Name {
			return s.fields[i].Shape
		}
	}
	return nil
}

// prepare fills the field slices of s and every shape below it.
func (s *Shape) prepare(seen map[*Shape]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	s.fields = s.fields[:0]
	for name, sub := range s.Fields {
		s.fields = append(s.fields, FieldShape{name, sub})
		sub.prepare(seen)
	}
	sort.Slice(s.fields, func(i, j int) bool { return s.fields[i].Name < s.fields[j].Name })
	s.Items.prepare(seen)
	s.Values.prepare(seen)
}

func init() {
	seen := map[*Shape]bool{}
	for _, s := range ResponseShapes {
		s.prepare(seen)
	}
	for _, s := range PushShapes {
		s.prepare(seen)
	}
	for _, s := range []*Shape{ChatShape, ThreadShape, EventShape, UserShape, CustomerShape, SummaryShape, PropertiesShape} {
		s.prepare(seen)
	}
}

// The structure shapes, alike in every version: only the field names that lead to nested
// structures are listed, and they did not change between 3.0 and 3.2.
var (
	propsShape = &Shape{Is: Properties}
	eventShape = &Shape{Is: Event, Fields: map[string]*Shape{"properties": propsShape}}
	events     = &Shape{Items: eventShape}
	// ThreadShape is a Thread with its events.
	ThreadShape = &Shape{Is: Thread, Fields: map[string]*Shape{"events": events, "properties": propsShape}}
	userShape   = &Shape{Is: User}
	users       = &Shape{Items: userShape}
	// ChatShape is a Chat with its users, properties, thread or threads.
	ChatShape = &Shape{Is: Chat, Fields: map[string]*Shape{
		"users": users, "properties": propsShape, "thread": ThreadShape, "threads": {Items: ThreadShape},
	}}
	summaryShape = &Shape{Is: ChatSummary, Fields: map[string]*Shape{
		"users": users, "properties": propsShape,
		"last_event_per_type": {Values: &Shape{Fields: map[string]*Shape{"event": eventShape}}},
	}}
	customerShape = &Shape{Is: Customer}
	formShape     = &Shape{Fields: map[string]*Shape{"form": {Fields: map[string]*Shape{"fields": {Items: &Shape{Is: FormField}}}}}}
	// EventShape is an Event.
	EventShape = eventShape
	// UserShape is a chat user.
	UserShape = userShape
	// CustomerShape is a Customer outside a chat.
	CustomerShape = customerShape
	// SummaryShape is a chat summary.
	SummaryShape = summaryShape
	// PropertiesShape is a response-form Properties object.
	PropertiesShape = propsShape
)

func obj(fields map[string]*Shape) *Shape { return &Shape{Fields: fields} }

// ResponseShapes gives the shape of each action's response payload, by action name in any
// version (names never clash with a different shape).
var ResponseShapes = map[string]*Shape{
	"get_chats_summary":        obj(map[string]*Shape{"chats_summary": {Items: summaryShape}}),
	"list_chats":               obj(map[string]*Shape{"chats_summary": {Items: summaryShape}}),
	"get_chat_threads_summary": obj(map[string]*Shape{"threads_summary": {Items: &Shape{Is: ThreadSummary}}}),
	"get_chat_threads":         obj(map[string]*Shape{"chat": ChatShape}),
	"get_chat":                 ChatShape,
	"list_threads":             obj(map[string]*Shape{"threads": {Items: ThreadShape}}),
	"start_chat":               obj(map[string]*Shape{"chat": ChatShape}),
	"activate_chat":            obj(map[string]*Shape{"chat": ChatShape}),
	"send_event":               obj(map[string]*Shape{"event": eventShape}),
	"update_customer":          obj(map[string]*Shape{"customer": customerShape}),
	"get_customer":             customerShape,
	"get_form":                 formShape,
}

// PushShapes gives the shape of each push payload, by push name in any version.
var PushShapes = map[string]*Shape{
	"incoming_chat_thread":           obj(map[string]*Shape{"chat": ChatShape}),
	"incoming_chat":                  obj(map[string]*Shape{"chat": ChatShape}),
	"incoming_event":                 obj(map[string]*Shape{"event": eventShape}),
	"event_updated":                  obj(map[string]*Shape{"event": eventShape}),
	"chat_properties_updated":        obj(map[string]*Shape{"properties": propsShape}),
	"chat_thread_properties_updated": obj(map[string]*Shape{"properties": propsShape}),
	"thread_properties_updated":      obj(map[string]*Shape{"properties": propsShape}),
	"event_properties_updated":       obj(map[string]*Shape{"properties": propsShape}),
	"customer_updated":               obj(map[string]*Shape{"customer": customerShape}),
	"chat_user_added":                obj(map[string]*Shape{"user": userShape}),
	"user_added_to_chat":             obj(map[string]*Shape{"user": userShape}),
	"incoming_greeting":              obj(map[string]*Shape{"event": eventShape}),
}

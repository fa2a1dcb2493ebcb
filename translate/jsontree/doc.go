// Package jsontree parses a JSON document once into an arena of nodes that can be edited in
// place (keys renamed, values replaced, members inserted at a position, subtrees moved) and
// written out once. It keeps member order, copies scalar bytes as written, validates the input
// strictly (RFC 8259, UTF-8) and refuses documents nested deeper than MaxDepth before any
// translation step sees them.
//
// Edits are forgiving: reading a member that is absent gives None, and an edit given None
// (as the object, or as the value) does nothing, so a change meeting a malformed message
// leaves it as it is instead of failing.
package jsontree

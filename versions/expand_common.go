package versions

import (
	"fmt"

	"github.com/lcgate/lcgate/translate/jsontree"
)

// This file holds what expansions share: building requests and reading parameters.

// paramError is a validation error about a request parameter, raised by the gateway itself.
func paramError(format string, args ...any) *APIError {
	return &APIError{Status: 400, Type: "validation", Message: "lcgate: " + fmt.Sprintf(format, args...)}
}

// reqString reads a required string parameter.
func reqString(d *Doc, key string) (string, error) {
	n := d.Get(d.Root(), key)
	s, ok := d.Str(n)
	if !ok || s == "" {
		if n == None {
			return "", paramError("`%s` is required", key)
		}
		return "", paramError("`%s` must be a non-empty string", key)
	}
	return s, nil
}

// optInt reads an optional integer parameter within [lo, hi].
func optInt(d *Doc, key string, def, lo, hi int64) (int64, error) {
	n := d.Get(d.Root(), key)
	if n == None || d.Kind(n) == jsontree.Null {
		return def, nil
	}
	v, ok := d.Int(n)
	if !ok {
		return 0, paramError("`%s` must be an integer", key)
	}
	if v < lo || v > hi {
		return 0, paramError("`%s` must be between %d and %d", key, lo, hi)
	}
	return v, nil
}

// optBool reads an optional boolean parameter.
func optBool(d *Doc, key string) (bool, error) {
	n := d.Get(d.Root(), key)
	if n == None || d.Kind(n) == jsontree.Null {
		return false, nil
	}
	b, ok := d.Bool(n)
	if !ok {
		return false, paramError("`%s` must be a boolean", key)
	}
	return b, nil
}

// halfDone reports a call that did part of its work: what happened, then what failed.
func halfDone(done string, err error) error {
	if ae, ok := err.(*APIError); ok {
		cp := *ae
		cp.Message = "lcgate: " + done + ", but " + ae.Message
		return &cp
	}
	// Transport errors name addresses; the client only learns that the upstream failed.
	return &APIError{Status: 502, Type: "internal", Message: "lcgate: " + done + ", but the upstream failed to answer"}
}

package sim

import "fmt"

// apiError is an error the simulator answers with, in the format shared by 3.0, 3.1 and 3.2:
// {"error": {"type", "message", "data"?}}.
type apiError struct {
	typ     string
	message string
	data    *obj
	status  int // 0: derived from typ by httpStatus
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

// errorf returns an apiError of type typ with a formatted message.
func errorf(typ, format string, args ...any) *apiError {
	return &apiError{typ: typ, message: fmt.Sprintf(format, args...)}
}

// validationf is the most common error: a malformed or impossible request.
func validationf(format string, args ...any) *apiError {
	return errorf("validation", format, args...)
}

// body renders the error object.
func (e *apiError) body() *obj {
	inner := newObj().set("type", e.typ).set("message", e.message)
	if e.data != nil {
		inner.set("data", e.data)
	}
	return newObj().set("error", inner)
}

// httpStatus maps an error type to the HTTP status of a Web error. LiveChat does not document
// these; the simulator uses the proxy convention of spec/methods.md §6.
func (e *apiError) httpStatus() int {
	if e.status != 0 {
		return e.status
	}
	switch e.typ {
	case "authentication":
		return 401
	case "authorization", "customer_banned", "license_expired", "wrong_product_version":
		return 403
	case "not_found", "license_not_found", "group_not_found", "greeting_not_found":
		return 404
	case "entity_too_large":
		return 413
	case "misdirected_request":
		return 421
	case "too_many_requests", "users_limit_reached", "limit_reached":
		return 429
	case "internal":
		return 500
	case "service_unavailable":
		return 503
	case "request_timeout":
		return 504
	default:
		return 400
	}
}

// notFound reports a missing chat, thread, event or greeting in the caller's version: 3.2
// has `not_found`, older versions only `validation`.
func notFound(v version, what, id string) *apiError {
	if v == v32 {
		return errorf("not_found", "%s %s not found", what, id)
	}
	return validationf("%s %s not found", what, id)
}

// chatInactive reports an operation that needs an active thread. 3.2 answers `chat_inactive`;
// older versions only know `validation`.
func chatInactive(v version, chatID string) *apiError {
	if v == v32 {
		return errorf("chat_inactive", "Chat %s is inactive", chatID)
	}
	return validationf("Chat %s is inactive", chatID)
}

// groupOffline reports a group that cannot take a chat, with each version's default message.
func groupOffline(v version) *apiError {
	if v == v30 {
		return errorf("group_offline", "Group offline")
	}
	return errorf("group_offline", "Group is offline")
}

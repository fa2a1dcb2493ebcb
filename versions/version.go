// Package versions holds the data of lcgate's translation: the ordered list of Customer Chat
// API versions (3.0 → 3.1 → 3.2), one Step per adjacent pair with its named Changes, and the
// Shapes that say where each data structure occurs in each message. It does no I/O; the
// translate package walks it.
//
// Every change mirrors one line of spec/methods.md §4 or spec/structures.md §7–8 and defines
// both directions: Down (a newer message made older) and Up (an older message made newer).
package versions

// Version is a Customer Chat API version.
type Version uint8

// The versions, oldest first.
const (
	V30 Version = iota
	V31
	V32
)

// All lists every version, oldest first.
var All = []Version{V30, V31, V32}

// String returns the version as URLs write it, e.g. "3.1".
func (v Version) String() string {
	switch v {
	case V30:
		return "3.0"
	case V31:
		return "3.1"
	case V32:
		return "3.2"
	}
	return "unknown"
}

// Parse reads "3.0", "3.1" or "3.2".
func Parse(s string) (Version, bool) {
	for _, v := range All {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

// WrapsWebPayload reports whether the version's Web API wraps request and response bodies in
// {"payload": …} (3.0 only; spec/methods.md §1.1).
func WrapsWebPayload(v Version) bool { return v == V30 }

// UploadAction is the Web method that takes a file (multipart/form-data) in every version.
const UploadAction = "upload_file"

// UploadFileField is the multipart field of upload_file's file in version v.
func UploadFileField(v Version) string { return MultipartPrefix(v) + "file" }

// MultipartPrefix is the prefix of multipart field names in the version's Web API:
// "payload." in 3.0 (payload.file, payload.chat_id), none later.
func MultipartPrefix(v Version) string {
	if v == V30 {
		return "payload."
	}
	return ""
}

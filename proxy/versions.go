package proxy

// apiVersions lists the Customer Chat API versions lcgate serves, oldest first.
var apiVersions = []string{"3.0", "3.1", "3.2"}

// Versions returns the Customer Chat API versions lcgate serves, oldest first.
// The returned slice is a fresh copy the caller may keep or modify.
func Versions() []string { return append([]string(nil), apiVersions...) }

// IsVersion reports whether v (for example "3.2") is a version lcgate serves.
func IsVersion(v string) bool {
	for _, known := range apiVersions {
		if v == known {
			return true
		}
	}
	return false
}

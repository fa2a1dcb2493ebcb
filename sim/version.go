package sim

// version is an API version the simulator speaks.
type version int

const (
	v30 version = iota
	v31
	v32
)

// String returns the version as it appears in URLs, e.g. "3.1".
func (v version) String() string {
	switch v {
	case v30:
		return "3.0"
	case v31:
		return "3.1"
	default:
		return "3.2"
	}
}

// parseVersion reads the version segment of a URL ("v3.0", "v3.1", "v3.2").
func parseVersion(seg string) (version, bool) {
	switch seg {
	case "v3.0":
		return v30, true
	case "v3.1":
		return v31, true
	case "v3.2":
		return v32, true
	}
	return 0, false
}

package routing

import "testing"

func TestKeyFrom(t *testing.T) {
	tests := []struct {
		token, xRegion string
		customer       string
		region         string
	}{
		{"Bearer fra:abc123", "", "abc123", "fra"},
		{"fra:abc123", "", "abc123", "fra"},
		{"Bearer dal-xyz", "", "xyz", "dal"},
		{"dal:xyz", "", "xyz", "dal"},
		{"fra-xyz", "", "xyz", "fra"},
		{"abc", "", "abc", ""},
		{"", "", "", ""},
		// The scheme is matched case-insensitively; spaces around the token go.
		{"bearer fra:abc", "", "abc", "fra"},
		{"BEARER abc", "", "abc", ""},
		{"  Bearer   abc  ", "", "abc", ""},
		{"Bearer ", "", "", ""},
		{"Bearerabc", "", "Bearerabc", ""},
		// Other 2–5 letter prefixes are regions only before ':'.
		{"Bearer sgp:tok", "", "tok", "sgp"},
		{"eu:tok", "", "tok", "eu"},
		{"abcde:tok", "", "tok", "abcde"},
		{"abc-tok", "", "abc-tok", ""},
		{"Bearer abcdef:tok", "", "abcdef:tok", ""},
		{"a:tok", "", "a:tok", ""},
		{"Fra:tok", "", "Fra:tok", ""},
		{"ab1:tok", "", "ab1:tok", ""},
		{"x-y:tok", "", "x-y:tok", ""},
		{"fra:dal-tok", "", "dal-tok", "fra"},
		{"550e8400-e29b-41d4", "", "550e8400-e29b-41d4", ""},
		// X-Region wins, trimmed and lower-cased; the token's prefix still goes.
		{"Bearer tok", "fra", "tok", "fra"},
		{"Bearer tok", " FRA ", "tok", "fra"},
		{"Bearer dal:tok", "fra", "tok", "fra"},
		{"Bearer dal:tok", "  ", "tok", "dal"},
	}
	for _, tt := range tests {
		got := KeyFrom("100", tt.token, tt.xRegion)
		want := Key{LicenseID: "100", Customer: tt.customer, Region: tt.region}
		if got != want {
			t.Errorf("KeyFrom(%q, %q, %q) = %+v, want %+v", "100", tt.token, tt.xRegion, got, want)
		}
	}
}

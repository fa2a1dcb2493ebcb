package routing

import "strings"

// Key is what a session is routed by.
type Key struct {
	// LicenseID is the license_id query parameter.
	LicenseID string
	// Customer is the customer credential: the token without its "Bearer " scheme and
	// without its region prefix.
	Customer string
	// Region is the region the session asks for; "" means the default region.
	Region string
}

// KeyFrom builds a Key from the license_id query parameter, the Authorization header value or
// RTM login token (e.g. "Bearer fra:abc123", "fra:abc123", "Bearer dal-xyz", "abc") and the
// X-Region header value.
//
// The region is xRegion, trimmed and lower-cased, when that is non-empty; otherwise the
// token's region prefix; otherwise "". A region prefix is "dal" or "fra" followed by ':' or
// '-' (the documentation writes both "fra:" and "fra-"), or any other 2 to 5 lower-case
// letters followed by ':'. Anything else before the first ':' or '-' stays part of the
// customer.
//
// The customer is the token with surrounding spaces, a case-insensitive "Bearer " scheme and
// the region prefix removed. The prefix is removed even when xRegion names the region, so a
// customer has the same Key.Customer whichever way they send their region.
func KeyFrom(licenseID, token, xRegion string) Key {
	customer, region := splitToken(stripScheme(token))
	if r := strings.ToLower(strings.TrimSpace(xRegion)); r != "" {
		region = r
	}
	return Key{LicenseID: licenseID, Customer: customer, Region: region}
}

// stripScheme removes surrounding spaces and a case-insensitive "Bearer " scheme from token.
func stripScheme(token string) string {
	token = strings.TrimLeft(token, " ")
	const scheme = "bearer "
	if len(token) >= len(scheme) && strings.EqualFold(token[:len(scheme)], scheme) {
		token = token[len(scheme):]
	}
	return strings.TrimSpace(token)
}

// splitToken splits a region prefix off token, returning the rest and the region, or token
// and "" when it has no region prefix.
func splitToken(token string) (rest, region string) {
	i := strings.IndexAny(token, ":-")
	if i < 0 {
		return token, ""
	}
	prefix, sep := token[:i], token[i]
	switch {
	case prefix == "dal" || prefix == "fra":
	case sep == ':' && len(prefix) >= 2 && len(prefix) <= 5 && isRegionName(prefix):
	default:
		return token, ""
	}
	return token[i+1:], prefix
}

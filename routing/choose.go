package routing

import "hash/fnv"

// Buckets is the number of buckets customers are hashed into; a bucket is one basis point.
const Buckets = 10000

// Choice is where one session goes.
type Choice struct {
	// Upstream is the chosen upstream.
	Upstream Upstream
	// URL is the upstream's base URL for the key's region: Upstream.Regions[region] when
	// present, else Upstream.URL.
	URL string
	// Canary is true when the canary rule chose the upstream.
	Canary bool
}

// Choose picks the upstream for k: the canary when there is one and Bucket(k) is below
// CanaryPercent×100, else the default. The choice is deterministic and sticky: it depends on
// k.LicenseID and k.Customer only (never on k.Region, which just selects the URL), is the
// same in every process, and raising CanaryPercent only ever moves keys from the default to
// the canary.
func (t *Table) Choose(k Key) Choice {
	i, canary := t.def, false
	if t.canary >= 0 && float64(Bucket(k)) < t.percent*100 {
		i, canary = t.canary, true
	}
	u := t.upstreams[i]
	url, ok := u.Regions[k.Region]
	if !ok {
		url = u.URL
	}
	return Choice{Upstream: u.clone(), URL: url, Canary: canary}
}

// Bucket returns k's bucket in [0, Buckets): the FNV-1a 64-bit hash of
// k.LicenseID + "\x00" + k.Customer modulo Buckets. k.Region does not enter it. The value is
// fixed for a key across processes, restarts and versions of this package, so changing the
// formula would move customers between upstreams.
func Bucket(k Key) int {
	h := fnv.New64a()
	h.Write([]byte(k.LicenseID))
	h.Write([]byte{0})
	h.Write([]byte(k.Customer))
	return int(h.Sum64() % Buckets)
}

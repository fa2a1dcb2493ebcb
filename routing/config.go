package routing

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Upstream is one upstream Customer Chat API.
type Upstream struct {
	// Name is unique among the upstreams, e.g. "stable" or "canary".
	Name string `json:"name"`
	// URL is the default base URL, e.g. "http://10.0.0.1:8080".
	URL string `json:"url"`
	// Version is the API version the upstream speaks: "3.0", "3.1" or "3.2".
	Version string `json:"version"`
	// Regions optionally maps a region ("dal", "fra", …; lower-case letters only) to the
	// base URL serving it. Regions not listed use URL.
	Regions map[string]string `json:"regions,omitempty"`
}

// Config is the routing configuration, as decoded from YAML or JSON.
type Config struct {
	// Upstreams lists the upstreams; at least one is required.
	Upstreams []Upstream `json:"upstreams"`
	// Default names the default upstream. It is required when there is more than one
	// upstream; with exactly one upstream an empty Default means that one.
	Default string `json:"default,omitempty"`
	// Canary optionally names the canary upstream; it must differ from Default.
	Canary string `json:"canary,omitempty"`
	// CanaryPercent is the share of customers, 0 to 100, sent to Canary. It must be 0
	// when Canary is empty.
	CanaryPercent float64 `json:"canary_percent,omitempty"`
}

// supportedVersions are the API versions an upstream may speak.
var supportedVersions = []string{"3.0", "3.1", "3.2"}

// validate returns every problem in c joined into one error, or nil.
func (c Config) validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}

	if len(c.Upstreams) == 0 {
		bad("upstreams", "at least one upstream is required")
	}
	first := map[string]int{} // name → index of its first use
	for i, u := range c.Upstreams {
		f := fmt.Sprintf("upstreams[%d]", i)
		switch j, dup := first[u.Name]; {
		case u.Name == "":
			bad(f+".name", "is empty")
		case dup:
			bad(f+".name", "%q is already the name of upstreams[%d]", u.Name, j)
		default:
			first[u.Name] = i
		}
		if u.URL == "" {
			bad(f+".url", "is empty")
		}
		if !slices.Contains(supportedVersions, u.Version) {
			bad(f+".version", "%q is not 3.0, 3.1 or 3.2", u.Version)
		}
		for _, r := range slices.Sorted(maps.Keys(u.Regions)) {
			if !isRegionName(r) {
				bad(f+".regions", "%q is not a region name (lower-case letters only)", r)
			}
			if u.Regions[r] == "" {
				bad(fmt.Sprintf("%s.regions[%q]", f, r), "url is empty")
			}
		}
	}

	known := func(name string) bool { _, ok := first[name]; return ok }
	def := c.defaultName()
	switch {
	case def == "" && len(c.Upstreams) > 1:
		bad("default", "is required when there is more than one upstream")
	case def != "" && !known(def):
		bad("default", "no upstream named %q", def)
	}
	switch {
	case c.Canary == "":
	case !known(c.Canary):
		bad("canary", "no upstream named %q", c.Canary)
	case c.Canary == def:
		bad("canary", "%q is also the default upstream", c.Canary)
	}
	switch p := c.CanaryPercent; {
	case math.IsNaN(p) || p < 0 || p > 100:
		bad("canary_percent", "%v is not between 0 and 100", p)
	case p != 0 && c.Canary == "":
		bad("canary_percent", "%v is set but canary is empty", p)
	}
	return errors.Join(errs...)
}

// defaultName is Default, or the only upstream's name when Default is empty.
func (c Config) defaultName() string {
	if c.Default == "" && len(c.Upstreams) == 1 {
		return c.Upstreams[0].Name
	}
	return c.Default
}

// isRegionName reports whether s is a non-empty run of lower-case ASCII letters.
func isRegionName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// clone returns a copy of u that shares no map with it.
func (u Upstream) clone() Upstream {
	u.Regions = maps.Clone(u.Regions)
	return u
}

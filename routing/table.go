package routing

import "slices"

// Table is an immutable, validated routing table. It is safe for concurrent use.
type Table struct {
	upstreams []Upstream // config order, maps owned by the table
	byName    map[string]int
	def       int     // index of the default upstream
	canary    int     // index of the canary upstream, -1 when there is none
	percent   float64 // CanaryPercent
}

// New validates c and builds its Table. When c is invalid it returns nil and one error
// (an errors.Join) listing every problem, each prefixed with the field it concerns, such as
// `upstreams[1].version: "3.3" is not 3.0, 3.1 or 3.2` or `default: no upstream named "x"`.
// The Table keeps its own copy of c, so later changes to c do not affect it.
func New(c Config) (*Table, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	t := &Table{
		upstreams: make([]Upstream, len(c.Upstreams)),
		byName:    make(map[string]int, len(c.Upstreams)),
		canary:    -1,
		percent:   c.CanaryPercent,
	}
	for i, u := range c.Upstreams {
		t.upstreams[i] = u.clone()
		t.byName[u.Name] = i
	}
	t.def = t.byName[c.defaultName()]
	if c.Canary != "" {
		t.canary = t.byName[c.Canary]
	}
	return t, nil
}

// Upstreams returns a copy of the upstreams in configuration order.
func (t *Table) Upstreams() []Upstream {
	us := make([]Upstream, len(t.upstreams))
	for i, u := range t.upstreams {
		us[i] = u.clone()
	}
	return us
}

// Lookup returns a copy of the upstream called name and whether there is one.
func (t *Table) Lookup(name string) (Upstream, bool) {
	i, ok := t.byName[name]
	if !ok {
		return Upstream{}, false
	}
	return t.upstreams[i].clone(), true
}

// Versions returns the distinct API versions of the upstreams, sorted ascending.
func (t *Table) Versions() []string {
	vs := make([]string, 0, len(t.upstreams))
	for _, u := range t.upstreams {
		vs = append(vs, u.Version)
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}

// SingleVersion returns the API version of the upstreams and true when they all speak the
// same one, and "" and false otherwise.
func (t *Table) SingleVersion() (string, bool) {
	if vs := t.Versions(); len(vs) == 1 {
		return vs[0], true
	}
	return "", false
}

// Default returns the default upstream.
func (t *Table) Default() Upstream { return t.upstreams[t.def].clone() }

// SplitsCustomers reports whether the choice depends on the customer: a canary that takes
// some customers but not all.
func (t *Table) SplitsCustomers() bool {
	return t.canary >= 0 && t.percent > 0 && t.percent < 100
}

// HasRegions reports whether some upstream has a URL per region, so that the region of a
// key (from X-Region or the token's prefix) can change the URL chosen.
func (t *Table) HasRegions() bool {
	for _, u := range t.upstreams {
		if len(u.Regions) > 0 {
			return true
		}
	}
	return false
}

// URLs lists every URL of the table (default and regional), each once, in config order.
func (t *Table) URLs() []string {
	var out []string
	seen := map[string]bool{}
	add := func(u string) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, u := range t.upstreams {
		add(u.URL)
		regions := make([]string, 0, len(u.Regions))
		for r := range u.Regions {
			regions = append(regions, r)
		}
		slices.Sort(regions)
		for _, r := range regions {
			add(u.Regions[r])
		}
	}
	return out
}

// CanaryName is the canary upstream's name, or "" when there is none.
func (t *Table) CanaryName() string {
	if t.canary < 0 {
		return ""
	}
	return t.upstreams[t.canary].Name
}

// CanaryPercent is the canary's share of customers, in percent.
func (t *Table) CanaryPercent() float64 { return t.percent }

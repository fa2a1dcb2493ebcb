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

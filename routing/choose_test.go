package routing

import (
	"fmt"
	"hash/fnv"
	"testing"
)

// mustNew builds a table from c or fails the test.
func mustNew(t *testing.T, c Config) *Table {
	t.Helper()
	tab, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// withPercent returns validConfig with the canary at percent.
func withPercent(percent float64) Config {
	c := validConfig()
	c.CanaryPercent = percent
	return c
}

// population is a set of synthetic keys.
type population struct {
	name string
	keys []Key
}

// populations returns 1,000 customers of one license and 1,000 customers of distinct licenses.
func populations() []population {
	one, many := make([]Key, 1000), make([]Key, 1000)
	for i := range 1000 {
		one[i] = Key{LicenseID: "100", Customer: fmt.Sprintf("customer-%d", i)}
		many[i] = Key{LicenseID: fmt.Sprint(10000 + i), Customer: fmt.Sprintf("customer-%d", i)}
	}
	return []population{{"one license", one}, {"many licenses", many}}
}

// onCanary returns which keys tab sends to the canary.
func onCanary(t *testing.T, tab *Table, keys []Key) []bool {
	t.Helper()
	on := make([]bool, len(keys))
	for i, k := range keys {
		c := tab.Choose(k)
		if c.Canary != (c.Upstream.Name == "canary") {
			t.Fatalf("Choose(%+v) = %+v: Canary flag does not match the upstream", k, c)
		}
		on[i] = c.Canary
	}
	return on
}

// count returns how many of bs are true.
func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func TestCanarySplit(t *testing.T) {
	for _, p := range populations() {
		for _, percent := range []float64{10, 50} {
			n := count(onCanary(t, mustNew(t, withPercent(percent)), p.keys))
			want := int(percent * 10) // of 1,000
			if n < want-30 || n > want+30 {
				t.Errorf("%s at %v %%: %d of 1000 on the canary, want %d ± 30", p.name, percent, n, want)
			}
		}
	}
}

func TestCanaryExtremes(t *testing.T) {
	keys := populations()[0].keys
	if n := count(onCanary(t, mustNew(t, withPercent(0)), keys)); n != 0 {
		t.Errorf("at 0 %%: %d on the canary", n)
	}
	if n := count(onCanary(t, mustNew(t, withPercent(100)), keys)); n != len(keys) {
		t.Errorf("at 100 %%: %d of %d on the canary", n, len(keys))
	}
	c := validConfig()
	c.Canary, c.CanaryPercent = "", 0
	if n := count(onCanary(t, mustNew(t, c), keys)); n != 0 {
		t.Errorf("without a canary: %d on the canary", n)
	}
}

func TestSticky(t *testing.T) {
	tab := mustNew(t, withPercent(50))
	for i := range 100 {
		tok := fmt.Sprintf("tok%d", i)
		k := KeyFrom("100", "Bearer fra:"+tok, "")
		first := tab.Choose(k)
		for _, k2 := range []Key{
			k,
			KeyFrom("100", "fra:"+tok, ""),
			KeyFrom("100", "Bearer "+tok, "fra"),
			KeyFrom("100", "bearer fra-"+tok, ""),
			KeyFrom("100", "Bearer dal:"+tok, ""), // another region: same upstream, other URL
		} {
			if c := tab.Choose(k2); c.Upstream.Name != first.Upstream.Name || c.Canary != first.Canary {
				t.Errorf("Choose(%+v) = %s, Choose(%+v) = %s", k, first.Upstream.Name, k2, c.Upstream.Name)
			}
		}
	}
}

func TestRaisingPercentIsMonotone(t *testing.T) {
	for _, p := range populations() {
		at10 := onCanary(t, mustNew(t, withPercent(10)), p.keys)
		r := NewRouter(mustNew(t, withPercent(10)))
		r.Swap(mustNew(t, withPercent(50)))
		at50 := onCanary(t, r.Table(), p.keys)
		moved := 0
		for i := range p.keys {
			switch {
			case at10[i] && !at50[i]:
				t.Errorf("%s: %+v left the canary when raising 10 %% → 50 %%", p.name, p.keys[i])
			case !at10[i] && at50[i]:
				moved++
			}
		}
		if moved < 370 || moved > 430 {
			t.Errorf("%s: raising 10 %% → 50 %% moved %d of 1000, want 400 ± 30", p.name, moved)
		}
	}
}

func TestRegionURL(t *testing.T) {
	tab := mustNew(t, withPercent(0)) // everyone on "stable", which has regions
	for region, want := range map[string]string{
		"fra": "http://stable-fra:8080",
		"dal": "http://stable-dal:8080",
		"sgp": "http://stable:8080",
		"":    "http://stable:8080",
	} {
		c := tab.Choose(Key{LicenseID: "100", Customer: "tok", Region: region})
		if c.Upstream.Name != "stable" || c.URL != want || c.Canary {
			t.Errorf("region %q: got %+v, want stable at %s", region, c, want)
		}
	}
	tab = mustNew(t, withPercent(100)) // everyone on "canary", which has none
	if c := tab.Choose(Key{Customer: "tok", Region: "fra"}); c.URL != "http://canary:8080" || !c.Canary {
		t.Errorf("canary without regions: got %+v", c)
	}
}

func TestChooseReturnsCopy(t *testing.T) {
	tab := mustNew(t, withPercent(0))
	k := Key{Customer: "tok", Region: "fra"}
	tab.Choose(k).Upstream.Regions["fra"] = "changed"
	if c := tab.Choose(k); c.URL != "http://stable-fra:8080" {
		t.Errorf("changing a Choice changed the table: %+v", c)
	}
}

func TestBucket(t *testing.T) {
	// The bucket is part of the on-the-wire behaviour (which upstream a customer lands on,
	// across processes and releases), so pin it to the documented formula.
	for _, k := range []Key{{}, {LicenseID: "100", Customer: "customer-1"}, {LicenseID: "1", Customer: "00"}} {
		h := fnv.New64a()
		h.Write([]byte(k.LicenseID + "\x00" + k.Customer))
		want := int(h.Sum64() % Buckets)
		if got := Bucket(k); got != want {
			t.Errorf("Bucket(%+v) = %d, want %d", k, got, want)
		}
	}
	// The region does not enter the bucket.
	if Bucket(Key{Customer: "tok", Region: "fra"}) != Bucket(Key{Customer: "tok"}) {
		t.Error("the region changed the bucket")
	}
	for _, p := range populations() {
		for _, k := range p.keys {
			if b := Bucket(k); b < 0 || b >= Buckets {
				t.Fatalf("Bucket(%+v) = %d, out of [0, %d)", k, b, Buckets)
			}
		}
	}
}

func TestTableDescribesWhatTheChoiceDependsOn(t *testing.T) {
	base := Config{Upstreams: []Upstream{
		{Name: "stable", URL: "http://a", Version: "3.1", Regions: map[string]string{"fra": "http://a-fra"}},
		{Name: "canary", URL: "http://b", Version: "3.2"},
	}, Default: "stable", Canary: "canary"}
	for _, tc := range []struct {
		percent float64
		splits  bool
	}{{0, false}, {10, true}, {99.99, true}, {100, false}} {
		c := base
		c.CanaryPercent = tc.percent
		tab, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := tab.SplitsCustomers(); got != tc.splits {
			t.Errorf("SplitsCustomers at %v %% = %v, want %v", tc.percent, got, tc.splits)
		}
		if !tab.HasRegions() || tab.Default().Name != "stable" {
			t.Errorf("HasRegions %v, Default %q", tab.HasRegions(), tab.Default().Name)
		}
		if got := tab.URLs(); len(got) != 3 || got[0] != "http://a" || got[1] != "http://a-fra" || got[2] != "http://b" {
			t.Errorf("URLs = %v", got)
		}
	}
}

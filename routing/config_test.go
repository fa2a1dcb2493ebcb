package routing

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// validConfig returns a valid two-upstream config with a 10 % canary.
func validConfig() Config {
	return Config{
		Upstreams: []Upstream{
			{Name: "stable", URL: "http://stable:8080", Version: "3.2",
				Regions: map[string]string{"fra": "http://stable-fra:8080", "dal": "http://stable-dal:8080"}},
			{Name: "canary", URL: "http://canary:8080", Version: "3.1"},
		},
		Default:       "stable",
		Canary:        "canary",
		CanaryPercent: 10,
	}
}

func TestNewValid(t *testing.T) {
	for name, c := range map[string]Config{
		"two with canary":      validConfig(),
		"one, default implied": {Upstreams: []Upstream{{Name: "only", URL: "http://x", Version: "3.0"}}},
		"canary at 0 %": {
			Upstreams: validConfig().Upstreams, Default: "stable", Canary: "canary"},
		"canary at 100 %": {
			Upstreams: validConfig().Upstreams, Default: "stable", Canary: "canary", CanaryPercent: 100},
	} {
		if _, err := New(c); err != nil {
			t.Errorf("%s: New: %v", name, err)
		}
	}
}

func TestNewInvalid(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string // substrings the error must contain
	}{
		{"no upstreams", func(c *Config) { *c = Config{} }, []string{"upstreams: at least one"}},
		{"empty name", func(c *Config) { c.Upstreams[1].Name = ""; c.Canary = ""; c.CanaryPercent = 0 },
			[]string{"upstreams[1].name: is empty"}},
		{"duplicate name", func(c *Config) { c.Upstreams[1].Name = "stable"; c.Canary = ""; c.CanaryPercent = 0 },
			[]string{`upstreams[1].name: "stable" is already the name of upstreams[0]`}},
		{"empty url", func(c *Config) { c.Upstreams[0].URL = "" }, []string{"upstreams[0].url: is empty"}},
		{"bad version", func(c *Config) { c.Upstreams[1].Version = "3.3" },
			[]string{`upstreams[1].version: "3.3" is not 3.0, 3.1 or 3.2`}},
		{"missing version", func(c *Config) { c.Upstreams[0].Version = "" },
			[]string{`upstreams[0].version: "" is not 3.0, 3.1 or 3.2`}},
		{"bad region name", func(c *Config) { c.Upstreams[0].Regions["Fra"] = "http://x" },
			[]string{`upstreams[0].regions: "Fra" is not a region name`}},
		{"region with digits", func(c *Config) { c.Upstreams[0].Regions["eu1"] = "http://x" },
			[]string{`upstreams[0].regions: "eu1" is not a region name`}},
		{"empty region name", func(c *Config) { c.Upstreams[0].Regions[""] = "http://x" },
			[]string{`upstreams[0].regions: "" is not a region name`}},
		{"empty region url", func(c *Config) { c.Upstreams[0].Regions["fra"] = "" },
			[]string{`upstreams[0].regions["fra"]: url is empty`}},
		{"default missing", func(c *Config) { c.Default = "" },
			[]string{"default: is required when there is more than one upstream"}},
		{"default unknown", func(c *Config) { c.Default = "x" }, []string{`default: no upstream named "x"`}},
		{"canary unknown", func(c *Config) { c.Canary = "y" }, []string{`canary: no upstream named "y"`}},
		{"canary is default", func(c *Config) { c.Canary = "stable" },
			[]string{`canary: "stable" is also the default upstream`}},
		{"single upstream as canary", func(c *Config) {
			c.Upstreams = c.Upstreams[:1]
			c.Default = ""
		}, []string{`canary: no upstream named "canary"`}},
		{"percent too high", func(c *Config) { c.CanaryPercent = 120 },
			[]string{"canary_percent: 120 is not between 0 and 100"}},
		{"percent negative", func(c *Config) { c.CanaryPercent = -1 },
			[]string{"canary_percent: -1 is not between 0 and 100"}},
		{"percent without canary", func(c *Config) { c.Canary = "" },
			[]string{"canary_percent: 10 is set but canary is empty"}},
		{"every problem at once", func(c *Config) {
			c.Upstreams[0].URL = ""
			c.Upstreams[1].Version = "2.0"
			c.Default = "x"
			c.CanaryPercent = 101
		}, []string{"upstreams[0].url:", "upstreams[1].version:", "default:", "canary_percent:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.modify(&c)
			tab, err := New(c)
			if err == nil {
				t.Fatalf("New succeeded, want an error containing %q", tt.want)
			}
			if tab != nil {
				t.Errorf("New returned a table with error %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if j, ok := err.(interface{ Unwrap() []error }); !ok || len(j.Unwrap()) != len(tt.want) {
				t.Errorf("error %q: want %d joined errors", err, len(tt.want))
			}
		})
	}
}

func TestNewCopiesConfig(t *testing.T) {
	c := validConfig()
	tab, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.Upstreams[0].URL = "changed"
	c.Upstreams[0].Regions["fra"] = "changed"
	us := tab.Upstreams()
	us[0].Regions["dal"] = "changed"
	u, _ := tab.Lookup("stable")
	if u.URL != "http://stable:8080" || u.Regions["fra"] != "http://stable-fra:8080" || u.Regions["dal"] != "http://stable-dal:8080" {
		t.Errorf("table changed with its config or a returned copy: %+v", u)
	}
}

func TestTableAccessors(t *testing.T) {
	tab, err := New(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range tab.Upstreams() {
		names = append(names, u.Name)
	}
	if want := []string{"stable", "canary"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Upstreams names = %q, want %q", names, want)
	}
	if u, ok := tab.Lookup("canary"); !ok || u.URL != "http://canary:8080" {
		t.Errorf(`Lookup("canary") = %+v, %v`, u, ok)
	}
	if _, ok := tab.Lookup("nope"); ok {
		t.Error(`Lookup("nope") found an upstream`)
	}
	if vs := tab.Versions(); !reflect.DeepEqual(vs, []string{"3.1", "3.2"}) {
		t.Errorf("Versions = %q", vs)
	}
	if v, ok := tab.SingleVersion(); ok {
		t.Errorf("SingleVersion = %q, true with two versions", v)
	}

	c := validConfig()
	c.Upstreams[1].Version = "3.2"
	tab, err = New(c)
	if err != nil {
		t.Fatal(err)
	}
	if vs := tab.Versions(); !reflect.DeepEqual(vs, []string{"3.2"}) {
		t.Errorf("Versions = %q", vs)
	}
	if v, ok := tab.SingleVersion(); !ok || v != "3.2" {
		t.Errorf("SingleVersion = %q, %v; want 3.2, true", v, ok)
	}
}

func TestConfigJSON(t *testing.T) {
	const doc = `{
		"upstreams": [
			{"name": "stable", "url": "http://stable:8080", "version": "3.2",
			 "regions": {"fra": "http://stable-fra:8080", "dal": "http://stable-dal:8080"}},
			{"name": "canary", "url": "http://canary:8080", "version": "3.1"}
		],
		"default": "stable",
		"canary": "canary",
		"canary_percent": 10
	}`
	var c Config
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, validConfig()) {
		t.Errorf("decoded %+v, want %+v", c, validConfig())
	}
}

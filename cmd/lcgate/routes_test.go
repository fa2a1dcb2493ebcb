package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeRoutes writes a --routes file with a stable 3.1 and a canary 3.2 upstream.
func writeRoutes(t *testing.T, path, url string, percent string) {
	t.Helper()
	yaml := "upstreams:\n" +
		"  - {name: stable, url: " + url + ", version: \"3.1\"}\n" +
		"  - {name: next, url: " + url + ", version: \"3.2\"}\n" +
		"default: stable\ncanary: next\ncanary_percent: " + percent + "\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRoutesFileProblemsAreReportedWithTheField(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ desc, yaml, want string }{
		{"bad version", "upstreams: [{name: a, url: 'http://x', version: '3.3'}]", `upstreams[0].version: "3.3" is not 3.0, 3.1 or 3.2`},
		{"unknown key", "upstreams: [{name: a, url: 'http://x', version: '3.2'}]\ncanary_pct: 5", `unknown field "canary_pct"`},
		{"bad url", "upstreams: [{name: a, url: 'ftp://x', version: '3.2'}]", `must start with http:// or https://`},
		{"share without canary", "upstreams: [{name: a, url: 'http://x', version: '3.2'}]\ncanary_percent: 5", "canary_percent"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.desc, " ", "-")+".yaml")
		if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := testConfig()
		cfg.Routes = path
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), "routes: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want a routes problem naming %q", tc.desc, err, tc.want)
		}
	}
}

// upstreamVersionOf calls the gateway as a 3.2 client and returns the version that served it.
func upstreamVersionOf(t *testing.T, web string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", web, strings.NewReader("{}"))
	req.Header.Set("Authorization", testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Lcgate-Upstream-Version")
}

// TestSIGHUPReloadsTheRoutesFile serves with a canary taking nobody, moves every customer to
// it in the file, sends the process SIGHUP and sees calls follow the new table; a broken file
// then keeps the running one.
func TestSIGHUPReloadsTheRoutesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "routes.yaml")
	writeRoutes(t, path, "embedded", "0")
	cfg := testConfig()
	cfg.Routes = path
	out, stop := runCommand(t, (&ServeCmd{Config: cfg}).Run, "Try: curl")
	if !strings.Contains(out.String(), "speaking 3.2 (canary, 0 % of customers)") {
		t.Errorf("the banner does not describe the routes:\n%s", out.String())
	}
	web := strings.Replace(out.url(t, "http://", "/customer/action/start_chat"), "/v3.1/", "/v3.2/", 1)
	if v := upstreamVersionOf(t, web); v != "3.1" {
		t.Fatalf("before the reload served by %q, want the default 3.1", v)
	}
	reloaded := func(want string) bool {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if upstreamVersionOf(t, web) == want {
				return true
			}
		}
		return false
	}
	writeRoutes(t, path, "embedded", "100")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if !reloaded("3.2") {
		t.Fatalf("after SIGHUP with canary_percent 100 still not on the canary:\n%s", out.String())
	}
	if err := os.WriteFile(path, []byte("upstreams: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "routes not reloaded"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a broken routes file was not reported:\n%s", out.String())
		}
	}
	if v := upstreamVersionOf(t, web); v != "3.2" {
		t.Errorf("after a broken file served by %q, want the running table's 3.2", v)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

package versions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// example is one documented payload: testdata/examples/v<version>/<kind>.<name>.json.
type example struct {
	version versions.Version
	kind    translate.Kind
	name    string
	path    string
}

func loadExamples(t *testing.T) []example {
	t.Helper()
	var out []example
	for _, v := range versions.All {
		files, err := filepath.Glob(filepath.Join("testdata", "examples", "v"+v.String(), "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := strings.TrimSuffix(filepath.Base(f), ".json")
			kindName, name, _ := strings.Cut(base, ".")
			kinds := map[string]translate.Kind{"request": translate.KindRequest, "response": translate.KindResponse,
				"push": translate.KindPush, "structure": translate.KindError}
			k, ok := kinds[kindName]
			if !ok || (kindName == "structure" && name != "error") {
				continue
			}
			// Multipart and GET requests are described, not sent, as JSON.
			if name == "upload_file" && k == translate.KindRequest || name == "send_file" ||
				strings.HasPrefix(name, "list_") && strings.HasSuffix(name, "_properties") && k == translate.KindRequest {
				continue
			}
			out = append(out, example{version: v, kind: k, name: name, path: f})
		}
	}
	return out
}

// TestGoldenTranslationsOfEveryDocumentedPayload translates every documented request,
// response, push and error of each version to every other version, one step at a time, and
// compares the result with testdata/golden. Requests of an older version go up, answers and
// pushes of a newer version go down; both directions of each change are exercised.
func TestGoldenTranslationsOfEveryDocumentedPayload(t *testing.T) {
	var engine translate.Engine
	seen := map[string]bool{}
	for _, ex := range loadExamples(t) {
		for _, to := range versions.All {
			if to == ex.version {
				continue
			}
			name := fmt.Sprintf("%s.%s.v%s-v%s", kindString(ex.kind), ex.name, ex.version, to)
			seen[name+".txt"] = true
			t.Run(name, func(t *testing.T) {
				in, err := os.ReadFile(ex.path)
				if err != nil {
					t.Fatal(err)
				}
				d, err := translate.ParsePayload(in, false)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				fmt.Fprintf(&got, "# %s %s, %s → %s\n", kindString(ex.kind), ex.name, ex.version, to)
				action, err := engine.Rewrite(context.Background(), ex.kind, ex.version, to, ex.name, d)
				var needs *translate.NeedsCallsError
				var apiErr *versions.APIError
				switch {
				case errors.As(err, &needs):
					fmt.Fprintf(&got, "# needs calls: %v\n", needs)
				case errors.As(err, &apiErr):
					fmt.Fprintf(&got, "# error: %v\n", apiErr)
				case err != nil:
					t.Fatal(err)
				case action == "":
					fmt.Fprintf(&got, "# no counterpart: dropped\n")
				default:
					fmt.Fprintf(&got, "# as %s\n", action)
					var pretty bytes.Buffer
					if err := json.Indent(&pretty, d.JSON(), "", "  "); err != nil {
						t.Fatalf("invalid JSON out: %v\n%s", err, d.JSON())
					}
					got.Write(pretty.Bytes())
					got.WriteByte('\n')
				}
				compareGolden(t, filepath.Join("testdata", "golden", name+".txt"), got.Bytes())
			})
		}
	}
	if !*update {
		files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.txt"))
		var stale []string
		for _, f := range files {
			if !seen[filepath.Base(f)] {
				stale = append(stale, f)
			}
		}
		sort.Strings(stale)
		if len(stale) > 0 {
			t.Errorf("golden files with no test: %v", stale)
		}
	}
}

func kindString(k translate.Kind) string {
	return map[translate.Kind]string{translate.KindRequest: "request", translate.KindResponse: "response",
		translate.KindPush: "push", translate.KindError: "error"}[k]
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs:\n--- want\n%s--- got\n%s", path, want, got)
	}
}

// TestGreetingMulticastBecomesIncomingGreeting: an lc2 greeting multicast of 3.1 is 3.2's
// incoming_greeting; any other multicast stays a multicast (checked above by the goldens).
func TestGreetingMulticastBecomesIncomingGreeting(t *testing.T) {
	d, err := translate.ParsePayload([]byte(`{"author_id":"a1","content":{"lc2":{"type":"greeting","id":7,"unique_id":"u7","text":"Hi!","agent":{"id":"a1","name":"Ann","type":"agent"},"displayed_first_time":true}}}`), false)
	if err != nil {
		t.Fatal(err)
	}
	var e translate.Engine
	name, err := e.Rewrite(context.Background(), translate.KindPush, versions.V31, versions.V32, "incoming_multicast", d)
	want := `{"id":7,"unique_id":"u7","displayed_first_time":true,"event":{"type":"message","author_id":"a1","text":"Hi!"},"agent":{"id":"a1","name":"Ann"}}`
	if err != nil || name != "incoming_greeting" || string(d.JSON()) != want {
		t.Fatalf("got %s %s %v, want incoming_greeting %s", name, d.JSON(), err, want)
	}
}

package versions_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/versions"
)

const readmePath = "../README.md"

// TestREADMEPairTable checks that the README's version-pairs block is what
// versions.PairTableMarkdown generates; with -update it rewrites that block only.
func TestREADMEPairTable(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	// The block is every line between the two marker lines.
	begin := []byte(versions.PairTableBegin + "\n")
	end := []byte("\n" + versions.PairTableEnd + "\n")
	i := bytes.Index(readme, begin)
	if i < 0 || bytes.Count(readme, begin) != 1 || bytes.Count(readme, end) != 1 {
		t.Fatalf("%s: want one line %q and, after it, one line %q", readmePath, versions.PairTableBegin, versions.PairTableEnd)
	}
	i += len(begin)
	j := bytes.Index(readme[i-1:], end) + i // the end marker line starts at j
	if j < i {
		t.Fatalf("%s: the line %q must come after %q", readmePath, versions.PairTableEnd, versions.PairTableBegin)
	}
	got := string(readme[i:j])
	want := "\n" + versions.PairTableMarkdown() + "\n"
	if got == want {
		return
	}
	if *update {
		out := append(append(append([]byte{}, readme[:i]...), want...), readme[j:]...)
		if err := os.WriteFile(readmePath, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	line := 0
	for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
		line++
	}
	at := func(l []string) string {
		if line < len(l) {
			return l[line]
		}
		return "(end of block)"
	}
	t.Errorf("%s: the version-pairs block differs from versions.PairTableMarkdown() at its line %d:\n  README:    %s\n  generated: %s\n"+
		"regenerate it with: go test ./versions -run TestREADMEPairTable -update", readmePath, line+1, at(gl), at(wl))
}

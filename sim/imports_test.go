package sim

import (
	"go/build"
	"strings"
	"testing"
)

// TestSimImportsNoTranslation keeps the simulator an independent oracle: it must not depend on
// the packages whose mistakes it exists to catch.
func TestSimImportsNoTranslation(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	imports := append(append(append([]string{}, pkg.Imports...), pkg.TestImports...), pkg.XTestImports...)
	for _, imp := range imports {
		for _, banned := range []string{"/translate", "/versions", "/proxy"} {
			if strings.HasPrefix(imp, "github.com/lcgate/lcgate") && strings.Contains(imp, banned) {
				t.Errorf("sim imports %s: it must stay independent of the translation", imp)
			}
		}
	}
}

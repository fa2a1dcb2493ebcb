// Package needtool finds the external programs some tests run (promtool, node, curl): a test
// whose program is missing is skipped, or fails when the environment variable that requires
// it is set to 1 (as CI sets them).
package needtool

import (
	"os"
	"os/exec"
	"testing"
)

// Path returns the path of program name on PATH. When it is missing, the test is skipped
// with a message saying how to install it (hint), or fails when the environment variable
// require is "1".
func Path(t testing.TB, name, require, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " is not on PATH (" + hint + "): " + err.Error()
	if os.Getenv(require) == "1" {
		t.Fatal(msg + "; " + require + "=1 requires it")
	}
	t.Skip(msg + "; skipped (" + require + "=1 makes this an error)")
	return ""
}

package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestMemoryLimitIsSetFromTheFlagOrTheEnvironment: --memory-limit sets Go's soft memory limit;
// -1 removes it; 0 leaves a GOMEMLIMIT the runtime read in force.
func TestMemoryLimitIsSetFromTheFlagOrTheEnvironment(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	if got, _ := applyMemoryLimit(256 << 20); got != 256<<20 || debug.SetMemoryLimit(-1) != 256<<20 {
		t.Errorf("--memory-limit 256 MiB: reported %d, runtime %d", got, debug.SetMemoryLimit(-1))
	}
	if got, _ := applyMemoryLimit(-1); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("--memory-limit -1: reported %d, runtime %d, want none", got, debug.SetMemoryLimit(-1))
	}
	t.Setenv("GOMEMLIMIT", "100MiB")
	debug.SetMemoryLimit(100 << 20) // what the runtime read at start
	if got, from := applyMemoryLimit(0); got != 100<<20 || from != "GOMEMLIMIT" {
		t.Errorf("GOMEMLIMIT: reported %d from %q", got, from)
	}
}

// TestMemoryLimitMustBeBytesOrAKeyword: --memory-limit below -1 is a configuration error.
func TestMemoryLimitMustBeBytesOrAKeyword(t *testing.T) {
	cfg := validConfig()
	cfg.MemoryLimit = -2
	if err := cfg.Validate(); err == nil {
		t.Error("--memory-limit -2 accepted")
	}
}

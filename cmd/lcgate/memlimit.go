package main

import (
	"math"
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// containerShare is the part of a container's memory limit that --memory-limit's default
// gives Go's heap: the rest is for the runtime's other memory, stacks and the kernel's
// buffers of the process.
const containerShare = 0.9

// applyMemoryLimit sets Go's soft memory limit (runtime/debug.SetMemoryLimit) from
// --memory-limit: flag bytes when positive; when 0, GOMEMLIMIT if set (the runtime read it),
// else containerShare of the container's cgroup memory limit when it has one; none when -1.
// It returns the limit in force (0: none) and where it came from, for the start log.
func applyMemoryLimit(flag int64) (int64, string) {
	switch {
	case flag > 0:
		debug.SetMemoryLimit(flag)
		return flag, "--memory-limit"
	case flag < 0:
		debug.SetMemoryLimit(math.MaxInt64)
		return 0, "none (--memory-limit -1)"
	case os.Getenv("GOMEMLIMIT") != "":
		return currentMemoryLimit(), "GOMEMLIMIT"
	}
	cg, err := memlimit.FromCgroup()
	if err != nil || cg == 0 || cg >= math.MaxInt64 {
		return 0, "none (no container memory limit)"
	}
	limit := int64(float64(cg) * containerShare)
	debug.SetMemoryLimit(limit)
	return limit, "90 % of the container's memory limit"
}

// currentMemoryLimit is Go's soft memory limit in force (0: none).
func currentMemoryLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		return l
	}
	return 0
}

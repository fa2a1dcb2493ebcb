package main

import (
	goruntime "runtime"
	"runtime/debug"
	"time"
)

// After a burst (large bodies, a flood) the Go runtime keeps the heap it grew for minutes: it
// collects only as the program allocates, and an idle gateway allocates little, and it gives
// freed memory back to the system slowly. A pod sized from its idle figures would be killed
// first. So lcgate checks every memoryReturnPeriod and, when it holds more than
// memoryReturnFloor of heap from the system, collects and gives back what is free at once.

// memoryReturnPeriod is how often the heap held from the system is checked.
const memoryReturnPeriod = 30 * time.Second

// memoryReturnFloor is the heap held from the system under which nothing is done: an idle
// gateway holds a few MiB.
const memoryReturnFloor = 32 << 20

// returnMemory runs returnFreeMemory every memoryReturnPeriod until stop is closed.
func returnMemory(stop <-chan struct{}) {
	t := time.NewTicker(memoryReturnPeriod)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			returnFreeMemory(memoryReturnFloor)
		}
	}
}

// returnFreeMemory collects the heap and gives its free memory back to the system when the
// process holds more than floor bytes of heap from it; it reports whether it did.
func returnFreeMemory(floor uint64) bool {
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	if ms.HeapSys-ms.HeapReleased <= floor {
		return false
	}
	debug.FreeOSMemory()
	return true
}

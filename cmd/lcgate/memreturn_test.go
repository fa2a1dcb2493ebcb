package main

import (
	goruntime "runtime"
	"testing"
)

var sink [][]byte

// TestFreeHeapIsGivenBackAfterABurst: once a burst's memory is garbage, returnFreeMemory
// gives it back to the system at once (the heap held from it drops below the burst's size),
// and does nothing while the heap held is under the floor.
func TestFreeHeapIsGivenBackAfterABurst(t *testing.T) {
	for range 64 {
		sink = append(sink, make([]byte, 1<<20))
	}
	sink = nil // 64 MiB of garbage, not yet collected
	if !returnFreeMemory(32 << 20) {
		t.Fatal("64 MiB of heap held from the system, and nothing was given back")
	}
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	if held := ms.HeapSys - ms.HeapReleased; held > 32<<20 {
		t.Errorf("%d MiB of heap still held after the burst was given back", held>>20)
	}
	if returnFreeMemory(1 << 40) {
		t.Error("memory given back while the heap held is under the floor")
	}
}

package main

import (
	goruntime "runtime"
	"syscall"
	"time"
)

// fineSlots bounds the goroutines in fineSleep's nanosleep to GOMAXPROCS-1: a goroutine in
// a system call keeps its processor, and with every processor so held nobody would poll the
// network (until sysmon does, every 10 ms), which showed as latency of several milliseconds.
var fineSlots = make(chan struct{}, max(goruntime.GOMAXPROCS(0)-1, 0))

// fineSleep sleeps for d, a few milliseconds at most. In nanosleep, when a slot is free, the
// wake-up comes within the kernel's timer slack (~0.1 ms) instead of the Go poller's whole
// millisecond; otherwise in time.Sleep.
func fineSleep(d time.Duration) {
	select {
	case fineSlots <- struct{}{}:
		ts := syscall.NsecToTimespec(int64(d))
		_ = syscall.Nanosleep(&ts, nil) // interrupted: early, and the caller sleeps again
		<-fineSlots
	default:
		time.Sleep(d)
	}
}

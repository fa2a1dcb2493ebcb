//go:build !linux

package main

import "time"

// fineSleep sleeps for d; outside Linux it is time.Sleep.
func fineSleep(d time.Duration) { time.Sleep(d) }

package main

import (
	"context"
	"testing"
	"time"
)

func TestPaceWithin(t *testing.T) {
	start := time.Unix(1000, 0)
	for _, tc := range []struct {
		rate float64
		d    time.Duration
		want int64
	}{
		{200, time.Second, 200},
		{100, 200 * time.Millisecond, 20},
		{3, time.Second, 3},
		{3, 1001 * time.Millisecond, 4},
		{1.0 / 15, 2 * time.Second, 1},
		{1.0 / 15, 30 * time.Second, 2},
		{1000, 0, 0},
	} {
		p := pace{start: start, rate: tc.rate}
		if got := p.within(tc.d); got != tc.want {
			t.Errorf("rate %g within %v: %d, want %d", tc.rate, tc.d, got, tc.want)
		}
	}
}

func TestTicketsAreHandedOutOnceInOrder(t *testing.T) {
	p := pace{start: time.Unix(0, 0), rate: 10}
	tk := &tickets{pace: p, count: 3}
	for i := range int64(3) {
		n, due, ok := tk.take()
		if !ok || n != i || !due.Equal(time.Unix(0, 0).Add(time.Duration(i)*100*time.Millisecond)) {
			t.Errorf("take %d: %d %v %v", i, n, due, ok)
		}
	}
	if _, _, ok := tk.take(); ok {
		t.Error("a fourth ticket of three")
	}
}

func TestSleeperWaitsUntilTheTimeOrTheContext(t *testing.T) {
	var sl sleeper
	defer sl.stop()
	at := time.Now().Add(5 * time.Millisecond)
	if !sl.until(context.Background(), at) || time.Now().Before(at) {
		t.Error("woke early")
	}
	if !sl.until(context.Background(), time.Now().Add(-time.Second)) {
		t.Error("a past time must return at once, true")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sl.until(ctx, time.Now().Add(time.Hour)) {
		t.Error("a cancelled context must stop the wait")
	}
}

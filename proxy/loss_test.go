package proxy

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
)

// envInt reads a positive integer from the environment, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestRTMLosesNoFrames runs many translated RTM sessions (3.0 and 3.1 clients on a 3.2
// upstream) that each send sequence-numbered requests at a fixed rate, and checks that every
// session gets every answer exactly once, in order, and that the gateway's frame counters
// reconcile. CI runs a small load; LCGATE_LOSS_SESSIONS, LCGATE_LOSS_RATE (frames per second
// per session) and LCGATE_LOSS_SECONDS scale it up (the README records a 500 × 10/s × 30 s
// run).
func TestRTMLosesNoFrames(t *testing.T) {
	sessions := envInt("LCGATE_LOSS_SESSIONS", 40)
	rate := envInt("LCGATE_LOSS_RATE", 10)
	seconds := envInt("LCGATE_LOSS_SECONDS", 3)
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2"})

	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	sent := make([]int, sessions)
	for i := 0; i < sessions; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n, err := lossSession(gw.Addr, i, rate, time.Duration(seconds)*time.Second)
			sent[i] = n
			if err != nil {
				errs <- fmt.Errorf("session %d: %w", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, n := range sent {
		total += n
	}
	gw.stop(t)
	up, down := gw.FrameCounts()
	if up.In+up.Generated != up.Out+up.Dropped || down.In+down.Generated != down.Out+down.Dropped {
		t.Errorf("counters do not reconcile: up %+v, down %+v", up, down)
	}
	if want := int64(total + sessions); up.In != want || up.Out != want || up.Dropped != 0 {
		t.Errorf("client → upstream %+v, want %d frames in and out, none dropped", up, want)
	}
	if want := int64(total + sessions); down.Out != want {
		t.Errorf("upstream → client %+v, want %d frames out", down, want)
	}
	t.Logf("%d sessions × %d/s × %ds: %d requests answered; up %+v, down %+v", sessions, rate, seconds, total, up, down)
}

// lossSession logs in, then sends get_groups_status at rate per second for d, reading every
// answer; it returns how many requests it sent and the first anomaly (loss, duplicate,
// reordering, wrong answer).
func lossSession(addr string, i, rate int, d time.Duration) (int, error) {
	version := []string{"3.0", "3.1"}[i%2]
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v"+version+"/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	answers := make(chan string, 1024)
	go func() {
		defer close(answers)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			answers <- string(msg)
		}
	}()
	login := fmt.Sprintf(`{"request_id":"login","action":"login","payload":{"token":"Bearer loss-%d"}}`, i)
	if err := conn.WriteMessage(websocket.TextMessage, []byte(login)); err != nil {
		return 0, err
	}
	if a := <-answers; gjson.Get(a, "request_id").String() != "login" || !gjson.Get(a, "success").Bool() {
		return 0, fmt.Errorf("login answer %s", a)
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	deadline := time.Now().Add(d)
	sent, next := 0, 0
	for time.Now().Before(deadline) {
		select {
		case <-tick.C:
			frame := fmt.Sprintf(`{"request_id":"s%d","action":"get_groups_status","payload":{"all":true}}`, sent)
			if err := conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
				return sent, err
			}
			sent++
		case a, ok := <-answers:
			if !ok {
				return sent, fmt.Errorf("connection closed after %d of %d answers", next, sent)
			}
			if err := checkAnswer(a, next); err != nil {
				return sent, err
			}
			next++
		}
	}
	for next < sent {
		select {
		case a, ok := <-answers:
			if !ok {
				return sent, fmt.Errorf("connection closed after %d of %d answers", next, sent)
			}
			if err := checkAnswer(a, next); err != nil {
				return sent, err
			}
			next++
		case <-time.After(10 * time.Second):
			return sent, fmt.Errorf("%d of %d answers lost", sent-next, sent)
		}
	}
	return sent, nil
}

// checkAnswer: the next answer must be request s<want>'s, in the client's version.
func checkAnswer(a string, want int) error {
	g := gjson.Parse(a)
	if rid := g.Get("request_id").String(); rid != fmt.Sprintf("s%d", want) {
		return fmt.Errorf("answer %q arrived when s%d was due (lost, duplicated or reordered)", rid, want)
	}
	if g.Get("action").String() != "get_groups_status" || !g.Get("payload.groups_status").Exists() {
		return fmt.Errorf("answer %s is not get_groups_status's", a)
	}
	return nil
}

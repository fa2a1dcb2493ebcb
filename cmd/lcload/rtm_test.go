package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// rtmBehaviour is how the test RTM server misbehaves; the zero value answers every request
// once, in order.
type rtmBehaviour struct {
	// answers gets each answer (not the login's) and returns the frames to write instead.
	answers func(rid string, answer []byte) [][]byte
	// pushes gets the K pushes after each answer and returns the frames to write instead.
	pushes func(rid string, pushes [][]byte) [][]byte
	// closeAt is a request id at which the server closes the connection instead.
	closeAt string
	// sessions is --sessions of a run with --session-life: session id i logs in with the
	// token of slot (i-1) mod sessions + 1. 0: with its own id's.
	sessions int
	// closeCode, when set, is the close code the server answers a client's close frame
	// with, instead of repeating it.
	closeCode int
	// closes counts the connections that ended with the client's close frame 1000.
	closes atomic.Int64
}

// rtmServer runs an RTM server for the test on a loopback port and returns its address. It
// checks the login (token "Bearer lcload-<session>") and that every request id is
// <session>-<seq> with seq dense from 1 and equal to the payload's event.text when there is
// one; it answers every request with success (action "fail": a validation error) and then
// sends k pushes whose payload.event.text is the request's, carrying its request_id.
func rtmServer(t *testing.T, k int, b *rtmBehaviour) string {
	t.Helper()
	if b == nil {
		b = &rtmBehaviour{}
	}
	up := websocket.FastHTTPUpgrader{}
	return serve(t, func(ctx *fasthttp.RequestCtx) {
		if !strings.HasSuffix(string(ctx.Path()), "/customer/rtm/ws") || ctx.QueryArgs().GetUintOrZero("license_id") == 0 {
			ctx.SetStatusCode(fasthttp.StatusNotFound)
			return
		}
		_ = up.Upgrade(ctx, func(ws *websocket.Conn) {
			defer func() { _ = ws.Close() }()
			if b.closeCode != 0 {
				ws.SetCloseHandler(func(int, string) error {
					return ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(b.closeCode, ""), time.Now().Add(time.Second))
				})
			}
			session, next := "", int64(1)
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
						b.closes.Add(1)
					}
					return
				}
				f := gjson.ParseBytes(data)
				rid, action := f.Get("request_id").Str, f.Get("action").Str
				if action == "login" {
					session, _, _ = strings.Cut(rid, "-")
					slot := session
					if id, err := strconv.Atoi(session); err == nil && b.sessions > 0 {
						slot = strconv.Itoa((id-1)%b.sessions + 1)
					}
					if rid != session+"-0" || f.Get("payload.token").Str != "Bearer lcload-"+slot {
						t.Errorf("login frame %s", data)
					}
				} else if rid != session+"-"+strconv.FormatInt(next, 10) {
					t.Errorf("session %s: request id %q, want seq %d", session, rid, next)
				} else {
					next++
				}
				if text := f.Get("payload.event.text"); text.Exists() && text.Str != rid {
					t.Errorf("payload text %q, want the tag %q", text.Str, rid)
				}
				if rid == b.closeAt {
					return
				}
				answer := fmt.Appendf(nil, `{"request_id":%q,"action":%q,"type":"response","success":true,"payload":{}}`, rid, action)
				if action == "fail" {
					answer = fmt.Appendf(nil, `{"request_id":%q,"action":"fail","type":"response","success":false,"payload":{"error":{"type":"validation","message":"no"}}}`, rid)
				}
				frames := [][]byte{answer}
				if action != "login" && b.answers != nil {
					frames = b.answers(rid, answer)
				}
				if action != "login" && action != "fail" && k > 0 {
					var pushes [][]byte
					for range k {
						pushes = append(pushes, fmt.Appendf(nil, `{"request_id":%q,"action":"incoming_event","type":"push","payload":{"chat_id":"C1","event":{"type":"message","text":%q}}}`,
							rid, f.Get("payload.event.text").Str))
					}
					if b.pushes != nil {
						pushes = b.pushes(rid, pushes)
					}
					frames = append(frames, pushes...)
				}
				for _, fr := range frames {
					if err := ws.WriteMessage(websocket.TextMessage, fr); err != nil {
						return
					}
				}
			}
		})
	})
}

// sendEventPayload tags the event text of send_event frames.
const sendEventPayload = `{"chat_id":"C1","event":{"type":"message","text":"{seq}"}}`

// runRTM parses `lcload rtm` with args against addr and runs it.
func runRTM(t *testing.T, addr string, args ...string) *Report {
	t.Helper()
	cli := parse(t, append([]string{"rtm", "--url", "ws://" + addr, "--ramp", "0s", "--drain", "300ms"}, args...)...)
	r, err := cli.RTM.run(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkCounts compares the loss, duplicate and order counts of a report.
func checkCounts(t *testing.T, r *Report, lost, dup, reord, pushLost, pushDup, pushReord int64) {
	t.Helper()
	got := [6]int64{r.Lost, r.Duplicated, r.Reordered, r.PushLost, r.PushDuplicated, r.PushReordered}
	if want := [6]int64{lost, dup, reord, pushLost, pushDup, pushReord}; got != want {
		t.Errorf("lost, duplicated, reordered, push_lost, push_duplicated, push_reordered = %v, want %v", got, want)
	}
}

func TestRTMAgainstAnEchoServerFindsNothingWrong(t *testing.T) {
	for _, version := range []string{"3.0", "3.2"} {
		addr := rtmServer(t, 2, nil)
		r := runRTM(t, addr, "--version", version, "--sessions", "5", "--rate", "20", "--duration", "500ms",
			"--action", "send_event", "--payload", sendEventPayload, "--pushes-per-request", "2")
		if r.Mode != modeRTM || r.Sent != 50 || r.Answered != 50 || r.Pushes != 100 || r.SessionsOpen != 5 || len(r.Errors) != 0 {
			t.Errorf("%s: report %+v", version, r)
		}
		checkCounts(t, r, 0, 0, 0, 0, 0, 0)
		if r.MaxMs <= 0 || r.PushP99Ms <= 0 {
			t.Errorf("%s: latencies %v %v", version, r.MaxMs, r.PushP99Ms)
		}
	}
}

func TestRTMFindsLostDuplicatedAndReorderedAnswers(t *testing.T) {
	var held []byte
	addr := rtmServer(t, 0, &rtmBehaviour{answers: func(rid string, answer []byte) [][]byte {
		switch rid {
		case "1-3": // dropped
			return nil
		case "1-5": // duplicated
			return [][]byte{answer, answer}
		case "1-7": // swapped with 1-8
			held = answer
			return nil
		case "1-8":
			return [][]byte{answer, held}
		}
		return [][]byte{answer}
	}})
	r := runRTM(t, addr, "--sessions", "3", "--rate", "20", "--duration", "1s")
	if r.Sent != 60 || r.Answered != 59 {
		t.Errorf("sent %d answered %d, want 60 and 59", r.Sent, r.Answered)
	}
	if r.Lost != 1 || r.Duplicated != 1 || r.Reordered < 1 {
		t.Errorf("lost %d duplicated %d reordered %d, want 1, 1, at least 1", r.Lost, r.Duplicated, r.Reordered)
	}
}

func TestRTMFindsLostDuplicatedAndReorderedPushes(t *testing.T) {
	var held [][]byte
	addr := rtmServer(t, 2, &rtmBehaviour{pushes: func(rid string, pushes [][]byte) [][]byte {
		switch rid {
		case "2-4": // one of two lost
			return pushes[:1]
		case "2-6": // one more
			return append(pushes, pushes[0])
		case "2-9": // after those of 2-10
			held = pushes
			return nil
		case "2-10":
			return append(pushes, held...)
		}
		return pushes
	}})
	r := runRTM(t, addr, "--sessions", "2", "--rate", "20", "--duration", "1s",
		"--action", "send_event", "--payload", sendEventPayload, "--pushes-per-request", "2")
	checkCounts(t, r, 0, 0, 0, 1, 1, 2) // both pushes of 2-9 come after 2-10's
	if r.Sent != 40 || r.Pushes != 80 {
		t.Errorf("sent %d pushes %d, want 40 and 80", r.Sent, r.Pushes)
	}
}

func TestRTMCountsFailedAnswersByType(t *testing.T) {
	addr := rtmServer(t, 1, nil)
	r := runRTM(t, addr, "--sessions", "2", "--rate", "20", "--duration", "200ms", "--action", "fail", "--pushes-per-request", "1")
	if r.Sent != 8 || r.Answered != 8 || r.Errors["failed_validation"] != 8 || len(r.Errors) != 1 {
		t.Errorf("sent %d answered %d errors %v", r.Sent, r.Answered, r.Errors)
	}
	checkCounts(t, r, 0, 0, 0, 0, 0, 0) // a failed request expects no pushes
}

func TestRTMCountsAClosedSession(t *testing.T) {
	addr := rtmServer(t, 0, &rtmBehaviour{closeAt: "2-3"})
	r := runRTM(t, addr, "--sessions", "3", "--rate", "20", "--duration", "500ms")
	if r.SessionsOpen != 2 || r.Errors["closed"]+r.Errors["write"] != 1 || r.Lost < 1 {
		t.Errorf("sessions open %d errors %v lost %d, want 2 open, one closed, at least one lost", r.SessionsOpen, r.Errors, r.Lost)
	}
}

func TestRTMChurnReplacesSessionsAndChecksEachOne(t *testing.T) {
	b := &rtmBehaviour{sessions: 3}
	addr := rtmServer(t, 1, b)
	r := runRTM(t, addr, "--sessions", "3", "--rate", "50", "--duration", "1s", "--session-life", "200ms",
		"--action", "send_event", "--payload", sendEventPayload, "--pushes-per-request", "1")
	// Lifetimes of 100–300 ms in 1 s: each slot's session is replaced at least twice.
	if r.SessionsOpened < 9 || r.SessionsClosed != r.SessionsOpened || b.closes.Load() != r.SessionsOpened || len(r.Errors) != 0 {
		t.Errorf("opened %d, closed %d, closed at the server %d, errors %v: want at least 9 opened, all closed",
			r.SessionsOpened, r.SessionsClosed, b.closes.Load(), r.Errors)
	}
	checkCounts(t, r, 0, 0, 0, 0, 0, 0)
	// Frames are skipped while a slot's session is replaced, never more than 150 sent.
	if r.Sent < 100 || r.Sent > 150 || r.Answered != r.Sent || r.Pushes != r.Sent || r.Received != r.Answered+r.Pushes+r.SessionsOpened {
		t.Errorf("sent %d answered %d pushes %d received %d", r.Sent, r.Answered, r.Pushes, r.Received)
	}
}

func TestRTMChurnFindsLostDuplicatedAndReorderedAnswersOfSuccessors(t *testing.T) {
	var held []byte
	// With 3 sessions, 4, 5 and 6 are the first successors of sessions 1, 2 and 3.
	addr := rtmServer(t, 0, &rtmBehaviour{sessions: 3, answers: func(rid string, answer []byte) [][]byte {
		switch rid {
		case "4-2": // dropped: its session waits --drain for it before it closes
			return nil
		case "5-3":
			return [][]byte{answer, answer}
		case "6-1":
			held = answer
			return nil
		case "6-2":
			return [][]byte{answer, held}
		}
		return [][]byte{answer}
	}})
	r := runRTM(t, addr, "--sessions", "3", "--rate", "50", "--duration", "1s", "--session-life", "200ms")
	if r.Lost != 1 || r.Duplicated != 1 || r.Reordered != 1 || r.Answered != r.Sent-1 || len(r.Errors) != 0 {
		t.Errorf("lost %d duplicated %d reordered %d, sent %d answered %d, errors %v: want 1, 1, 1, one unanswered, none",
			r.Lost, r.Duplicated, r.Reordered, r.Sent, r.Answered, r.Errors)
	}
	if r.SessionsOpened <= 6 || r.SessionsClosed != r.SessionsOpened {
		t.Errorf("opened %d closed %d", r.SessionsOpened, r.SessionsClosed)
	}
}

func TestRTMChurnCountsCloseFramesOtherThan1000(t *testing.T) {
	addr := rtmServer(t, 0, &rtmBehaviour{sessions: 2, closeCode: websocket.CloseInternalServerErr})
	r := runRTM(t, addr, "--sessions", "2", "--rate", "50", "--duration", "600ms", "--session-life", "200ms")
	// Every retired session counts one; those closed at the end of the run do not.
	if retired := r.SessionsOpened - r.SessionsOpen; retired < 2 || r.Errors["close_1011"] != retired || len(r.Errors) != 1 || r.SessionsClosed != 0 {
		t.Errorf("opened %d, open at the end %d, closed %d, errors %v", r.SessionsOpened, r.SessionsOpen, r.SessionsClosed, r.Errors)
	}
	checkCounts(t, r, 0, 0, 0, 0, 0, 0)
}

func TestSessionLifetimesAreJitteredAndSized(t *testing.T) {
	cli := parse(t, "rtm", "--sessions", "10", "--rate", "20", "--duration", "10m", "--session-life", "10s")
	r, err := cli.RTM.newRun()
	if err != nil {
		t.Fatal(err)
	}
	lives := map[time.Duration]bool{}
	for gen := range 50 {
		s := r.newSession(3, gen)
		if s.id != 3+10*gen || s.slot != 3 || s.phase != r.phase(3) {
			t.Errorf("generation %d: id %d slot %d phase %v", gen, s.id, s.slot, s.phase)
		}
		if s.life < 5*time.Second || s.life >= 15*time.Second {
			t.Errorf("lifetime %v outside [5s, 15s)", s.life)
		}
		if want := (pace{rate: 20}).within(s.life) + 2; int64(len(s.ans)) != want {
			t.Errorf("room for %d seqs, want %d (lifetime %v)", len(s.ans), want, s.life)
		}
		lives[s.life] = true
	}
	if len(lives) < 40 || r.lastID.Load() != 3+10*49 {
		t.Errorf("%d distinct lifetimes of 50, last id %d", len(lives), r.lastID.Load())
	}
}

func TestRTMHoldPingsAndCountsOpenSessions(t *testing.T) {
	addr := rtmServer(t, 0, nil)
	// Pings are spread over 15 s: in 300 ms only session 1's first one is due.
	r := runRTM(t, addr, "--hold", "--sessions", "3", "--duration", "300ms")
	if r.Mode != modeRTMHold || r.SessionsOpen != 3 || r.Sessions != 3 || r.Sent != 1 || r.Answered != 1 || len(r.Errors) != 0 {
		t.Errorf("report %+v", r)
	}
}

func TestRTMLoginFailureIsCounted(t *testing.T) {
	up := websocket.FastHTTPUpgrader{}
	addr := serve(t, func(ctx *fasthttp.RequestCtx) {
		_ = up.Upgrade(ctx, func(ws *websocket.Conn) {
			defer func() { _ = ws.Close() }()
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			rid := gjson.GetBytes(data, "request_id").Str
			_ = ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil,
				`{"request_id":%q,"action":"login","type":"response","success":false,"payload":{"error":{"type":"authentication","message":"no"}}}`, rid))
			_, _, _ = ws.ReadMessage()
		})
	})
	cli := parse(t, "rtm", "--url", "ws://"+addr, "--sessions", "2", "--ramp", "0s", "--duration", "100ms")
	if _, err := cli.RTM.run(context.Background(), io.Discard); err == nil || !strings.Contains(err.Error(), "login_authentication") {
		t.Errorf("error %v, want no session open: login_authentication", err)
	}
}

func TestFrameAndTags(t *testing.T) {
	cli := parse(t, "rtm", "--action", "send_sneak_peek", "--payload", `{"a":"{seq}","b":["x{seq}y"]}`)
	r, err := cli.RTM.newRun()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"request_id":"12-345","action":"send_sneak_peek","payload":{"a":"12-345","b":["x12-345y"]}}`
	if got := string(r.frame(nil, 12, 345)); got != want {
		t.Errorf("frame %s, want %s", got, want)
	}
	if id, seq, ok := parseTag("12-345"); !ok || id != 12 || seq != 345 {
		t.Errorf("parseTag: %d %d %v", id, seq, ok)
	}
	for _, bad := range []string{"", "12", "a-1", "1-b", "hi"} {
		if _, _, ok := parseTag(bad); ok {
			t.Errorf("parseTag(%q) ok", bad)
		}
	}
	if u, err := rtmURL("https://gw.example/base/", "3.1", 9); err != nil || u != "wss://gw.example/base/v3.1/customer/rtm/ws?license_id=9" {
		t.Errorf("rtmURL: %q %v", u, err)
	}
}

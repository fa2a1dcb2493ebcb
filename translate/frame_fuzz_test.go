package translate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lcgate/lcgate/versions"
)

// exampleFrames are the documented RTM frames of every version, as fuzz seeds.
func exampleFrames(f *testing.F) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob(filepath.Join("..", "versions", "testdata", "examples", "v3.*", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		kind, action, _ := strings.Cut(name, ".")
		switch kind {
		case "request":
			out = append(out, []byte(`{"request_id":"r1","action":"`+action+`","payload":`+string(b)+`}`))
		case "response":
			out = append(out, []byte(`{"request_id":"lcgate-1","action":"`+action+`","type":"response","success":true,"payload":`+string(b)+`}`))
		case "push":
			out = append(out, []byte(`{"action":"`+action+`","type":"push","payload":`+string(b)+`}`))
		}
	}
	return out
}

// FuzzFrames: the RTM frame and Web body readers never panic on any bytes, and what they
// accept is written back as valid JSON that reads the same.
func FuzzFrames(f *testing.F) {
	for _, fr := range exampleFrames(f) {
		f.Add(fr)
	}
	f.Add([]byte(`{"payload":{"chat_id":"C"}}`))
	f.Add([]byte(`{"error":{"type":"validation","message":"m","data":{"region":"fra"}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if fr, err := ParseFrame(in); err == nil {
			out := AppendFrame(nil, fr)
			again, err := ParseFrame(out)
			if !json.Valid(out) || err != nil || again.Action != fr.Action || again.RequestID != fr.RequestID || again.HasRID != fr.HasRID {
				t.Fatalf("frame %s written as %s (%v)", in, out, err)
			}
			Release(again.Payload)
			Release(fr.Payload)
		}
		for _, wrap := range []bool{false, true} { // a 3.0 body with or without its envelope
			if d, err := ParsePayload(in, wrap); err == nil {
				if out := WebBodyFramed(nil, wrap, d); !json.Valid(out) {
					t.Fatalf("body %s written as %s", in, out)
				}
				Release(d)
			}
		}
		if e, ok := ParseError(400, in); ok {
			if out := ErrorBody(e); !json.Valid(out) {
				t.Fatalf("error %s written as %s", in, out)
			}
		}
	})
}

// FuzzRTMSession: a translated RTM session fed any client and upstream frames, between any two
// versions, never panics and sends each leg only valid JSON frames; stopping it ends every
// expansion it started.
func FuzzRTMSession(f *testing.F) {
	frames := exampleFrames(f)
	for i, fr := range frames {
		f.Add(fr, frames[(i+7)%len(frames)], uint8(i), uint8(i/3))
	}
	f.Fuzz(func(t *testing.T, fromClient, fromUpstream []byte, clientIdx, upstreamIdx uint8) {
		client := versions.All[int(clientIdx)%len(versions.All)]
		upstream := versions.All[int(upstreamIdx)%len(versions.All)]
		var mu sync.Mutex
		var bad []byte
		check := func(msg []byte) error {
			if !json.Valid(msg) {
				mu.Lock()
				bad = msg
				mu.Unlock()
			}
			return nil
		}
		var e Engine
		r := NewRTM(&e, RTMConfig{Client: client, Upstream: upstream, CallTimeout: time.Millisecond, // nothing answers its calls
			SendUp: func(msg []byte, _ bool) error { return check(msg) }, SendClient: func(msgs ...[]byte) error {
				for _, m := range msgs {
					_ = check(m)
				}
				return nil
			}})
		up, back, _ := r.FromClient(fromClient)
		for _, msg := range [][]byte{up, back} {
			if msg != nil {
				_ = check(msg)
			}
		}
		for _, msg := range r.FromUpstream(fromUpstream) {
			_ = check(msg)
		}
		r.Stop()
		if bad != nil {
			t.Fatalf("%s → %s: invalid frame %s (client %s, upstream %s)", client, upstream, bad, fromClient, fromUpstream)
		}
	})
}

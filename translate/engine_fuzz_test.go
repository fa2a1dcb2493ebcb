package translate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/translate/jsontree"
	"github.com/lcgate/lcgate/versions"
)

// fuzzUpstream answers every call with a document chosen by the fuzzer: a documented 3.2
// answer of that action, or the fuzzed bytes themselves (often malformed for the action).
type fuzzUpstream struct {
	answers map[string][]byte
	raw     []byte
	calls   int
}

func (u *fuzzUpstream) Call(_ context.Context, action string, _ *versions.Doc) (*versions.Doc, error) {
	u.calls++
	if u.calls > 50 {
		return nil, &versions.APIError{Status: 500, Type: "internal", Message: "too many calls"}
	}
	body := u.answers[action]
	if u.calls%2 == 0 || body == nil {
		body = u.raw
	}
	d, err := ParsePayload(body, false)
	if err != nil {
		return jsontree.New(), nil
	}
	return d, nil
}

func (u *fuzzUpstream) Upload(ctx context.Context, _ versions.File) (*versions.Doc, error) {
	return u.Call(ctx, "upload_file", nil)
}

// documentedAnswers loads the example answers of version v used as upstream replies.
func documentedAnswers(t testing.TB, v versions.Version) map[string][]byte {
	files, _ := filepath.Glob(filepath.Join("..", "versions", "testdata", "examples", "v"+v.String(), "response.*.json"))
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "response."), ".json")] = b
	}
	return out
}

// FuzzEngineCall: any client version's call of any Web method, with any payload, on an
// upstream of any version answering documented or malformed documents, never panics, and any
// answer is a valid JSON object.
func FuzzEngineCall(f *testing.F) {
	answers := map[versions.Version]map[string][]byte{}
	for _, v := range versions.All {
		answers[v] = documentedAnswers(f, v)
	}
	var actions []string
	for _, v := range versions.All {
		for name, m := range versions.Methods[v] {
			if m.Web {
				actions = append(actions, v.String()+" "+name)
			}
		}
	}
	f.Add([]byte(`{"chat_id":"C","event":{"type":"message","text":"x"}}`), uint8(0), uint8(2), []byte(`{"threads":[{"id":"T","events":[{"id":"E"}]}]}`))
	f.Add([]byte(`{"chat_id":"C","thread_ids":["T1","T2"]}`), uint8(3), uint8(1), []byte(`{"thread":{"created_at":"bad"},"next_thread_id":1}`))
	f.Add([]byte(`{"offset":5,"limit":3}`), uint8(7), uint8(0), []byte(`{"chats_summary":[{},{},{}],"next_page_id":"p"}`))
	f.Fuzz(func(t *testing.T, payload []byte, actionIdx, upstreamIdx uint8, upstreamRaw []byte) {
		key := actions[int(actionIdx)%len(actions)]
		ver, action, _ := strings.Cut(key, " ")
		client, _ := versions.Parse(ver)
		upstream := versions.All[int(upstreamIdx)%len(versions.All)]
		req, err := ParsePayload(payload, false)
		if err != nil {
			return
		}
		up := &fuzzUpstream{answers: answers[upstream], raw: upstreamRaw}
		var e Engine
		resp, err := e.Call(context.Background(), Request{Client: client, Upstream: upstream, Action: action,
			Payload: req, Files: []versions.File{{Name: "f.txt", Data: []byte("x")}},
			Form: map[string]string{"chat_id": "C"}}, up)
		if err != nil {
			return
		}
		if out := resp.JSON(); !json.Valid(out) || !resp.IsObject(resp.Root()) {
			t.Fatalf("%s answered %s", key, out)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runTranslate(t *testing.T, cmd TranslateCmd, stdin string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cmd.Run(runtime{ctx: context.Background(), stdout: &out, stderr: &out, stdin: strings.NewReader(stdin)})
	return out.String(), err
}

func TestTranslateCommandRewritesAPushDownTwoSteps(t *testing.T) {
	out, err := runTranslate(t, TranslateCmd{From: "3.2", To: "3.0", Kind: "push", Action: "thread_properties_updated"},
		`{"chat_id":"C","thread_id":"T","properties":{"rating":{"score":1}}}`)
	want := "# push chat_thread_properties_updated in 3.0\n" +
		`{"chat_id":"C","thread_id":"T","properties":{"rating":{"score":{"value":1}}}}` + "\n"
	if err != nil || out != want {
		t.Fatalf("got %q, %v\nwant %q", out, err, want)
	}
}

func TestTranslateCommandSaysWhenAPushIsDropped(t *testing.T) {
	out, err := runTranslate(t, TranslateCmd{From: "3.2", To: "3.1", Kind: "push", Action: "queue_position_updated"}, `{}`)
	if err != nil || !strings.Contains(out, "no counterpart in 3.1") {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestTranslateCommandDryRunsAnExpansion(t *testing.T) {
	out, err := runTranslate(t, TranslateCmd{From: "3.0", To: "3.2", Kind: "request", Action: "update_last_seen_timestamp"},
		`{"chat_id":"C","timestamp":1588835520}`)
	wantCall := `→ 3.2 mark_events_as_seen {"chat_id":"C","seen_up_to":"2020-05-07T07:12:00.999999Z"}`
	if err != nil || !strings.Contains(out, wantCall) || !strings.Contains(out, `{"timestamp":1588835520}`) {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestTranslateCommandRefusesInvalidJSON(t *testing.T) {
	if _, err := runTranslate(t, TranslateCmd{From: "3.0", To: "3.2", Kind: "request", Action: "send_event"}, `{"a":`); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

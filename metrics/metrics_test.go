package metrics

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

var update = flag.Bool("update", false, "rewrite testdata/exposition.txt")

// TestExpositionGolden records a fixed set of measurements and compares the exposition of
// lcgate's own counters and gauges with testdata/exposition.txt (names, help, labels, values).
func TestExpositionGolden(t *testing.T) {
	m := New(func() (up, down [4]int64) { return [4]int64{10, 9, 1, 0}, [4]int64{12, 13, 1, 2} })
	m.Requests.WithLabelValues(TransportWeb, "3.0", "3.2", Action("start_chat"), OutcomeOK).Add(3)
	m.Requests.WithLabelValues(TransportWeb, "3.1", "3.2", Action("no_such_action"), OutcomeClientError).Inc()
	m.Requests.WithLabelValues(TransportWeb, "3.0", "3.2", Action("send_event"), OutcomeUpstreamError).Inc()
	m.Sessions.WithLabelValues(TransportRTM, "3.0", "3.2").Add(2)
	m.Routed.WithLabelValues(TransportWeb, "stable", "false").Add(9)
	m.Routed.WithLabelValues(TransportWeb, "canary", "true").Inc()
	m.Sessions.WithLabelValues(TransportSockJS, "3.2", "3.2").Inc()
	m.Expansions.WithLabelValues(Action("get_chats_summary")).Inc()
	m.Lossy.WithLabelValues("A3 event created_at to timestamp (sub-second precision)").Add(4)
	m.UpstreamErrors.WithLabelValues("timeout").Inc()
	names := []string{"lcgate_requests_total", "lcgate_sessions", "lcgate_expansions_total",
		"lcgate_lossy_conversions_total", "lcgate_upstream_errors_total", "lcgate_rtm_frames_total", "lcgate_routed_total"}
	path := filepath.Join("testdata", "exposition.txt")
	if *update {
		got, err := testutil.CollectAndFormat(m.Registry, expfmt.TypeTextPlain, names...)
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(string(want)), names...); err != nil {
		t.Fatal(err)
	}
}

func TestActionLabelsAreBounded(t *testing.T) {
	for in, want := range map[string]string{"start_chat": "start_chat", "list_chats": "list_chats",
		"close_thread": "close_thread", "ping": "ping", "CH0000001": "other", "": "other", "drop table": "other"} {
		if got := Action(in); got != want {
			t.Errorf("Action(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCachedCountersCountTheSameChildren: CountRequest and CountLossy add to the children
// WithLabelValues reads.
func TestCachedCountersCountTheSameChildren(t *testing.T) {
	m := New(nil)
	for range 3 {
		m.CountRequest(TransportWeb, "3.0", "3.2", "send_event", OutcomeOK)
		m.CountLossy("A3 event created_at to timestamp (sub-second precision)")
	}
	m.CountRequest(TransportWeb, "3.1", "3.2", "send_event", OutcomeOK)
	if got := testutil.ToFloat64(m.Requests.WithLabelValues(TransportWeb, "3.0", "3.2", "send_event", OutcomeOK)); got != 3 {
		t.Errorf("requests = %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues(TransportWeb, "3.1", "3.2", "send_event", OutcomeOK)); got != 1 {
		t.Errorf("requests of 3.1 = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Lossy.WithLabelValues("A3 event created_at to timestamp (sub-second precision)")); got != 3 {
		t.Errorf("lossy = %v, want 3", got)
	}
}

// Package metrics holds lcgate's Prometheus collectors, in one registry with the Go and
// process collectors, and the names and bounded label sets they use. Label values are
// never ids or tokens: actions outside the API's catalogue fold into "other".
package metrics

import (
	"net/http"

	"github.com/lcgate/lcgate/versions"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric name.
const Namespace = "lcgate"

// Label values of the transport label.
const (
	TransportWeb    = "web"
	TransportRTM    = "rtm"
	TransportSockJS = "sockjs"
)

// VersionNone is the upstream_version label of a request no upstream was chosen for.
const VersionNone = "none"

// Outcomes of a Web request.
const (
	OutcomeOK            = "ok"             // 2xx
	OutcomeClientError   = "client_error"   // an API error answered to the client (4xx)
	OutcomeUpstreamError = "upstream_error" // the upstream failed (unreachable, timeout, bad answer)
	OutcomeGatewayError  = "gateway_error"  // lcgate itself failed (5xx of its own)
)

// Metrics is lcgate's set of collectors. Create it with New; it is safe for concurrent use.
type Metrics struct {
	// Registry holds every collector below plus the Go and process collectors.
	Registry *prometheus.Registry

	// Requests counts Web requests by transport, client and upstream version, action and
	// outcome.
	Requests *prometheus.CounterVec
	// TranslationSeconds is the gateway's own time per Web request (total minus upstream).
	TranslationSeconds *prometheus.HistogramVec
	// UpstreamSeconds is the time of each upstream call.
	UpstreamSeconds *prometheus.HistogramVec
	// Sessions is the number of open RTM sessions by transport (rtm, sockjs), client version
	// and upstream version.
	Sessions *prometheus.GaugeVec
	// Routed counts the routing choices (one per Web request, one per RTM session) by
	// transport, the chosen upstream's configured name and whether the canary rule chose it.
	Routed *prometheus.CounterVec
	// Expansions counts the client calls served with several upstream calls, by action.
	Expansions *prometheus.CounterVec
	// Lossy counts conversions that lost information, by the change that lost it.
	Lossy *prometheus.CounterVec
	// UpstreamErrors counts failed upstream calls by kind.
	UpstreamErrors *prometheus.CounterVec
	// Panics counts requests whose handler panicked (answered 500; the process goes on).
	Panics prometheus.Counter
	// FramesDropped counts RTM frames not forwarded, by direction and reason.
	FramesDropped *prometheus.CounterVec
	// Throttled counts the times a translated RTM session stopped reading its client because
	// it held as many requests as it may (see WatchHeld for what is held).
	Throttled prometheus.Counter

	requests    counterCache[requestLabels]                  // Requests' children, for CountRequest
	lossy       counterCache[string]                         // Lossy's children, for CountLossy
	translation childCache[versionPair, prometheus.Observer] // for ObserveTranslation
	upstream    childCache[string, prometheus.Observer]      // for ObserveUpstream
}

// Reasons an RTM frame is not forwarded.
const (
	DropNoCounterpart  = "no_counterpart"  // a push the client's version does not have
	DropGatewayCall    = "gateway_call"    // the answer to lcgate's own call (an expansion's)
	DropUnknownRequest = "unknown_request" // an answer to no pending request
	DropMalformed      = "malformed"       // not an RTM frame
	DropRefused        = "refused"         // a client frame answered by lcgate with an error
	DropAnswered       = "answered"        // a client request lcgate answered itself (a newer client's get_customer)
)

// New returns a fresh set of collectors in its own registry. frames, when set, is read at
// each scrape for the RTM frame counters (see FramesFunc).
func New(frames FramesFunc) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.Requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "requests_total",
		Help: "Web API requests by transport, client version, upstream version, action and outcome."},
		[]string{"transport", "client_version", "upstream_version", "action", "outcome"})
	m.TranslationSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace,
		Name: "translation_seconds", Help: "Time lcgate spent on a Web request itself (total minus upstream calls).",
		Buckets: []float64{.00001, .00005, .0001, .0005, .001, .005, .01, .05}},
		[]string{"client_version", "upstream_version"})
	m.UpstreamSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace,
		Name: "upstream_seconds", Help: "Time of each upstream Web call.", Buckets: prometheus.DefBuckets},
		[]string{"upstream_version"})
	m.Sessions = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "sessions",
		Help: "Open RTM sessions by transport, client version and upstream version."},
		[]string{"transport", "client_version", "upstream_version"})
	m.Routed = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "routed_total",
		Help: "Routing choices (Web requests, RTM sessions) by transport, upstream name and canary rule."},
		[]string{"transport", "upstream", "canary"})
	m.Expansions = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "expansions_total",
		Help: "Client calls served with several upstream calls, by client action."}, []string{"action"})
	m.Lossy = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "lossy_conversions_total",
		Help: "Conversions that lost information, by the change that lost it."}, []string{"change"})
	m.UpstreamErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "upstream_errors_total",
		Help: "Failed upstream calls by kind."}, []string{"kind"})
	m.Panics = prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "panics_total",
		Help: "Requests whose handler panicked; each was answered 500 and the process went on."})
	m.FramesDropped = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "rtm_frames_dropped_total",
		Help: "RTM frames not forwarded, by direction (up: client to upstream) and reason."}, []string{"direction", "reason"})
	m.Throttled = prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "rtm_throttled_total",
		Help: "Times a translated RTM session stopped reading its client: it held as many requests as it may."})
	m.requests.with, m.lossy.with = m.Requests.WithLabelValues, m.Lossy.WithLabelValues
	m.translation.with, m.upstream.with = m.TranslationSeconds.WithLabelValues, m.UpstreamSeconds.WithLabelValues
	m.Registry.MustRegister(m.FramesDropped, m.Panics, m.Requests, m.TranslationSeconds, m.UpstreamSeconds, m.Sessions, m.Routed, m.Expansions,
		m.Lossy, m.UpstreamErrors, m.Throttled, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if frames != nil {
		m.WatchFrames(frames)
	}
	return m
}

// WatchFrames registers the RTM frame counters read by frames (once per Metrics).
func (m *Metrics) WatchFrames(frames FramesFunc) {
	m.Registry.MustRegister(&framesCollector{read: frames})
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Action bounds an action label: the action when the API knows it in some version, else
// "other".
func Action(action string) string {
	for _, v := range versions.All {
		if _, ok := versions.Lookup(v, action); ok {
			return action
		}
	}
	if action == "ping" {
		return action
	}
	return "other"
}

// FramesFunc reads the RTM frame counters: for each direction ("up" client → upstream,
// "down" upstream → client) the frames in, out, dropped and generated by the gateway.
type FramesFunc func() (up, down [4]int64)

// frameKinds name the four counters of a direction, in FramesFunc's order.
var frameKinds = [4]string{"in", "out", "dropped", "generated"}

var framesDesc = prometheus.NewDesc(Namespace+"_rtm_frames_total",
	"RTM frames by direction (up: client to upstream) and disposition; in + generated = out + dropped.",
	[]string{"direction", "disposition"}, nil)

// framesCollector exposes the proxy's own frame counters at scrape time.
type framesCollector struct{ read FramesFunc }

func (c *framesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- framesDesc }

func (c *framesCollector) Collect(ch chan<- prometheus.Metric) {
	up, down := c.read()
	for i, kind := range frameKinds {
		ch <- prometheus.MustNewConstMetric(framesDesc, prometheus.CounterValue, float64(up[i]), "up", kind)
		ch <- prometheus.MustNewConstMetric(framesDesc, prometheus.CounterValue, float64(down[i]), "down", kind)
	}
}

// Package deploy_test checks the deployment assets against what lcgate serves: manifests
// decoded strictly into the real Kubernetes API types, monitoring resources decoded strictly,
// and every metric name in the dashboard and alerts one lcgate exposes.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lcgate/lcgate/metrics"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// documents splits a multi-document YAML file into JSON documents.
func documents(t *testing.T, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, j)
	}
	return out
}

// strict decodes JSON into v, refusing unknown fields.
func strict(t *testing.T, j []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%T: %v\n%s", v, err, j)
	}
}

func kindOf(t *testing.T, j []byte) string {
	var meta struct{ Kind string }
	_ = json.Unmarshal(j, &meta)
	return meta.Kind
}

// checkGateway checks the lcgate container of a pod: probes on the metrics port's
// /healthz and /readyz, that port declared and passed as --metrics-listen, and a grace
// period longer than --drain-timeout.
func checkGateway(t *testing.T, spec corev1.PodSpec) {
	t.Helper()
	var c *corev1.Container
	for i := range spec.Containers {
		if spec.Containers[i].Name == "lcgate" {
			c = &spec.Containers[i]
		}
	}
	if c == nil {
		t.Fatal("no lcgate container")
	}
	args := strings.Join(c.Args, " ")
	var metricsPort int32
	for _, p := range c.Ports {
		if p.Name == "metrics" {
			metricsPort = p.ContainerPort
		}
	}
	if metricsPort == 0 || !strings.Contains(args, "--metrics-listen=0.0.0.0:"+itoa(metricsPort)) {
		t.Errorf("the metrics port %d is not the one --metrics-listen opens (%s)", metricsPort, args)
	}
	for probe, want := range map[*corev1.Probe]string{c.LivenessProbe: "/healthz", c.ReadinessProbe: "/readyz"} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want || probe.HTTPGet.Port.String() != "metrics" {
			t.Errorf("probe %+v, want GET %s on the metrics port", probe, want)
		}
	}
	drain := 10 * time.Second
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--drain-timeout="); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				t.Fatal(err)
			}
			drain = d
		}
	}
	if g := spec.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= drain {
		t.Errorf("terminationGracePeriodSeconds is not set longer than the drain (%s)", drain)
	}
	checkMemoryLimit(t, c)
}

// checkMemoryLimit: the container has a memory limit, and lcgate's --memory-limit (Go's soft
// limit) is set below it, at 90 % at most, so the runtime collects harder before the kernel
// kills the container.
func checkMemoryLimit(t *testing.T, c *corev1.Container) {
	t.Helper()
	limit, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		t.Fatal("the lcgate container has no memory limit")
	}
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--memory-limit="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 || float64(n) > 0.9*float64(limit.Value()) {
				t.Errorf("--memory-limit=%s, want bytes at most 90 %% of the container's limit %s", v, limit.String())
			}
			return
		}
	}
	t.Errorf("no --memory-limit: set it from the container's memory limit (%s)", limit.String())
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func TestKubernetesManifestsDecodeIntoTheAPITypes(t *testing.T) {
	seen := map[string]int{}
	for _, path := range []string{"kubernetes/standalone.yaml", "kubernetes/sidecar.yaml"} {
		for _, j := range documents(t, path) {
			kind := kindOf(t, j)
			seen[kind]++
			switch kind {
			case "Deployment":
				var d appsv1.Deployment
				strict(t, j, &d)
				checkGateway(t, d.Spec.Template.Spec)
			case "Service":
				var s corev1.Service
				strict(t, j, &s)
			case "HorizontalPodAutoscaler":
				var h autoscalingv2.HorizontalPodAutoscaler
				strict(t, j, &h)
			case "PodDisruptionBudget":
				var p policyv1.PodDisruptionBudget
				strict(t, j, &p)
			default:
				t.Errorf("%s: unexpected kind %q", path, kind)
			}
		}
	}
	for _, k := range []string{"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} {
		if seen[k] == 0 {
			t.Errorf("no %s manifest", k)
		}
	}
}

// monitoringResource is the part of the Prometheus Operator's PodMonitor and PrometheusRule
// the assets use, decoded strictly.
type monitoringResource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Selector *struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector,omitempty"`
		PodMetricsEndpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"podMetricsEndpoints,omitempty"`
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert       string            `json:"alert"`
				Expr        string            `json:"expr"`
				For         string            `json:"for,omitempty"`
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"rules"`
		} `json:"groups,omitempty"`
	} `json:"spec"`
}

// servedMetrics lists the metric names lcgate exposes (histograms with their series).
func servedMetrics(t *testing.T) map[string]bool {
	m := metrics.New(func() (up, down [4]int64) { return })
	m.Requests.WithLabelValues("web", "3.0", "3.2", "start_chat", "ok")
	m.TranslationSeconds.WithLabelValues("3.0", "3.2").Observe(0)
	m.UpstreamSeconds.WithLabelValues("3.2").Observe(0)
	m.Sessions.WithLabelValues("rtm", "3.0", "3.2")
	m.Routed.WithLabelValues("web", "default", "false")
	m.Expansions.WithLabelValues("start_chat")
	m.Lossy.WithLabelValues("x")
	m.UpstreamErrors.WithLabelValues("timeout")
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		n := f.GetName()
		names[n] = true
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			names[n+s] = true
		}
	}
	return names
}

var metricName = regexp.MustCompile(`lcgate_[a-z_]+`)

func checkExprs(t *testing.T, where string, exprs []string, served map[string]bool) {
	t.Helper()
	if len(exprs) == 0 {
		t.Errorf("%s uses no expression", where)
	}
	for _, e := range exprs {
		for _, name := range metricName.FindAllString(e, -1) {
			if !served[name] {
				t.Errorf("%s uses %s, which lcgate does not serve: %s", where, name, e)
			}
		}
	}
}

func TestMonitoringUsesWhatLcgateServes(t *testing.T) {
	served := servedMetrics(t)
	var pm monitoringResource
	strict(t, documents(t, "monitoring/podmonitor.yaml")[0], &pm)
	if pm.Kind != "PodMonitor" || len(pm.Spec.PodMetricsEndpoints) != 1 || pm.Spec.PodMetricsEndpoints[0].Port != "metrics" ||
		pm.Spec.PodMetricsEndpoints[0].Path != "/metrics" {
		t.Errorf("PodMonitor %+v, want the metrics port's /metrics", pm)
	}
	var rules monitoringResource
	strict(t, documents(t, "monitoring/alerts.yaml")[0], &rules)
	var exprs []string
	for _, g := range rules.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %+v needs a name and a summary", r)
			}
			exprs = append(exprs, r.Expr)
		}
	}
	checkExprs(t, "alerts.yaml", exprs, served)

	raw, err := os.ReadFile("monitoring/dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	exprs = nil
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	checkExprs(t, "dashboard.json", exprs, served)
}

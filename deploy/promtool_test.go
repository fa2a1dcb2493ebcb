package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lcgate/lcgate/internal/needtool"
	"sigs.k8s.io/yaml"
)

// These tests run Prometheus's own promtool on monitoring/alerts.yaml: `promtool check
// rules` on its rule groups, and `promtool test rules` on the unit tests in
// monitoring/alerts_test.yaml. promtool reads plain Prometheus rule files, not the Prometheus
// Operator's PrometheusRule, so the groups are written to rulesFile in a temporary directory,
// next to a copy of the unit tests, whose rule_files names that file.

// rulesFile is the name of the plain rules file written from alerts.yaml's spec.groups; the
// unit tests' rule_files names it.
const rulesFile = "alerts.rules.yaml"

// unitTestsFile is the committed file of promtool unit tests of the alerts.
const unitTestsFile = "monitoring/alerts_test.yaml"

// promtoolPath finds Prometheus's promtool (see needtool.Path; CI sets LCGATE_REQUIRE_PROMTOOL=1).
func promtoolPath(t *testing.T) string {
	return needtool.Path(t, "promtool", "LCGATE_REQUIRE_PROMTOOL", "Debian: apt-get install prometheus")
}

// ruleGroups returns spec.groups of monitoring/alerts.yaml as Prometheus reads them, decoded
// generically so that every field reaches the rules file, known to these tests or not.
func ruleGroups(t *testing.T) []map[string]any {
	t.Helper()
	var rule struct {
		Kind string `json:"kind"`
		Spec struct {
			Groups []map[string]any `json:"groups"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(documents(t, "monitoring/alerts.yaml")[0], &rule); err != nil {
		t.Fatal(err)
	}
	if rule.Kind != "PrometheusRule" || len(rule.Spec.Groups) == 0 {
		t.Fatalf("monitoring/alerts.yaml is a %q with %d groups, want a PrometheusRule with spec.groups", rule.Kind, len(rule.Spec.Groups))
	}
	return rule.Spec.Groups
}

// alertRules returns the alerting rules of groups, in order, to read or change in place.
func alertRules(t *testing.T, groups []map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, g := range groups {
		rules, _ := g["rules"].([]any)
		for _, r := range rules {
			rule, ok := r.(map[string]any)
			if !ok {
				t.Fatalf("group %v has a rule that is no mapping: %v", g["name"], r)
			}
			if _, ok := rule["alert"].(string); ok {
				out = append(out, rule)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("monitoring/alerts.yaml has no alerting rule")
	}
	return out
}

// promtoolDir writes groups as a plain Prometheus rules file (rulesFile) into a new temporary
// directory, copies the unit tests next to it, and returns the directory.
func promtoolDir(t *testing.T, groups []map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	rules, err := yaml.Marshal(map[string]any{"groups": groups})
	if err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile(unitTestsFile)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{rulesFile: rules, filepath.Base(unitTestsFile): tests} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runPromtool runs promtool with args in dir and returns what it printed and its error.
func runPromtool(t *testing.T, promtool, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestAlertRulesPassPromtoolCheckAndTheirUnitTests writes alerts.yaml's spec.groups as a
// plain rules file and requires `promtool check rules` (every lint, fatal) and `promtool test
// rules` on monitoring/alerts_test.yaml to succeed.
func TestAlertRulesPassPromtoolCheckAndTheirUnitTests(t *testing.T) {
	promtool := promtoolPath(t)
	dir := promtoolDir(t, ruleGroups(t))
	out, err := runPromtool(t, promtool, dir, "check", "rules", "--lint=all", "--lint-fatal", rulesFile)
	if err != nil || !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
	out, err = runPromtool(t, promtool, dir, "test", "rules", filepath.Base(unitTestsFile))
	if err != nil || !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}

// unitTests is the part of promtool's unit-test file these tests read.
type unitTests struct {
	RuleFiles []string `json:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			EvalTime  string `json:"eval_time"`
			Alertname string `json:"alertname"`
			ExpAlerts []struct {
				ExpLabels      map[string]string `json:"exp_labels"`
				ExpAnnotations map[string]string `json:"exp_annotations"`
			} `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

// TestEveryAlertHasFiringAndSilentUnitTests needs no promtool: it reads the unit tests and
// requires, for each alert of alerts.yaml, a case that expects it to fire with its severity
// and summary and a case that expects it silent, and no case of an alert that does not exist.
func TestEveryAlertHasFiringAndSilentUnitTests(t *testing.T) {
	raw, err := os.ReadFile(unitTestsFile)
	if err != nil {
		t.Fatal(err)
	}
	var tests unitTests
	if err := yaml.Unmarshal(raw, &tests); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tests.RuleFiles, []string{rulesFile}) {
		t.Errorf("rule_files is %q, want [%s] (the file the tests write from alerts.yaml)", tests.RuleFiles, rulesFile)
	}
	fires, silent := map[string]int{}, map[string]int{}
	for _, group := range tests.Tests {
		for _, c := range group.AlertRuleTest {
			if len(c.ExpAlerts) == 0 {
				silent[c.Alertname]++
				continue
			}
			fires[c.Alertname]++
			for _, a := range c.ExpAlerts {
				if a.ExpLabels["severity"] == "" || a.ExpAnnotations["summary"] == "" {
					t.Errorf("%s at %s: an expected alert without its severity or summary: %+v", c.Alertname, c.EvalTime, a)
				}
			}
		}
	}
	alerts := map[string]bool{}
	for _, r := range alertRules(t, ruleGroups(t)) {
		name := r["alert"].(string)
		alerts[name] = true
		if fires[name] == 0 {
			t.Errorf("%s: no unit test makes it fire", name)
		}
		if silent[name] == 0 {
			t.Errorf("%s: no unit test keeps it silent", name)
		}
	}
	for name := range fires {
		if !alerts[name] {
			t.Errorf("the unit tests expect %s, which alerts.yaml does not define", name)
		}
	}
	for name := range silent {
		if !alerts[name] {
			t.Errorf("the unit tests name %s, which alerts.yaml does not define", name)
		}
	}
}

// threshold is the comparison every alert's expression ends with.
var threshold = regexp.MustCompile(`\s>\s*([0-9.]+)\s*$`)

// ruleMutation breaks one alerting rule in place; it returns false when it does not apply to
// that rule.
type ruleMutation func(t *testing.T, rule map[string]any) bool

// splitThreshold returns the expression of rule without its final `> threshold`, and the
// threshold.
func splitThreshold(t *testing.T, rule map[string]any) (string, float64) {
	t.Helper()
	expr, _ := rule["expr"].(string)
	m := threshold.FindStringSubmatchIndex(expr)
	if m == nil {
		t.Fatalf("the expression does not end with `> threshold`: %s", expr)
	}
	v, err := strconv.ParseFloat(expr[m[2]:m[3]], 64)
	if err != nil {
		t.Fatal(err)
	}
	return expr[:m[0]], v
}

// ruleFor returns the `for:` of rule, 0 when it has none.
func ruleFor(t *testing.T, rule map[string]any) time.Duration {
	t.Helper()
	s, _ := rule["for"].(string)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("for: %v", err)
	}
	return d
}

// brokenRules are the mistakes the unit tests must catch in every alert they apply to.
var brokenRules = []struct {
	name  string
	apply ruleMutation
}{
	// caught by the firing cases
	{"never fires", func(t *testing.T, rule map[string]any) bool { rule["expr"] = "vector(1) < 0"; return true }},
	// caught by the silent cases
	{"always fires", func(t *testing.T, rule map[string]any) bool { rule["expr"] = "vector(1)"; return true }},
	// caught by the cases exactly at the threshold
	{"inclusive threshold", func(t *testing.T, rule map[string]any) bool {
		expr, v := splitThreshold(t, rule)
		rule["expr"] = expr + " >= " + strconv.FormatFloat(v, 'g', -1, 64)
		return true
	}},
	// caught by the firing cases just above the threshold; a `> 0` rule has no such case
	// (its firing cases are the least that is not 0: one panic, a rare gateway error)
	{"threshold 20% higher", func(t *testing.T, rule map[string]any) bool {
		expr, v := splitThreshold(t, rule)
		rule["expr"] = expr + " > " + strconv.FormatFloat(v*1.2, 'g', -1, 64)
		return v > 0
	}},
	// caught by the cases one evaluation before `for:` elapses
	{"no for", func(t *testing.T, rule map[string]any) bool {
		_, ok := rule["for"]
		delete(rule, "for")
		return ok
	}},
	// caught by the firing cases at the first evaluation after `for:` elapses
	{"for one minute longer", func(t *testing.T, rule map[string]any) bool {
		rule["for"] = (ruleFor(t, rule) + time.Minute).String()
		return true
	}},
}

// TestAlertUnitTestsFailOnABrokenRule breaks each alert in turn, in a copy of the rules, in
// each of the ways of brokenRules, and requires `promtool test rules` to fail naming that
// alert: every case kind of alerts_test.yaml is needed and does its job.
func TestAlertUnitTestsFailOnABrokenRule(t *testing.T) {
	promtool := promtoolPath(t)
	for i, r := range alertRules(t, ruleGroups(t)) {
		name := r["alert"].(string)
		for _, b := range brokenRules {
			groups := ruleGroups(t) // a fresh copy to break
			rule := alertRules(t, groups)[i]
			if !b.apply(t, rule) {
				continue
			}
			t.Run(name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				dir := promtoolDir(t, groups)
				out, err := runPromtool(t, promtool, dir, "test", "rules", filepath.Base(unitTestsFile))
				if err == nil {
					t.Fatalf("promtool test rules passed with %s broken (%s: expr %v, for %v):\n%s", name, b.name, rule["expr"], rule["for"], out)
				}
				if !strings.Contains(out, fmt.Sprintf("alertname: %s,", name)) {
					t.Errorf("promtool test rules failed, but not on %s:\n%s", name, out)
				}
			})
		}
	}
}

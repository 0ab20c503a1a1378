package metrics

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRecordedSeries(t *testing.T) {
	m := New("test")
	l := PolicyLabels{Mode: "enforce", PolicyType: "cluster", Background: "true", Policy: "require-team", ResourceKind: "Pod",
		ResourceNamespace: "default", Operation: "CREATE", Cause: "admission_request"}
	dry := l
	dry.DryRun = true
	tests := []struct {
		name   string
		record func()
		metric string
		want   string
	}{
		{"rule results by label combination", func() {
			m.RuleResult(l, "check-team", "fail", "Validation")
			m.RuleResult(l, "check-team", "fail", "Validation")
			m.RuleResult(l, "check-team", "pass", "Validation")
			m.RuleResult(dry, "check-team", "fail", "Validation")
		}, "kyverno_policy_results_total", `
kyverno_policy_results_total{dry_run="false",policy_background_mode="true",policy_name="require-team",policy_namespace="",policy_type="cluster",policy_validation_mode="enforce",resource_kind="Pod",resource_namespace="default",resource_request_operation="CREATE",rule_execution_cause="admission_request",rule_name="check-team",rule_result="fail",rule_type="validation"} 2
kyverno_policy_results_total{dry_run="false",policy_background_mode="true",policy_name="require-team",policy_namespace="",policy_type="cluster",policy_validation_mode="enforce",resource_kind="Pod",resource_namespace="default",resource_request_operation="CREATE",rule_execution_cause="admission_request",rule_name="check-team",rule_result="pass",rule_type="validation"} 1
kyverno_policy_results_total{dry_run="true",policy_background_mode="true",policy_name="require-team",policy_namespace="",policy_type="cluster",policy_validation_mode="enforce",resource_kind="Pod",resource_namespace="default",resource_request_operation="CREATE",rule_execution_cause="admission_request",rule_name="check-team",rule_result="fail",rule_type="validation"} 1
`},
		{"admission requests by answer", func() {
			m.AdmissionReviewed("Pod", "default", "CREATE", false, time.Millisecond)
			m.AdmissionReviewed("Pod", "default", "CREATE", true, time.Millisecond)
			m.AdmissionReviewed("Pod", "default", "CREATE", true, time.Millisecond)
		}, "kyverno_admission_requests_total", `
kyverno_admission_requests_total{request_allowed="false",resource_kind="Pod",resource_namespace="default",resource_request_operation="CREATE"} 1
kyverno_admission_requests_total{request_allowed="true",resource_kind="Pod",resource_namespace="default",resource_request_operation="CREATE"} 2
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.record()
			want := "# HELP " + tc.metric + " " + help(t, m, tc.metric) + "\n# TYPE " + tc.metric + " counter" + tc.want
			if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), tc.metric); err != nil {
				t.Error(err)
			}
		})
	}
	m.PolicyEvaluated(l, 3*time.Millisecond)
	if n := testutil.CollectAndCount(m.PolicyDuration); n != 1 {
		t.Errorf("policy duration series: %d, want 1", n)
	}
}

func help(t *testing.T, m *Metrics, name string) string {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetHelp()
		}
	}
	t.Fatalf("no metric %s", name)
	return ""
}

// TestConcurrentRecording: series are resolved by many reviews at once
// (go test -race catches unsynchronized access).
func TestConcurrentRecording(t *testing.T) {
	m := New("test")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := PolicyLabels{Policy: "p", ResourceNamespace: []string{"a", "b"}[i%2]}
			for range 100 {
				m.RuleResult(l, "r", "pass", "Validation")
				m.PolicyEvaluated(l, time.Microsecond)
			}
		}()
	}
	wg.Wait()
	if got := testutil.ToFloat64(m.PolicyResults.WithLabelValues("", "", "", "p", "", "", "a", "", "r", "pass", "validation", "", "false")); got != 400 {
		t.Errorf("namespace a: %v results, want 400", got)
	}
}

package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/api/policyreport/v1alpha2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestWritePolicyReports(t *testing.T) {
	pod := []corev1.ObjectReference{{Kind: "Pod", Namespace: "default", Name: "nginx", APIVersion: "v1"}}
	ts := metav1.Timestamp{Seconds: 1700000000}
	cluster := PolicyResults{PolicyName: "require-labels", Results: []v1alpha2.Result{
		{Source: "kyverno", Policy: "require-labels", Rule: "check-team", Timestamp: ts, Result: "fail", Scored: true, Subjects: pod, Description: "validation error: label team is required"},
		{Source: "kyverno", Policy: "require-labels", Rule: "other", Timestamp: ts, Result: "skip", Scored: true, Subjects: pod},
	}}
	namespaced := PolicyResults{PolicyName: "team-policy", PolicyNamespace: "team", Results: []v1alpha2.Result{
		{Source: "kyverno", Policy: "team/team-policy", Rule: "r", Timestamp: ts, Result: "warn", Subjects: pod},
	}}
	tests := []struct {
		name     string
		format   string
		entries  []PolicyResults
		contains []string
		absent   []string
	}{
		{name: "nothing", format: "yaml"},
		{
			name: "yaml cluster and namespaced", format: "yaml", entries: []PolicyResults{cluster, namespaced, namespaced},
			contains: []string{
				"apiVersion: wgpolicyk8s.io/v1alpha2\nkind: ClusterPolicyReport\nmetadata:\n  name: merged\n",
				"summary:\n  error: 0\n  fail: 1\n  pass: 0\n  skip: 1\n  warn: 0\n",
				"---\napiVersion: wgpolicyk8s.io/v1alpha2\nkind: PolicyReport\nmetadata:\n  name: team-policy\n  namespace: team\n",
				"  warn: 2\n",
			},
		},
		{
			name: "json namespaced only", format: "json", entries: []PolicyResults{namespaced},
			contains: []string{"---\n{\"kind\":\"PolicyReport\",\"apiVersion\":\"wgpolicyk8s.io/v1alpha2\""},
			absent:   []string{"merged"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WritePolicyReports(&buf, tt.format, tt.entries); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if len(tt.contains) == 0 && got != "" {
				t.Fatalf("want no output, got %q", got)
			}
			for _, c := range tt.contains {
				if !strings.Contains(got, c) {
					t.Errorf("output lacks %q:\n%s", c, got)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("output has %q:\n%s", a, got)
				}
			}
			if strings.Count(got, "kind: PolicyReport") > 1 {
				t.Errorf("one report per namespaced policy expected:\n%s", got)
			}
		})
	}
}

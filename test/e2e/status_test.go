package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestBadPolicyIsolated creates a policy Kanon cannot serve while no
// policy webhook guards the API (as after an outage): the good policy is
// still enforced, the bad one reports Ready False with the reason.
func TestBadPolicyIsolated(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	cleanup(t) // no webhook configurations: nothing validates the bad policy
	ctx := context.Background()
	bad := yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: no-rule-type}
spec:
  rules:
  - name: empty
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
`)
	if _, err := dyn.Resource(clusterPolicies).Create(ctx, &unstructured.Unstructured{Object: bad}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	applyPolicy(t, requireLabel(t, "isolated-good", "ConfigMap", "Fail"))
	startKanon(t, "isolation", nil)
	waitReady(t, "isolated-good")
	eventually(t, 10*time.Second, "bad policy reports Ready False", func() error {
		u, err := dyn.Resource(clusterPolicies).Get(ctx, "no-rule-type", metav1.GetOptions{})
		if err != nil {
			return err
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m := c.(map[string]any)
			if m["type"] == "Ready" && m["status"] == "False" && m["reason"] == "Failed" &&
				strings.Contains(fmt.Sprint(m["message"]), "spec.rules[0]: a rule needs one of validate, mutate, generate or verifyImages") {
				return nil
			}
		}
		return fmt.Errorf("status %v", u.Object["status"])
	})
	eventually(t, 5*time.Second, "the good policy is enforced", func() error {
		_, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap(fmt.Sprintf("iso-%d", time.Now().UnixNano()), nil), metav1.CreateOptions{})
		if err == nil {
			return fmt.Errorf("admitted")
		}
		if !strings.Contains(err.Error(), "label team is required") {
			return err
		}
		return nil
	})
	// Fixing the bad policy makes it Ready.
	fixed := yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: no-rule-type}
spec:
  rules:
  - name: empty
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    validate: {message: m, deny: {conditions: {any: [{key: "{{ request.object.metadata.name }}", operator: Equals, value: forbidden}]}}}
`)
	applyPolicy(t, fixed)
	waitReady(t, "no-rule-type")
}

package e2e

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var bg = context.Background()

// createNamespace creates a namespace with labels (envtest has no namespace
// controller: namespaces are never removed, so every test uses its own
// names).
func createNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	if _, err := kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
}

// waitGone waits until get answers NotFound.
func waitGone(t *testing.T, what string, get func() error) {
	t.Helper()
	eventually(t, 15*time.Second, what, func() error {
		if err := get(); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there: %v", err)
		}
		return nil
	})
}

// waitPolicyEvent waits for a PolicyApplied event with an action on a
// ClusterPolicy whose note mentions want.
func waitPolicyEvent(t *testing.T, policy, action, want string) {
	t.Helper()
	eventually(t, 15*time.Second, action+" event of "+policy, func() error {
		evs, err := kube.EventsV1().Events("").List(bg, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, e := range evs.Items {
			if e.Reason == "PolicyApplied" && e.Action == action && e.Regarding.Name == policy && strings.Contains(e.Note, want) {
				return nil
			}
		}
		return fmt.Errorf("no %s event mentioning %q among %d", action, want, len(evs.Items))
	})
}

// TestGenerateNetworkPolicy: a synchronized data rule gives every new
// labelled Namespace a default-deny NetworkPolicy, labelled with its
// provenance; an edited downstream is put back, a deleted one re-created;
// deleting the policy deletes the downstreams.
func TestGenerateNetworkPolicy(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	startKanon(t, "generate-netpol", nil)
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: e2e-default-deny}
spec:
  rules:
  - name: default-deny
    match: {any: [{resources: {kinds: [Namespace], selector: {matchLabels: {kanon-e2e: netpol}}}}]}
    generate:
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      name: default-deny
      namespace: "{{request.object.metadata.name}}"
      synchronize: true
      data:
        spec:
          podSelector: {}
          policyTypes: [Ingress]
`))
	waitReady(t, "e2e-default-deny")
	createNamespace(t, "gen-netpol-a", map[string]string{"kanon-e2e": "netpol"})
	createNamespace(t, "gen-netpol-other", nil)

	netpols := kube.NetworkingV1().NetworkPolicies("gen-netpol-a")
	eventually(t, 15*time.Second, "NetworkPolicy generated", func() error {
		np, err := netpols.Get(bg, "default-deny", metav1.GetOptions{})
		if err != nil {
			return err
		}
		want := map[string]string{
			"app.kubernetes.io/managed-by":        "kanon",
			"generate.kyverno.io/policy-name":     "e2e-default-deny",
			"generate.kyverno.io/rule-name":       "default-deny",
			"generate.kyverno.io/trigger-kind":    "Namespace",
			"generate.kyverno.io/trigger-name":    "gen-netpol-a",
			"generate.kyverno.io/trigger-version": "v1",
		}
		for k, v := range want {
			if np.Labels[k] != v {
				return fmt.Errorf("label %s=%q, want %q (labels %v)", k, np.Labels[k], v, np.Labels)
			}
		}
		if len(np.Spec.PolicyTypes) != 1 || np.Spec.PolicyTypes[0] != "Ingress" {
			return fmt.Errorf("policyTypes %v", np.Spec.PolicyTypes)
		}
		return nil
	})
	if list, err := kube.NetworkingV1().NetworkPolicies("gen-netpol-other").List(bg, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Errorf("a NetworkPolicy was generated in a namespace the rule does not match: %v %v", list, err)
	}
	waitPolicyEvent(t, "e2e-default-deny", "Resource Generated", "NetworkPolicy gen-netpol-a/default-deny")

	// Synchronize: an edit is reverted.
	np, err := netpols.Get(bg, "default-deny", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	np.Spec.PolicyTypes = []networkingv1.PolicyType{"Egress"}
	if _, err := netpols.Update(bg, np, metav1.UpdateOptions{FieldManager: "e2e-editor"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "edited NetworkPolicy restored", func() error {
		np, err := netpols.Get(bg, "default-deny", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(np.Spec.PolicyTypes, []networkingv1.PolicyType{"Ingress"}) {
			return fmt.Errorf("policyTypes %v", np.Spec.PolicyTypes)
		}
		return nil
	})

	// Synchronize: a deleted downstream comes back.
	old, err := netpols.Get(bg, "default-deny", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := netpols.Delete(bg, "default-deny", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "deleted NetworkPolicy re-created", func() error {
		np, err := netpols.Get(bg, "default-deny", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if np.UID == old.UID {
			return fmt.Errorf("still the old object")
		}
		return nil
	})

	// Deleting a synchronized policy deletes its downstreams.
	if err := dyn.Resource(clusterPolicies).Delete(bg, "e2e-default-deny", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, "downstream deleted with the policy", func() error {
		_, err := netpols.Get(bg, "default-deny", metav1.GetOptions{})
		return err
	})
}

// TestGenerateClone: a synchronized clone copies a Secret into new
// Namespaces and follows the source when the trigger is updated; an
// unsynchronized clone is created once and never overwritten.
func TestGenerateClone(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	startKanon(t, "generate-clone", nil)
	createNamespace(t, "gen-clone-source", nil)
	secrets := kube.CoreV1().Secrets("gen-clone-source")
	if _, err := secrets.Create(bg, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred", Labels: map[string]string{"team": "platform"}},
		StringData: map[string]string{"token": "v1"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.CoreV1().ConfigMaps("gen-clone-source").Create(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "defaults"},
		Data: map[string]string{"mode": "initial"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: e2e-clone}
spec:
  rules:
  - name: clone-regcred
    match: {any: [{resources: {kinds: [Namespace], selector: {matchLabels: {kanon-e2e: clone}}}}]}
    generate:
      apiVersion: v1
      kind: Secret
      name: regcred
      namespace: "{{request.object.metadata.name}}"
      synchronize: true
      clone: {namespace: gen-clone-source, name: regcred}
  - name: clone-defaults-once
    match: {any: [{resources: {kinds: [Namespace], selector: {matchLabels: {kanon-e2e: clone}}}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: defaults
      namespace: "{{request.object.metadata.name}}"
      synchronize: false
      clone: {namespace: gen-clone-source, name: defaults}
`))
	waitReady(t, "e2e-clone")
	createNamespace(t, "gen-clone-a", map[string]string{"kanon-e2e": "clone"})

	target := kube.CoreV1().Secrets("gen-clone-a")
	secretToken := func(want string) func() error {
		return func() error {
			s, err := target.Get(bg, "regcred", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if string(s.Data["token"]) != want {
				return fmt.Errorf("token %q, want %q", s.Data["token"], want)
			}
			if s.Labels["team"] != "platform" || s.Labels["generate.kyverno.io/source-name"] != "regcred" {
				return fmt.Errorf("labels %v", s.Labels)
			}
			return nil
		}
	}
	eventually(t, 15*time.Second, "Secret cloned", secretToken("v1"))
	cms := kube.CoreV1().ConfigMaps("gen-clone-a")
	eventually(t, 15*time.Second, "ConfigMap cloned", func() error {
		_, err := cms.Get(bg, "defaults", metav1.GetOptions{})
		return err
	})

	// The unsynchronized copy is the namespace owner's to change.
	cm, err := cms.Get(bg, "defaults", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["mode"] = "edited"
	if _, err := cms.Update(bg, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The source changes; updating the trigger re-applies the
	// synchronized clone.
	src, err := secrets.Get(bg, "regcred", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src.Data = map[string][]byte{"token": []byte("v2")}
	if _, err := secrets.Update(bg, src, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ns, err := kube.CoreV1().Namespaces().Get(bg, "gen-clone-a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ns.Annotations = map[string]string{"touched": "yes"}
	if _, err := kube.CoreV1().Namespaces().Update(bg, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "synchronized clone updated", secretToken("v2"))
	cm, err = cms.Get(bg, "defaults", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data["mode"] != "edited" {
		t.Errorf("the unsynchronized clone was overwritten: %v", cm.Data)
	}
}

// TestGenerateExisting: a policy with generateExisting covers the
// namespaces that existed before it.
func TestGenerateExisting(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	createNamespace(t, "gen-existing-a", map[string]string{"kanon-e2e": "existing"})
	createNamespace(t, "gen-existing-b", map[string]string{"kanon-e2e": "existing"})
	startKanon(t, "generate-existing", nil)
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: e2e-existing}
spec:
  generateExisting: true
  rules:
  - name: welcome
    match: {any: [{resources: {kinds: [Namespace], selector: {matchLabels: {kanon-e2e: existing}}}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: welcome
      namespace: "{{request.object.metadata.name}}"
      data:
        data: {namespace: "{{request.object.metadata.name}}"}
`))
	for _, ns := range []string{"gen-existing-a", "gen-existing-b"} {
		eventually(t, 20*time.Second, "ConfigMap generated in existing namespace "+ns, func() error {
			cm, err := kube.CoreV1().ConfigMaps(ns).Get(bg, "welcome", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if cm.Data["namespace"] != ns {
				return fmt.Errorf("data %v", cm.Data)
			}
			return nil
		})
	}
}

// TestGenerateTriggerDeleted: deleting the trigger of a synchronized rule
// deletes its downstream (in another namespace, so no garbage collector is
// involved).
func TestGenerateTriggerDeleted(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	startKanon(t, "generate-trigger", nil)
	createNamespace(t, "gen-trigger-src", nil)
	createNamespace(t, "gen-trigger-sink", nil)
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: e2e-trigger}
spec:
  rules:
  - name: mirror
    match: {any: [{resources: {kinds: [ConfigMap], namespaces: [gen-trigger-src]}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: "mirror-{{request.object.metadata.name}}"
      namespace: gen-trigger-sink
      synchronize: true
      data:
        data: {from: "{{request.object.metadata.name}}"}
`))
	waitReady(t, "e2e-trigger")
	src := kube.CoreV1().ConfigMaps("gen-trigger-src")
	if _, err := src.Create(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "one"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sink := kube.CoreV1().ConfigMaps("gen-trigger-sink")
	eventually(t, 15*time.Second, "mirror generated", func() error {
		_, err := sink.Get(bg, "mirror-one", metav1.GetOptions{})
		return err
	})
	if err := src.Delete(bg, "one", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, "mirror deleted with its trigger", func() error {
		_, err := sink.Get(bg, "mirror-one", metav1.GetOptions{})
		return err
	})
}

// TestMutateExisting: a mutate-existing rule labels the Secrets of a
// namespace when a trigger ConfigMap is created there, and — with
// mutateExistingOnPolicyUpdate — the Secrets next to triggers that existed
// before the policy.
func TestMutateExisting(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	for _, ns := range []string{"mut-existing-a", "mut-existing-b"} {
		createNamespace(t, ns, nil)
		for _, name := range []string{"s1", "s2"} {
			if _, err := kube.CoreV1().Secrets(ns).Create(bg, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The trigger in namespace a exists before the policy.
	if _, err := kube.CoreV1().ConfigMaps("mut-existing-a").Create(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "stamp"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	startKanon(t, "mutate-existing", nil)
	waitLeader(t, "mutate-existing")
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: e2e-mutate-existing}
spec:
  mutateExistingOnPolicyUpdate: true
  rules:
  - name: stamp-secrets
    match: {any: [{resources: {kinds: [ConfigMap], names: [stamp], namespaces: [mut-existing-a, mut-existing-b]}}]}
    mutate:
      targets:
      - apiVersion: v1
        kind: Secret
        namespace: "{{request.object.metadata.namespace}}"
      patchStrategicMerge:
        metadata:
          labels:
            stamped-by: "{{request.object.metadata.name}}"
`))
	stamped := func(ns string) func() error {
		return func() error {
			for _, name := range []string{"s1", "s2"} {
				s, err := kube.CoreV1().Secrets(ns).Get(bg, name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				if s.Labels["stamped-by"] != "stamp" {
					return fmt.Errorf("secret %s/%s labels %v", ns, name, s.Labels)
				}
			}
			return nil
		}
	}
	eventually(t, 20*time.Second, "existing targets mutated on policy creation", stamped("mut-existing-a"))
	waitReady(t, "e2e-mutate-existing")
	if err := stamped("mut-existing-b")(); err == nil {
		t.Fatal("namespace b was mutated without a trigger")
	}
	if _, err := kube.CoreV1().ConfigMaps("mut-existing-b").Create(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "stamp"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "targets mutated after the trigger's admission", stamped("mut-existing-b"))
	waitPolicyEvent(t, "e2e-mutate-existing", "Resource Mutated", "Secret mut-existing-b/s1")
}

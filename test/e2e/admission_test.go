package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/kanon-policy/kanon/internal/serve"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

var deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

func createDeployment(client dynamic.Interface, obj map[string]any, ns, name string) error {
	u := &unstructured.Unstructured{Object: obj}
	u = u.DeepCopy()
	u.SetNamespace(ns)
	u.SetName(name)
	_, err := client.Resource(deployments).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{})
	return err
}

// TestSeedStory is the user's story: the seed's two Enforce policies deny a
// Deployment without anti-affinity with the policies' messages, admit the
// compliant one, admit the bad one in kube-system (which the policies
// exclude); switched to Audit the bad one is admitted with warnings; an
// invalid policy is rejected with its field path.
func TestSeedStory(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	startKanon(t, "seed", nil)
	for _, name := range []string{"one-pod-per-deployment-per-node", "require-cpu-architecture"} {
		applyPolicy(t, load(t, corpus("seed", "policies", name+".yaml"))[0])
	}
	for _, name := range []string{"one-pod-per-deployment-per-node", "require-cpu-architecture"} {
		waitReady(t, name)
	}
	bad := load(t, corpus("seed", "tests", "fail", "both.yaml"))[0]
	good := load(t, corpus("seed", "tests", "pass", "both.yaml"))[0]

	err := createDeployment(dyn, bad, "default", "bad")
	if err == nil {
		t.Fatal("the Deployment without anti-affinity was admitted")
	}
	for _, want := range []string{
		`admission webhook "validate.kanon.svc-fail" denied the request`,
		"resource Deployment/default/bad was blocked due to the following policies",
		"one-pod-per-deployment-per-node:",
		"All pods most have anti-affinity",
		"require-cpu-architecture:",
		"rule require-cpu-architecture failed at path /spec/template/spec/affinity/",
	} {
		if !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), want) {
			t.Errorf("denial lacks %q:\n%v", want, err)
		}
	}
	if err := createDeployment(dyn, good, "default", "good"); err != nil {
		t.Fatalf("the compliant Deployment was denied: %v", err)
	}
	if err := createDeployment(dyn, bad, "kube-system", "bad"); err != nil {
		t.Fatalf("the Deployment in kube-system (excluded) was denied: %v", err)
	}

	// UPDATE: making the compliant Deployment non-compliant is denied.
	u, err := dyn.Resource(deployments).Namespace("default").Get(context.Background(), "good", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	unstructured.RemoveNestedField(u.Object, "spec", "template", "spec", "affinity")
	if _, err := dyn.Resource(deployments).Namespace("default").Update(context.Background(), u, metav1.UpdateOptions{}); err == nil || !strings.Contains(err.Error(), "was blocked") {
		t.Errorf("a non-compliant UPDATE was not blocked: %v", err)
	}

	// Dry-run requests are evaluated too.
	dryU := &unstructured.Unstructured{Object: bad}
	dryU = dryU.DeepCopy()
	dryU.SetNamespace("default")
	dryU.SetName("dry")
	if _, err := dyn.Resource(deployments).Namespace("default").Create(context.Background(), dryU, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err == nil || !strings.Contains(err.Error(), "was blocked") {
		t.Errorf("a dry-run of the bad Deployment was not blocked: %v", err)
	}

	// Switch both policies to Audit: the change takes effect within 5s and
	// the bad Deployment is admitted with warnings.
	for _, name := range []string{"one-pod-per-deployment-per-node", "require-cpu-architecture"} {
		p := load(t, corpus("seed", "policies", name+".yaml"))[0]
		p["spec"].(map[string]any)["validationFailureAction"] = "Audit"
		applyPolicy(t, p)
	}
	warns := &warnings{}
	wdyn := dynamic.NewForConfigOrDie(withWarnings(warns))
	took := eventually(t, 5*time.Second, "Audit in effect", func() error {
		return createDeployment(wdyn, bad, "default", "audited")
	})
	t.Logf("policy update took effect after %s", took.Round(time.Millisecond))
	for _, want := range []string{
		"policy one-pod-per-deployment-per-node.one-pod-per-deployment-per-node: validation error: All pods most have anti-affinity",
		"policy require-cpu-architecture.require-cpu-architecture: validation error:",
	} {
		if !strings.Contains(warns.all(), want) {
			t.Errorf("warnings lack %q:\n%s", want, warns.all())
		}
	}

	// An invalid policy is rejected at apply time with the field path.
	invalid := yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: invalid}
spec:
  rules:
  - name: broken
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      message: "{{ request.object.metadata.name | }}"
      deny: {}
`)
	_, err = dyn.Resource(clusterPolicies).Create(context.Background(), &unstructured.Unstructured{Object: invalid}, metav1.CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), "spec.rules[0].validate.message: invalid JMESPath") {
		t.Errorf("invalid policy: want a rejection naming spec.rules[0].validate.message, got %v", err)
	}

	// Events record the blocked request on the policy.
	eventually(t, 10*time.Second, "PolicyViolation event", func() error {
		evs, err := kube.EventsV1().Events("default").List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, e := range evs.Items {
			if e.Reason == "PolicyViolation" && e.Action == "Resource Blocked" && e.Regarding.Kind == "ClusterPolicy" {
				return nil
			}
		}
		return fmt.Errorf("%d events, none a blocked PolicyViolation", len(evs.Items))
	})
}

func withWarnings(w *warnings) *rest.Config {
	cfg := rest.CopyConfig(cp.Config)
	cfg.WarningHandler = w
	return cfg
}

func configMap(name string, labels map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: labels}}
}

// requireLabel is an Enforce policy on ConfigMaps with a failure policy.
func requireLabel(t *testing.T, name, kind, failurePolicy string) map[string]any {
	return yamlObject(t, fmt.Sprintf(`
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: %s}
spec:
  validationFailureAction: Enforce
  background: false
  webhookConfiguration: {failurePolicy: %s}
  rules:
  - name: require-team
    match: {any: [{resources: {kinds: [%s], namespaces: [default]}}]}
    validate:
      message: "label team is required"
      pattern: {metadata: {labels: {team: "?*"}}}
`, name, failurePolicy, kind))
}

// TestFailurePolicy stops Kanon and checks the API server applies each
// webhook's failure policy: Fail rejects, Ignore admits.
func TestFailurePolicy(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	k := startKanon(t, "failurepolicy", nil)
	applyPolicy(t, requireLabel(t, "cm-fail", "ConfigMap", "Fail"))
	applyPolicy(t, requireLabel(t, "secret-ignore", "Secret", "Ignore"))
	waitReady(t, "cm-fail")
	waitReady(t, "secret-ignore")
	ctx := context.Background()
	eventually(t, 5*time.Second, "enforcing on ConfigMaps", func() error {
		_, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("fp-probe", nil), metav1.CreateOptions{})
		if err == nil {
			return fmt.Errorf("not enforced yet")
		}
		return nil
	})
	k.stop()
	_, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("fp-1", map[string]string{"team": "a"}), metav1.CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), "validate.kanon.svc-fail") {
		t.Errorf("with Kanon stopped, failurePolicy Fail should reject; got %v", err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "fp-2", Namespace: "default"}}
	if _, err := kube.CoreV1().Secrets("default").Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Errorf("with Kanon stopped, failurePolicy Ignore should admit; got %v", err)
	}
}

// TestRestartKeepsEnforcing restarts Kanon: the policy is enforced again
// without being re-applied.
func TestRestartKeepsEnforcing(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	k := startKanon(t, "first", nil)
	applyPolicy(t, requireLabel(t, "restart", "ConfigMap", "Fail"))
	waitReady(t, "restart")
	ctx := context.Background()
	eventually(t, 5*time.Second, "enforcing", func() error {
		if _, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("restart-1", nil), metav1.CreateOptions{}); err == nil {
			return fmt.Errorf("admitted")
		}
		return nil
	})
	k.stop()
	startKanon(t, "second", nil)
	eventually(t, 10*time.Second, "enforcing after restart", func() error {
		_, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("restart-2", nil), metav1.CreateOptions{})
		if err == nil {
			return fmt.Errorf("admitted")
		}
		if !strings.Contains(err.Error(), "label team is required") {
			return err
		}
		return nil
	})
	if _, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("restart-3", map[string]string{"team": "x"}), metav1.CreateOptions{}); err != nil {
		t.Errorf("compliant ConfigMap denied after restart: %v", err)
	}
}

// TestLeaderFailover runs two replicas, kills the leader, and checks the
// survivor maintains the webhook configuration within 15s.
func TestLeaderFailover(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	a := startKanon(t, "replica-a", nil)
	applyPolicy(t, requireLabel(t, "failover-cm", "ConfigMap", "Fail"))
	waitReady(t, "failover-cm")
	b := startKanon(t, "replica-b", nil)
	ctx := context.Background()
	leader := func() string {
		l, err := kube.CoordinationV1().Leases(namespace).Get(ctx, "kanon", metav1.GetOptions{})
		if err != nil || l.Spec.HolderIdentity == nil {
			return ""
		}
		return *l.Spec.HolderIdentity
	}
	if got := leader(); got != "replica-a" {
		t.Fatalf("leader is %q, want replica-a", got)
	}
	a.stop()
	// A new policy after the failover must reach the webhook configuration.
	// Until the survivor leads, the policy webhook still points at the dead
	// replica (in a cluster the Service would route to the survivor), so
	// the apply is retried.
	took := eventually(t, 15*time.Second, "the survivor maintains the webhook configuration", func() error {
		if _, err := dyn.Resource(clusterPolicies).Create(ctx, &unstructured.Unstructured{Object: requireLabel(t, "failover-secret", "Secret", "Fail")}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		cfg, err := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, webhookconfig.ResourceValidatingName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, w := range cfg.Webhooks {
			if w.ClientConfig.URL == nil || !strings.HasPrefix(*w.ClientConfig.URL, b.url) {
				return fmt.Errorf("webhook %s still points at %v", w.Name, w.ClientConfig.URL)
			}
			for _, r := range w.Rules {
				for _, res := range r.Resources {
					if res == "secrets" {
						return nil
					}
				}
			}
		}
		return fmt.Errorf("secrets not in the webhook rules yet")
	})
	t.Logf("failover and reconfiguration took %s (leader now %s)", took.Round(time.Millisecond), leader())
	waitReady(t, "failover-secret")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "failover-1", Namespace: "default"}}
	if _, err := kube.CoreV1().Secrets("default").Create(ctx, secret, metav1.CreateOptions{}); err == nil || !strings.Contains(err.Error(), "label team is required") {
		t.Errorf("the survivor does not enforce: %v", err)
	}
}

// TestCertificateRotation rotates the serving certificate and the CA under
// constant traffic: no request may fail.
func TestCertificateRotation(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	ctx := context.Background()
	_ = kube.CoreV1().Secrets(namespace).Delete(ctx, "kanon-svc.kanon-tls", metav1.DeleteOptions{})
	t.Cleanup(func() {
		_ = kube.CoreV1().Secrets(namespace).Delete(ctx, "kanon-svc.kanon-tls", metav1.DeleteOptions{})
	})
	startKanon(t, "rotation", func(o *serve.Options) {
		o.CertTiming = serve.CertTiming{CAValidity: 24 * time.Second, CertValidity: 12 * time.Second, RenewBefore: 8 * time.Second,
			RotationGrace: 3 * time.Second, CheckInterval: time.Second}
	})
	applyPolicy(t, requireLabel(t, "rotation", "ConfigMap", "Fail"))
	waitReady(t, "rotation")
	secretData := func() (string, string) {
		s, err := kube.CoreV1().Secrets(namespace).Get(ctx, "kanon-svc.kanon-tls", metav1.GetOptions{})
		if err != nil {
			return "", ""
		}
		return string(s.Data["tls.crt"]), string(s.Data["ca.crt"])
	}
	firstCert, firstCA := secretData()
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var failures []string
	stop := make(chan struct{})
	time.AfterFunc(30*time.Second, func() { close(stop) })
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("rot-%d-%d", w, i)
				_, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap(name, map[string]string{"team": "t"}), metav1.CreateOptions{})
				if err != nil {
					failed.Add(1)
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
				} else {
					ok.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}(w)
	}
	wg.Wait()
	lastCert, lastCA := secretData()
	t.Logf("%d requests admitted, %d failed during rotation", ok.Load(), failed.Load())
	if failed.Load() > 0 {
		t.Errorf("%d requests failed during certificate rotation, first: %s", failed.Load(), failures[0])
	}
	if lastCert == firstCert {
		t.Error("the serving certificate was not rotated during the test")
	}
	if lastCA == firstCA {
		t.Error("the CA bundle did not change during the test")
	}
}

// TestMutate checks a mutate policy answers with a JSON patch the API
// server applies.
func TestMutate(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	startKanon(t, "mutate", nil)
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: add-team}
spec:
  background: false
  rules:
  - name: default-team
    match: {any: [{resources: {kinds: [ConfigMap], namespaces: [default]}}]}
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            +(team): platform
          annotations:
            kanon.io/created-by: "{{ request.userInfo.username }}"
`))
	waitReady(t, "add-team")
	ctx := context.Background()
	var got *corev1.ConfigMap
	eventually(t, 5*time.Second, "mutation", func() error {
		name := fmt.Sprintf("mut-%d", time.Now().UnixNano())
		cm, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap(name, nil), metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if cm.Labels["team"] != "platform" {
			return fmt.Errorf("labels %v", cm.Labels)
		}
		got = cm
		return nil
	})
	if got.Annotations["kanon.io/created-by"] != "admin" { // envtest's admin user
		t.Errorf("annotation from request.userInfo: got %q", got.Annotations["kanon.io/created-by"])
	}
	cm, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("mut-keep", map[string]string{"team": "mine"}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Labels["team"] != "mine" {
		t.Errorf("+(team) overwrote an existing label: %v", cm.Labels)
	}
}

// TestRoles checks clusterRoles in match blocks are resolved from the
// requester's RBAC bindings.
func TestRoles(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	ctx := context.Background()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "configmap-writer"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create", "get"},
	}}}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "alice-configmap-writer"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "configmap-writer"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: "alice"}}}
	for _, fn := range []func() error{
		func() error {
			_, err := kube.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := kube.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{})
			return err
		},
	} {
		if err := fn(); err != nil {
			t.Fatal(err)
		}
	}
	startKanon(t, "roles", nil)
	applyPolicy(t, yamlObject(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: writers-need-owner}
spec:
  validationFailureAction: Enforce
  background: false
  rules:
  - name: owner
    match:
      any:
      - resources: {kinds: [ConfigMap]}
        clusterRoles: [configmap-writer]
    validate:
      message: "configmap writers must set an owner label"
      pattern: {metadata: {labels: {owner: "?*"}}}
`))
	waitReady(t, "writers-need-owner")
	aliceCfg, err := cp.AddUser("alice")
	if err != nil {
		t.Fatal(err)
	}
	alice := kubernetes.NewForConfigOrDie(aliceCfg)
	eventually(t, 10*time.Second, "alice is matched through her ClusterRoleBinding", func() error {
		_, err := alice.CoreV1().ConfigMaps("default").Create(ctx, configMap(fmt.Sprintf("alice-%d", time.Now().UnixNano()), nil), metav1.CreateOptions{})
		if err == nil {
			return fmt.Errorf("admitted")
		}
		if !strings.Contains(err.Error(), "configmap writers must set an owner label") {
			return err
		}
		return nil
	})
	if _, err := kube.CoreV1().ConfigMaps("default").Create(ctx, configMap("admin-cm", nil), metav1.CreateOptions{}); err != nil {
		t.Errorf("the admin (not bound to configmap-writer) was denied: %v", err)
	}
}

// TestBadRequests posts broken AdmissionReviews straight to Kanon: each
// gets a clear 400, and Kanon keeps serving.
func TestBadRequests(t *testing.T) {
	t.Cleanup(func() { cleanup(t) })
	k := startKanon(t, "bad-requests", nil)
	client := insecureHTTP()
	cases := []struct {
		name, body, want string
	}{
		{"empty", "", "empty request body"},
		{"not json", "{nope", "malformed AdmissionReview: invalid JSON"},
		{"wrong kind", `{"apiVersion":"v1","kind":"Pod"}`, "expected apiVersion admission.k8s.io/v1 kind AdmissionReview"},
		{"no request", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, "AdmissionReview has no request"},
		{"no uid", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod","version":"v1"}}}`, "request.uid is empty"},
		{"wrong type", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":5}}`, `field "request.uid"`},
		{"huge", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":{"data":"` + strings.Repeat("a", 17<<20) + `"}}}`, "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := client.Post(k.url+"/validate/fail", "application/json", bytes.NewReader([]byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
				t.Errorf("got %d %q, want 400 containing %q", resp.StatusCode, body, tc.want)
			}
		})
	}
	// A well-formed review with an object that is not a JSON object is
	// denied with the reason, not dropped.
	review := map[string]any{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": map[string]any{
		"uid": "u1", "kind": map[string]any{"group": "", "version": "v1", "kind": "ConfigMap"},
		"resource":  map[string]any{"group": "", "version": "v1", "resource": "configmaps"},
		"namespace": "default", "operation": "CREATE", "userInfo": map[string]any{"username": "x"}, "object": []any{1, 2},
	}}
	applyPolicy(t, requireLabel(t, "bad-requests", "ConfigMap", "Fail"))
	waitReady(t, "bad-requests")
	data, _ := json.Marshal(review)
	resp, err := client.Post(k.url+"/validate/fail", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			UID     string `json:"uid"`
			Allowed bool   `json:"allowed"`
			Status  struct {
				Message string `json:"message"`
			} `json:"status"`
		} `json:"response"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Response.UID != "u1" || out.Response.Allowed || !strings.Contains(out.Response.Status.Message, "request.object") {
		t.Errorf("non-object request.object: got %+v", out.Response)
	}
	// Health and metrics.
	for path, want := range map[string]string{"/health/liveness": "ok", "/health/readiness": "ok", "/metrics": "kyverno_admission_requests_total"} {
		resp, err := client.Get(k.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

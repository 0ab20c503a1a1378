package helm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/kanon-policy/kanon/internal/controlplane"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

const namespace = "kanon"

// serviceMonitorCRD is a minimal stand-in for the Prometheus Operator's
// ServiceMonitor CRD, so that the chart's ServiceMonitor can be installed.
const serviceMonitorCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: servicemonitors.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: {kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`

// TestInstall installs charts/kanon and charts/kanon-policies into a real
// kube-apiserver, checks that every object was accepted, runs kanon serve
// with the chart's ServiceAccount until it has written its webhook
// configurations, then runs the pre-delete cleanup with the hook's
// ServiceAccount and uninstalls.
func TestInstall(t *testing.T) {
	helm, kanon := tools(t)
	if os.Getenv("KANON_HELM_INSTALL") == "" {
		t.Skip("KANON_HELM_INSTALL is not set; run make test-charts")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cp, err := controlplane.Start(ctx, controlplane.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := cp.Stop(); err != nil {
			t.Error(err)
		}
	}()
	client := kubernetes.NewForConfigOrDie(cp.Config)
	dyn := dynamic.NewForConfigOrDie(cp.Config)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
	// resource returns the dynamic client for an object's kind, refreshing
	// discovery when the kind is new (a CRD just installed).
	resource := func(t *testing.T, u *unstructured.Unstructured) dynamic.ResourceInterface {
		t.Helper()
		gvk := u.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			mapper.Reset()
			if m, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
				t.Fatalf("%s: %v", gvk, err)
			}
		}
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			return dyn.Resource(m.Resource).Namespace(u.GetNamespace())
		}
		return dyn.Resource(m.Resource)
	}
	apply := func(t *testing.T, manifests string) {
		t.Helper()
		for _, obj := range decode(t, manifests) {
			u := &unstructured.Unstructured{Object: obj}
			if _, err := resource(t, u).Create(ctx, u, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create %s %s: %v", u.GetKind(), u.GetName(), err)
			}
		}
	}
	apply(t, serviceMonitorCRD)
	helmCmd := func(t *testing.T, args ...string) string {
		t.Helper()
		out, code := run(t, helm, append(args, "--kubeconfig", cp.Kubeconfig)...)
		if code != 0 {
			t.Fatalf("helm %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}

	t.Run("install kanon", func(t *testing.T) {
		helmCmd(t, "install", "kanon", chartDir("kanon"), "--namespace", namespace, "--create-namespace",
			"--set", "admissionController.replicas=2", "--set", "admissionController.podDisruptionBudget.enabled=true",
			"--set", "admissionController.serviceMonitor.enabled=true", "--timeout", "2m")
		status := helmCmd(t, "status", "kanon", "--namespace", namespace)
		if !strings.Contains(status, "STATUS: deployed") {
			t.Fatalf("release not deployed:\n%s", status)
		}
		rendered, err := template(t, helm, "kanon", "--set", "admissionController.replicas=2", "--set", "admissionController.podDisruptionBudget.enabled=true",
			"--set", "admissionController.serviceMonitor.enabled=true", "--skip-tests")
		if err != nil {
			t.Fatal(err)
		}
		// Every rendered object but the pre-delete hooks must exist now.
		for _, obj := range decode(t, rendered) {
			u := &unstructured.Unstructured{Object: obj}
			if u.GetAnnotations()["helm.sh/hook"] != "" {
				continue
			}
			if _, err := resource(t, u).Get(ctx, u.GetName(), metav1.GetOptions{}); err != nil {
				t.Errorf("%s %s: %v", u.GetKind(), u.GetName(), err)
			}
		}
	})

	t.Run("upgrade kanon", func(t *testing.T) {
		helmCmd(t, "upgrade", "kanon", chartDir("kanon"), "--namespace", namespace, "--reuse-values",
			"--set", "admissionController.replicas=3", "--set", "features.logging.format=json", "--timeout", "2m")
		d, err := client.AppsV1().Deployments(namespace).Get(ctx, "kanon-admission-controller", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *d.Spec.Replicas != 3 || !slices.Contains(d.Spec.Template.Spec.Containers[0].Args, "--log-format=json") {
			t.Errorf("upgrade not applied: replicas %d, args %v", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Args)
		}
	})

	t.Run("install kanon-policies", func(t *testing.T) {
		helmCmd(t, "install", "kanon-policies", chartDir("kanon-policies"), "--namespace", namespace,
			"--set", "podSecurityStandard=restricted", "--set", "validationFailureAction=Enforce", "--timeout", "2m")
		list, err := dyn.Resource(kyvernoClusterPolicies).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != len(baselinePolicies)+len(restrictedPolicies) {
			t.Fatalf("%d ClusterPolicies installed, want %d", len(list.Items), len(baselinePolicies)+len(restrictedPolicies))
		}
	})

	// The aggregation of ClusterRoles is done by kube-controller-manager,
	// which this control plane does not run: do its work for the chart's
	// aggregated roles.
	aggregateClusterRoles(ctx, t, client)

	t.Run("kanon serve writes its webhook configurations", func(t *testing.T) {
		if out, err := exec.Command(kanon, "serve", "--help").CombinedOutput(); err != nil {
			t.Skipf("kanon serve is not available in this build: %v\n%s", err, out)
		}
		// Run kanon serve with the installed Deployment's arguments, as its
		// ServiceAccount; only the listen ports (free ones) and the
		// kubeconfig and namespace (given in-cluster) are added.
		d, err := client.AppsV1().Deployments(namespace).Get(ctx, "kanon-admission-controller", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		kubeconfig := impersonating(t, cp.Kubeconfig, "system:serviceaccount:"+namespace+":"+d.Spec.Template.Spec.ServiceAccountName)
		args := append(slices.Clone(d.Spec.Template.Spec.Containers[0].Args), "--kubeconfig="+kubeconfig, "--namespace="+namespace, "--port=0", "--metrics-address=")
		cmd := exec.CommandContext(ctx, kanon, args...)
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("kanon serve output:\n%s", logs.String())
			}
		}()
		selector := webhookconfig.ManagedByLabel + "=" + webhookconfig.ManagedByValue
		err = wait.PollUntilContextTimeout(ctx, time.Second, 90*time.Second, true, func(ctx context.Context) (bool, error) {
			if cmd.ProcessState != nil {
				return false, fmt.Errorf("kanon serve exited")
			}
			v, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{LabelSelector: selector})
			if err != nil {
				return false, err
			}
			names := map[string]bool{}
			for _, c := range v.Items {
				names[c.Name] = true
			}
			return names[webhookconfig.ResourceValidatingName] && names[webhookconfig.PolicyValidatingName], nil
		})
		if err != nil {
			t.Fatalf("webhook configurations did not appear: %v\n%s", err, logs.String())
		}
		cfg, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, webhookconfig.ResourceValidatingName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Annotations["admissions.enforcer/disabled"] != "true" {
			t.Errorf("webhookAnnotations from the chart's ConfigMap not applied: %v", cfg.Annotations)
		}
		for _, w := range cfg.Webhooks {
			svc := w.ClientConfig.Service
			if svc == nil || svc.Name != "kanon-svc" || svc.Namespace != namespace {
				t.Errorf("webhook %s does not call the chart's Service: %+v", w.Name, w.ClientConfig)
			}
			excluded := false
			if w.NamespaceSelector != nil {
				for _, e := range w.NamespaceSelector.MatchExpressions {
					excluded = excluded || e.Key == "kubernetes.io/metadata.name" && e.Operator == metav1.LabelSelectorOpNotIn && slices.Contains(e.Values, namespace)
				}
			}
			if !excluded {
				t.Errorf("webhook %s does not exclude Kanon's namespace: %v", w.Name, w.NamespaceSelector)
			}
		}
		if _, err := client.CoreV1().Secrets(namespace).Get(ctx, "kanon-svc.kanon.svc.kanon-tls", metav1.GetOptions{}); err != nil {
			t.Errorf("TLS Secret: %v", err)
		}
		// The leader reports each policy's readiness through the status
		// subresource, which the chart's RBAC must allow.
		err = wait.PollUntilContextTimeout(ctx, time.Second, 60*time.Second, true, func(ctx context.Context) (bool, error) {
			p, err := dyn.Resource(kyvernoClusterPolicies).Get(ctx, "disallow-host-path", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			conditions, _, _ := unstructured.NestedSlice(p.Object, "status", "conditions")
			for _, c := range conditions {
				if m, _ := c.(map[string]any); m["type"] == "Ready" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Errorf("policy status not Ready: %v", err)
		}
		if strings.Contains(strings.ToLower(logs.String()), "forbidden") {
			t.Errorf("kanon serve was refused something by RBAC:\n%s", logs.String())
		}
	})

	t.Run("pre-delete cleanup with the hook's ServiceAccount", func(t *testing.T) {
		hooks, err := template(t, helm, "kanon", "--show-only", "templates/hooks/webhooks-cleanup.yaml")
		if err != nil {
			t.Fatal(err)
		}
		// The Job is accepted like the rest, but without a kubelet it never
		// runs: run its command here, as its ServiceAccount.
		apply(t, hooks)
		kubeconfig := impersonating(t, cp.Kubeconfig, "system:serviceaccount:"+namespace+":kanon-webhooks-cleanup")
		out, code := run(t, kanon, "cleanup", "webhooks", "--kubeconfig", kubeconfig, "--namespace", namespace,
			"--deployment", "kanon-admission-controller", "--timeout", "20s")
		if code != 0 {
			t.Fatalf("kanon cleanup webhooks: exit %d\n%s", code, out)
		}
		d, err := client.AppsV1().Deployments(namespace).Get(ctx, "kanon-admission-controller", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *d.Spec.Replicas != 0 {
			t.Errorf("deployment not scaled to zero: %d", *d.Spec.Replicas)
		}
		selector := webhookconfig.ManagedByLabel + "=" + webhookconfig.ManagedByValue
		v, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			t.Fatal(err)
		}
		m, err := client.AdmissionregistrationV1().MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Items)+len(m.Items) != 0 {
			t.Errorf("%d webhook configurations left:\n%s", len(v.Items)+len(m.Items), out)
		}
	})

	t.Run("uninstall", func(t *testing.T) {
		helmCmd(t, "uninstall", "kanon-policies", "--namespace", namespace, "--timeout", "2m")
		// --no-hooks: the cleanup Job cannot run without a kubelet; the
		// previous step ran its command.
		helmCmd(t, "uninstall", "kanon", "--namespace", namespace, "--no-hooks", "--timeout", "2m")
		if _, err := client.AppsV1().Deployments(namespace).Get(ctx, "kanon-admission-controller", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("deployment still there after uninstall: %v", err)
		}
	})
}

var kyvernoClusterPolicies = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "clusterpolicies"}

// aggregateClusterRoles fills the rules of every ClusterRole with an
// aggregationRule from the ClusterRoles its selectors match, as
// kube-controller-manager's clusterrole-aggregation controller does.
func aggregateClusterRoles(ctx context.Context, t *testing.T, client kubernetes.Interface) {
	t.Helper()
	roles, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles.Items {
		if role.AggregationRule == nil {
			continue
		}
		var rules []rbacv1.PolicyRule
		for _, sel := range role.AggregationRule.ClusterRoleSelectors {
			s, err := metav1.LabelSelectorAsSelector(&sel)
			if err != nil {
				t.Fatal(err)
			}
			matched, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: s.String()})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range matched.Items {
				rules = append(rules, m.Rules...)
			}
		}
		role.Rules = rules
		if _, err := client.RbacV1().ClusterRoles().Update(ctx, &role, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// impersonating writes a copy of the admin kubeconfig that acts as user
// (a ServiceAccount) and returns its path, so that a command runs with
// exactly the rights RBAC gives that ServiceAccount.
func impersonating(t *testing.T, kubeconfig, user string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ns := strings.Split(user, ":")[2]
	for _, auth := range cfg.AuthInfos {
		auth.Impersonate = user
		auth.ImpersonateGroups = []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

package webhookconfig

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/config"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/pkg/manifest"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	fakediscovery "k8s.io/client-go/discovery/fake"
	k8stesting "k8s.io/client-go/testing"
)

func fakeResources(t *testing.T) *Resources {
	t.Helper()
	fake := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", Kind: "Pod", Namespaced: true}, {Name: "pods/exec", Kind: "PodExecOptions", Namespaced: true},
			{Name: "configmaps", Kind: "ConfigMap", Namespaced: true}, {Name: "namespaces", Kind: "Namespace"},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", Kind: "Deployment", Namespaced: true}, {Name: "deployments/scale", Kind: "Scale", Namespaced: true},
			{Name: "daemonsets", Kind: "DaemonSet", Namespaced: true}, {Name: "statefulsets", Kind: "StatefulSet", Namespaced: true},
			{Name: "replicasets", Kind: "ReplicaSet", Namespaced: true},
		}},
		{GroupVersion: "batch/v1", APIResources: []metav1.APIResource{
			{Name: "jobs", Kind: "Job", Namespaced: true}, {Name: "cronjobs", Kind: "CronJob", Namespaced: true},
		}},
	}}}
	r := NewResources(fake)
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	return r
}

func snapshot(t *testing.T, docs ...string) *policycache.Snapshot {
	t.Helper()
	c := policycache.New(logr.Discard())
	for _, d := range docs {
		parsed, err := manifest.Decode("test", []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		if e := c.Set(parsed[0].Object); e.Err != nil {
			t.Fatal(e.Err)
		}
	}
	return c.Snapshot()
}

const podPolicy = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: pods, generation: 1, uid: a}
spec:
  webhookConfiguration: {timeoutSeconds: 15}
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate: {message: m, pattern: {spec: {}}}
`

const ignorePolicy = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: cms, generation: 1, uid: b}
spec:
  failurePolicy: Ignore
  rules:
  - name: r
    match: {any: [{resources: {kinds: [ConfigMap, Pod/exec], operations: [CREATE, CONNECT]}}]}
    validate: {message: m, deny: {}}
  - name: m
    match: {any: [{resources: {kinds: [apps/v1/Deployment]}}]}
    mutate: {patchStrategicMerge: {metadata: {labels: {+(a): b}}}}
`

func TestBuild(t *testing.T) {
	cfg, err := config.Parse(map[string]string{"webhooks": `{"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]}}`,
		"webhookLabels": `{"team":"platform"}`})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Resources: fakeResources(t), Namespace: "kanon", Endpoint: Endpoint{ServiceNamespace: "kanon", ServiceName: "kanon-svc"},
		Config: func() *config.Config { return cfg }})
	validating, mutating := c.Build(snapshot(t, podPolicy, ignorePolicy), []byte("CA"))

	if len(validating.Webhooks) != 2 || validating.Webhooks[0].Name != "validate.kanon.svc-fail" || validating.Webhooks[1].Name != "validate.kanon.svc-ignore" {
		t.Fatalf("validating webhooks: %+v", names(validating.Webhooks))
	}
	fail, ignore := validating.Webhooks[0], validating.Webhooks[1]
	// Autogen: a Pod policy also covers the pod controllers.
	got := resources(fail.Rules)
	for _, want := range []string{"v1:pods", "apps/v1:deployments", "apps/v1:daemonsets", "apps/v1:statefulsets", "batch/v1:jobs", "batch/v1:cronjobs"} {
		if !slices.Contains(got, want) {
			t.Errorf("Fail webhook lacks %s: %v", want, got)
		}
	}
	if *fail.TimeoutSeconds != 15 || *ignore.TimeoutSeconds != 10 {
		t.Errorf("timeouts %d %d", *fail.TimeoutSeconds, *ignore.TimeoutSeconds)
	}
	if *fail.FailurePolicy != admissionregistrationv1.Fail || *ignore.FailurePolicy != admissionregistrationv1.Ignore {
		t.Errorf("failure policies")
	}
	if got := resources(ignore.Rules); !slices.Equal(got, []string{"v1:configmaps", "v1:pods/exec"}) {
		t.Errorf("Ignore webhook resources %v", got)
	}
	if ops := ignore.Rules[0].Operations; !slices.Contains(ops, admissionregistrationv1.Connect) || slices.Contains(ops, admissionregistrationv1.Delete) {
		t.Errorf("operations %v: CONNECT named, DELETE not", ops)
	}
	sel := fail.NamespaceSelector.MatchExpressions
	if len(sel) != 1 || !slices.Equal(sel[0].Values, []string{"kube-system", "kanon"}) {
		t.Errorf("namespace selector %+v", sel)
	}
	if fail.ClientConfig.Service == nil || *fail.ClientConfig.Service.Path != "/validate/fail" || string(fail.ClientConfig.CABundle) != "CA" {
		t.Errorf("client config %+v", fail.ClientConfig)
	}
	if validating.Labels[ManagedByLabel] != ManagedByValue || validating.Labels["team"] != "platform" {
		t.Errorf("labels %v", validating.Labels)
	}
	if len(mutating.Webhooks) != 1 || mutating.Webhooks[0].Name != "mutate.kanon.svc-ignore" ||
		!slices.Equal(resources(mutating.Webhooks[0].Rules), []string{"apps/v1:deployments"}) || *mutating.Webhooks[0].ReinvocationPolicy != admissionregistrationv1.IfNeededReinvocationPolicy {
		t.Errorf("mutating webhooks %+v", mutating.Webhooks)
	}
	// No policies: empty configurations (still present, so kubectl shows them).
	v, m := c.Build(snapshot(t), []byte("CA"))
	if len(v.Webhooks) != 0 || len(m.Webhooks) != 0 {
		t.Errorf("empty snapshot built webhooks")
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want kindSelector
	}{
		{"Pod", kindSelector{"*", "*", "Pod", ""}},
		{"Pod/exec", kindSelector{"*", "*", "Pod", "exec"}},
		{"v1/Pod", kindSelector{"", "v1", "Pod", ""}},
		{"apps/v1/Deployment", kindSelector{"apps", "v1", "Deployment", ""}},
		{"v1/Pod/status", kindSelector{"", "v1", "Pod", "status"}},
		{"apps/v1/Deployment/scale", kindSelector{"apps", "v1", "Deployment", "scale"}},
		{"*", kindSelector{"*", "*", "*", ""}},
	}
	for _, tc := range tests {
		if got := parseKind(tc.in); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.in, got, tc.want)
		}
	}
	r := fakeResources(t)
	for kind, known := range map[string]bool{"Pod": true, "Deployment/scale": true, "*": true, "Pdo": false, "Pod/logs": false, "apps/v1/Pod": false} {
		if r.Known(kind) != known {
			t.Errorf("Known(%s) = %t", kind, !known)
		}
	}
	if r.KindFor("apps", "v1", "deployments") != "Deployment" {
		t.Error("KindFor deployments")
	}
}

func names(ws []admissionregistrationv1.ValidatingWebhook) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Name)
	}
	return out
}

func resources(rules []admissionregistrationv1.RuleWithOperations) []string {
	var out []string
	for _, r := range rules {
		for _, res := range r.Resources {
			out = append(out, strings.TrimPrefix(r.APIGroups[0]+"/", "/")+r.APIVersions[0]+":"+res)
		}
	}
	slices.Sort(out)
	return out
}

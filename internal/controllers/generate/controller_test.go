package generate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/webhook"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/manifest"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"
)

var (
	configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	secrets    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	namespaces = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// mapper is a fixed kind -> resource index.
type mapper struct{}

func (mapper) ResourceFor(apiVersion, kind string) (schema.GroupVersionResource, bool, bool) {
	if apiVersion != "" && apiVersion != "v1" {
		return schema.GroupVersionResource{}, false, false
	}
	switch kind {
	case "ConfigMap":
		return configMaps, true, true
	case "Secret":
		return secrets, true, true
	case "Namespace":
		return namespaces, false, true
	}
	return schema.GroupVersionResource{}, false, false
}

// policies serves a fixed snapshot.
type policies struct {
	snap *policycache.Snapshot
	ch   chan struct{}
}

func (p *policies) Snapshot() *policycache.Snapshot { return p.snap }
func (p *policies) Subscribe() <-chan struct{}      { return p.ch }

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []webhook.Event
}

func (r *recorder) Record(ev webhook.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) find(reason, action string) *webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.events {
		if r.events[i].Reason == reason && r.events[i].Action == action {
			return &r.events[i]
		}
	}
	return nil
}

// lister answers from the fake client, as the cluster lister would.
type lister struct {
	client *dynamicfake.FakeDynamicClient
}

func (l lister) List(q engine.ResourceQuery) ([]map[string]any, error) {
	gvr, _, ok := mapper{}.ResourceFor(q.APIVersion, q.Kind)
	if !ok {
		return nil, errors.New("unknown kind")
	}
	list, err := l.client.Resource(gvr).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, item := range list.Items {
		if q.Matches(item.Object) {
			out = append(out, item.Object)
		}
	}
	return out, nil
}

type fixture struct {
	c        *Controller
	client   *dynamicfake.FakeDynamicClient
	events   *recorder
	policies *policies
}

func newFixture(t *testing.T, objs ...runtime.Object) *fixture {
	t.Helper()
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		configMaps: "ConfigMapList", secrets: "SecretList", namespaces: "NamespaceList",
	}, objs...)
	// The fake tracker does not apply; this one creates or replaces, which
	// is what a forced apply of the whole object amounts to here.
	client.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p, ok := a.(k8stesting.PatchActionImpl)
		if !ok || p.GetPatchType() != types.ApplyPatchType {
			return false, nil, nil
		}
		obj := &unstructured.Unstructured{}
		if err := json.Unmarshal(p.GetPatch(), &obj.Object); err != nil {
			return true, nil, err
		}
		tracker, gvr, ns := client.Tracker(), p.GetResource(), p.GetNamespace()
		if _, err := tracker.Get(gvr, ns, p.GetName()); apierrors.IsNotFound(err) {
			return true, obj, tracker.Create(gvr, obj, ns)
		}
		return true, obj, tracker.Update(gvr, obj, ns)
	})
	f := &fixture{client: client, events: &recorder{}, policies: &policies{snap: &policycache.Snapshot{}, ch: make(chan struct{}, 1)}}
	c, err := New(Options{Client: client, Mapper: mapper{}, Lister: lister{client}, Policies: f.policies, Events: f.events,
		Workers: 2, MaxRetries: 3, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	return f
}

// run serves the queue until the test ends.
func (f *fixture) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = f.c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func compile(t *testing.T, policy string) *policycache.Entry {
	t.Helper()
	docs, err := manifest.Decode("policy.yaml", []byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	e := policycache.Compile(docs[0].Object)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	return e
}

func object(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	docs, err := manifest.Decode("object.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: docs[0].Object}
}

const namespacePolicy = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: ns-defaults, uid: p1}
spec:
  rules:
  - name: quota
    match: {any: [{resources: {kinds: [Namespace]}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: defaults
      namespace: "{{request.object.metadata.name}}"
      synchronize: %s
      data:
        data: {owner: "{{request.object.metadata.name}}"}
`

func nsPolicy(t *testing.T, synchronize string) *policycache.Entry {
	return compile(t, strings.Replace(namespacePolicy, "%s", synchronize, 1))
}

// generateFor evaluates an entry's generate rules for a trigger, as the
// webhook does, and returns the request it hands over.
func generateFor(e *policycache.Entry, trigger *unstructured.Unstructured) webhook.GenerateRequest {
	pr := e.Generate.Evaluate(&engine.Request{Object: trigger.Object})
	return webhook.GenerateRequest{Policy: pr.Policy, Trigger: trigger.Object, Rules: pr.Rules}
}

func team(t *testing.T) *unstructured.Unstructured {
	return object(t, `{apiVersion: v1, kind: Namespace, metadata: {name: team-a, uid: ns-uid}}`)
}

func TestGenerateDropsWhenQueueFull(t *testing.T) {
	f := newFixture(t)
	f.c.opts.QueueSize = 1
	req := generateFor(nsPolicy(t, "true"), team(t))
	f.c.Generate(req) // queued
	f.c.Generate(req) // dropped: nobody serves the queue
	if got := f.c.Dropped(); got != 1 {
		t.Fatalf("dropped %d, want 1", got)
	}
	if f.c.queue.Len() != 1 {
		t.Fatalf("queue length %d, want 1", f.c.queue.Len())
	}
}

func TestApplySynchronizeIsForcedServerSideApply(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	f.c.Generate(generateFor(nsPolicy(t, "true"), team(t)))
	var cm *unstructured.Unstructured
	waitFor(t, "ConfigMap applied", func() bool {
		var err error
		cm, err = f.client.Resource(configMaps).Namespace("team-a").Get(context.Background(), "defaults", metav1.GetOptions{})
		return err == nil
	})
	var apply k8stesting.PatchActionImpl
	for _, a := range f.client.Actions() {
		if p, ok := a.(k8stesting.PatchActionImpl); ok && p.GetPatchType() == types.ApplyPatchType {
			apply = p
		}
	}
	if apply.PatchOptions.FieldManager != FieldManagerGenerate || apply.PatchOptions.Force == nil || !*apply.PatchOptions.Force {
		t.Errorf("apply options %+v, want forced apply by %s", apply.PatchOptions, FieldManagerGenerate)
	}
	labels := cm.GetLabels()
	for k, v := range map[string]string{LabelManagedBy: ManagedByKanon, engine.LabelPolicyName: "ns-defaults", engine.LabelRuleName: "quota", labelTriggerUID: "ns-uid"} {
		if labels[k] != v {
			t.Errorf("label %s=%q, want %q", k, labels[k], v)
		}
	}
	waitFor(t, "Resource Generated event", func() bool { return f.events.find("PolicyApplied", "Resource Generated") != nil })
	if ev := f.events.find("PolicyApplied", "Resource Generated"); ev.Regarding.Name != "ns-defaults" || ev.Related.Name != "defaults" {
		t.Errorf("event %+v", ev)
	}
}

func TestApplyWithoutSynchronizeNeverOverwrites(t *testing.T) {
	existing := object(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: defaults, namespace: team-a}, data: {owner: someone-else}}`)
	f := newFixture(t, existing)
	t.Run("existing object left alone", func(t *testing.T) {
		req := generateFor(nsPolicy(t, "false"), team(t))
		task := &task{op: opApply, policy: req.Policy, rule: "quota", generated: req.Rules[0].Generated[0]}
		if err := f.c.process(context.Background(), task); err != nil {
			t.Fatal(err)
		}
		cm, err := f.client.Resource(configMaps).Namespace("team-a").Get(context.Background(), "defaults", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if owner, _, _ := unstructured.NestedString(cm.Object, "data", "owner"); owner != "someone-else" {
			t.Errorf("overwritten: owner %q", owner)
		}
		for _, a := range f.client.Actions() {
			if a.GetVerb() == "patch" || a.GetVerb() == "update" {
				t.Errorf("unexpected %s", a.GetVerb())
			}
		}
	})
	t.Run("absent object created", func(t *testing.T) {
		other := object(t, `{apiVersion: v1, kind: Namespace, metadata: {name: team-b, uid: b}}`)
		req := generateFor(nsPolicy(t, "false"), other)
		task := &task{op: opApply, policy: req.Policy, rule: "quota", generated: req.Rules[0].Generated[0]}
		if err := f.c.process(context.Background(), task); err != nil {
			t.Fatal(err)
		}
		if _, err := f.client.Resource(configMaps).Namespace("team-b").Get(context.Background(), "defaults", metav1.GetOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestApplyErrors(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		attempts int32 // apply calls expected
	}{
		{"server errors are retried, then reported", apierrors.NewInternalError(errors.New("etcd down")), 4},
		{"invalid objects are not retried", apierrors.NewInvalid(schema.GroupKind{Kind: "ConfigMap"}, "defaults", nil), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			var calls atomic.Int32
			f.client.PrependReactor("patch", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
				calls.Add(1)
				return true, nil, tc.err
			})
			f.run(t)
			f.c.Generate(generateFor(nsPolicy(t, "true"), team(t)))
			waitFor(t, "PolicyError event", func() bool { return f.events.find("PolicyError", "None") != nil })
			if got := calls.Load(); got != tc.attempts {
				t.Errorf("%d apply calls, want %d", got, tc.attempts)
			}
			if ev := f.events.find("PolicyError", "None"); !strings.Contains(ev.Note, "applying ConfigMap team-a/defaults") {
				t.Errorf("event note %q", ev.Note)
			}
		})
	}
}

func TestGenerateReportsRuleErrors(t *testing.T) {
	f := newFixture(t)
	p := nsPolicy(t, "true").Generate
	f.c.Generate(webhook.GenerateRequest{Policy: p, Trigger: team(t).Object, Rules: []engine.RuleResponse{{Name: "quota", Status: engine.StatusError, Message: "failed to get the clone source"}}})
	if ev := f.events.find("PolicyError", "None"); ev == nil || !strings.Contains(ev.Note, "failed to get the clone source") {
		t.Fatalf("no PolicyError event naming the rule's error: %+v", f.events.events)
	}
	if f.c.queue.Len() != 0 {
		t.Errorf("an erroring rule queued work")
	}
}

const mutateExistingPolicy = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: stamp, uid: p2}
spec:
  rules:
  - name: stamp-secrets
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    mutate:
      targets:
      - apiVersion: v1
        kind: Secret
        namespace: "{{request.object.metadata.namespace}}"
      patchStrategicMerge:
        metadata:
          labels: {stamped: "yes"}
`

func TestMutateExistingRetriesOnConflict(t *testing.T) {
	s1 := object(t, `{apiVersion: v1, kind: Secret, metadata: {name: s1, namespace: ns, uid: u1}}`)
	s2 := object(t, `{apiVersion: v1, kind: Secret, metadata: {name: s2, namespace: ns, uid: u2}}`)
	f := newFixture(t, s1, s2)
	updates := map[string]int{}
	conflicted := false
	f.client.PrependReactor("update", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		name := a.(k8stesting.UpdateAction).GetObject().(*unstructured.Unstructured).GetName()
		updates[name]++
		if name == "s2" && !conflicted {
			conflicted = true
			return true, nil, apierrors.NewConflict(secrets.GroupResource(), name, errors.New("changed"))
		}
		return false, nil, nil
	})
	e := compile(t, mutateExistingPolicy)
	trigger := object(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: trigger, namespace: ns}}`)
	task := &task{op: opMutate, policy: e.Mutate, trigger: refOf(trigger.Object), request: &engine.Request{Object: trigger.Object}}
	if err := f.c.process(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	// s1 once; s2 conflicted, re-evaluated, then updated.
	if updates["s1"] != 1 || updates["s2"] != 2 {
		t.Errorf("updates %v, want s1 once and s2 twice", updates)
	}
	for _, name := range []string{"s1", "s2"} {
		s, err := f.client.Resource(secrets).Namespace("ns").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.GetLabels()["stamped"] != "yes" {
			t.Errorf("%s not mutated: %v", name, s.GetLabels())
		}
	}
	if f.events.find("PolicyApplied", "Resource Mutated") == nil {
		t.Error("no Resource Mutated event")
	}
}

func TestPoliciesChanged(t *testing.T) {
	existing := compile(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: existing, uid: e1, generation: 1}
spec:
  generateExisting: true
  rules:
  - name: welcome
    match: {any: [{resources: {kinds: [Namespace]}}]}
    generate: {apiVersion: v1, kind: ConfigMap, name: welcome, namespace: "{{request.object.metadata.name}}", synchronize: true, data: {data: {a: b}}}
`)
	orphan := compile(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: orphan, uid: o1, generation: 1}
spec:
  rules:
  - name: keep
    match: {any: [{resources: {kinds: [Namespace]}}]}
    generate: {apiVersion: v1, kind: ConfigMap, name: keep, namespace: "{{request.object.metadata.name}}", synchronize: true, orphanDownstreamOnPolicyDelete: true, data: {data: {a: b}}}
`)
	mutate := compile(t, strings.Replace(mutateExistingPolicy, "spec:\n", "spec:\n  mutateExistingOnPolicyUpdate: true\n", 1))
	mutateV2 := *mutate
	mutateV2.Generation = 2
	snap := func(es ...*policycache.Entry) *policycache.Snapshot { return &policycache.Snapshot{Entries: es} }
	ops := func(ts []*task) []string {
		var out []string
		for _, t := range ts {
			s := t.op.String() + " " + t.policy.Name
			if t.rule != "" {
				s += "/" + t.rule
			}
			out = append(out, s)
		}
		return out
	}
	f := newFixture(t)
	drain := func() []*task {
		var out []*task
		for f.c.queue.Len() > 0 {
			t, _ := f.c.queue.Get()
			f.c.queue.Done(t)
			f.c.queue.Forget(t)
			out = append(out, t)
		}
		return out
	}
	steps := []struct {
		name string
		snap *policycache.Snapshot
		want []string
	}{
		{"first snapshot: generateExisting, not mutateExistingOnPolicyUpdate", snap(existing, mutate, orphan), []string{"existing existing"}},
		{"nothing changed", snap(existing, mutate, orphan), nil},
		{"mutate policy updated", snap(existing, &mutateV2, orphan), []string{"existing stamp"}},
		{"synchronized policy deleted: downstreams cleaned up; orphaning policy deleted: kept", snap(&mutateV2), []string{"cleanup existing/welcome"}},
	}
	var prev map[string]*policycache.Entry
	for _, s := range steps {
		prev = f.c.policiesChanged(s.snap, prev, nil)
		if got := ops(drain()); strings.Join(got, ",") != strings.Join(s.want, ",") {
			t.Errorf("%s: queued %v, want %v", s.name, got, s.want)
		}
	}
}

func TestExistingGeneratesForEveryTrigger(t *testing.T) {
	a := object(t, `{apiVersion: v1, kind: Namespace, metadata: {name: a, uid: ua}}`)
	b := object(t, `{apiVersion: v1, kind: Namespace, metadata: {name: b, uid: ub}}`)
	f := newFixture(t, a, b)
	e := compile(t, strings.Replace(strings.Replace(namespacePolicy, "spec:\n", "spec:\n  generateExisting: true\n", 1), "%s", "true", 1))
	if err := f.c.process(context.Background(), &task{op: opExisting, policy: e.Generate, entry: e, generate: true}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for f.c.queue.Len() > 0 {
		tk, _ := f.c.queue.Get()
		f.c.queue.Done(tk)
		names = append(names, tk.trigger.Name+":"+refOf(tk.generated.Object).Namespace)
	}
	if strings.Join(names, ",") != "a:a,b:b" {
		t.Errorf("queued %v, want a ConfigMap for each namespace", names)
	}
}

func TestReconcileDownstream(t *testing.T) {
	e := nsPolicy(t, "true")
	downstreamLabels := map[string]string{
		engine.LabelPolicyName: "ns-defaults", engine.LabelRuleName: "quota",
		labelTriggerKind: "Namespace", labelTriggerVersion: "v1", labelTriggerName: "team-a", labelTriggerUID: "ns-uid",
		LabelManagedBy: ManagedByKanon,
	}
	downstream := object(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: defaults, namespace: team-a, uid: d1}, data: {owner: edited}}`)
	downstream.SetLabels(downstreamLabels)
	cases := []struct {
		name    string
		objs    []runtime.Object
		kind    eventKind
		present bool   // the downstream exists afterwards
		owner   string // and its data.owner
	}{
		{"trigger gone: downstream deleted", []runtime.Object{downstream.DeepCopy()}, evVerify, false, ""},
		{"trigger replaced (other uid): downstream deleted", []runtime.Object{downstream.DeepCopy(), object(t, `{apiVersion: v1, kind: Namespace, metadata: {name: team-a, uid: other}}`)}, evVerify, false, ""},
		{"trigger present: verify keeps it as is", []runtime.Object{downstream.DeepCopy(), team(t)}, evVerify, true, "edited"},
		{"edited downstream: the rule's data is put back", []runtime.Object{downstream.DeepCopy(), team(t)}, evChanged, true, "team-a"},
		{"deleted downstream: re-created", []runtime.Object{team(t)}, evDeleted, true, "team-a"},
		{"deleted downstream without trigger: stays deleted", nil, evDeleted, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.objs...)
			f.policies.snap = &policycache.Snapshot{Entries: []*policycache.Entry{e}}
			ev := downstreamEvent{kind: tc.kind, gvr: configMaps, namespace: "team-a", name: "defaults", uid: "d1", labels: downstreamLabels}
			if err := f.c.process(context.Background(), &task{op: opDownstream, downstream: ev}); err != nil {
				t.Fatal(err)
			}
			cm, err := f.client.Resource(configMaps).Namespace("team-a").Get(context.Background(), "defaults", metav1.GetOptions{})
			if present := err == nil; present != tc.present {
				t.Fatalf("present %v, want %v (%v)", present, tc.present, err)
			}
			if !tc.present {
				return
			}
			if owner, _, _ := unstructured.NestedString(cm.Object, "data", "owner"); owner != tc.owner {
				t.Errorf("owner %q, want %q", owner, tc.owner)
			}
		})
	}
}

func TestDownstreamObject(t *testing.T) {
	in := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "status": map[string]any{"x": 1},
		"metadata": map[string]any{"name": "n", "resourceVersion": "7", "uid": "u", "managedFields": []any{}, "labels": map[string]any{"a": "b"}},
	}
	out := downstreamObject(in)
	meta := out["metadata"].(map[string]any)
	for _, k := range []string{"resourceVersion", "uid", "managedFields"} {
		if _, ok := meta[k]; ok {
			t.Errorf("metadata.%s kept", k)
		}
	}
	if _, ok := out["status"]; ok {
		t.Error("status kept")
	}
	if l := meta["labels"].(map[string]any); l[LabelManagedBy] != ManagedByKanon || l["a"] != "b" {
		t.Errorf("labels %v", l)
	}
	if _, ok := in["metadata"].(map[string]any)["labels"].(map[string]any)[LabelManagedBy]; ok {
		t.Error("the engine's object was modified")
	}
}

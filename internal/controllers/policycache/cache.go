// Package policycache keeps the compiled ClusterPolicies and Policies of a
// cluster. Policies are watched through informers, decoded and compiled once
// per change, and published as an immutable Snapshot swapped atomically:
// admission requests read the current snapshot without locks, and a policy
// that fails to compile is kept out of it (with its error, for the policy
// status) without touching the others.
package policycache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/manifest"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

// Resources of the watched policy kinds.
var (
	ClusterPolicies = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "clusterpolicies"}
	Policies        = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "policies"}
)

// Entry is one policy as the cache holds it.
type Entry struct {
	// Key is "ClusterPolicy/name" or "Policy/namespace/name".
	Key        string
	Kind       string
	Name       string
	Namespace  string
	Generation int64
	UID        string
	// Spec is the decoded spec (nil when decoding failed).
	Spec *kyvernov1.Spec
	// Policy is the whole compiled policy; nil when Err is set.
	Policy *engine.Policy
	// Mutate, Validate and Generate are the policy restricted to one rule
	// type, compiled once, so each webhook evaluates only what it serves;
	// nil when the policy has no rule of that type.
	Mutate, Validate, Generate *engine.Policy
	// Err is why the policy is not served.
	Err error
	// Warnings are non-fatal findings (unknown fields).
	Warnings []string
	// ExplicitOperations are the operations the rules' match blocks name
	// (DELETE and CONNECT are evaluated only when named).
	ExplicitOperations map[string]bool
	// NeedsRoles is set when rules use the requester's roles.
	NeedsRoles bool
}

// FailurePolicy is the webhook failure policy of the entry: Fail (default)
// or Ignore.
func (e *Entry) FailurePolicy() string {
	if e.Spec == nil {
		return "Fail"
	}
	fp := e.Spec.FailurePolicy
	if wc := e.Spec.WebhookConfiguration; wc != nil && wc.FailurePolicy != nil {
		fp = wc.FailurePolicy
	}
	if fp != nil && *fp == "Ignore" {
		return "Ignore"
	}
	return "Fail"
}

// TimeoutSeconds is the policy's webhook timeout, 0 when unset.
func (e *Entry) TimeoutSeconds() int32 {
	if e.Spec == nil {
		return 0
	}
	if wc := e.Spec.WebhookConfiguration; wc != nil && wc.TimeoutSeconds != nil {
		return *wc.TimeoutSeconds
	}
	if e.Spec.WebhookTimeoutSeconds != nil {
		return *e.Spec.WebhookTimeoutSeconds
	}
	return 0
}

// Admission reports whether the policy applies at admission (spec.admission,
// default true).
func (e *Entry) Admission() bool {
	return e.Spec == nil || e.Spec.Admission == nil || *e.Spec.Admission
}

// Snapshot is an immutable set of entries, sorted by key.
type Snapshot struct {
	Entries []*Entry
	// Revision increases with every published change.
	Revision uint64
	// NeedsRoles is set when any served policy uses the requester's roles.
	NeedsRoles bool
}

// Ready returns the entries that compiled.
func (s *Snapshot) Ready() []*Entry {
	out := make([]*Entry, 0, len(s.Entries))
	for _, e := range s.Entries {
		if e.Err == nil {
			out = append(out, e)
		}
	}
	return out
}

// Cache holds the current Snapshot.
type Cache struct {
	log      logr.Logger
	current  atomic.Pointer[Snapshot]
	mu       sync.Mutex // guards entries and subs
	entries  map[string]*Entry
	revision uint64
	subs     []chan struct{}
	synced   atomic.Bool
}

// New returns an empty cache.
func New(log logr.Logger) *Cache {
	c := &Cache{log: log, entries: map[string]*Entry{}}
	c.current.Store(&Snapshot{})
	return c
}

// Snapshot returns the current snapshot; never nil.
func (c *Cache) Snapshot() *Snapshot { return c.current.Load() }

// Synced reports whether the initial list of policies has been loaded.
func (c *Cache) Synced() bool { return c.synced.Load() }

// Subscribe returns a channel that receives a value (coalesced) after every
// published change.
func (c *Cache) Subscribe() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{}, 1)
	c.subs = append(c.subs, ch)
	return ch
}

// Set compiles a policy object and publishes it.
func (c *Cache) Set(obj map[string]any) *Entry {
	e := Compile(obj)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[e.Key]; ok && old.UID == e.UID && old.Generation == e.Generation && e.Generation != 0 {
		return old // a status or metadata-only update: nothing to recompile
	}
	c.entries[e.Key] = e
	if e.Err != nil {
		c.log.Info("policy not served", "policy", e.Key, "error", e.Err.Error())
	} else {
		c.log.V(1).Info("policy compiled", "policy", e.Key, "generation", e.Generation)
	}
	c.publishLocked()
	return e
}

// Delete removes a policy by key.
func (c *Cache) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		return
	}
	delete(c.entries, key)
	c.publishLocked()
}

func (c *Cache) publishLocked() {
	c.revision++
	snap := &Snapshot{Entries: make([]*Entry, 0, len(c.entries)), Revision: c.revision}
	for _, e := range c.entries {
		snap.Entries = append(snap.Entries, e)
		snap.NeedsRoles = snap.NeedsRoles || (e.Err == nil && e.NeedsRoles)
	}
	sort.Slice(snap.Entries, func(i, j int) bool { return snap.Entries[i].Key < snap.Entries[j].Key })
	c.current.Store(snap)
	for _, ch := range c.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Key returns the cache key of a policy object.
func Key(kind, namespace, name string) string {
	if kind == "Policy" {
		return "Policy/" + namespace + "/" + name
	}
	return "ClusterPolicy/" + name
}

// Compile decodes and compiles one ClusterPolicy or Policy object. It never
// fails: problems are recorded in Entry.Err.
func Compile(obj map[string]any) *Entry {
	u := unstructured.Unstructured{Object: obj}
	e := &Entry{Kind: u.GetKind(), Name: u.GetName(), Namespace: u.GetNamespace(), Generation: u.GetGeneration(), UID: string(u.GetUID())}
	e.Key = Key(e.Kind, e.Namespace, e.Name)
	var pol kyvernov1.ClusterPolicy
	warnings, err := manifest.Into(manifest.Document{Source: e.Key, Object: obj}, &pol)
	e.Warnings = warnings
	if err != nil {
		e.Err = err
		return e
	}
	e.Spec = &pol.Spec
	e.ExplicitOperations = explicitOperations(&pol.Spec)
	e.NeedsRoles = needsRoles(&pol.Spec)
	src := engine.Source{Kind: e.Kind, Name: e.Name, Namespace: e.Namespace, Annotations: pol.Annotations, Spec: &pol.Spec}
	if e.Policy, e.Err = engine.Compile(src); e.Err != nil {
		e.Policy = nil
		return e
	}
	for _, part := range []struct {
		dst  **engine.Policy
		keep func(*kyvernov1.Rule) bool
	}{
		{&e.Mutate, func(r *kyvernov1.Rule) bool { return r.Mutation != nil }},
		{&e.Validate, func(r *kyvernov1.Rule) bool { return r.Validation != nil || len(r.VerifyImages) > 0 }},
		{&e.Generate, func(r *kyvernov1.Rule) bool { return r.Generation != nil }},
	} {
		spec := pol.Spec
		spec.Rules = nil
		for i := range pol.Spec.Rules {
			if part.keep(&pol.Spec.Rules[i]) {
				spec.Rules = append(spec.Rules, pol.Spec.Rules[i])
			}
		}
		if len(spec.Rules) == 0 {
			continue
		}
		s := src
		s.Spec = &spec
		p, err := engine.Compile(s)
		if err != nil { // cannot happen when the whole policy compiled; keep it honest anyway
			e.Err, e.Policy = fmt.Errorf("compiling the %d rules of one type: %w", len(spec.Rules), err), nil
			return e
		}
		*part.dst = p
	}
	return e
}

// Run watches ClusterPolicies and Policies until ctx ends.
func (c *Cache) Run(ctx context.Context, client dynamic.Interface, resync time.Duration) error {
	factory := dynamicinformer.NewDynamicSharedInformerFactory(client, resync)
	for _, gvr := range []schema.GroupVersionResource{ClusterPolicies, Policies} {
		inf := factory.ForResource(gvr).Informer()
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { c.onChange(obj) },
			UpdateFunc: func(_, obj any) { c.onChange(obj) },
			DeleteFunc: func(obj any) { c.onDelete(obj) },
		}); err != nil {
			return err
		}
	}
	factory.Start(ctx.Done())
	for gvr, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("policy cache: %s did not sync", gvr.Resource)
		}
	}
	c.synced.Store(true)
	c.log.Info("policy cache synced", "policies", len(c.Snapshot().Entries))
	<-ctx.Done()
	factory.Shutdown()
	return nil
}

func (c *Cache) onChange(obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	c.Set(u.Object)
}

func (c *Cache) onDelete(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	c.Delete(Key(u.GetKind(), u.GetNamespace(), u.GetName()))
}

// explicitOperations returns the operations named in the match blocks of
// a policy's rules.
func explicitOperations(spec *kyvernov1.Spec) map[string]bool {
	ops := map[string]bool{}
	for i := range spec.Rules {
		spec.Rules[i].Match.Filters(func(_ string, f *kyvernov1.ResourceFilter) bool {
			for _, op := range f.Resources.Operations {
				ops[op] = true
			}
			return true
		})
	}
	return ops
}

// needsRoles reports whether any rule matches or excludes on roles or
// cluster roles, or reads them through variables, so the requester's roles
// must be resolved.
func needsRoles(spec *kyvernov1.Spec) bool {
	for i := range spec.Rules {
		r := &spec.Rules[i]
		for _, m := range []*kyvernov1.MatchResources{&r.Match, r.Exclude} {
			if m == nil {
				continue
			}
			found := false
			m.Filters(func(_ string, f *kyvernov1.ResourceFilter) bool {
				found = len(f.Roles) > 0 || len(f.ClusterRoles) > 0
				return !found
			})
			if found {
				return true
			}
		}
	}
	raw, _ := json.Marshal(spec.Rules)
	return bytes.Contains(raw, []byte("request.roles")) || bytes.Contains(raw, []byte("request.clusterRoles"))
}

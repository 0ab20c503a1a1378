package generate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/pkg/engine"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
)

// Labels of the trigger on a generated resource (engine's provenance
// labels).
const (
	labelTriggerGroup     = "generate.kyverno.io/trigger-group"
	labelTriggerVersion   = "generate.kyverno.io/trigger-version"
	labelTriggerKind      = "generate.kyverno.io/trigger-kind"
	labelTriggerNamespace = "generate.kyverno.io/trigger-namespace"
	labelTriggerName      = "generate.kyverno.io/trigger-name"
	labelTriggerUID       = "generate.kyverno.io/trigger-uid"

	indexTriggerUID = "trigger-uid"
)

type eventKind int

const (
	evVerify  eventKind = iota // delete the downstream if its trigger is gone
	evChanged                  // someone else changed it: verify, then put the rule's data back
	evDeleted                  // it was deleted: put it back while its trigger exists
)

// downstreamEvent is what the leader saw happen to a generated resource.
type downstreamEvent struct {
	kind                 eventKind
	gvr                  schema.GroupVersionResource
	namespace, name, uid string
	labels               map[string]string
}

// watcher keeps metadata informers, for the leader, on the resources that
// synchronized generate rules write (labelled managed-by kanon) and on the
// kinds of their triggers. Informers start on first need and stop with the
// leadership.
type watcher struct {
	ctx         context.Context
	c           *Controller
	mu          sync.Mutex
	downstreams map[schema.GroupVersionResource]cache.SharedIndexInformer
	triggers    map[schema.GroupVersionResource]bool
}

func newWatcher(ctx context.Context, c *Controller) *watcher {
	return &watcher{ctx: ctx, c: c, downstreams: map[schema.GroupVersionResource]cache.SharedIndexInformer{}, triggers: map[schema.GroupVersionResource]bool{}}
}

// watchDownstreams makes sure the downstream kinds of a policy's
// synchronized generate rules are watched.
func (w *watcher) watchDownstreams(e *policycache.Entry) {
	if w == nil || e.Generate == nil {
		return
	}
	for _, r := range e.Generate.Rules {
		g := r.Raw.Generation
		if g == nil || !g.Synchronize {
			continue
		}
		for _, k := range downstreamKinds(g) {
			if gvr, _, ok := w.c.opts.Mapper.ResourceFor(k[0], k[1]); ok {
				w.downstream(gvr)
			}
		}
	}
}

func (w *watcher) downstream(gvr schema.GroupVersionResource) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.downstreams[gvr] != nil {
		return
	}
	inf := metadatainformer.NewFilteredMetadataInformer(w.c.opts.Metadata, gvr, metav1.NamespaceAll, 0,
		cache.Indexers{indexTriggerUID: func(obj any) ([]string, error) {
			if m, ok := obj.(*metav1.PartialObjectMetadata); ok && m.Labels[labelTriggerUID] != "" {
				return []string{m.Labels[labelTriggerUID]}, nil
			}
			return nil, nil
		}},
		func(o *metav1.ListOptions) {
			o.LabelSelector = LabelManagedBy + "=" + ManagedByKanon + "," + engine.LabelPolicyName
		}).Informer()
	enqueue := func(kind eventKind, obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		m, ok := obj.(*metav1.PartialObjectMetadata)
		if !ok {
			return
		}
		w.c.enqueue(&task{op: opDownstream, downstream: downstreamEvent{kind: kind, gvr: gvr, namespace: m.Namespace, name: m.Name, uid: string(m.UID), labels: m.Labels}}, false)
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
				w.trigger(m.Labels)
			}
			if initial { // it may have lost its trigger while no replica led
				enqueue(evVerify, obj)
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, _ := oldObj.(*metav1.PartialObjectMetadata)
			n, ok := newObj.(*metav1.PartialObjectMetadata)
			if !ok || o == nil || o.ResourceVersion == n.ResourceVersion || lastManager(n) == FieldManagerGenerate {
				return
			}
			enqueue(evChanged, newObj)
		},
		DeleteFunc: func(obj any) { enqueue(evDeleted, obj) },
	})
	if err != nil {
		w.c.opts.Log.Error(err, "watching generated resources", "resource", gvr.String())
		return
	}
	w.downstreams[gvr] = inf
	go inf.Run(w.ctx.Done())
}

// trigger makes sure the kind of a downstream's trigger is watched, so its
// deletion deletes the downstreams.
func (w *watcher) trigger(l map[string]string) {
	apiVersion := l[labelTriggerVersion]
	if g := l[labelTriggerGroup]; g != "" {
		apiVersion = g + "/" + apiVersion
	}
	gvr, _, ok := w.c.opts.Mapper.ResourceFor(apiVersion, l[labelTriggerKind])
	if !ok || l[labelTriggerKind] == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.triggers[gvr] {
		return
	}
	w.triggers[gvr] = true
	inf := metadatainformer.NewFilteredMetadataInformer(w.c.opts.Metadata, gvr, metav1.NamespaceAll, 0, cache.Indexers{}, nil).Informer()
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{DeleteFunc: func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
			w.triggerDeleted(string(m.UID))
		}
	}})
	if err != nil {
		w.c.opts.Log.Error(err, "watching triggers", "resource", gvr.String())
		return
	}
	go inf.Run(w.ctx.Done())
}

// triggerDeleted queues a check of every downstream of a deleted trigger.
func (w *watcher) triggerDeleted(uid string) {
	if uid == "" {
		return
	}
	w.mu.Lock()
	infs := make(map[schema.GroupVersionResource]cache.SharedIndexInformer, len(w.downstreams))
	for gvr, inf := range w.downstreams {
		infs[gvr] = inf
	}
	w.mu.Unlock()
	for gvr, inf := range infs {
		objs, _ := inf.GetIndexer().ByIndex(indexTriggerUID, uid)
		for _, obj := range objs {
			if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
				w.c.enqueue(&task{op: opDownstream, downstream: downstreamEvent{kind: evVerify, gvr: gvr, namespace: m.Namespace, name: m.Name, uid: string(m.UID), labels: m.Labels}}, false)
			}
		}
	}
}

// lastManager is the manager of the most recent write recorded in an
// object's managed fields.
func lastManager(m *metav1.PartialObjectMetadata) string {
	var last metav1.ManagedFieldsEntry
	for _, f := range m.ManagedFields {
		if f.Time != nil && (last.Time == nil || !f.Time.Before(last.Time)) {
			last = f
		}
	}
	return last.Manager
}

// reconcileDownstream handles a watched downstream of a synchronized rule:
// it is deleted when its trigger is gone; otherwise, when it was deleted or
// changed by someone else, the rule is evaluated again for the trigger and
// its resources written back.
func (c *Controller) reconcileDownstream(ctx context.Context, t *task) error {
	d := t.downstream
	e := c.entryFor(d.labels)
	if e == nil || e.Generate == nil {
		return nil // the policy's deletion is handled by cleanup
	}
	var rule *engine.Rule
	for _, r := range e.Generate.Rules {
		if r.Name == d.labels[engine.LabelRuleName] {
			rule = r
		}
	}
	if rule == nil || rule.Raw.Generation == nil || !rule.Raw.Generation.Synchronize {
		return nil
	}
	t.policy, t.rule = e.Generate, rule.Name
	trigger, known, err := c.triggerOf(ctx, d.labels)
	if err != nil || !known {
		return err
	}
	if trigger == nil {
		if d.kind == evDeleted {
			return nil
		}
		return c.deleteObject(ctx, d.gvr, d.namespace, d.name, d.uid)
	}
	t.trigger = refOf(trigger)
	if d.kind == evVerify {
		return nil
	}
	pr := e.Generate.Evaluate(&engine.Request{Object: trigger, Namespaces: c.opts.Namespaces, Data: c.opts.Data, Sources: c.opts.Lister})
	var errs []error
	for _, r := range pr.Rules {
		if r.Name != rule.Name {
			continue
		}
		if r.Status == engine.StatusError {
			return errors.New(r.Message)
		}
		for _, g := range r.Generated {
			if err := c.apply(ctx, &task{op: opApply, policy: e.Generate, rule: r.Name, trigger: t.trigger, generated: g}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// entryFor finds the policy named by a downstream's labels.
func (c *Controller) entryFor(l map[string]string) *policycache.Entry {
	kind := "ClusterPolicy"
	if l[engine.LabelPolicyNamespace] != "" {
		kind = "Policy"
	}
	key := policycache.Key(kind, l[engine.LabelPolicyNamespace], l[engine.LabelPolicyName])
	entries := c.opts.Policies.Snapshot().Entries
	i := sort.Search(len(entries), func(i int) bool { return entries[i].Key >= key })
	if i < len(entries) && entries[i].Key == key && entries[i].Err == nil {
		return entries[i]
	}
	return nil
}

// triggerOf reads the trigger a downstream's labels name: nil when it no
// longer exists (or was replaced by another object of the same name);
// known is false when the labels do not name one.
func (c *Controller) triggerOf(ctx context.Context, l map[string]string) (obj map[string]any, known bool, err error) {
	kind, name := l[labelTriggerKind], l[labelTriggerName]
	if kind == "" || name == "" {
		return nil, false, nil
	}
	apiVersion := l[labelTriggerVersion]
	if g := l[labelTriggerGroup]; g != "" {
		apiVersion = g + "/" + apiVersion
	}
	client, _, _, err := c.resource(apiVersion, kind, l[labelTriggerNamespace])
	if err != nil {
		return nil, true, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	u, err := client.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("reading the trigger %s %s: %w", kind, joinName(l[labelTriggerNamespace], name), err)
	}
	if uid := l[labelTriggerUID]; uid != "" && string(u.GetUID()) != uid {
		return nil, true, nil
	}
	return u.Object, true, nil
}

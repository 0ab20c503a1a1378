package generate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// RunLeader does the policy-driven work until ctx ends; only the leader
// runs it, so it is never duplicated. On every policy change it queues
// generateExisting for created or updated policies that ask for it,
// mutateExistingOnPolicyUpdate for policies created or updated while
// leading, and the deletion of the downstreams of synchronized generate
// rules that were removed (unless orphanDownstreamOnPolicyDelete); with
// Options.Metadata it watches the downstreams of synchronized rules and
// their triggers.
//
// The first snapshot after gaining leadership counts every policy as
// created for generateExisting (idempotent: it covers triggers created
// while no replica led), but not for mutateExistingOnPolicyUpdate, whose
// patches need not be idempotent: a restart is not a policy update.
func (c *Controller) RunLeader(ctx context.Context) {
	var w *watcher
	if c.opts.Metadata != nil {
		w = newWatcher(ctx, c)
	}
	var prev map[string]*policycache.Entry
	for {
		prev = c.policiesChanged(c.opts.Policies.Snapshot(), prev, w)
		select {
		case <-ctx.Done():
			return
		case <-c.changes:
		}
	}
}

// policiesChanged queues the work of one snapshot against the previous one
// (nil on the first) and returns the entries to compare the next with.
func (c *Controller) policiesChanged(snap *policycache.Snapshot, prev map[string]*policycache.Entry, w *watcher) map[string]*policycache.Entry {
	first := prev == nil
	next := make(map[string]*policycache.Entry, len(snap.Entries))
	for _, e := range snap.Entries {
		old := prev[e.Key]
		if e.Err != nil {
			// A broken policy is not served; keep what it was, so its
			// deletion still cleans up.
			if old != nil {
				next[e.Key] = old
			}
			continue
		}
		next[e.Key] = e
		w.watchDownstreams(e)
		if old != nil && old.UID == e.UID && old.Generation == e.Generation {
			continue
		}
		if e.Generate != nil && len(existingRules(e.Generate, e.Generate.GenerateExisting)) > 0 {
			c.enqueue(&task{op: opExisting, policy: e.Generate, entry: e, generate: true}, false)
		}
		if !first && e.Mutate != nil && len(existingRules(e.Mutate, e.Mutate.MutateExistingOnPolicyUpdate)) > 0 {
			c.enqueue(&task{op: opExisting, policy: e.Mutate, entry: e}, false)
		}
		if old != nil && old.UID == e.UID {
			c.cleanupRemovedRules(old, e)
		}
	}
	for key, old := range prev {
		if cur, ok := next[key]; !ok || cur.UID != old.UID {
			c.cleanupRemovedRules(old, nil)
		}
	}
	return next
}

// cleanupRemovedRules queues the deletion of the downstreams of old's
// synchronized generate rules that cur (nil: the policy is gone) no longer
// has, unless the rule orphans them.
func (c *Controller) cleanupRemovedRules(old, cur *policycache.Entry) {
	if old.Generate == nil {
		return
	}
	kept := map[string]bool{}
	if cur != nil && cur.Generate != nil {
		for _, r := range cur.Generate.Rules {
			kept[r.Name] = true
		}
	}
	for _, r := range old.Generate.Rules {
		g := r.Raw.Generation
		if kept[r.Name] || g == nil || !g.Synchronize || g.OrphanDownstreamOnPolicyDelete {
			continue
		}
		c.enqueue(&task{op: opCleanup, policy: old.Generate, rule: r.Name}, false)
	}
}

// existingRules returns the names of a policy's rules for which want holds.
func existingRules(p *engine.Policy, want func(*engine.Rule) bool) map[string]bool {
	out := map[string]bool{}
	for _, r := range p.Rules {
		if want(r) {
			out[r.Name] = true
		}
	}
	return out
}

// existing runs generateExisting or mutateExistingOnPolicyUpdate for one
// policy: every existing object of the kinds the rules match (in the
// policy's namespace for a Policy) is evaluated as a trigger.
func (c *Controller) existing(ctx context.Context, t *task) error {
	want := t.policy.MutateExistingOnPolicyUpdate
	if t.generate {
		want = t.policy.GenerateExisting
	}
	only := existingRules(t.policy, want)
	var errs []error
	for _, kind := range matchKinds(t.policy, only) {
		apiVersion, k := splitKind(kind)
		if strings.ContainsAny(kind, "*?") {
			c.opts.Log.Info("existing triggers of a wildcard kind are not listed", "policy", t.policy.Key(), "kind", kind)
			continue
		}
		triggers, err := c.opts.Lister.List(engine.ResourceQuery{APIVersion: apiVersion, Kind: k, Namespace: t.policy.Namespace})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, obj := range triggers {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			trigger := refOf(obj)
			req := &engine.Request{Object: obj, Namespaces: c.opts.Namespaces, Data: c.opts.Data, Sources: c.opts.Lister}
			if !t.generate {
				c.enqueue(&task{op: opMutate, policy: t.policy, trigger: trigger, request: req, only: only}, false)
				continue
			}
			c.queueGenerated(t.policy, trigger, t.policy.Evaluate(req), only)
		}
	}
	return errors.Join(errs...)
}

// queueGenerated queues the writes of an evaluation of generate rules done
// in the background (restricted to the rules in only, when set) and
// reports their errors.
func (c *Controller) queueGenerated(p *engine.Policy, trigger engine.ResourceRef, pr *engine.PolicyResponse, only map[string]bool) {
	for _, r := range pr.Rules {
		if only != nil && !only[r.Name] {
			continue
		}
		switch r.Status {
		case engine.StatusError:
			c.reportError(p, r.Name, trigger, errors.New(r.Message))
		case engine.StatusPass:
			for _, g := range r.Generated {
				c.enqueue(&task{op: opApply, policy: p, rule: r.Name, trigger: trigger, generated: g}, false)
			}
		}
	}
}

// matchKinds returns the kinds the named rules match.
func matchKinds(p *engine.Policy, only map[string]bool) []string {
	var rules []*kyvernov1.Rule
	for _, r := range p.Rules {
		if only[r.Name] {
			rules = append(rules, r.Raw)
		}
	}
	return webhookconfig.RuleKinds(rules)
}

// splitKind splits a policy kind ("Secret", "v1/Secret", "apps/v1/Deployment").
func splitKind(s string) (apiVersion, kind string) {
	i := strings.LastIndex(s, "/")
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}

// downstreamKinds returns the kinds (apiVersion, kind) a generate rule
// writes, as far as they are known without a trigger (kinds with variables
// are left out).
func downstreamKinds(g *kyvernov1.Generation) [][2]string {
	if g == nil {
		return nil
	}
	var out [][2]string
	seen := map[[2]string]bool{}
	add := func(apiVersion, kind string) {
		k := [2]string{apiVersion, kind}
		if kind == "" || seen[k] || variables.HasVariables(apiVersion+kind) {
			return
		}
		seen[k] = true
		out = append(out, k)
	}
	pattern := func(p *kyvernov1.GeneratePattern) {
		add(p.APIVersion, p.Kind)
		for _, k := range p.CloneList.Kinds {
			add(splitKind(k))
		}
	}
	pattern(&g.GeneratePattern)
	for i := range g.ForEachGeneration {
		pattern(&g.ForEachGeneration[i].GeneratePattern)
	}
	return out
}

// downstreamSelector selects the resources a policy's rule generated.
func downstreamSelector(p *engine.Policy, rule string) string {
	sel := fmt.Sprintf("%s=%s,%s=%s,%s=%s", LabelManagedBy, ManagedByKanon, engine.LabelPolicyName, p.Name, engine.LabelRuleName, rule)
	if p.Namespace != "" {
		return sel + "," + engine.LabelPolicyNamespace + "=" + p.Namespace
	}
	return sel + ",!" + engine.LabelPolicyNamespace
}

// cleanup deletes the downstreams of a removed synchronized rule.
func (c *Controller) cleanup(ctx context.Context, t *task) error {
	if _, err := labels.Parse(downstreamSelector(t.policy, t.rule)); err != nil {
		return permanent(fmt.Errorf("policy %s rule %s: %w", t.policy.Key(), t.rule, err))
	}
	var rule *engine.Rule
	for _, r := range t.policy.Rules {
		if r.Name == t.rule {
			rule = r
		}
	}
	if rule == nil {
		return nil
	}
	var errs []error
	for _, k := range downstreamKinds(rule.Raw.Generation) {
		gvr, _, ok := c.opts.Mapper.ResourceFor(k[0], k[1])
		if !ok {
			continue // nothing of a kind that is not served
		}
		if err := c.deleteSelected(ctx, gvr, downstreamSelector(t.policy, t.rule)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deleteSelected deletes the objects of a resource that a label selector
// selects, in every namespace.
func (c *Controller) deleteSelected(ctx context.Context, gvr schema.GroupVersionResource, selector string) error {
	lctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	list, err := c.opts.Client.Resource(gvr).List(lctx, metav1.ListOptions{LabelSelector: selector})
	cancel()
	if err != nil {
		return fmt.Errorf("listing %s generated by %s: %w", gvr.Resource, selector, err)
	}
	var errs []error
	for i := range list.Items {
		item := &list.Items[i]
		if err := c.deleteObject(ctx, gvr, item.GetNamespace(), item.GetName(), string(item.GetUID())); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deleteObject deletes one object, only if it still has the uid (when
// given); a missing object is not an error.
func (c *Controller) deleteObject(ctx context.Context, gvr schema.GroupVersionResource, namespace, name, uid string) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	opts := metav1.DeleteOptions{}
	if uid != "" {
		u := types.UID(uid)
		opts.Preconditions = &metav1.Preconditions{UID: &u}
	}
	var err error
	if namespace == "" {
		err = c.opts.Client.Resource(gvr).Delete(ctx, name, opts)
	} else {
		err = c.opts.Client.Resource(gvr).Namespace(namespace).Delete(ctx, name, opts)
	}
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("deleting %s %s: %w", gvr.Resource, joinName(namespace, name), err)
	}
	if err == nil {
		c.opts.Log.V(1).Info("deleted downstream", "resource", gvr.Resource, "namespace", namespace, "name", name)
	}
	return nil
}

func joinName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

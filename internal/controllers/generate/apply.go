package generate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/pkg/engine"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
)

type op int

const (
	opApply      op = iota // write one generated resource
	opMutate               // evaluate a policy's mutate-existing rules for a trigger and update the targets
	opExisting             // generateExisting / mutateExistingOnPolicyUpdate for one policy
	opCleanup              // delete the downstreams of a deleted synchronized rule
	opDownstream           // a watched downstream changed, was deleted, or lost its trigger
)

func (o op) String() string {
	return [...]string{"apply", "mutate", "existing", "cleanup", "downstream"}[o]
}

// task is one unit of background work. Tasks are queued by pointer; a
// retried task keeps its state (done targets).
type task struct {
	op      op
	policy  *engine.Policy
	rule    string
	trigger engine.ResourceRef

	generated engine.GeneratedResource // opApply
	request   *engine.Request          // opMutate
	// only restricts opMutate and opExisting to these rules; nil means
	// every rule of the kind.
	only map[string]bool
	// done are the targets opMutate already updated (by uid), so a retry
	// after a conflict on one target does not patch the others twice.
	done map[string]bool

	entry    *policycache.Entry // opExisting
	generate bool               // opExisting: generateExisting (else mutateExistingOnPolicyUpdate)

	downstream downstreamEvent // opDownstream
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p) || apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsMethodNotSupported(err)
}

// resource returns the client of an object's resource and the object's
// apiVersion and namespace as the API server wants them.
func (c *Controller) resource(apiVersion, kind, namespace string) (dynamic.ResourceInterface, schema.GroupVersionResource, string, error) {
	gvr, namespaced, ok := c.opts.Mapper.ResourceFor(apiVersion, kind)
	if !ok {
		// Retried: the CRD may be installed later.
		return nil, gvr, "", fmt.Errorf("the API server does not serve kind %s", joinKind(apiVersion, kind))
	}
	if !namespaced {
		return c.opts.Client.Resource(gvr), gvr, "", nil
	}
	if namespace == "" {
		return nil, gvr, "", permanent(fmt.Errorf("%s is namespaced but no namespace is set", joinKind(apiVersion, kind)))
	}
	return c.opts.Client.Resource(gvr).Namespace(namespace), gvr, namespace, nil
}

// apply writes one generated resource: with synchronize, server-side apply
// (forced, so the rule's data wins over other managers); without, create
// it only when it does not exist.
func (c *Controller) apply(ctx context.Context, t *task) error {
	obj := downstreamObject(t.generated.Object)
	u := &unstructured.Unstructured{Object: obj}
	client, gvr, ns, err := c.resource(u.GetAPIVersion(), u.GetKind(), u.GetNamespace())
	if err != nil {
		return err
	}
	u.SetAPIVersion(gvr.GroupVersion().String())
	u.SetNamespace(ns)
	if u.GetName() == "" {
		return permanent(fmt.Errorf("generated %s has no name", u.GetKind()))
	}
	ref := refOf(obj)
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	if !t.generated.Synchronize {
		_, err := client.Create(ctx, u, metav1.CreateOptions{FieldManager: FieldManagerGenerate})
		if apierrors.IsAlreadyExists(err) {
			return nil // never overwritten without synchronize
		}
		if err != nil {
			return fmt.Errorf("creating %s: %w", describe(ref), err)
		}
		c.generated(t, ref, "created")
		return nil
	}
	before, err := client.Get(ctx, u.GetName(), metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("reading %s: %w", describe(ref), err)
	}
	after, err := client.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: FieldManagerGenerate, Force: true})
	if err != nil {
		return fmt.Errorf("applying %s: %w", describe(ref), err)
	}
	switch {
	case before == nil:
		c.generated(t, ref, "created")
	case after.GetResourceVersion() != before.GetResourceVersion():
		c.generated(t, ref, "updated")
	}
	return nil
}

func (c *Controller) generated(t *task, ref engine.ResourceRef, verb string) {
	c.opts.Log.V(1).Info("generated resource "+verb, "policy", t.policy.Key(), "rule", t.rule, "resource", describe(ref), "trigger", describe(t.trigger))
	c.record(t.policy, ref, "Normal", "PolicyApplied", "Resource Generated",
		fmt.Sprintf("%s %s by rule %s for %s", verb, describe(ref), t.rule, describe(t.trigger)))
}

// downstreamObject is a generated object as Kanon stores it: labelled
// managed-by kanon, without the fields the API server owns. The engine's
// object is not modified.
func downstreamObject(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		if k != "status" {
			out[k] = v
		}
	}
	meta, _ := in["metadata"].(map[string]any)
	nm := make(map[string]any, len(meta)+1)
	for k, v := range meta {
		switch k {
		case "resourceVersion", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "managedFields", "selfLink":
		default:
			nm[k] = v
		}
	}
	labels := map[string]any{}
	if l, ok := nm["labels"].(map[string]any); ok {
		for k, v := range l {
			labels[k] = v
		}
	}
	labels[LabelManagedBy] = ManagedByKanon
	nm["labels"] = labels
	out["metadata"] = nm
	return out
}

// mutateExisting evaluates a policy's mutate-existing rules for one
// trigger, with the cluster's objects as targets, and updates every patched
// target with optimistic concurrency. A conflict re-evaluates (the target
// changed under the patch); targets already updated are not patched again.
func (c *Controller) mutateExisting(ctx context.Context, t *task) error {
	existing := map[string]bool{}
	for _, r := range t.policy.Rules {
		if r.MutateExisting() && (t.only == nil || t.only[r.Name]) {
			existing[r.Name] = true
		}
	}
	if t.done == nil {
		t.done = map[string]bool{}
	}
	req := t.request
	req.Targets, req.Sources = c.opts.Lister, c.opts.Lister
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		pr := t.policy.Evaluate(req)
		var errs []error
		for _, r := range pr.Rules {
			if !existing[r.Name] {
				continue
			}
			if r.Status == engine.StatusError {
				errs = append(errs, fmt.Errorf("rule %s: %s", r.Name, r.Message))
				continue
			}
			if r.Status != engine.StatusPass || r.PatchedTarget == nil {
				continue
			}
			ref := refOf(r.PatchedTarget)
			if t.done[ref.UID] {
				continue
			}
			if err := c.updateTarget(ctx, r.PatchedTarget); err != nil {
				if apierrors.IsConflict(err) {
					return err
				}
				errs = append(errs, err)
				continue
			}
			t.done[ref.UID] = true
			c.opts.Log.V(1).Info("mutated existing resource", "policy", t.policy.Key(), "rule", r.Name, "resource", describe(ref), "trigger", describe(t.trigger))
			c.record(t.policy, ref, "Normal", "PolicyApplied", "Resource Mutated",
				fmt.Sprintf("mutated %s by rule %s for %s", describe(ref), r.Name, describe(t.trigger)))
		}
		return errors.Join(errs...)
	})
}

func (c *Controller) updateTarget(ctx context.Context, obj map[string]any) error {
	u := &unstructured.Unstructured{Object: obj}
	client, _, _, err := c.resource(u.GetAPIVersion(), u.GetKind(), u.GetNamespace())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	if _, err := client.Update(ctx, u, metav1.UpdateOptions{FieldManager: FieldManagerMutate}); err != nil {
		return fmt.Errorf("updating %s: %w", describe(refOf(obj)), err)
	}
	return nil
}

// refOf returns the identity of an object.
func refOf(obj map[string]any) engine.ResourceRef {
	u := unstructured.Unstructured{Object: obj}
	if obj == nil {
		return engine.ResourceRef{}
	}
	return engine.ResourceRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), UID: string(u.GetUID())}
}

// describe is "Kind namespace/name" (or "Kind name").
func describe(r engine.ResourceRef) string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

func joinKind(apiVersion, kind string) string {
	return strings.TrimPrefix(apiVersion+"/"+kind, "/")
}

package policycache

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
)

// StatusWriter sets each policy's status once it is served: a Ready
// condition (True, reason Succeeded, once compiled and in the webhook
// configuration; False, reason Failed, with the error otherwise), the
// legacy `ready` flag and the rule counts, as Kyverno reports them. Only
// the leader writes.
type StatusWriter struct {
	Client dynamic.Interface
	Log    logr.Logger
	// Now is time.Now unless a test sets it.
	Now func() time.Time

	written map[string]string // key -> fingerprint of what was written
}

// Write brings the status of every policy in the snapshot up to date.
func (w *StatusWriter) Write(ctx context.Context, snap *Snapshot) {
	if w.written == nil {
		w.written = map[string]string{}
	}
	live := map[string]bool{}
	for _, e := range snap.Entries {
		live[e.Key] = true
		ready, reason, msg := true, "Succeeded", "Ready"
		if e.Err != nil {
			ready, reason, msg = false, "Failed", e.Err.Error()
		}
		fp := fmt.Sprintf("%s/%d/%t/%s", e.UID, e.Generation, ready, msg)
		if w.written[e.Key] == fp {
			continue
		}
		if err := w.write(ctx, e, ready, reason, msg); err != nil {
			if ctx.Err() == nil {
				w.Log.Error(err, "writing policy status", "policy", e.Key)
			}
			continue
		}
		w.written[e.Key] = fp
	}
	for k := range w.written {
		if !live[k] {
			delete(w.written, k)
		}
	}
}

func (w *StatusWriter) write(ctx context.Context, e *Entry, ready bool, reason, msg string) error {
	res := w.Client.Resource(ClusterPolicies)
	var api dynamic.ResourceInterface = res
	if e.Kind == "Policy" {
		api = w.Client.Resource(Policies).Namespace(e.Namespace)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := api.Get(ctx, e.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		status := metav1.ConditionTrue
		if !ready {
			status = metav1.ConditionFalse
		}
		cond := map[string]any{
			"type": "Ready", "status": string(status), "reason": reason, "message": msg,
			"observedGeneration": obj.GetGeneration(),
			"lastTransitionTime": now().UTC().Format(time.RFC3339),
		}
		if old, ok := readyCondition(obj); ok && old["status"] == cond["status"] {
			cond["lastTransitionTime"] = old["lastTransitionTime"]
		}
		_ = unstructured.SetNestedSlice(obj.Object, []any{cond}, "status", "conditions")
		_ = unstructured.SetNestedField(obj.Object, ready, "status", "ready")
		if e.Policy != nil {
			counts := map[string]any{"validate": int64(0), "mutate": int64(0), "generate": int64(0), "verifyimages": int64(0)}
			if e.Spec != nil {
				for i := range e.Spec.Rules {
					r := &e.Spec.Rules[i]
					switch {
					case r.Validation != nil:
						counts["validate"] = counts["validate"].(int64) + 1
					case r.Mutation != nil:
						counts["mutate"] = counts["mutate"].(int64) + 1
					case r.Generation != nil:
						counts["generate"] = counts["generate"].(int64) + 1
					case len(r.VerifyImages) > 0:
						counts["verifyimages"] = counts["verifyimages"].(int64) + 1
					}
				}
			}
			_ = unstructured.SetNestedMap(obj.Object, counts, "status", "rulecount")
		}
		_, err = api.UpdateStatus(ctx, obj, metav1.UpdateOptions{FieldManager: "kanon"})
		return err
	})
}

func readyCondition(obj *unstructured.Unstructured) (map[string]any, bool) {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == "Ready" {
			return m, true
		}
	}
	return nil, false
}

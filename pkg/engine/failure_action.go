package engine

import (
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// enforces returns the failure action of a validate rule for a resource:
// the rule's failureAction, else a matching rule or policy override for the
// resource's namespace, else the policy's validationFailureAction (Audit by
// default). Names are case-insensitive ("enforce" is the legacy spelling).
func (p *Policy) enforces(r *Rule, req *match.Request) bool {
	v := r.Raw.Validation
	if v != nil && v.FailureAction != nil {
		return isEnforce(*v.FailureAction)
	}
	if v != nil {
		if a, ok := override(v.FailureActionOverrides, req); ok {
			return isEnforce(a)
		}
	}
	if p.Kind != "Policy" {
		if a, ok := override(p.Spec.ValidationFailureActionOverrides, req); ok {
			return isEnforce(a)
		}
	}
	return isEnforce(p.Spec.ValidationFailureAction)
}

func isEnforce(action string) bool { return strings.EqualFold(action, "enforce") }

func override(overrides []kyvernov1.ValidationFailureActionOverride, req *match.Request) (string, bool) {
	ns := req.Resource.Namespace
	for _, o := range overrides {
		matched := false
		for _, n := range o.Namespaces {
			if wildcard.Match(n, ns) {
				matched = true
				break
			}
		}
		if !matched && o.NamespaceSelector != nil && req.Namespaces != nil {
			sel, err := metav1.LabelSelectorAsSelector(o.NamespaceSelector)
			if err == nil && sel.Matches(labels.Set(req.Namespaces.NamespaceLabels(ns))) {
				matched = true
			}
		}
		if matched {
			return o.Action, true
		}
	}
	return "", false
}

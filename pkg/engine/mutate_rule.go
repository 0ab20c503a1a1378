package engine

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/conditions"
	"github.com/kanon-policy/kanon/pkg/engine/mutate"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// mutateRule is a compiled mutate rule: one level of patches (the rule
// itself) with its context, preconditions and foreach entries, and for a
// mutate-existing rule the targets the patches apply to.
type mutateRule struct {
	spec *patchSpec
	// targets select the existing objects to patch; empty for a rule that
	// patches the resource under review.
	targets []*mutateTarget
	// patches is spec without the rule's context and preconditions, applied
	// to each target.
	patches *patchSpec
}

// mutateTarget is one entry of mutate.targets.
type mutateTarget struct {
	spec          kyvernov1.ResourceSpec
	selector      *compiledSelector
	context       []contextEntry
	preconditions *conditions.Conditions
}

// patchSpec is one level of a mutate rule: the rule, or a foreach entry.
type patchSpec struct {
	context       []contextEntry
	preconditions *conditions.Conditions
	// strategic is the decoded patchStrategicMerge body (variables are
	// substituted per request).
	strategic any
	json6902  string
	// json6902Ops is json6902 decoded at compile time when it has no
	// variables.
	json6902Ops jsonpatch.Patch
	foreach     []*patchForeach
}

type patchForeach struct {
	list       string
	descending bool
	spec       *patchSpec
}

func compileMutate(path string, rule *kyvernov1.Rule) (*mutateRule, error) {
	m := rule.Mutation
	mr := &mutateRule{}
	spec, err := compilePatch(path+".mutate", rule.Context, rule.RawAnyAllConditions, m.RawPatchStrategicMerge, m.PatchesJSON6902, m.ForEachMutation)
	if err != nil {
		return nil, err
	}
	mr.spec = spec
	for i := range m.Targets {
		t := &m.Targets[i]
		tp := fmt.Sprintf("%s.mutate.targets[%d]", path, i)
		if t.Kind == "" {
			return nil, fmt.Errorf("%s.kind: required", tp)
		}
		mt := &mutateTarget{spec: t.ResourceSpec}
		if mt.selector, err = compileSelector(tp+".selector", t.Selector); err != nil {
			return nil, err
		}
		if mt.context, err = compileContext(tp, t.Context); err != nil {
			return nil, err
		}
		if mt.preconditions, err = compileConditions(tp+".preconditions", t.RawAnyAllConditions); err != nil {
			return nil, err
		}
		mr.targets = append(mr.targets, mt)
	}
	if len(mr.targets) > 0 {
		patches := *spec
		patches.context, patches.preconditions = nil, nil
		mr.patches = &patches
	}
	return mr, nil
}

func compilePatch(path string, ctxEntries []kyvernov1.ContextEntry, pre, strategic *apiextv1.JSON, json6902 string, foreach []kyvernov1.ForEachMutation) (*patchSpec, error) {
	s := &patchSpec{json6902: json6902}
	var err error
	if s.context, err = compileContext(path, ctxEntries); err != nil {
		return nil, err
	}
	if s.preconditions, err = compileConditions(path+".preconditions", pre); err != nil {
		return nil, err
	}
	if s.strategic, err = decodeJSON(path+".patchStrategicMerge", strategic); err != nil {
		return nil, err
	}
	if strings.TrimSpace(json6902) != "" && !variables.HasVariables(json6902) {
		// Paths may not hold variables; values may, and such a patch is
		// parsed per request.
		if s.json6902Ops, err = mutate.DecodeJSON6902(json6902); err != nil {
			return nil, fmt.Errorf("%s.patchesJson6902: %w", path, err)
		}
	}
	for i := range foreach {
		f := &foreach[i]
		fp := fmt.Sprintf("%s.foreach[%d]", path, i)
		var nested []kyvernov1.ForEachMutation
		if f.ForEachMutation != nil {
			if err := json.Unmarshal(f.ForEachMutation.Raw, &nested); err != nil {
				return nil, fmt.Errorf("%s.foreach: %w", fp, err)
			}
		}
		inner, err := compilePatch(fp, f.Context, f.AnyAllConditions, f.RawPatchStrategicMerge, f.PatchesJSON6902, nested)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(f.List) == "" {
			return nil, fmt.Errorf("%s.list: required", fp)
		}
		// Kustomize moves every patched list element to the front, so
		// Kyverno walks a strategic-merge foreach in descending order
		// unless an order is given; the original order then survives.
		descending := inner.strategic != nil
		if f.Order != nil {
			descending = *f.Order == "Descending"
		}
		pf := &patchForeach{list: f.List, spec: inner, descending: descending}
		s.foreach = append(s.foreach, pf)
	}
	if s.strategic == nil && s.json6902 == "" && len(s.foreach) == 0 {
		return nil, fmt.Errorf("%s: one of patchStrategicMerge, patchesJson6902 or foreach is required", path)
	}
	return s, nil
}

// mutation evaluates a mutate rule against the current object.
type mutation struct {
	rule    string
	req     *Request
	opts    variables.Options
	foreach map[string][]any
}

// apply runs the rule on obj and returns the status, message and the
// patched object (obj itself when nothing changed).
func (m *mutateRule) apply(rule string, req *Request, obj map[string]any, values map[string]any, foreachValues map[string][]any) (Status, string, map[string]any) {
	c := req.context().child()
	for k, v := range values {
		c.setPath(k, v)
	}
	mu := &mutation{rule: rule, req: req, foreach: foreachValues, opts: variables.Options{DeleteRequest: req.operation() == "DELETE"}}
	status, msg, patched := mu.run(m.spec, c, obj)
	if status == StatusPass && reflect.DeepEqual(patched, obj) {
		return StatusSkip, "no patches applied", obj
	}
	return status, msg, patched
}

// applyExisting runs a mutate-existing rule: the rule's context and
// preconditions on the trigger, then for every target found through
// req.Targets (exposed as the variable "target") the target's context and
// preconditions and the patches. It answers one response per target, with
// the patched target; a single skip when there is no target.
func (m *mutateRule) applyExisting(rule string, req *Request, values map[string]any, foreachValues map[string][]any) []RuleResponse {
	c := req.context().child()
	for k, v := range values {
		c.setPath(k, v)
	}
	mu := &mutation{rule: rule, req: req, foreach: foreachValues, opts: variables.Options{DeleteRequest: req.operation() == "DELETE"}}
	if status, msg, ok := enterScope(m.spec.context, m.spec.preconditions, c, req.Data, mu.opts); !ok {
		return []RuleResponse{{Status: status, Message: msg}}
	}
	var out []RuleResponse
	for i, t := range m.targets {
		targets, err := t.find(c, req.Targets, mu.opts)
		if err != nil {
			out = append(out, RuleResponse{Status: StatusError, Message: fmt.Sprintf("failed to get targets[%d]: %v", i, err)})
			continue
		}
		for _, target := range targets {
			tc := c.child()
			tc.setPath("target", target)
			rr := RuleResponse{PatchedTarget: target}
			var ok bool
			if rr.Status, rr.Message, ok = enterScope(t.context, t.preconditions, tc, req.Data, mu.opts); ok {
				var patched map[string]any
				rr.Status, rr.Message, patched = mu.run(m.patches, tc, target)
				switch {
				case rr.Status == StatusPass && reflect.DeepEqual(patched, target):
					rr.Status, rr.Message = StatusSkip, "no patches applied"
				case rr.Status == StatusPass:
					meta := refOf(target)
					rr.Message, rr.PatchedTarget = fmt.Sprintf("mutated %s %s", meta.Kind, joinNonEmpty("/", meta.Namespace, meta.Name)), patched
				}
			}
			out = append(out, rr)
		}
	}
	if len(out) == 0 {
		return []RuleResponse{{Status: StatusSkip, Message: "no target resources found"}}
	}
	return out
}

// find looks the target up, with the variables of its identity and
// selector substituted.
func (t *mutateTarget) find(c *evalContext, l ResourceLister, opts variables.Options) ([]map[string]any, error) {
	spec, err := substituteSpec(t.spec, c, opts)
	if err != nil {
		return nil, err
	}
	sel, err := t.selector.selector(c, opts)
	if err != nil {
		return nil, err
	}
	q := ResourceQuery{APIVersion: spec.APIVersion, Kind: spec.Kind, Namespace: spec.Namespace, Name: spec.Name, Selector: sel}
	return listObjects(l, q, spec.UID)
}

func (mu *mutation) run(s *patchSpec, c *evalContext, obj map[string]any) (Status, string, map[string]any) {
	if status, msg, ok := enterScope(s.context, s.preconditions, c, mu.req.Data, mu.opts); !ok {
		return status, msg, obj
	}
	patched := obj
	if s.strategic != nil {
		// The patch sees the object as patched so far (foreach elements
		// accumulate), and {{@}} is relative to it.
		patch, err := variables.SubstituteAll(s.strategic, c, mu.opts)
		if err != nil {
			return StatusError, "variable substitution failed: " + err.Error(), obj
		}
		out, err := mutate.StrategicMerge(patched, patch)
		if mutate.IsSkip(err) {
			return StatusSkip, err.Error(), obj
		}
		if err != nil {
			return StatusError, "failed to patch resource: " + err.Error(), obj
		}
		patched = out
	}
	if s.json6902 != "" {
		var out map[string]any
		var err error
		if s.json6902Ops != nil {
			out, err = mutate.ApplyPatch(patched, s.json6902Ops)
		} else {
			v, serr := variables.SubstituteAll(s.json6902, c, mu.opts)
			if serr != nil {
				return StatusError, "variable substitution failed: " + serr.Error(), obj
			}
			text, _ := v.(string)
			out, err = mutate.ApplyJSON6902(patched, text)
		}
		if err != nil {
			return StatusError, "failed to patch resource: " + err.Error(), obj
		}
		patched = out
	}
	for _, f := range s.foreach {
		status, msg, out := mu.foreachElements(f, c, patched)
		if status == StatusError || status == StatusFail {
			return status, msg, obj
		}
		patched = out
	}
	return StatusPass, "mutated resource", patched
}

func (mu *mutation) foreachElements(f *patchForeach, parent *evalContext, obj map[string]any) (Status, string, map[string]any) {
	list := f.list
	if variables.HasVariables(list) {
		s, err := substString(list, parent)
		if err != nil {
			return StatusError, err.Error(), obj
		}
		list = s
	}
	elements, err := parent.queryList(list)
	if err != nil {
		// Kyverno skips a foreach whose list cannot be evaluated.
		return StatusPass, "", obj
	}
	order := make([]int, len(elements))
	for i := range order {
		order[i] = i
	}
	if f.descending {
		sort.Sort(sort.Reverse(sort.IntSlice(order)))
	}
	patched := obj
	for _, i := range order {
		el := elements[i]
		if el == nil {
			continue
		}
		c := parent.child()
		c.setElement(el, i, false)
		c.nesting = parent.nesting + 1
		for k, vals := range mu.foreach {
			if i < len(vals) {
				c.setPath(k, vals[i])
			}
		}
		status, msg, out := mu.run(f.spec, c, patched)
		switch status {
		case StatusError, StatusFail:
			return status, msg, obj
		case StatusPass:
			patched = out
		}
	}
	return StatusPass, "", patched
}

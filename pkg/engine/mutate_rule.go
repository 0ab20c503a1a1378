package engine

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/conditions"
	"github.com/kanon-policy/kanon/pkg/engine/mutate"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// mutateRule is a compiled mutate rule: one level of patches (the rule
// itself) with its context, preconditions and foreach entries.
type mutateRule struct {
	spec        *patchSpec
	unsupported string
}

// patchSpec is one level of a mutate rule: the rule, or a foreach entry.
type patchSpec struct {
	context       []contextEntry
	preconditions *conditions.Conditions
	// strategic is the decoded patchStrategicMerge body (variables are
	// substituted per request).
	strategic any
	json6902  string
	foreach   []*patchForeach
}

type patchForeach struct {
	list       string
	descending bool
	spec       *patchSpec
}

func compileMutate(path string, rule *kyvernov1.Rule) (*mutateRule, error) {
	m := rule.Mutation
	mr := &mutateRule{}
	if len(m.Targets) > 0 {
		mr.unsupported = "mutate existing (targets)"
		return mr, nil
	}
	spec, err := compilePatch(path+".mutate", rule.Context, rule.RawAnyAllConditions, m.RawPatchStrategicMerge, m.PatchesJSON6902, m.ForEachMutation)
	if err != nil {
		return nil, err
	}
	mr.spec = spec
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
	if json6902 != "" {
		if strings.Contains(json6902, "{{") {
			// Paths may not hold variables; values may, so parse per request.
		} else if _, err := mutate.DecodeJSON6902(json6902); err != nil {
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

func (mu *mutation) run(s *patchSpec, c *evalContext, obj map[string]any) (Status, string, map[string]any) {
	if err := loadContext(s.context, c, mu.req.Data); err != nil {
		return StatusError, "failed to load context: " + err.Error(), obj
	}
	if s.preconditions != nil {
		ok, msg, err := s.preconditions.Evaluate(substFunc(c, mu.opts))
		if err != nil {
			return StatusError, "failed to evaluate preconditions: " + err.Error(), obj
		}
		if !ok {
			return StatusSkip, joinNonEmpty("; ", "preconditions not met", msg), obj
		}
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
		text := s.json6902
		if variables.HasVariables(text) {
			v, err := variables.SubstituteAll(text, c, mu.opts)
			if err != nil {
				return StatusError, "variable substitution failed: " + err.Error(), obj
			}
			text, _ = v.(string)
		}
		out, err := mutate.ApplyJSON6902(patched, text)
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
	v, err := parent.Query(list)
	if err != nil {
		// Kyverno skips a foreach whose list cannot be evaluated.
		return StatusPass, "", obj
	}
	elements, ok := v.([]any)
	if !ok {
		elements = []any{v}
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

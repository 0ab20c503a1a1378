package engine

import (
	"errors"
	"fmt"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/conditions"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
)

// SourceResources gives generate rules the objects they clone. The CLI
// answers from the resources given to a test (and cloneSourceResource
// files), the admission controller from the cluster.
type SourceResources interface {
	// Resource returns the object of a kind ("v1/Secret" or "Secret") in a
	// namespace with a name, or ErrNoData.
	Resource(apiVersion, kind, namespace, name string) (map[string]any, error)
}

// generateRule is a compiled generate rule (data or clone; cloneList and
// foreach are reported as not evaluated yet).
type generateRule struct {
	context       []contextEntry
	preconditions *conditions.Conditions
	target        kyvernov1.ResourceSpec
	data          any
	clone         kyvernov1.CloneFrom
	synchronize   bool
	unsupported   string
}

func compileGenerate(path string, rule *kyvernov1.Rule) (*generateRule, error) {
	g := rule.Generation
	gr := &generateRule{target: g.ResourceSpec, clone: g.Clone, synchronize: g.Synchronize}
	switch {
	case len(g.ForEachGeneration) > 0:
		gr.unsupported = "generate foreach"
		return gr, nil
	case len(g.CloneList.Kinds) > 0:
		gr.unsupported = "generate cloneList"
		return gr, nil
	}
	var err error
	if gr.context, err = compileContext(path, rule.Context); err != nil {
		return nil, err
	}
	if gr.preconditions, err = compileConditions(path+".preconditions", rule.RawAnyAllConditions); err != nil {
		return nil, err
	}
	if gr.data, err = decodeJSON(path+".generate.data", g.RawData); err != nil {
		return nil, err
	}
	if gr.data == nil && g.Clone.Name == "" {
		return nil, fmt.Errorf("%s.generate: one of data, clone or cloneList is required", path)
	}
	if g.Kind == "" {
		return nil, fmt.Errorf("%s.generate.kind: required", path)
	}
	return gr, nil
}

// apply produces the downstream resource of the rule for the trigger.
func (g *generateRule) apply(req *Request, values map[string]any) (Status, string, map[string]any) {
	c := req.context().child()
	for k, v := range values {
		c.setPath(k, v)
	}
	opts := variables.Options{DeleteRequest: req.operation() == "DELETE"}
	if err := loadContext(g.context, c, req.Data); err != nil {
		return StatusError, "failed to load context: " + err.Error(), nil
	}
	if g.preconditions != nil {
		ok, msg, err := g.preconditions.Evaluate(substFunc(c, opts))
		if err != nil {
			return StatusError, "failed to evaluate preconditions: " + err.Error(), nil
		}
		if !ok {
			return StatusSkip, joinNonEmpty("; ", "preconditions not met", msg), nil
		}
	}
	target := map[string]any{"apiVersion": g.target.APIVersion, "kind": g.target.Kind, "name": g.target.Name, "namespace": g.target.Namespace}
	subst, err := variables.SubstituteAll(target, c, opts)
	if err != nil {
		return StatusError, "variable substitution failed: " + err.Error(), nil
	}
	t := subst.(map[string]any)
	str := func(k string) string { s, _ := t[k].(string); return s }
	var obj map[string]any
	if g.data != nil {
		d, err := variables.SubstituteAll(g.data, c, opts)
		if err != nil {
			return StatusError, "variable substitution failed: " + err.Error(), nil
		}
		m, ok := d.(map[string]any)
		if !ok {
			return StatusError, fmt.Sprintf("generate data must be an object, got %T", d), nil
		}
		obj = m
	} else {
		src := map[string]any{"namespace": g.clone.Namespace, "name": g.clone.Name}
		s, err := variables.SubstituteAll(src, c, opts)
		if err != nil {
			return StatusError, "variable substitution failed: " + err.Error(), nil
		}
		sm := s.(map[string]any)
		ns, _ := sm["namespace"].(string)
		name, _ := sm["name"].(string)
		var source map[string]any
		if sr, ok := req.Data.(SourceResources); ok {
			source, err = sr.Resource(str("apiVersion"), str("kind"), ns, name)
		} else {
			err = ErrNoData
		}
		if errors.Is(err, ErrNoData) {
			return StatusError, fmt.Sprintf("failed to get the clone source %s %s/%s: not found", str("kind"), ns, name), nil
		}
		if err != nil {
			return StatusError, "failed to get the clone source: " + err.Error(), nil
		}
		obj = cloneForTarget(source)
	}
	out := make(map[string]any, len(obj)+3)
	for k, v := range obj {
		out[k] = v
	}
	out["apiVersion"], out["kind"] = str("apiVersion"), str("kind")
	meta, _ := out["metadata"].(map[string]any)
	nm := make(map[string]any, len(meta)+2)
	for k, v := range meta {
		nm[k] = v
	}
	nm["name"] = str("name")
	if ns := str("namespace"); ns != "" {
		nm["namespace"] = ns
	}
	out["metadata"] = nm
	return StatusPass, "resource generated", out
}

// cloneForTarget copies a source object without the fields the API server
// owns.
func cloneForTarget(src map[string]any) map[string]any {
	out := make(map[string]any, len(src))
	for k, v := range src {
		if k == "status" {
			continue
		}
		out[k] = v
	}
	if meta, ok := src["metadata"].(map[string]any); ok {
		nm := map[string]any{}
		for _, k := range []string{"labels", "annotations"} {
			if v, ok := meta[k]; ok {
				nm[k] = v
			}
		}
		out["metadata"] = nm
	}
	return out
}

package engine

import (
	"fmt"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/conditions"
	"github.com/kanon-policy/kanon/pkg/engine/validate"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
)

// Labels Kyverno puts on generated resources, recording where they came
// from (see GeneratedResource). The policy namespace is set for namespaced
// Policies only.
const (
	LabelPolicyName      = "generate.kyverno.io/policy-name"
	LabelPolicyNamespace = "generate.kyverno.io/policy-namespace"
	LabelRuleName        = "generate.kyverno.io/rule-name"
	labelTriggerPrefix   = "generate.kyverno.io/trigger-"
	labelSourcePrefix    = "generate.kyverno.io/source-"
)

// generateRule is a compiled generate rule: one downstream pattern (data,
// clone or cloneList), or foreach entries each with their own pattern.
type generateRule struct {
	context       []contextEntry
	preconditions *conditions.Conditions
	pattern       *generatePattern
	foreach       []*generateForeach
	synchronize   bool
	orphan        bool
}

// generatePattern is what one generate level produces: the downstream
// identity with data, or a clone of one source, or clones of every source a
// cloneList selects.
type generatePattern struct {
	target    kyvernov1.ResourceSpec
	data      any
	clone     kyvernov1.CloneFrom
	cloneList []string // kinds, as written ("Secret", "v1/Secret")
	cloneNS   string
	selector  *compiledSelector
}

type generateForeach struct {
	list          string
	context       []contextEntry
	preconditions *conditions.Conditions
	pattern       *generatePattern
}

func compileGenerate(path string, rule *kyvernov1.Rule) (*generateRule, error) {
	g := rule.Generation
	path += ".generate"
	gr := &generateRule{synchronize: g.Synchronize, orphan: g.OrphanDownstreamOnPolicyDelete}
	var err error
	if gr.context, err = compileContext(path, rule.Context); err != nil {
		return nil, err
	}
	if gr.preconditions, err = compileConditions(path+".preconditions", rule.RawAnyAllConditions); err != nil {
		return nil, err
	}
	for i := range g.ForEachGeneration {
		f := &g.ForEachGeneration[i]
		fp := fmt.Sprintf("%s.foreach[%d]", path, i)
		if strings.TrimSpace(f.List) == "" {
			return nil, fmt.Errorf("%s.list: required", fp)
		}
		gf := &generateForeach{list: f.List}
		if gf.context, err = compileContext(fp, f.Context); err != nil {
			return nil, err
		}
		if gf.preconditions, err = compileConditions(fp+".preconditions", f.AnyAllConditions); err != nil {
			return nil, err
		}
		if gf.pattern, err = compileGeneratePattern(fp, &f.GeneratePattern); err != nil {
			return nil, err
		}
		gr.foreach = append(gr.foreach, gf)
	}
	if len(gr.foreach) == 0 {
		if gr.pattern, err = compileGeneratePattern(path, &g.GeneratePattern); err != nil {
			return nil, err
		}
	}
	return gr, nil
}

func compileGeneratePattern(path string, g *kyvernov1.GeneratePattern) (*generatePattern, error) {
	gp := &generatePattern{target: g.ResourceSpec, clone: g.Clone, cloneList: g.CloneList.Kinds, cloneNS: g.CloneList.Namespace}
	var err error
	if gp.data, err = decodeJSON(path+".data", g.RawData); err != nil {
		return nil, err
	}
	sources := 0
	for _, set := range []bool{gp.data != nil, g.Clone.Name != "", len(gp.cloneList) > 0} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return nil, fmt.Errorf("%s: exactly one of data, clone or cloneList is required", path)
	}
	if gp.data != nil {
		if _, ok := gp.data.(map[string]any); !ok {
			return nil, fmt.Errorf("%s.data: must be an object", path)
		}
		if key := anchorKey(gp.data); key != "" {
			return nil, fmt.Errorf("%s.data: anchors are not supported in generated resources (%q)", path, key)
		}
	}
	if len(gp.cloneList) > 0 {
		if gp.selector, err = compileSelector(path+".cloneList.selector", g.CloneList.Selector); err != nil {
			return nil, err
		}
		return gp, nil
	}
	if g.Kind == "" {
		return nil, fmt.Errorf("%s.kind: required", path)
	}
	if g.Name == "" {
		return nil, fmt.Errorf("%s.name: required", path)
	}
	return gp, nil
}

// anchorKey returns a map key that is written as an anchor, or "".
func anchorKey(v any) string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if kind, _ := validate.ParseAnchor(k); kind != validate.AnchorNone {
				return k
			}
			if k := anchorKey(e); k != "" {
				return k
			}
		}
	case []any:
		for _, e := range t {
			if k := anchorKey(e); k != "" {
				return k
			}
		}
	}
	return ""
}

// generation evaluates a generate rule for one trigger.
type generation struct {
	policy *Policy
	rule   string
	req    *Request
	opts   variables.Options
}

// apply produces the downstream resources of the rule for the trigger.
func (g *generateRule) apply(p *Policy, rule string, req *Request, values map[string]any) (Status, string, []GeneratedResource) {
	c := req.context().child()
	for k, v := range values {
		c.setPath(k, v)
	}
	gen := &generation{policy: p, rule: rule, req: req, opts: variables.Options{DeleteRequest: req.operation() == "DELETE"}}
	if status, msg, ok := enterScope(g.context, g.preconditions, c, req.Data, gen.opts); !ok {
		return status, msg, nil
	}
	var out []GeneratedResource
	if g.pattern != nil {
		objs, err := gen.produce(g.pattern, c)
		if err != nil {
			return StatusError, err.Error(), nil
		}
		out = append(out, objs...)
	}
	for _, f := range g.foreach {
		objs, status, msg := gen.foreachElements(f, c)
		if status == StatusError {
			return status, msg, nil
		}
		out = append(out, objs...)
	}
	if len(out) == 0 {
		return StatusSkip, "no resources to generate", nil
	}
	for i := range out {
		out[i].Synchronize, out[i].OrphanDownstreamOnPolicyDelete = g.synchronize, g.orphan
	}
	return StatusPass, "resource generated", out
}

func (gen *generation) foreachElements(f *generateForeach, parent *evalContext) ([]GeneratedResource, Status, string) {
	list, err := substString(f.list, parent)
	if err != nil {
		return nil, StatusError, err.Error()
	}
	elements, err := parent.queryList(list)
	if err != nil {
		// As in mutate foreach, a list that cannot be evaluated is skipped.
		return nil, StatusSkip, ""
	}
	var out []GeneratedResource
	for i, el := range elements {
		if el == nil {
			continue
		}
		c := parent.child()
		c.setElement(el, i, false)
		c.nesting = parent.nesting + 1
		status, msg, ok := enterScope(f.context, f.preconditions, c, gen.req.Data, gen.opts)
		if status == StatusError {
			return nil, status, msg
		}
		if !ok {
			continue
		}
		objs, err := gen.produce(f.pattern, c)
		if err != nil {
			return nil, StatusError, err.Error()
		}
		out = append(out, objs...)
	}
	return out, StatusPass, ""
}

// produce builds the downstream objects of one pattern.
func (gen *generation) produce(gp *generatePattern, c *evalContext) ([]GeneratedResource, error) {
	target, err := substituteSpec(gp.target, c, gen.opts)
	if err != nil {
		return nil, err
	}
	switch {
	case gp.data != nil:
		d, err := variables.SubstituteAll(gp.data, c, gen.opts)
		if err != nil {
			return nil, fmt.Errorf("variable substitution failed: %w", err)
		}
		m, ok := d.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("generate data must be an object, got %T", d)
		}
		return []GeneratedResource{{Object: gen.downstream(m, target, nil)}}, nil
	case gp.clone.Name != "":
		from, err := substituteSpec(kyvernov1.ResourceSpec{Namespace: gp.clone.Namespace, Name: gp.clone.Name}, c, gen.opts)
		if err != nil {
			return nil, err
		}
		found, err := listObjects(gen.req.Sources, ResourceQuery{APIVersion: target.APIVersion, Kind: target.Kind, Namespace: from.Namespace, Name: from.Name}, "")
		if err != nil {
			return nil, fmt.Errorf("failed to get the clone source: %w", err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("failed to get the clone source %s %s/%s: not found", target.Kind, from.Namespace, from.Name)
		}
		src := refOf(found[0])
		return []GeneratedResource{{Object: gen.downstream(cloneForTarget(found[0]), target, &src), Source: &src}}, nil
	}
	ns, err := substituteSpec(kyvernov1.ResourceSpec{Namespace: gp.cloneNS}, c, gen.opts)
	if err != nil {
		return nil, err
	}
	sel, err := gp.selector.selector(c, gen.opts)
	if err != nil {
		return nil, err
	}
	var out []GeneratedResource
	for _, k := range gp.cloneList {
		apiVersion, kind := splitKind(k)
		found, err := listObjects(gen.req.Sources, ResourceQuery{APIVersion: apiVersion, Kind: kind, Namespace: ns.Namespace, Selector: sel}, "")
		if err != nil {
			return nil, fmt.Errorf("failed to list the cloneList sources of kind %s: %w", k, err)
		}
		for _, obj := range found {
			src := refOf(obj)
			t := kyvernov1.ResourceSpec{APIVersion: src.APIVersion, Kind: src.Kind, Namespace: target.Namespace, Name: src.Name}
			out = append(out, GeneratedResource{Object: gen.downstream(cloneForTarget(obj), t, &src), Source: &src})
		}
	}
	return out, nil
}

// downstream sets the identity of a generated object and its provenance
// labels. obj is not modified.
func (gen *generation) downstream(obj map[string]any, target kyvernov1.ResourceSpec, src *ResourceRef) map[string]any {
	out := make(map[string]any, len(obj)+3)
	for k, v := range obj {
		out[k] = v
	}
	out["apiVersion"], out["kind"] = target.APIVersion, target.Kind
	meta, _ := out["metadata"].(map[string]any)
	nm := make(map[string]any, len(meta)+3)
	for k, v := range meta {
		nm[k] = v
	}
	nm["name"] = target.Name
	if target.Namespace != "" {
		nm["namespace"] = target.Namespace
	}
	labels := map[string]any{}
	if l, ok := nm["labels"].(map[string]any); ok {
		for k, v := range l {
			labels[k] = v
		}
	}
	labels[LabelPolicyName] = gen.policy.Name
	if gen.policy.Namespace != "" {
		labels[LabelPolicyNamespace] = gen.policy.Namespace
	}
	labels[LabelRuleName] = gen.rule
	setRefLabels(labels, labelTriggerPrefix, refOf(gen.req.resource()))
	if src != nil {
		setRefLabels(labels, labelSourcePrefix, *src)
	}
	nm["labels"] = labels
	out["metadata"] = nm
	return out
}

// setRefLabels records an object's group, version, kind, namespace, name
// and uid under a label prefix; empty parts (the core group, a
// cluster-scoped namespace, an unknown uid) are left out.
func setRefLabels(labels map[string]any, prefix string, r ResourceRef) {
	group, version, ok := strings.Cut(r.APIVersion, "/")
	if !ok {
		group, version = "", r.APIVersion
	}
	for k, v := range map[string]string{"group": group, "version": version, "kind": r.Kind, "namespace": r.Namespace, "name": r.Name, "uid": r.UID} {
		if v != "" {
			labels[prefix+k] = v
		}
	}
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

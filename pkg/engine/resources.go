package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/conditions"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// ResourceLister finds existing objects for the rules that act on more than
// the resource under review: the targets of mutate-existing rules
// (Request.Targets) and the sources of generate clone and cloneList rules
// (Request.Sources).
//
// The CLI answers from files (a test's targetResources, resources and
// cloneSourceResource; apply's --target-resource and -r), the cluster
// controllers from informers or the API server. Implementations may use
// ResourceQuery.Matches to filter objects.
type ResourceLister interface {
	// List returns the objects that match the query, in a stable order.
	// Nothing found is an empty list, not an error; an error means the
	// lookup itself failed (the rule then answers with an error).
	List(q ResourceQuery) ([]map[string]any, error)
}

// ResourceQuery selects objects by kind, namespace, name and labels.
type ResourceQuery struct {
	// APIVersion is "v1" or "group/version"; "" matches any version.
	APIVersion string
	Kind       string
	// Namespace is "" for every namespace (and cluster-scoped objects).
	// An object without a namespace is in "default" for this purpose.
	Namespace string
	// Name may hold the wildcards * and ?; "" matches any name.
	Name string
	// Selector filters by labels; nil matches everything.
	Selector labels.Selector
}

// Matches reports whether obj satisfies the query.
func (q ResourceQuery) Matches(obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if kind != q.Kind || (q.APIVersion != "" && apiVersion != q.APIVersion) {
		return false
	}
	meta, _ := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	if q.Namespace != "" && ns != q.Namespace && !(ns == "" && q.Namespace == "default") {
		return false
	}
	name, _ := meta["name"].(string)
	if q.Name != "" && !wildcard.Match(q.Name, name) {
		return false
	}
	return q.Selector == nil || q.Selector.Matches(labels.Set(stringMap(meta["labels"])))
}

// splitKind splits a kind as written in a policy ("Secret", "v1/Secret",
// "apps/v1/Deployment") into apiVersion and kind.
func splitKind(s string) (apiVersion, kind string) {
	i := strings.LastIndex(s, "/")
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}

// enterScope loads a level's context entries into c and checks its
// preconditions, as every rule level does before its own work. ok is false
// when the level must stop, with the error or skip to report.
func enterScope(entries []contextEntry, pre *conditions.Conditions, c *evalContext, data ExternalData, opts variables.Options) (status Status, msg string, ok bool) {
	if err := loadContext(entries, c, data); err != nil {
		return StatusError, "failed to load context: " + err.Error(), false
	}
	if pre == nil {
		return "", "", true
	}
	met, detail, err := pre.Evaluate(substFunc(c, opts))
	if err != nil {
		return StatusError, "failed to evaluate preconditions: " + err.Error(), false
	}
	if !met {
		return StatusSkip, joinNonEmpty("; ", "preconditions not met", detail), false
	}
	return "", "", true
}

// substituteSpec substitutes the variables of a resource identity (a
// generate target, a mutate target, a clone source).
func substituteSpec(spec kyvernov1.ResourceSpec, c *evalContext, opts variables.Options) (kyvernov1.ResourceSpec, error) {
	fields := []*string{&spec.APIVersion, &spec.Kind, &spec.Namespace, &spec.Name, &spec.UID}
	for _, f := range fields {
		if !variables.HasVariables(*f) {
			continue
		}
		v, err := variables.SubstituteAll(*f, c, opts)
		if err != nil {
			return spec, fmt.Errorf("variable substitution failed: %w", err)
		}
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		*f = s
	}
	return spec, nil
}

// compiledSelector is a label selector compiled once when it has no
// variables, and per request otherwise.
type compiledSelector struct {
	raw    any // decoded selector with variables
	static labels.Selector
}

func compileSelector(path string, sel *metav1.LabelSelector) (*compiledSelector, error) {
	if sel == nil {
		return nil, nil
	}
	b, err := json.Marshal(sel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if variables.HasVariables(raw) {
		return &compiledSelector{raw: raw}, nil
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &compiledSelector{static: s}, nil
}

// selector returns the label selector for this request; nil matches all.
func (s *compiledSelector) selector(c *evalContext, opts variables.Options) (labels.Selector, error) {
	if s == nil {
		return nil, nil
	}
	if s.static != nil {
		return s.static, nil
	}
	v, err := variables.SubstituteAll(s.raw, c, opts)
	if err != nil {
		return nil, fmt.Errorf("selector: variable substitution failed: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("selector: %w", err)
	}
	var ls metav1.LabelSelector
	if err := json.Unmarshal(b, &ls); err != nil {
		return nil, fmt.Errorf("selector: %w", err)
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return nil, fmt.Errorf("selector: %w", err)
	}
	return sel, nil
}

// listObjects runs a query against a lister and keeps the objects with the
// wanted uid ("" keeps all). A nil lister has nothing.
func listObjects(l ResourceLister, q ResourceQuery, uid string) ([]map[string]any, error) {
	if l == nil {
		return nil, nil
	}
	objs, err := l.List(q)
	if err != nil || uid == "" {
		return objs, err
	}
	var out []map[string]any
	for _, o := range objs {
		if meta, _ := o["metadata"].(map[string]any); meta["uid"] == uid {
			out = append(out, o)
		}
	}
	return out, nil
}

// refOf returns the identity of an object.
func refOf(obj map[string]any) ResourceRef {
	r := ResourceRef{}
	r.APIVersion, _ = obj["apiVersion"].(string)
	r.Kind, _ = obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	r.Namespace, _ = meta["namespace"].(string)
	r.Name, _ = meta["name"].(string)
	r.UID, _ = meta["uid"].(string)
	return r
}

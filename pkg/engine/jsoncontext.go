package engine

import (
	"fmt"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/images"
	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
)

// evalContext is the JSON document that variables, conditions and foreach
// lists query during one rule evaluation: request, images, service account,
// values, context entries and foreach elements. It is copy-on-write: a child
// shares its parent's values and shadows what it sets, so foreach elements
// and per-rule context entries never leak into other rules.
type evalContext struct {
	root map[string]any
	// element is the object patterns validate inside a foreach with element
	// scope; nil means the request's resource.
	element map[string]any
	nesting int
}

// newRequestContext builds the context shared by every rule of a request.
func newRequestContext(req *Request) *evalContext {
	obj := req.Object
	request := map[string]any{
		"operation": req.operation(),
		"object":    nilIfEmpty(obj),
		"oldObject": nilIfEmpty(req.OldObject),
	}
	res := req.resource()
	if meta, ok := res["metadata"].(map[string]any); ok {
		if ns, ok := meta["namespace"].(string); ok {
			request["namespace"] = ns
		}
		if name, ok := meta["name"].(string); ok {
			request["name"] = name
		}
	}
	root := map[string]any{"request": request}
	if u := req.User; u != nil {
		groups := make([]any, len(u.Groups))
		for i, g := range u.Groups {
			groups[i] = g
		}
		request["userInfo"] = map[string]any{"username": u.Username, "groups": groups}
		request["roles"] = stringsToAny(u.Roles)
		request["clusterRoles"] = stringsToAny(u.ClusterRoles)
		if sa, ok := strings.CutPrefix(u.Username, "system:serviceaccount:"); ok {
			if ns, name, ok := strings.Cut(sa, ":"); ok {
				root["serviceAccountName"] = name
				root["serviceAccountNamespace"] = ns
			}
		}
	}
	if imgs, _ := images.Extract(res); len(imgs) > 0 {
		root["images"] = imgs
	}
	c := &evalContext{root: root}
	for k, v := range req.Values {
		c.setPath(k, v)
	}
	return c
}

func nilIfEmpty(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// child returns a context that inherits everything and shadows what it sets.
func (c *evalContext) child() *evalContext {
	root := make(map[string]any, len(c.root)+2)
	for k, v := range c.root {
		root[k] = v
	}
	return &evalContext{root: root, element: c.element, nesting: c.nesting}
}

// Query evaluates a JMESPath expression against the context.
func (c *evalContext) Query(expr string) (any, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, fmt.Errorf("invalid query: empty")
	}
	q, err := jmespath.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("incorrect query %s: %w", expr, err)
	}
	v, err := q.Search(c.root)
	if err != nil {
		return nil, fmt.Errorf("JMESPath query failed: %w", err)
	}
	return v, nil
}

// has reports whether a top-level name is set (by values or an entry).
func (c *evalContext) has(name string) bool {
	first, _, _ := strings.Cut(name, ".")
	_, ok := c.root[first]
	return ok
}

// setPath sets a value at a dotted path ("dictionary.data.env"), copying the
// maps along the path so that parents are never modified.
func (c *evalContext) setPath(path string, value any) {
	parts := strings.Split(path, ".")
	c.root = setIn(c.root, parts, value)
}

func setIn(m map[string]any, parts []string, value any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if len(parts) == 1 {
		out[parts[0]] = value
		return out
	}
	inner, _ := out[parts[0]].(map[string]any)
	out[parts[0]] = setIn(inner, parts[1:], value)
	return out
}

// setElement exposes a foreach element as element/elementIndex and, with
// nesting, element<N>/elementIndex<N>.
func (c *evalContext) setElement(element any, index int, scope bool) {
	c.root["element"] = element
	c.root["elementIndex"] = int64(index)
	c.root[fmt.Sprintf("element%d", c.nesting)] = element
	c.root[fmt.Sprintf("elementIndex%d", c.nesting)] = int64(index)
	if m, ok := element.(map[string]any); ok && scope {
		c.element = m
	}
}

package engine

import (
	"fmt"
	"strconv"
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
	// owned is false while root is still the parent's map: the first write
	// copies it (copy-on-write), so a rule that sets nothing costs nothing.
	owned bool
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
	root := map[string]any{}
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
	// Values named request.<field> go straight into the fresh request map;
	// deeper or other names are set after, copying the maps on their path.
	var deeper []string
	for k, v := range req.Values {
		if field, ok := strings.CutPrefix(k, "request."); ok && field != "" && !strings.Contains(field, ".") {
			request[field] = v
		} else {
			deeper = append(deeper, k)
		}
	}
	// Numbers are normalized once here, so queries need not walk the
	// document each time (see jmespath.SearchNormalized).
	root["request"] = jmespath.Normalize(request)
	c := &evalContext{root: root, owned: true}
	for _, k := range deeper {
		c.setPath(k, req.Values[k])
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
	return &evalContext{root: c.root, element: c.element, nesting: c.nesting}
}

// own makes root writable, copying the parent's map on the first write.
func (c *evalContext) own() {
	if c.owned {
		return
	}
	root := make(map[string]any, len(c.root)+4)
	for k, v := range c.root {
		root[k] = v
	}
	c.root, c.owned = root, true
}

// Query evaluates a JMESPath expression against the context.
func (c *evalContext) Query(expr string) (any, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, fmt.Errorf("invalid query: empty")
	}
	q, err := jmespath.ParseCached(expr)
	if err != nil {
		return nil, fmt.Errorf("incorrect query %s: %w", expr, err)
	}
	v, err := q.SearchNormalized(c.root)
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
	c.root = setIn(c.root, parts, jmespath.Normalize(value))
	c.owned = true
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
	c.own()
	element = jmespath.Normalize(element)
	c.root["element"] = element
	c.root["elementIndex"] = float64(index)
	c.root["element"+strconv.Itoa(c.nesting)] = element
	c.root["elementIndex"+strconv.Itoa(c.nesting)] = float64(index)
	if m, ok := element.(map[string]any); ok && scope {
		c.element = m
	}
}

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
	// doc is the request's lazily prepared part of root, shared with the
	// parent; nil when root holds only normalized values.
	doc *requestDoc
	// imagesPending is true while root lacks "images" because they have not
	// been extracted yet (see loadImages).
	imagesPending bool
}

// requestDoc is the part of a request's context that is costly to prepare
// and that most queries never read: "request", whose numbers are converted
// to float64 (see jmespath.Normalize) only in the subtrees that queries read,
// and "images", extracted from the resource when first read. Either way
// a query sees the same values as if everything had been prepared up front.
type requestDoc struct {
	request  normNode
	resource map[string]any
	images   map[string]any
	// extracted is true once images holds the extraction's result.
	extracted bool
}

// normNode tracks the normalization of one map of the request document.
// The map is the engine's own (the request map, or a copy of a map of the
// request on the path to a subtree that was normalized), so its values are
// replaced in place by their normalized form; contexts sharing it see the
// result. Only values are replaced, never keys, and a normalized value
// stands for the same JSON.
type normNode struct {
	m map[string]any
	// done is true once every value of m is normalized.
	done bool
	// kids are the nodes of values of m normalized in part (maps copied
	// because a path goes through them) or in full (done).
	kids map[string]*normNode
}

// ensure normalizes the subtree at path below n; an empty path means all of
// n. Maps on the way are copied once and then updated in place.
func (n *normNode) ensure(path []string) {
	for ; !n.done; path = path[1:] {
		if len(path) == 0 {
			for k, v := range n.m {
				if kid := n.kids[k]; kid != nil {
					kid.ensure(nil)
				} else {
					n.m[k] = jmespath.Normalize(v)
				}
			}
			n.done, n.kids = true, nil
			return
		}
		key := path[0]
		kid := n.kids[key]
		if kid == nil {
			v, ok := n.m[key]
			if !ok {
				return // a missing key reads nothing
			}
			kid = &normNode{}
			if sub, isMap := v.(map[string]any); isMap && sub != nil && len(path) > 1 {
				kid.m = make(map[string]any, len(sub))
				for k, e := range sub {
					kid.m[k] = e
				}
				n.m[key] = kid.m
			} else {
				n.m[key] = jmespath.Normalize(v)
				kid.done = true
			}
			if n.kids == nil {
				n.kids = map[string]*normNode{}
			}
			n.kids[key] = kid
		}
		n = kid
	}
}

// extractImages returns the images of the resource, extracted on first use.
func (d *requestDoc) extractImages() map[string]any {
	if !d.extracted {
		d.images, _ = images.Extract(d.resource)
		d.extracted = true
	}
	return d.images
}

// newRequestContext builds the context shared by every rule of a request.
func newRequestContext(req *Request) *evalContext {
	// Sized for the fields set here and the values, so that it never grows.
	request := make(map[string]any, 8+len(req.Values))
	request["operation"] = req.operation()
	request["object"] = nilIfEmpty(req.Object)
	request["oldObject"] = nilIfEmpty(req.OldObject)
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
		// A value replaces it (the admission webhook passes the full one).
		if _, set := req.Values["request.userInfo"]; !set {
			request["userInfo"] = map[string]any{"username": u.Username, "groups": stringsToAny(u.Groups)}
		}
		request["roles"] = stringsToAny(u.Roles)
		request["clusterRoles"] = stringsToAny(u.ClusterRoles)
		if sa, ok := strings.CutPrefix(u.Username, "system:serviceaccount:"); ok {
			if ns, name, ok := strings.Cut(sa, ":"); ok {
				root["serviceAccountName"] = name
				root["serviceAccountNamespace"] = ns
			}
		}
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
	// Numbers are normalized, and images extracted, as queries first read
	// them (see prepare).
	root["request"] = request
	c := &evalContext{root: root, owned: true, imagesPending: true,
		doc: &requestDoc{request: normNode{m: request}, resource: res}}
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
	return &evalContext{root: c.root, element: c.element, nesting: c.nesting, doc: c.doc, imagesPending: c.imagesPending}
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
	v, _, err := c.search(expr)
	return v, err
}

func (c *evalContext) search(expr string) (any, *jmespath.Query, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, nil, fmt.Errorf("invalid query: empty")
	}
	q, err := jmespath.ParseCached(expr)
	if err != nil {
		return nil, nil, fmt.Errorf("incorrect query %s: %w", expr, err)
	}
	for _, p := range q.Reads() {
		c.prepare(p)
	}
	v, err := q.SearchNormalized(c.root)
	if err != nil {
		return nil, nil, fmt.Errorf("JMESPath query failed: %w", err)
	}
	return v, q, nil
}

// queryList evaluates a foreach list: the elements, normalized (numbers as
// float64), or the result as a single element when it is not a list.
func (c *evalContext) queryList(expr string) ([]any, error) {
	v, q, err := c.search(expr)
	if err != nil {
		return nil, err
	}
	// Without function calls, the result is made of normalized data.
	if q.CallsFunctions() {
		v = jmespath.Normalize(v)
	}
	if l, ok := v.([]any); ok {
		return l, nil
	}
	return []any{v}, nil
}

// prepare readies the subtree of root at path (empty: all of root) for a
// query: the request's numbers there are normalized, images extracted.
func (c *evalContext) prepare(path []string) {
	if c.doc == nil {
		return
	}
	if len(path) == 0 {
		c.doc.request.ensure(nil)
		c.loadImages()
		return
	}
	switch path[0] {
	case "request":
		c.doc.request.ensure(path[1:])
	case "images":
		c.loadImages()
	}
}

// loadImages sets root's "images", unless it was set already (by this or a
// value or entry that replaced it).
func (c *evalContext) loadImages() {
	if !c.imagesPending {
		return
	}
	c.imagesPending = false
	if imgs := c.doc.extractImages(); len(imgs) > 0 {
		c.own()
		c.root["images"] = imgs
	}
}

// has reports whether a top-level name is set (by values or an entry).
func (c *evalContext) has(name string) bool {
	first, _, _ := strings.Cut(name, ".")
	if first == "images" {
		c.loadImages()
	}
	_, ok := c.root[first]
	return ok
}

// setPath sets a value at a dotted path ("dictionary.data.env"), copying the
// maps along the path so that parents are never modified.
func (c *evalContext) setPath(path string, value any) {
	parts := strings.Split(path, ".")
	// The maps copied on the way must hold what a query would see there:
	// the request is then normalized in full, once for all contexts.
	c.prepare(parts[:1])
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
// The element must be normalized (see queryList).
func (c *evalContext) setElement(element any, index int, scope bool) {
	c.own()
	c.root["element"] = element
	c.root["elementIndex"] = float64(index)
	c.root["element"+strconv.Itoa(c.nesting)] = element
	c.root["elementIndex"+strconv.Itoa(c.nesting)] = float64(index)
	if m, ok := element.(map[string]any); ok && scope {
		c.element = m
	}
}

package engine

import (
	"github.com/kanon-policy/kanon/pkg/engine/match"
)

// Request is one resource under review, as the admission controller or the
// CLI sees it. Several policies may evaluate the same Request one after the
// other (it caches its JSON context and match data); it is not safe for
// concurrent use.
type Request struct {
	// Object is the new object; nil on DELETE.
	Object map[string]any
	// OldObject is the object before an UPDATE or DELETE.
	OldObject map[string]any
	// Operation is CREATE (default), UPDATE, DELETE or CONNECT.
	Operation string
	// Kind overrides the group/version/kind taken from the object; for a
	// subresource request it is the parent's (Deployment for a Scale).
	Kind        *match.GVK
	Subresource string
	// User is the requester; nil when unknown (then user-info conditions in
	// match blocks are ignored, as in Kyverno's CLI).
	User *match.UserInfo
	// Namespaces gives namespace labels for namespaceSelector.
	Namespaces match.NamespaceLabeler
	// Values are variables set from outside (the CLI's values file and
	// --set): dotted names such as "request.operation" or
	// "dictionary.data.env". They are set before context entries load, and a
	// context entry whose name they already provide is not loaded.
	Values map[string]any
	// RuleValues returns extra values for one policy rule (the values
	// file's per-rule values and foreachValues); may be nil.
	RuleValues func(policy, rule string) (values map[string]any, foreach map[string][]any)
	// Data loads external context entries (configMap, apiCall,
	// imageRegistry, globalReference); nil means none are available.
	Data ExternalData
	// Sources finds the objects generate rules clone (clone, cloneList);
	// nil means none exist.
	Sources ResourceLister
	// Targets finds the existing objects mutate-existing rules patch
	// (mutate.targets); nil means none exist.
	Targets ResourceLister

	ctx  *evalContext
	mreq *match.Request
}

func (r *Request) operation() string {
	if r.Operation == "" {
		return "CREATE"
	}
	return r.Operation
}

// context returns the request's shared JSON context, built on first use.
func (r *Request) context() *evalContext {
	if r.ctx == nil {
		r.ctx = newRequestContext(r)
	}
	return r.ctx
}

// resource returns the object under review: the new object, or the old one
// on DELETE.
func (r *Request) resource() map[string]any {
	if r.Object == nil {
		return r.OldObject
	}
	return r.Object
}

// matchRequest returns what matching needs, computed once per request.
func (r *Request) matchRequest() *match.Request {
	if r.mreq == nil {
		r.mreq = r.buildMatchRequest()
	}
	return r.mreq
}

func (r *Request) buildMatchRequest() *match.Request {
	obj := r.resource()
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		name, _ = meta["generateName"].(string)
	}
	ns, _ := meta["namespace"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	op := r.Operation
	if op == "" {
		op = "CREATE"
	}
	gvk := match.ParseGVK(apiVersion, kind)
	if r.Kind != nil {
		gvk = *r.Kind
	}
	return &match.Request{
		Resource: match.Resource{
			GVK:         gvk,
			Subresource: r.Subresource,
			Name:        name,
			Namespace:   ns,
			Labels:      stringMap(meta["labels"]),
			Annotations: stringMap(meta["annotations"]),
		},
		Operation:  op,
		User:       r.User,
		Namespaces: r.Namespaces,
	}
}

func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// withResource returns a copy of the request whose object under review is
// obj (the mutated object, for the validate phase).
func (r *Request) withResource(obj map[string]any) *Request {
	c := *r
	c.ctx, c.mreq = nil, nil
	if c.Object == nil {
		c.OldObject = obj
	} else {
		c.Object = obj
	}
	return &c
}

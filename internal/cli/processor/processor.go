// Package processor applies loaded policies to loaded resources for the CLI
// commands, with the values file and user info the command was given.
package processor

import (
	"github.com/kanon-policy/kanon/internal/cli/source"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// Input is what to apply to what.
type Input struct {
	Policies  []*source.Policy
	Resources []manifest.Document
	Values    *source.Values
	// User is the requester from a user-info file; nil when none was given.
	User *match.UserInfo
	// Data answers context entries offline; nil when none is available.
	Data engine.ExternalData
	// Sources are the objects generate rules may clone; Targets the
	// existing objects mutate-existing rules patch. Either may be nil.
	Sources, Targets engine.ResourceLister
}

// Response is one policy applied to one resource.
type Response struct {
	// Resource is the resource as loaded.
	Resource *manifest.Document
	// Object is the object the policy saw: the loaded resource as mutated
	// by the policies before it.
	Object map[string]any
	Policy *engine.Policy
	Result *engine.PolicyResponse
}

// Patched returns the object after this policy: its mutation, or the
// object it saw when it changed nothing.
func (r *Response) Patched() map[string]any {
	if r.Result.PatchedResource != nil {
		return r.Result.PatchedResource
	}
	return r.Object
}

// Meta is what the commands show of a resource.
type Meta struct {
	APIVersion, Kind, Name, Namespace string
}

// ResourceMeta reads a resource's identity.
func ResourceMeta(obj map[string]any) Meta {
	m := Meta{}
	m.APIVersion, _ = obj["apiVersion"].(string)
	m.Kind, _ = obj["kind"].(string)
	if md, ok := obj["metadata"].(map[string]any); ok {
		m.Name, _ = md["name"].(string)
		m.Namespace, _ = md["namespace"].(string)
	}
	return m
}

// Process applies every valid policy to every resource, in order: resources
// outer, policies inner; each policy sees the resource as mutated by the
// policies before it. A response is returned for every pair, also when no
// rule applied.
func Process(in Input) []Response {
	var out []Response
	for i := range in.Resources {
		doc := &in.Resources[i]
		meta := ResourceMeta(doc.Object)
		gvk := match.ParseGVK(meta.APIVersion, meta.Kind)
		parent, sub := in.Values.Subresource(gvk)
		// One request per resource, shared by the policies that see it the
		// same way, so its JSON context and match data are built once.
		var shared *engine.Request
		current := doc.Object
		for _, p := range in.Policies {
			if p.Compiled == nil {
				continue
			}
			op := in.Values.Operation(p.Compiled.Name, meta.Name)
			values := in.Values.ResourceValues(p.Compiled.Name, meta.Name)
			req := shared
			if req == nil || req.Operation != op || values != nil {
				req = &engine.Request{
					Object:      current,
					Operation:   op,
					Kind:        parent,
					Subresource: sub,
					User:        in.User,
					Namespaces:  in.Values,
					Values:      values,
					RuleValues:  in.Values.RuleValues,
					Data:        in.Data,
					Sources:     in.Sources,
					Targets:     in.Targets,
				}
				if op == "DELETE" {
					req.Object, req.OldObject = nil, current
				}
				if values == nil {
					shared = req
				}
			}
			res := p.Compiled.Evaluate(req)
			out = append(out, Response{Resource: doc, Object: current, Policy: p.Compiled, Result: res})
			if res.PatchedResource != nil {
				current = res.PatchedResource
				shared = nil
			}
		}
	}
	return out
}

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
}

// Response is one policy applied to one resource.
type Response struct {
	Resource *manifest.Document
	Policy   *engine.Policy
	Result   *engine.PolicyResponse
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
// outer, policies inner. A response is returned for every pair, also when no
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
		for _, p := range in.Policies {
			if p.Compiled == nil {
				continue
			}
			op := in.Values.Operation(p.Compiled.Name, meta.Name)
			values := in.Values.ResourceValues(p.Compiled.Name, meta.Name)
			req := shared
			if req == nil || req.Operation != op || values != nil {
				req = &engine.Request{
					Object:      doc.Object,
					Operation:   op,
					Kind:        parent,
					Subresource: sub,
					User:        in.User,
					Namespaces:  in.Values,
					Values:      values,
					RuleValues:  in.Values.RuleValues,
					Data:        in.Data,
				}
				if op == "DELETE" {
					req.Object, req.OldObject = nil, doc.Object
				}
				if values == nil {
					shared = req
				}
			}
			out = append(out, Response{Resource: doc, Policy: p.Compiled, Result: p.Compiled.Evaluate(req)})
		}
	}
	return out
}

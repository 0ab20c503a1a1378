package engine

// Status is the result of one rule on one resource.
type Status string

// Rule results, as Kyverno names them.
const (
	StatusPass  Status = "pass"
	StatusFail  Status = "fail"
	StatusWarn  Status = "warn"
	StatusError Status = "error"
	StatusSkip  Status = "skip"
)

// RuleType is the kind of a rule.
type RuleType string

// Rule types.
const (
	Validation  RuleType = "Validation"
	Mutation    RuleType = "Mutation"
	Generation  RuleType = "Generation"
	ImageVerify RuleType = "ImageVerify"
)

// RuleResponse is the outcome of one rule.
type RuleResponse struct {
	Name    string
	Type    RuleType
	Status  Status
	Message string
	// Enforce is true when a failing validate rule blocks the request (its
	// failure action is Enforce); false means Audit.
	Enforce bool
	// Properties are the rule's reportProperties.
	Properties map[string]string
	// Generated are the downstream resources a generate rule produced.
	Generated []GeneratedResource
	// PatchedTarget is, for a mutate-existing rule, the target after the
	// patch (one RuleResponse per target); nil otherwise.
	PatchedTarget map[string]any
}

// GeneratedResource is one downstream resource of a generate rule, with
// what a controller needs to create and manage it.
type GeneratedResource struct {
	// Object is the resource to create or update. Its metadata.labels carry
	// Kyverno's generate.kyverno.io/* provenance labels (policy, rule,
	// trigger and, for clones, source); the writer adds
	// app.kubernetes.io/managed-by when it stores the object.
	Object map[string]any
	// Synchronize is the rule's synchronize: keep the downstream in sync
	// with the rule's data or clone source, and re-create it when deleted.
	Synchronize bool
	// OrphanDownstreamOnPolicyDelete keeps a synchronized downstream when
	// the rule or policy is deleted.
	OrphanDownstreamOnPolicyDelete bool
	// Source is the object cloned (clone, cloneList); nil for data.
	Source *ResourceRef
}

// ResourceRef identifies an object.
type ResourceRef struct {
	APIVersion, Kind, Namespace, Name, UID string
}

// PolicyResponse is the outcome of one policy on one resource: one entry
// per rule that applied (matched and was not excluded).
type PolicyResponse struct {
	Policy *Policy
	Rules  []RuleResponse
	// Resource is the object the policy evaluated (the request's object,
	// or its old object on DELETE).
	Resource map[string]any
	// PatchedResource is the object after the policy's mutate rules; nil
	// when no mutate rule changed it.
	PatchedResource map[string]any
}

// JSONPatch returns the RFC 6902 JSON patch (a JSON array) that turns
// Resource into PatchedResource: what a mutating admission webhook answers
// for this policy. It is nil when the policy changed nothing. To answer for
// several policies applied one after the other, use JSONPatch(original,
// final) on the request's object and the last patched object.
func (r *PolicyResponse) JSONPatch() ([]byte, error) {
	if r.PatchedResource == nil {
		return nil, nil
	}
	return JSONPatch(r.Resource, r.PatchedResource)
}

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
	Generated []map[string]any
}

// PolicyResponse is the outcome of one policy on one resource: one entry
// per rule that applied (matched and was not excluded).
type PolicyResponse struct {
	Policy *Policy
	Rules  []RuleResponse
	// PatchedResource is the object after the policy's mutate rules; nil
	// when no mutate rule changed it.
	PatchedResource map[string]any
}

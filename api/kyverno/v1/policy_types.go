package v1

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterPolicy declares validation, mutation and generation behaviours for
// matching resources in every namespace and for cluster-scoped resources.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=clusterpolicies,scope=Cluster,shortName=cpol,categories=kyverno
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="ADMISSION",type=boolean,JSONPath=".spec.admission"
// +kubebuilder:printcolumn:name="BACKGROUND",type=boolean,JSONPath=".spec.background"
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type == "Ready")].status`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="FAILURE POLICY",type=string,JSONPath=".spec.failurePolicy",priority=1
// +kubebuilder:printcolumn:name="VALIDATE",type=integer,JSONPath=".status.rulecount.validate",priority=1
// +kubebuilder:printcolumn:name="MUTATE",type=integer,JSONPath=".status.rulecount.mutate",priority=1
// +kubebuilder:printcolumn:name="GENERATE",type=integer,JSONPath=".status.rulecount.generate",priority=1
// +kubebuilder:printcolumn:name="VERIFY IMAGES",type=integer,JSONPath=".status.rulecount.verifyimages",priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type == "Ready")].message`,priority=1
type ClusterPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec `json:"spec"`
	// +optional
	Status PolicyStatus `json:"status,omitempty"`
}

// ClusterPolicyList is a list of ClusterPolicy.
//
// +kubebuilder:object:root=true
type ClusterPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterPolicy `json:"items"`
}

// Policy is the namespaced form of ClusterPolicy: it applies only to
// resources in its own namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=policies,scope=Namespaced,shortName=pol,categories=kyverno
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="ADMISSION",type=boolean,JSONPath=".spec.admission"
// +kubebuilder:printcolumn:name="BACKGROUND",type=boolean,JSONPath=".spec.background"
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type == "Ready")].status`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="FAILURE POLICY",type=string,JSONPath=".spec.failurePolicy",priority=1
// +kubebuilder:printcolumn:name="VALIDATE",type=integer,JSONPath=".status.rulecount.validate",priority=1
// +kubebuilder:printcolumn:name="MUTATE",type=integer,JSONPath=".status.rulecount.mutate",priority=1
// +kubebuilder:printcolumn:name="GENERATE",type=integer,JSONPath=".status.rulecount.generate",priority=1
// +kubebuilder:printcolumn:name="VERIFY IMAGES",type=integer,JSONPath=".status.rulecount.verifyimages",priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type == "Ready")].message`,priority=1
type Policy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec `json:"spec"`
	// +optional
	Status PolicyStatus `json:"status,omitempty"`
}

// PolicyList is a list of Policy.
//
// +kubebuilder:object:root=true
type PolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Policy `json:"items"`
}

// Spec is the policy body shared by ClusterPolicy and Policy.
type Spec struct {
	Rules []Rule `json:"rules,omitempty"`
	// ApplyRules is All (default) or One.
	// +kubebuilder:validation:Enum=All;One
	ApplyRules *string `json:"applyRules,omitempty"`
	// FailurePolicy is deprecated; use WebhookConfiguration.FailurePolicy.
	// +kubebuilder:validation:Enum=Ignore;Fail
	FailurePolicy *string `json:"failurePolicy,omitempty"`
	// ValidationFailureAction is deprecated; use the rule's validate.failureAction.
	// +kubebuilder:validation:Enum=audit;enforce;Audit;Enforce
	ValidationFailureAction          string                            `json:"validationFailureAction,omitempty"`
	ValidationFailureActionOverrides []ValidationFailureActionOverride `json:"validationFailureActionOverrides,omitempty"`
	// Admission applies the policy during admission.
	// +kubebuilder:default=true
	Admission *bool `json:"admission,omitempty"`
	// Background applies the policy in background scans.
	// +kubebuilder:default=true
	Background                     *bool                 `json:"background,omitempty"`
	SchemaValidation               *bool                 `json:"schemaValidation,omitempty"`
	WebhookTimeoutSeconds          *int32                `json:"webhookTimeoutSeconds,omitempty"`
	MutateExistingOnPolicyUpdate   bool                  `json:"mutateExistingOnPolicyUpdate,omitempty"`
	GenerateExistingOnPolicyUpdate *bool                 `json:"generateExistingOnPolicyUpdate,omitempty"`
	GenerateExisting               bool                  `json:"generateExisting,omitempty"`
	UseServerSideApply             bool                  `json:"useServerSideApply,omitempty"`
	WebhookConfiguration           *WebhookConfiguration `json:"webhookConfiguration,omitempty"`
	EmitWarning                    *bool                 `json:"emitWarning,omitempty"`
}

// WebhookConfiguration tunes the admission webhook that serves a policy.
type WebhookConfiguration struct {
	// +kubebuilder:validation:Enum=Ignore;Fail
	FailurePolicy   *string                                  `json:"failurePolicy,omitempty"`
	TimeoutSeconds  *int32                                   `json:"timeoutSeconds,omitempty"`
	MatchConditions []admissionregistrationv1.MatchCondition `json:"matchConditions,omitempty"`
}

// ValidationFailureActionOverride sets the failure action per namespace.
type ValidationFailureActionOverride struct {
	// +kubebuilder:validation:Enum=audit;enforce;Audit;Enforce
	Action            string                `json:"action,omitempty"`
	Namespaces        []string              `json:"namespaces,omitempty"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
}

// PolicyStatus is the observed state of a policy.
type PolicyStatus struct {
	// Ready is deprecated; use the Ready condition.
	// +optional
	Ready bool `json:"ready,omitempty"`
	// Conditions of the policy; Ready is true once its webhooks serve it.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +optional
	Autogen AutogenStatus `json:"autogen,omitempty"`
	// +optional
	RuleCount RuleCountStatus `json:"rulecount,omitempty"`
	// +optional
	ValidatingAdmissionPolicy *ValidatingAdmissionPolicyStatus `json:"validatingadmissionpolicy,omitempty"`
}

// Condition types of PolicyStatus.Conditions.
const (
	// ConditionReady is true when the policy is compiled and served.
	ConditionReady = "Ready"
)

// AutogenStatus lists the rules generated for pod controllers.
type AutogenStatus struct {
	// +optional
	Rules []Rule `json:"rules,omitempty"`
}

// RuleCountStatus counts the rules of each type.
type RuleCountStatus struct {
	Validate     int `json:"validate"`
	Generate     int `json:"generate"`
	Mutate       int `json:"mutate"`
	VerifyImages int `json:"verifyimages"`
}

// ValidatingAdmissionPolicyStatus tells whether a Kubernetes
// ValidatingAdmissionPolicy was generated from the policy, and why not.
type ValidatingAdmissionPolicyStatus struct {
	Generated bool `json:"generated"`
	// +optional
	Message string `json:"message,omitempty"`
}

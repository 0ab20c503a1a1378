package v1

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterPolicy declares validation, mutation and generation behaviours for
// matching resources in every namespace and for cluster-scoped resources.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=clusterpolicies,scope=Cluster,shortName=cpol,categories=kyverno
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
type ClusterPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec         `json:"spec"`
	Status            PolicyStatus `json:"status,omitempty"`
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
type Policy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec         `json:"spec"`
	Status            PolicyStatus `json:"status,omitempty"`
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
	Admission                        *bool                             `json:"admission,omitempty"`
	Background                       *bool                             `json:"background,omitempty"`
	SchemaValidation                 *bool                             `json:"schemaValidation,omitempty"`
	WebhookTimeoutSeconds            *int32                            `json:"webhookTimeoutSeconds,omitempty"`
	MutateExistingOnPolicyUpdate     bool                              `json:"mutateExistingOnPolicyUpdate,omitempty"`
	GenerateExistingOnPolicyUpdate   *bool                             `json:"generateExistingOnPolicyUpdate,omitempty"`
	GenerateExisting                 bool                              `json:"generateExisting,omitempty"`
	UseServerSideApply               bool                              `json:"useServerSideApply,omitempty"`
	WebhookConfiguration             *WebhookConfiguration             `json:"webhookConfiguration,omitempty"`
	EmitWarning                      *bool                             `json:"emitWarning,omitempty"`
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
	// Ready is deprecated; use Conditions.
	Ready      bool               `json:"ready,omitempty"`
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	Autogen    AutogenStatus      `json:"autogen,omitempty"`
	RuleCount  RuleCountStatus    `json:"rulecount,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	ValidatingAdmissionPolicy *apiextv1.JSON `json:"validatingadmissionpolicy,omitempty"`
}

// AutogenStatus lists the rules generated for pod controllers.
type AutogenStatus struct {
	Rules []Rule `json:"rules,omitempty"`
}

// RuleCountStatus counts the rules of each type.
type RuleCountStatus struct {
	Validate     int `json:"validate"`
	Generate     int `json:"generate"`
	Mutate       int `json:"mutate"`
	VerifyImages int `json:"verifyimages"`
}

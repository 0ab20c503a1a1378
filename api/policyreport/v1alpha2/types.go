// Package v1alpha2 holds the wgpolicyk8s.io/v1alpha2 PolicyReport and
// ClusterPolicyReport types written by `kanon apply -p` and the background scan.
//
// +groupName=wgpolicyk8s.io
package v1alpha2

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Result values of a report entry.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusWarn  = "warn"
	StatusError = "error"
	StatusSkip  = "skip"
)

// PolicyReport holds the results of namespaced resources.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=policyreports,scope=Namespaced,shortName=polr
type PolicyReport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Scope             *corev1.ObjectReference `json:"scope,omitempty"`
	ScopeSelector     *metav1.LabelSelector   `json:"scopeSelector,omitempty"`
	Summary           Summary                 `json:"summary"`
	Results           []Result                `json:"results,omitempty"`
}

// ClusterPolicyReport holds the results of cluster-scoped resources.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=clusterpolicyreports,scope=Cluster,shortName=cpolr
type ClusterPolicyReport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Scope             *corev1.ObjectReference `json:"scope,omitempty"`
	ScopeSelector     *metav1.LabelSelector   `json:"scopeSelector,omitempty"`
	Summary           Summary                 `json:"summary"`
	Results           []Result                `json:"results,omitempty"`
}

// Summary counts results by status.
type Summary struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Error int `json:"error"`
	Skip  int `json:"skip"`
}

// Result is one policy rule result for one or more resources.
type Result struct {
	Source           string                   `json:"source,omitempty"`
	Policy           string                   `json:"policy"`
	Rule             string                   `json:"rule,omitempty"`
	Category         string                   `json:"category,omitempty"`
	Severity         string                   `json:"severity,omitempty"`
	Timestamp        metav1.Timestamp         `json:"timestamp,omitempty"`
	Result           string                   `json:"result,omitempty"`
	Scored           bool                     `json:"scored,omitempty"`
	Subjects         []corev1.ObjectReference `json:"resources,omitempty"`
	ResourceSelector *metav1.LabelSelector    `json:"resourceSelector,omitempty"`
	Description      string                   `json:"message,omitempty"`
	Properties       map[string]string        `json:"properties,omitempty"`
}

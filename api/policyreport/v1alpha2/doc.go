// Package v1alpha2 holds the wgpolicyk8s.io/v1alpha2 PolicyReport and
// ClusterPolicyReport types written by `kanon apply -p` and the background scan.
//
// The kubebuilder markers in this package generate zz_generated.deepcopy.go and
// the CRDs in config/crds (`make generate`).
//
// +kubebuilder:object:generate=true
// +groupName=wgpolicyk8s.io
package v1alpha2

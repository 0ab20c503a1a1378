// Package v1 holds the Go types of the kyverno.io/v1 API group: ClusterPolicy and
// Policy with the whole classic rule schema (validate, mutate, generate,
// verifyImages). Free-form parts of a policy (patterns, patches, conditions,
// context values) are kept as raw JSON and compiled by pkg/engine.
//
// The kubebuilder markers in this package generate zz_generated.deepcopy.go and
// the CRDs in config/crds (`make generate`).
//
// +kubebuilder:object:generate=true
// +groupName=kyverno.io
package v1

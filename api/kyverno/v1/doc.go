// Package v1 holds the Go types of the kyverno.io/v1 API group: ClusterPolicy and
// Policy with the whole classic rule schema (validate, mutate, generate,
// verifyImages). Free-form parts of a policy (patterns, patches, conditions,
// context values) are kept as raw JSON and compiled by pkg/engine.
//
// +kubebuilder:object:generate=true
// +groupName=kyverno.io
package v1

import "k8s.io/apimachinery/pkg/runtime/schema"

// GroupVersion is the group and version of the types in this package.
var GroupVersion = schema.GroupVersion{Group: "kyverno.io", Version: "v1"}

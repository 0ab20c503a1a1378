// Package v1alpha1 holds the CLI-only types of the cli.kyverno.io/v1alpha1
// group: Test (kyverno-test.yaml, and the legacy test.yaml shape), Values and
// UserInfo. They are read by `kanon test` and `kanon apply`, never served.
//
// +groupName=cli.kyverno.io
package v1alpha1

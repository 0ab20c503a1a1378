// Package engine is Kanon's pure policy engine. Policies are compiled once
// (Compile: autogen rules added, match blocks built, patterns parsed into
// anchors and operators) and then evaluated against many resources
// (Policy.Validate) with no YAML/JSON round trips and no re-parsing.
//
// The engine does no I/O: whatever it needs from outside (namespace labels,
// the requester's roles) comes through small interfaces in the Request, with
// an offline implementation in the CLI and a cluster one in the admission
// controller.
package engine

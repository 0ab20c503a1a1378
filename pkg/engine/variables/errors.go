package variables

import (
	"errors"
	"fmt"
)

// ErrLimit is wrapped by the errors returned when a substitution exceeds one of
// the package limits (MaxPasses, MaxEvaluations, MaxStringLength, MaxDepth).
var ErrLimit = errors.New("variable substitution limit exceeded")

// ResolveError reports a variable whose evaluation failed. Its message is
// Kyverno's: "failed to resolve <variable> at path <path>: <cause>", where
// variable is the expression as queried (braces and spaces trimmed, "@" and
// DELETE rewriting applied) and path the JSON path of the string in the
// substituted document ("/spec/containers/0/image"; "" for the root; a map
// key has the path of its map).
//
// Err is the Evaluator's error; errors.As / errors.Is see through to it, so a
// caller can test for a missing key with the JMESPath package's own check.
type ResolveError struct {
	Variable string
	Path     string
	Err      error
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("failed to resolve %v at path %s: %v", e.Variable, e.Path, e.Err)
}

func (e *ResolveError) Unwrap() error { return e.Err }

// ReferenceError reports a $(...) reference that could not be resolved.
// Reference is the reference as written ("$(./../x)"), Path the path of the
// string holding it. The message follows Kyverno's wording for each case:
//
//	failed to resolve $(x) at path /a: expected path, found empty reference
//	got nil resolved variable $(./x) at path /a: <nil>            (no such node, or null)
//	NotResolvedReferenceErr,reference $(./x) not resolved at path /a   (not a string)
type ReferenceError struct {
	Reference string
	Path      string
	Kind      ReferenceErrorKind
	Err       error // the cause, for ReferenceInvalid
}

// ReferenceErrorKind classifies a ReferenceError.
type ReferenceErrorKind int

const (
	// ReferenceInvalid: the reference is malformed (empty path) or an operator
	// is applied to a value that is not a string or a number.
	ReferenceInvalid ReferenceErrorKind = iota
	// ReferenceNotFound: no node at the path, or the node is null.
	ReferenceNotFound
	// ReferenceNotString: the node is not a string (references are spliced as text).
	ReferenceNotString
)

func (e *ReferenceError) Error() string {
	switch e.Kind {
	case ReferenceNotFound:
		return fmt.Sprintf("got nil resolved variable %v at path %s: %v", e.Reference, e.Path, e.Err)
	case ReferenceNotString:
		return fmt.Sprintf("NotResolvedReferenceErr,reference %s not resolved at path %s", e.Reference, e.Path)
	default:
		return fmt.Sprintf("failed to resolve %v at path %s: %v", e.Reference, e.Path, e.Err)
	}
}

func (e *ReferenceError) Unwrap() error { return e.Err }

// KeyError reports a map key whose substitution produced a value that is not a
// string (Kyverno: `expected string after substituting variables in key "k"`).
type KeyError struct {
	Key   string
	Value any
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("expected string after substituting variables in key \"%s\"", e.Key)
}

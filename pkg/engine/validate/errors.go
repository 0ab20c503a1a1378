package validate

import (
	"errors"
	"strings"
)

// Error is the result of a failed Pattern.Match.
//
//   - Skip is true when a conditional or global anchor did not hold: the rule
//     does not apply to the resource. Path is empty.
//   - Otherwise the resource violates the pattern. Path is the '/'-separated
//     location of the failure (e.g. "/spec/containers/0/image/"), or empty
//     when an anchor key of the pattern (conditional, existence or negation)
//     was never present in the resource; callers report that case as a rule
//     error rather than a failure, as Kyverno does.
type Error struct {
	Err  error
	Path string
	Skip bool
}

// Error returns the message of the underlying error.
func (e *Error) Error() string {
	if e == nil || e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// errKind classifies internal match errors the way Kyverno's anchor errors do.
type errKind uint8

const (
	errMismatch errKind = iota
	errConditional
	errGlobal
	errNegation
)

const (
	conditionalPrefix = "conditional anchor mismatch: "
	globalPrefix      = "global anchor mismatch: "
	negationPrefix    = "negation anchor matched in resource: "
)

// matchError is the concrete error produced by the matcher. path is the path
// "returned" alongside the error by Kyverno's handlers, which is not always
// the path mentioned in the message.
type matchError struct {
	kind errKind
	msg  string
	path string
}

func (e *matchError) Error() string { return e.msg }

// skip reports whether the error means "rule does not apply" (conditional or
// global anchor mismatch).
func (e *matchError) skip() bool { return e.kind == errConditional || e.kind == errGlobal }

// quietErrors are returned, instead of freshly formatted errors, while the
// matcher only needs to know whether something matched (existence anchor
// candidates). They are never handed out to callers.
var quietErrors = [...]matchError{
	errMismatch:    {kind: errMismatch, msg: "mismatch"},
	errConditional: {kind: errConditional, msg: conditionalPrefix + "mismatch"},
	errGlobal:      {kind: errGlobal, msg: globalPrefix + "mismatch"},
	errNegation:    {kind: errNegation, msg: negationPrefix + "mismatch"},
}

// combineSkips merges the skip errors of all elements of an array into one
// skip error (Kyverno combines them with multierr, joined by "; ").
func combineSkips(errs []*matchError, path string) *matchError {
	kind := errGlobal
	var b strings.Builder
	for i, e := range errs {
		if e.kind == errConditional {
			kind = errConditional
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.msg)
	}
	return &matchError{kind: kind, msg: b.String(), path: path}
}

func kindOf(err error) (errKind, bool) {
	var me *matchError
	if errors.As(err, &me) {
		return me.kind, true
	}
	return 0, false
}

// IsConditionalAnchorError reports whether err (or an error it wraps) comes
// from a conditional anchor mismatch, including an array whose elements were
// all skipped.
func IsConditionalAnchorError(err error) bool {
	k, ok := kindOf(err)
	return ok && k == errConditional
}

// IsGlobalAnchorError reports whether err (or an error it wraps) comes from a
// global anchor mismatch.
func IsGlobalAnchorError(err error) bool {
	k, ok := kindOf(err)
	return ok && k == errGlobal
}

// IsNegationAnchorError reports whether err (or an error it wraps) comes from
// a negation anchor whose key was present in the resource.
func IsNegationAnchorError(err error) bool {
	k, ok := kindOf(err)
	return ok && k == errNegation
}

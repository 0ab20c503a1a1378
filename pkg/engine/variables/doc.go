// Package variables substitutes Kyverno variables ({{ <JMESPath> }}) and
// policy-document references ($(./relative/path)) in decoded JSON documents,
// with the semantics of Kyverno's classic engine (pkg/engine/variables).
//
// The package is pure: JMESPath evaluation comes from an Evaluator supplied
// by the caller (the rule's context: request, context entries, element, ...).
//
// # Entry points
//
//	SubstituteAll(doc, e, opts)  deep copy of doc with references, then
//	                             variables, substituted in every string value
//	                             and every map key
//	SubstituteString(s, e)       the same for one string (messages); DELETE
//	                             detection as Kyverno does it
//	HasVariables(doc)            cheap conservative check: false means
//	                             SubstituteAll would return doc unchanged
//
// # Variables
//
// A variable is `{{ expr }}` not preceded by a backslash. The content may hold
// single-brace JMESPath objects (`{{ x | {a: b} }}`) but not `{{`. Spaces
// inside the braces are trimmed. Matching is Kyverno's regular expression, so
// the innermost variables of `{{ a.{{ b }} }}` are found first; every string
// is re-scanned after substitution until no variable is left, which resolves
// nesting and also substitutes variables that appear in substituted text.
//
//   - A string that is exactly one variable is replaced by the typed value
//     (number, bool, map, list, null). A map or list value is then walked like
//     the rest of the document, so strings inside it are substituted too.
//   - A variable embedded in text is spliced: strings are inserted raw, other
//     values (null included) JSON-encoded (`content = null`, `n = 5`,
//     `{"a":"b"}`).
//   - `{{- expr }}` (shallow) is substituted once: `{{` in the substituted text
//     is escaped so that it is not re-scanned (and unescaped at the end).
//   - `\{{ ... }}` is left alone, and its backslash removed at the end.
//   - `{{@}}` is the JMESPath of the node being substituted, under
//     Options.AtPrefix (see Options.AtSkip for how the node path is mapped).
//   - For a DELETE request (Options.DeleteRequest) every "request.object" in
//     a variable is rewritten to "request.oldObject".
//   - A map key is substituted like a value (its path is that of the map); a
//     key that becomes null is kept as written, one that becomes a non-string
//     is an error.
//
// There are no implicit defaults: a variable whose evaluation fails (a missing
// key included) fails the substitution with a *ResolveError, worded like
// Kyverno's "failed to resolve <expr> at path <path>: <cause>". Defaults are
// written with JMESPath `||`, which the Evaluator implements.
//
// # References
//
// Before variables, `$(path)` references are resolved against the document
// itself: path is relative to the referencing node (`$(./../../x)`) or
// absolute (`$(/spec/x)`), anchors in the document's keys are ignored, and
// an optional operator prefix (`$(<=./../x)`) is kept in front of the value.
// A reference must resolve to a string (with an operator, numbers are
// formatted too). `\$(` escapes a reference; the backslash is removed.
//
// # Limits
//
// Kyverno loops forever on a value that contains itself; here a string is
// re-scanned at most MaxPasses times, a document may trigger at most
// MaxEvaluations variable evaluations and a spliced string may not exceed
// MaxStringLength bytes. Exceeding a limit is an error wrapping ErrLimit.
package variables

// Package conditions parses and evaluates Kyverno-style conditions: rule
// `preconditions`, `validate.deny.conditions` and other places that hold a
// list of {key, operator, value, message} conditions.
//
// It is pure: it knows nothing about variables, JMESPath or resources. Keys
// and values are kept raw (as decoded JSON) by Parse, and Evaluate calls a
// caller-supplied substitution function on each key and value right before
// the condition is evaluated, exactly as Kyverno substitutes them one
// condition at a time.
//
// # Shapes
//
// Parse accepts the decoded JSON of a conditions field in one of three shapes:
//
//   - an object {any: [...], all: [...]}: the block holds when at least one
//     `any` condition holds (an `any` list that is present but empty never
//     holds) and every `all` condition holds; an absent or null list is
//     ignored, so {} always holds;
//   - the legacy flat list [cond, cond, ...], ANDed;
//   - a list of {any, all} blocks, ANDed (the form Kyverno uses for
//     attestation conditions). A list mixing blocks and plain conditions is
//     rejected.
//
// A nil raw value (no conditions) always holds.
//
// # Validation (Parse)
//
// Parse reports the first problem with a path, e.g.
// `any[1].operator: unknown operator "Equalz"`. Like Kyverno's policy
// validation it requires `key`, `value` and `operator` in every condition
// (a null key or value counts as missing), rejects fields other than `any`
// and `all` in a block, checks the value of `{{request.operation}}`
// conditions (CREATE, UPDATE, DELETE, CONNECT, or a `{{...}}` variable) and
// rejects unknown operators. Operator names are case-insensitive inside
// any/all blocks (Kyverno looks handlers up case-insensitively), but a legacy
// flat list only accepts the exact names, as Kyverno's decoder does.
// Condition field names are matched like encoding/json does (exact name
// first, then case-insensitively); other condition fields are ignored.
//
// # Operators
//
// The evaluation of each operator follows Kyverno v1.19
// (pkg/engine/variables/operator), including its type-dependent corners.
// Numbers are handled as JSON numbers (float64); other Go number types are
// converted to float64 first. Strings are compared with the glob wildcards
// of package wildcard ('*', '?').
//
//   - Equals (and the deprecated Equal): by the key's type. bool: the value
//     must be the same bool. number: a number must be equal; a string value
//     is parsed as a float. map/list: deep equality (numbers compared by
//     value). string key: if either side is a duration string (numbers on
//     the other side count as seconds; the string "0" is not a duration) the
//     durations are compared; else if the key is a resource quantity the
//     value must be a quantity string or a number with the same value; else
//     a string value is a wildcard pattern matched against the key. Other
//     combinations are false.
//   - NotEquals (NotEqual): the negation of Equals, except that a null (or
//     otherwise unsupported) key makes both Equals and NotEquals false.
//   - GreaterThan, GreaterThanOrEquals, LessThan, LessThanOrEquals: numbers
//     compare numerically; a string value next to a number key is tried as
//     a duration (numbers as seconds), then as a float. A string key is
//     tried, in order, as a duration (either side), as a quantity (both
//     sides strings), as a float or integer (then compared like a number
//     key), and as a semantic version (blang/semver, value must be a semver
//     string). Anything else is false. As in Kyverno, these four compare
//     only when the operator is spelled exactly ("greaterthan" selects the
//     handler but always yields false).
//   - DurationGreaterThan, DurationGreaterThanOrEquals, DurationLessThan,
//     DurationLessThanOrEquals (deprecated): both sides must be durations or
//     numbers (seconds, truncated); the same exact-spelling rule applies.
//   - AnyIn, AllIn, AnyNotIn, AllNotIn: a scalar key (string, number, bool)
//     or a list key; elements are compared as strings (fmt's %v form) with
//     wildcards in both directions. The value may be a list, a string that
//     is a JSON array of strings, a range "a-b" (numbers, quantities or
//     durations, inclusive), or a plain string (a wildcard pattern).
//   - In, NotIn (deprecated): as Kyverno's In/NotIn handlers: a scalar key is
//     looked up (with wildcards) in a list, a wildcard string or a JSON array
//     string; a list key must be an exact subset of a list of strings or a
//     JSON array string.
//
// # Messages
//
// Evaluate returns the messages of the conditions that decided the result,
// built as Kyverno does: when a block fails, the messages of the `any`
// conditions that were false and of the first failing `all` condition,
// joined with "; "; when it holds, the messages of the first true `any`
// condition and of all `all` conditions. A legacy list returns the message
// of its first false condition, or the messages of all conditions joined
// with ";" when it holds; a list of blocks returns the message of its first
// failing block, or the block messages joined with ";". Empty messages are
// skipped. Messages are returned as written (not substituted).
//
// How Kyverno uses them: a rule whose preconditions do not hold is skipped
// with SkipMessage(msg) ("preconditions not met", then "; " and msg if not
// empty); an Evaluate error makes the rule an error with the message
// "failed to evaluate preconditions: " + err. A deny rule whose conditions
// hold fails with its validate.message and msg joined with "; " (variables
// then substituted), or "validation error: rule NAME failed" when both are
// empty; when they do not hold it passes with "validation rule 'NAME'
// passed.".
package conditions

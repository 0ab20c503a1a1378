// Package jmespath evaluates JMESPath expressions the way Kyverno does.
//
// Expressions are compiled and interpreted by github.com/kyverno/go-jmespath,
// Kyverno's fork of go-jmespath, and every Kyverno custom function is added
// on top of the standard built-ins (see [Functions] for the list; Kyverno's
// quantity- and duration-aware sum replaces the built-in one).
//
// # Missing keys and defaults
//
// Unlike upstream JMESPath, a field that does not exist does not evaluate to
// null: it raises the fork's NotFoundError (test for it with [IsNotFound]).
// The `||` operator catches that error, which is how policies spell defaults:
//
//	request.object.metadata.labels.app || 'none'
//
// Function arguments, comparisons, projections and filters also treat a missing
// key as null, exactly as the fork does.
//
// # Numbers
//
// JMESPath has a single number type. Input documents may contain any Go
// integer or float type (and json.Number); they are converted to float64
// before evaluation, copying only the containers that hold such values, so
// JSON-decoded data is evaluated as is. Every number produced by this package
// (function results, parse_json, parse_yaml, x509_decode, ...) is a float64.
// This differs from Kyverno in one place: compare returns -1, 0 or 1 as a
// float64 where Kyverno returns a Go int.
//
// # Arithmetic
//
// add, subtract, multiply, divide, modulo and sum accept numbers (scalars),
// Kubernetes quantities ("10Mi") and Go durations ("1h30m") given as strings,
// with Kyverno's type rules:
//
//   - add, subtract (and sum): number±number → number, quantity±quantity →
//     quantity, duration±duration → duration; other mixes are an error.
//   - multiply: number×number → number, quantity×number → quantity,
//     duration×number → duration, in either order.
//   - divide: number/number → number, quantity/number → quantity,
//     duration/number → duration, quantity/quantity → number,
//     duration/duration → number; a zero divisor is an error.
//   - modulo: number%number → number, quantity%quantity → quantity,
//     duration%duration → duration; numbers and quantities must be
//     integers and the divisor must not be zero.
//
// A string that is both a valid quantity and a valid duration (such as "0"
// or "5m", five milli-units or five minutes) is read as a duration when the
// other operand is unambiguously a duration, and as a quantity otherwise.
// Quantities and durations are returned in their canonical string form
// ("25Ki", "1h0m5s").
//
// # Environment
//
// A few functions depend on the environment: time_now, time_now_utc and
// time_since read the clock, is_external_url resolves host names, random is
// random and image_normalize uses the default registry. [Env] lets callers
// inject these; [Query.Search] uses the defaults of [Config].
//
// # Robustness
//
// The underlying library can panic on unusual input. Parse and Search recover
// such panics and report them as errors, so arbitrary expressions are safe to
// evaluate.
package jmespath

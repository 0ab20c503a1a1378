// Package manifest decodes Kubernetes and Kyverno manifests (YAML or JSON,
// one or many documents per file) into JSON-compatible values, with errors
// that name the file, the document and the absolute line of the problem.
//
// Decode splits a source on "---" lines, decodes each document the way
// sigs.k8s.io/yaml does (YAML 1.1 scalars, so kubectl, Kyverno and this
// package agree on what a manifest means), expands Lists into their items
// and skips empty documents. It never panics, bounds alias expansion
// ("billion laughs") and nesting, and refuses sources larger than
// MaxSourceSize.
//
// Numbers: an integer (a YAML !!int, or a JSON number without fraction or
// exponent) that fits in int64 becomes an int64; every other number becomes
// a float64, including 1.0, 1e3 and integers beyond the int64 range. NaN and
// infinities (.nan, .inf) are errors, as they are not JSON.
//
// Into converts a decoded document into a typed API object and reports every
// unknown field, with its path, as a warning.
package manifest

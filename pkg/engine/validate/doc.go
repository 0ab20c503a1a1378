// Package validate compiles Kyverno-style validation overlay patterns (the
// `validate.pattern` / `validate.anyPattern` language) into an immutable tree
// and matches decoded resources against it with Kyverno's exact semantics.
//
// A pattern is compiled once with Compile; Pattern.Match can then be called
// concurrently on any number of resources. Compile parses the anchors in map
// keys, pre-sorts the evaluation order of every map, compiles every scalar
// leaf with package pattern and rejects patterns that Kyverno's policy
// validation rejects (the mutate-only "+(key)" anchor, existence anchors
// whose value is not a non-empty list, unsupported value types), naming the
// offending location, e.g. "spec.containers[0].+(image): ...".
//
// # Anchors
//
//	(key)   conditional   key must exist and match, otherwise the enclosing
//	                      map is skipped (an array element is skipped; if
//	                      every element of an array is skipped, so is the
//	                      array)
//	<(key)  global        if key exists and does not match, the whole rule is
//	                      skipped
//	=(key)  equality      if key exists it must match
//	^(key)  existence     value is a list of maps; each must be matched by at
//	                      least one element of the resource list
//	X(key)  negation      key must not exist
//
// # Algorithm
//
// Matching mirrors Kyverno's pkg/engine/validate: a map pattern requires a map
// resource and is evaluated in two phases, first the conditional, existence,
// equality and negation anchors (sorted by key), then the other keys, with
// global anchors first, then keys whose values contain anchors, then the
// rest (each group sorted by key; Kyverno's order within a group is Go map
// order, i.e. random). The first failure stops the evaluation. A plain key
// whose pattern value is "*" only requires a non-null value. An array pattern
// whose first element is a map validates every resource element against that
// map; one whose first element is a scalar requires every resource element to
// match it; other arrays are compared position by position. A scalar pattern
// against an array resource requires every element to match.
//
// Wildcard keys in the labels and annotations of any "metadata" map of the
// pattern (e.g. "=(app.kubernetes.io/*)") are expanded against the resource's
// keys before evaluation; the anchor is kept. Every matching resource key is
// checked (Kyverno substitutes one arbitrary match); a key that matches
// nothing is kept as written.
//
// Errors and paths reproduce Kyverno's messages; paths are '/'-joined with a
// leading and trailing '/', e.g. "/spec/containers/0/image/". See Error for
// how skips, failures and missing anchors are reported.
package validate

// Package mutate holds the pure building blocks of Kanon's mutate rules.
//
// PreprocessStrategicMerge rewrites a patchStrategicMerge body against the
// resource before the strategic merge itself, resolving the mutate anchors
// (conditional "(key)", global "<(key)" and add-if-not-present "+(key)") the
// way Kyverno's strategic pre-processing does: anchors are evaluated against
// the resource, elements of lists of maps whose conditions hold are re-keyed
// by the resource element's name so that a merge by name updates them, and
// condition-only parts are removed from the result. A failed condition or
// global anchor yields an error for which IsSkip reports true.
//
// ApplyJSON6902 applies a patchesJson6902 list (YAML or JSON) of RFC 6902
// operations with the options Kyverno uses.
//
// Both functions work on decoded JSON trees (map[string]any, []any, string,
// bool, nil, int64, float64) and never modify their inputs.
package mutate

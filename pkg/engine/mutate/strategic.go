package mutate

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/kanon-policy/kanon/pkg/engine/pattern"
	"github.com/kanon-policy/kanon/pkg/engine/validate"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// absentT marks a resource value that does not exist at all, as opposed to a
// JSON null. Kyverno distinguishes the two (a missing node vs a null node).
type absentT struct{}

var absent any = absentT{}

// PreprocessStrategicMerge resolves the mutate anchors of a
// patchStrategicMerge body against the resource and returns the patch to
// merge. The patch must be a map; it is deep-copied, never modified.
//
//   - "+(key): v" is kept as "key: v" when the resource (at that level) lacks
//     key, and dropped when it has it.
//   - "(key): p" requires key to exist and match p (validate semantics;
//     scalars are compared in their text form, as Kyverno does); the anchor
//     is removed from the result.
//   - "<(key): p" is like a condition, but inside a list of maps a mismatch on
//     every element skips the whole patch.
//   - In a list of maps, a patch element with anchors is evaluated against
//     every resource element; for each one that satisfies it a copy without
//     condition anchors, carrying the resource element's name, is appended
//     so that the merge by name patches that element. The anchored element
//     itself is removed.
//   - Keys, maps and list elements that only held conditions are removed.
//
// A failed condition outside of a list of maps, or a failed global anchor,
// returns a nil patch and an error for which IsSkip is true. Other errors
// (e.g. a list patched against a non-list) are real errors.
//
// Keys of a map are processed in sorted order, so when several anchors fail
// the reported one is deterministic (Kyverno uses document order).
func PreprocessStrategicMerge(patch any, resource any) (any, error) {
	top, ok := patch.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("patchStrategicMerge must be a map, got %s", typeName(patch))
	}
	top = deepCopy(top).(map[string]any)
	if _, err := preprocess(top, resource); err != nil {
		return nil, err
	}
	deleteConditionElements(top)
	return top, nil
}

// preprocess walks the patch node against the resource node, updating the
// patch in place. It returns the node to store in place of pat (lists may
// grow).
func preprocess(pat, res any) (any, error) {
	switch p := pat.(type) {
	case map[string]any:
		return p, walkMap(p, res)
	case []any:
		return walkList(p, res)
	}
	return pat, nil
}

func walkMap(pat map[string]any, res any) error {
	handleAddIfNotPresent(pat, res)
	if err := validateConditions(pat, res); err != nil {
		return err
	}
	rm, _ := res.(map[string]any)
	for _, k := range sortedKeys(pat) {
		if kind, _ := validate.ParseAnchor(k); isMutateAnchor(kind) {
			continue
		}
		rv := absent
		if v, ok := rm[k]; ok {
			rv = v
		}
		nv, err := preprocess(pat[k], rv)
		if err != nil {
			return err
		}
		pat[k] = nv
	}
	return nil
}

func walkList(pat []any, res any) ([]any, error) {
	if len(pat) == 0 {
		return pat, nil
	}
	if _, ok := pat[0].(map[string]any); ok {
		return processListOfMaps(pat, res)
	}
	return pat, nil
}

// processListOfMaps evaluates every anchored patch element against every
// resource element. Each resource element gets its own copy of the patch
// element, so add-if-not-present anchors inside a conditional element are
// resolved per element (a key that one element has is still added to the
// others that lack it).
//
// A patch element with a plain "name" (no wildcard) names the one element it patches: it
// is evaluated against the resource element of that name only (or, when
// there is none, against nothing, and then added by the merge). Kyverno
// evaluates it against every element and copies each element's name into
// it, so "name: a" with an add-if-not-present anchor patches every element
// with a's values; Kanon does not.
func processListOfMaps(pat []any, res any) ([]any, error) {
	var resElems []any
	switch r := res.(type) {
	case []any:
		resElems = r
	case nil, absentT:
	default:
		return nil, fmt.Errorf("cannot patch a list onto %s", typeName(res))
	}
	elems := slices.Clone(pat)
	for _, el := range elems {
		if !hasAnchors(el, hasMutateAnchor) {
			continue
		}
		hasGlobal := hasAnchors(el, func(k validate.AnchorKind) bool { return k == validate.AnchorGlobal })
		anyGlobalPassed := false
		var lastGlobal error
		name, named := plainName(el)
		matched := false
		for _, re := range resElems {
			if named && !hasName(re, name) {
				continue
			}
			matched = true
			work, err := preprocess(deepCopy(el), re)
			if err != nil {
				switch {
				case isCondition(err):
					continue
				case isGlobal(err):
					lastGlobal = err
					continue
				}
				return nil, err
			}
			if hasGlobal {
				anyGlobalPassed = true
				continue
			}
			var err2 error
			if pat, err2 = appendNamed(pat, work, re); err2 != nil {
				return nil, fmt.Errorf("failed to update name in pattern: %w", err2)
			}
		}
		if res == absent || (named && !matched) {
			work, err := preprocess(deepCopy(el), absent)
			if err != nil {
				if isCondition(err) {
					continue
				}
				return nil, err
			}
			if hasGlobal {
				anyGlobalPassed = true
			} else if named {
				if pat, err = appendNamed(pat, work, map[string]any{"name": name}); err != nil {
					return nil, fmt.Errorf("failed to update name in pattern: %w", err)
				}
			}
		}
		if !anyGlobalPassed && lastGlobal != nil {
			return nil, lastGlobal
		}
	}
	return pat, nil
}

// plainName returns the value of a patch element's plain (not anchored)
// "name" key, when it is a non-empty string without wildcards ("name: *"
// keeps meaning every element).
func plainName(el any) (string, bool) {
	m, ok := el.(map[string]any)
	if !ok {
		return "", false
	}
	name, ok := m["name"].(string)
	return name, ok && name != "" && !wildcard.ContainsWildcard(name)
}

func hasName(re any, name string) bool {
	m, ok := re.(map[string]any)
	return ok && m["name"] == name
}

// appendNamed appends to the patch list a copy of the processed element,
// stripped of its conditions and carrying the resource element's name.
// Resource elements without a name cannot be targeted and are ignored.
func appendNamed(pat []any, work, re any) ([]any, error) {
	rm, ok := re.(map[string]any)
	if !ok {
		return pat, nil
	}
	name, ok := rm["name"]
	if !ok || isNilOrEmpty(name) {
		return pat, nil
	}
	nn, empty := deleteAnchors(deepCopy(work), true, false)
	if empty {
		return pat, nil
	}
	m, ok := nn.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("cannot set the name of %s", typeName(nn))
	}
	m["name"] = deepCopy(name)
	return append(pat, m), nil
}

// handleAddIfNotPresent drops "+(key)" entries whose key exists in the
// resource map and renames the others to "key". It returns how many
// add-if-not-present anchors the map had.
func handleAddIfNotPresent(pat any, res any) int {
	pm, ok := pat.(map[string]any)
	if !ok {
		return 0
	}
	rm, _ := res.(map[string]any)
	n := 0
	for _, k := range sortedKeys(pm) {
		kind, name := validate.ParseAnchor(k)
		if kind != validate.AnchorAddIfNotPresent {
			continue
		}
		n++
		v := pm[k]
		delete(pm, k)
		if _, exists := rm[name]; !exists {
			pm[name] = v
		}
	}
	return n
}

// validateConditions checks the global anchors, then the conditional anchors
// of a patch map.
func validateConditions(pat map[string]any, res any) error {
	if err := checkAnchors(pat, res, validate.AnchorGlobal); err != nil {
		return &ConditionError{Global: true, Err: err}
	}
	if err := checkAnchors(pat, res, validate.AnchorCondition); err != nil {
		return &ConditionError{Err: err}
	}
	return nil
}

func checkAnchors(pat map[string]any, res any, want validate.AnchorKind) error {
	rm, isMap := res.(map[string]any)
	for _, k := range sortedKeys(pat) {
		kind, name := validate.ParseAnchor(k)
		if kind != want {
			continue
		}
		rv, ok := rm[name]
		if !isMap || !ok {
			return missingKey(name)
		}
		pv := pat[k]
		// An anchor whose value holds add-if-not-present anchors is not
		// checked; its "+(...)" keys are resolved instead.
		if handleAddIfNotPresent(pv, rv) > 0 {
			continue
		}
		if err := checkCondition(pv, rv); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

var errMismatch = errors.New("value does not match the condition")

// checkCondition matches a resource value against an anchor's value with
// validate semantics. Like Kyverno, a scalar on either side is compared in
// its text form (so true matches "true" and 3 matches "3").
func checkCondition(pv, rv any) error {
	pv, rv = scalarText(pv), scalarText(rv)
	if s, ok := pv.(string); ok {
		v, err := pattern.Compile(s)
		if err != nil {
			return err
		}
		if !v.Match(rv) {
			return fmt.Errorf("%w: %q does not match %q", errMismatch, fmt.Sprint(rv), s)
		}
		return nil
	}
	p, err := validate.Compile(pv)
	if err != nil {
		return err
	}
	if merr := p.Match(rv); merr != nil {
		return merr
	}
	return nil
}

// scalarText converts a scalar to the text a YAML scalar node would hold.
func scalarText(v any) any {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	}
	return v
}

func isMutateAnchor(k validate.AnchorKind) bool {
	return k == validate.AnchorCondition || k == validate.AnchorGlobal || k == validate.AnchorAddIfNotPresent
}

func hasMutateAnchor(k validate.AnchorKind) bool { return isMutateAnchor(k) }

func isConditionKind(k validate.AnchorKind) bool {
	return k == validate.AnchorCondition || k == validate.AnchorGlobal
}

// hasAnchors reports whether the node has, at any depth, a map key whose
// anchor kind satisfies want. As in Kyverno, a string value that is itself
// written like a condition or global anchor also counts.
func hasAnchors(node any, want func(validate.AnchorKind) bool) bool {
	switch t := node.(type) {
	case map[string]any:
		for k, v := range t {
			if kind, _ := validate.ParseAnchor(k); kind != validate.AnchorNone && want(kind) {
				return true
			}
			if hasAnchors(v, want) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasAnchors(e, want) {
				return true
			}
		}
	case string:
		kind, _ := validate.ParseAnchor(t)
		return isConditionKind(kind)
	}
	return false
}

// deleteConditionElements removes condition-only parts of the top-level
// patch map.
func deleteConditionElements(top map[string]any) {
	for _, k := range sortedKeys(top) {
		kind, _ := validate.ParseAnchor(k)
		nv, del := deleteAnchors(top[k], isConditionKind(kind), false)
		if del {
			delete(top, k)
		} else {
			top[k] = nv
		}
	}
}

// deleteAnchors removes condition and global anchors from the node and
// reports whether the node itself must be removed because nothing but
// conditions (or nothing at all) is left in it. Scalars are removed when
// deleteScalar is set, i.e. when they are the value of an anchor.
func deleteAnchors(node any, deleteScalar, traverseMaps bool) (any, bool) {
	switch t := node.(type) {
	case map[string]any:
		return t, deleteAnchorsInMap(t, traverseMaps)
	case []any:
		return deleteAnchorsInList(t, traverseMaps)
	}
	return node, deleteScalar
}

func deleteAnchorsInMap(m map[string]any, traverseMaps bool) bool {
	anchorsLeft := false
	for _, k := range sortedKeys(m) {
		kind, _ := validate.ParseAnchor(k)
		if !isConditionKind(kind) {
			continue
		}
		nv, del := deleteAnchors(m[k], true, traverseMaps)
		if del {
			delete(m, k)
		} else {
			m[k] = nv
			anchorsLeft = true
		}
	}
	if anchorsLeft {
		// Anchors with remaining content become plain keys.
		for _, k := range sortedKeys(m) {
			if kind, name := validate.ParseAnchor(k); isConditionKind(kind) {
				v := m[k]
				delete(m, k)
				m[name] = v
			}
		}
	}
	needDelete := true
	for _, k := range sortedKeys(m) {
		nv, del := deleteAnchors(m[k], false, traverseMaps)
		if del {
			delete(m, k)
		} else {
			m[k] = nv
			needDelete = false
		}
	}
	return needDelete
}

func deleteAnchorsInList(l []any, traverseMaps bool) ([]any, bool) {
	wasEmpty := len(l) == 0
	out := l[:0:0]
	for _, el := range l {
		if hasAnchors(el, hasMutateAnchor) {
			del := true
			if _, isMap := el.(map[string]any); traverseMaps && isMap {
				el, del = deleteAnchors(el, true, traverseMaps)
			}
			if !del {
				out = append(out, el)
			}
			continue
		}
		nv, del := deleteAnchors(el, false, traverseMaps)
		if !del {
			out = append(out, nv)
		}
	}
	return out, len(out) == 0 && !wasEmpty
}

// isNilOrEmpty mirrors kyaml's RNode.IsNilOrEmpty for a decoded value.
func isNilOrEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

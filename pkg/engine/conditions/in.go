package conditions

import (
	"encoding/json"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/pattern"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// keyStrings returns the string form of a list key.
func keyStrings(list []any) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = sprint(e)
	}
	return out
}

// scalarKey returns the string form of a string, number or (if withBool)
// bool key.
func scalarKey(key any, withBool bool) (string, bool) {
	switch k := key.(type) {
	case string:
		return k, true
	case float64:
		return sprint(k), true
	case bool:
		if withBool {
			return sprint(k), true
		}
	}
	return "", false
}

// matchBoth matches two strings with wildcards in both directions.
func matchBoth(a, b string) bool {
	return wildcard.Match(a, b) || wildcard.Match(b, a)
}

// jsonStrings decodes a value string as a JSON array of strings, as Kyverno
// does for values read from ConfigMaps: ok is false when the string is not
// valid JSON (it is then a single element), invalid is true when it is JSON
// but not an array of strings.
func jsonStrings(s string) (arr []string, ok, invalid bool) {
	if !json.Valid([]byte(s)) {
		return nil, false, false
	}
	if err := json.Unmarshal([]byte(s), &arr); err != nil {
		return nil, true, true
	}
	return arr, true, false
}

// inRange reports whether s lies in the range pattern r ("a-b", or its
// "a!-b" negation), compared like a validation pattern.
func inRange(s, r string) bool {
	p, err := pattern.Compile(r)
	return err == nil && p.Match(s)
}

func isRange(s string) bool {
	return pattern.ParseOperator(s) == pattern.InRange
}

// keyInValue is the lookup of one key string in a value for the AnyIn/AllIn
// family: a list (wildcards both ways), or a string that is a wildcard
// pattern, a range, a JSON array of strings (exact) or a plain string
// (exact). invalid reports a value of another type or an undecodable JSON
// string.
func keyInValue(key string, value any) (found, invalid bool) {
	switch v := value.(type) {
	case []any:
		for _, e := range v {
			if matchBoth(sprint(e), key) {
				return true, false
			}
		}
		return false, false
	case string:
		if wildcard.Match(v, key) {
			return true, false
		}
		if isRange(v) {
			return inRange(key, v), false
		}
		arr, isJSON, bad := jsonStrings(v)
		if bad {
			return false, true
		}
		if !isJSON {
			arr = []string{v}
		}
		for _, e := range arr {
			if e == key {
				return true, false
			}
		}
		return false, false
	}
	return false, true
}

// membership implements AnyIn/AnyNotIn (sets = anySetIn) and AllIn/AllNotIn
// (sets = allSetIn): a list key is compared element-wise by sets, a scalar
// key the same way for both.
func membership(key, value any, negate bool, sets func(keys []string, value any, negate bool) bool) bool {
	if list, ok := key.([]any); ok {
		return sets(keyStrings(list), value, negate)
	}
	k, ok := scalarKey(key, true)
	if !ok {
		return false
	}
	found, invalid := keyInValue(k, value)
	if invalid {
		return false
	}
	return found != negate
}

// anySetIn reports whether any key element is in (negate: not in) value.
func anySetIn(keys []string, value any, negate bool) bool {
	var values []string
	switch v := value.(type) {
	case []any:
		values = keyStrings(v)
	case float64, bool:
		values = []string{sprint(v)}
	case string:
		if len(keys) == 1 && keys[0] == v {
			return !negate
		}
		if isRange(v) {
			r := v
			if negate {
				// Kyverno turns "a-b" into "a!-b" (first '-' only)
				r = strings.Replace(v, "-", "!-", 1)
			}
			for _, k := range keys {
				if inRange(k, r) {
					return true
				}
			}
			return false
		}
		arr, isJSON, bad := jsonStrings(v)
		if bad {
			return false
		}
		if !isJSON {
			arr = []string{v}
		}
		values = arr
	default:
		return false
	}
	for _, k := range keys {
		found := false
		for _, v := range values {
			if matchBoth(k, v) {
				found = true
				break
			}
		}
		if found != negate {
			return true
		}
	}
	return false
}

// allSetIn reports whether all key elements are in value (negate: none of
// them is).
func allSetIn(keys []string, value any, negate bool) bool {
	var values []string
	switch v := value.(type) {
	case []any:
		values = keyStrings(v)
	case string:
		if len(keys) == 1 && keys[0] == v {
			return !negate
		}
		if isRange(v) {
			n := 0
			for _, k := range keys {
				if inRange(k, v) {
					n++
				}
			}
			if negate {
				return n == 0
			}
			return n == len(keys)
		}
		arr, isJSON, bad := jsonStrings(v)
		if bad {
			return false
		}
		if !isJSON {
			arr = []string{v}
		}
		values = arr
	default:
		return false
	}
	n := 0
	for _, k := range keys {
		for _, v := range values {
			if matchBoth(k, v) {
				n++
				break
			}
		}
	}
	if negate {
		return n == 0
	}
	return n == len(keys)
}

// in implements the deprecated In and (negate) NotIn.
func in(key, value any, negate bool) bool {
	if list, ok := key.([]any); ok {
		return setIn(keyStrings(list), value, negate)
	}
	k, ok := scalarKey(key, false)
	if !ok {
		return false
	}
	var found bool
	switch v := value.(type) {
	case []any:
		for _, e := range v {
			if matchBoth(sprint(e), k) {
				found = true
				break
			}
		}
	case string:
		if wildcard.Match(v, k) {
			found = true
			break
		}
		var arr []string
		if err := json.Unmarshal([]byte(v), &arr); err != nil {
			return false
		}
		for _, e := range arr {
			if e == k {
				found = true
				break
			}
		}
	default:
		return false
	}
	return found != negate
}

// setIn reports whether all key elements are exactly in value (negate: any
// of them is not). value must be a list of strings or a JSON array string.
func setIn(keys []string, value any, negate bool) bool {
	var values []string
	switch v := value.(type) {
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return false
			}
			values = append(values, s)
		}
	case string:
		if len(keys) == 1 && keys[0] == v {
			// Kyverno answers true here for both In and NotIn
			return true
		}
		if err := json.Unmarshal([]byte(v), &values); err != nil {
			return false
		}
	default:
		return false
	}
	set := make(map[string]struct{}, len(values))
	for _, v := range values {
		set[v] = struct{}{}
	}
	for _, k := range keys {
		if _, ok := set[k]; !ok {
			return negate
		}
	}
	return !negate
}

package jmespath

import (
	"fmt"
	"math"
	"sort"
)

// asArray returns v as []any, converting other slice types.
func asArray(v any) ([]any, bool) {
	if s, ok := v.([]any); ok {
		return s, true
	}
	if !isSlice(v) {
		return nil, false
	}
	n, _ := normalize(v)
	s, ok := n.([]any)
	return s, ok
}

// intIndex converts an array index, which must be an integer.
func intIndex(f float64) (int, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) || math.Trunc(f) != f {
		return 0, fmt.Errorf("expected an integer number but got: %g", f)
	}
	if f < math.MinInt || f >= math.MaxInt {
		return 0, fmt.Errorf("number is outside the range of integer numbers: %g", f)
	}
	return int(f), nil
}

func jpLookup(_ *Env, a []any) (any, error) {
	if m, ok := a[0].(map[string]any); ok {
		key, ok := a[1].(string)
		if !ok {
			return nil, fnErrorf("lookup", "argument #2 is not of type String")
		}
		return m[key], nil
	}
	list, ok := asArray(a[0])
	if !ok {
		return nil, fnErrorf("lookup", "argument #1 is not of type Object or Array")
	}
	f, ok := a[1].(float64)
	if !ok {
		return nil, fnErrorf("lookup", "argument #2 is not of type Number")
	}
	i, err := intIndex(f)
	if err != nil {
		return nil, fnErrorf("lookup", "argument #2: %s", err.Error())
	}
	if i < 0 || i >= len(list) {
		return nil, nil
	}
	return list[i], nil
}

// jpItems turns an object (keys sorted) or an array (index keys) into an
// array of {keyName: key, valName: value} objects.
func jpItems(_ *Env, a []any) (any, error) {
	keyName, valName := a[1].(string), a[2].(string)
	if m, ok := a[0].(map[string]any); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, 0, len(m))
		for _, k := range keys {
			out = append(out, map[string]any{keyName: k, valName: m[k]})
		}
		return out, nil
	}
	list, ok := asArray(a[0])
	if !ok {
		return nil, fnErrorf("items", "argument #1 is not of type Object or Array")
	}
	out := make([]any, 0, len(list))
	for i, v := range list {
		out = append(out, map[string]any{keyName: float64(i), valName: v})
	}
	return out, nil
}

// jpObjectFromLists zips keys (strings, numbers or booleans, converted to
// text) with values; missing values are null.
func jpObjectFromLists(_ *Env, a []any) (any, error) {
	keys, ok := asArray(a[0])
	if !ok {
		return nil, fnErrorf("object_from_lists", "argument #1 is not of type Array")
	}
	values, ok := asArray(a[1])
	if !ok {
		return nil, fnErrorf("object_from_lists", "argument #2 is not of type Array")
	}
	out := make(map[string]any, len(keys))
	for i, k := range keys {
		key, err := toText(k)
		if err != nil {
			return nil, fnErrorf("object_from_lists", "argument #1 is not of type StringArray")
		}
		if i < len(values) {
			out[key] = values[i]
		} else {
			out[key] = nil
		}
	}
	return out, nil
}

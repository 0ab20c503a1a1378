package jmespath

import (
	"encoding/json"
	"reflect"
)

// normalize converts v into the representation the interpreter expects:
// numbers are float64, objects are map[string]any and arrays are []any.
// Containers are copied only when something inside them changes, so plain
// JSON-decoded data is returned as is (changed is then false).
func normalize(v any) (out any, changed bool) {
	switch t := v.(type) {
	case nil, string, bool, float64:
		return v, false
	case map[string]any:
		var copied map[string]any
		for k, e := range t {
			ne, ch := normalize(e)
			if !ch {
				continue
			}
			if copied == nil {
				copied = make(map[string]any, len(t))
				for k2, e2 := range t {
					copied[k2] = e2
				}
			}
			copied[k] = ne
		}
		if copied == nil {
			return t, false
		}
		return copied, true
	case []any:
		var copied []any
		for i, e := range t {
			ne, ch := normalize(e)
			if !ch {
				continue
			}
			if copied == nil {
				copied = make([]any, len(t))
				copy(copied, t)
			}
			copied[i] = ne
		}
		if copied == nil {
			return t, false
		}
		return copied, true
	case int:
		return float64(t), true
	case int8:
		return float64(t), true
	case int16:
		return float64(t), true
	case int32:
		return float64(t), true
	case int64:
		return float64(t), true
	case uint:
		return float64(t), true
	case uint8:
		return float64(t), true
	case uint16:
		return float64(t), true
	case uint32:
		return float64(t), true
	case uint64:
		return float64(t), true
	case float32:
		return float64(t), true
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f, true
		}
		return t.String(), true
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = e
		}
		return m, true
	case []string:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = e
		}
		return s, true
	case []map[string]any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i], _ = normalize(e)
		}
		return s, true
	}
	return normalizeReflect(v)
}

// normalizeReflect handles the remaining typed maps and slices (such as
// map[string][]string) and named scalar types. Anything else is returned
// unchanged.
func normalizeReflect(v any) (any, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v, false
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()], _ = normalize(it.Value().Interface())
		}
		return m, true
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, true
		}
		s := make([]any, rv.Len())
		for i := range s {
			s[i], _ = normalize(rv.Index(i).Interface())
		}
		return s, true
	case reflect.String:
		return rv.String(), true
	case reflect.Bool:
		return rv.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	return v, false
}

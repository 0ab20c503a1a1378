package conditions

import (
	"github.com/kanon-policy/kanon/pkg/engine/quantity"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// equals implements Equals. key and value are normalized (numbers are
// float64).
func equals(key, value any) bool {
	switch k := key.(type) {
	case bool:
		v, ok := value.(bool)
		return ok && k == v
	case float64:
		return floatEquals(k, value)
	case string:
		return stringEquals(k, value)
	case map[string]any:
		v, ok := value.(map[string]any)
		return ok && jsonEqual(k, v)
	case []any:
		v, ok := value.([]any)
		return ok && jsonEqual(k, v)
	}
	return false
}

// notEquals implements NotEquals: the negation of equals, except that an
// unsupported key type (null, ...) is false for both.
func notEquals(key, value any) bool {
	switch key.(type) {
	case bool, float64, string, map[string]any, []any:
		return !equals(key, value)
	}
	return false
}

func floatEquals(k float64, value any) bool {
	switch v := value.(type) {
	case float64:
		return k == v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return err == nil && f == k
	}
	return false
}

// stringEquals compares a string key with a value: durations first (a
// number on the other side counts as seconds), then resource quantities (a
// quantity key never falls back to the wildcard comparison), then the value
// as a wildcard pattern.
func stringEquals(k string, value any) bool {
	if kd, vd, ok := parseDurations(k, value); ok {
		return kd.Seconds() == vd.Seconds()
	}
	if kq, ok := quantity.Parse(k); ok {
		vq, ok := comparableQuantity(value)
		return ok && kq.Cmp(vq) == 0
	}
	if v, ok := value.(string); ok {
		return wildcard.Match(v, k)
	}
	return false
}

// comparableQuantity converts a value compared with a quantity key: a
// quantity string or a number.
func comparableQuantity(value any) (resource.Quantity, bool) {
	switch v := value.(type) {
	case string:
		return quantity.Parse(v)
	case float64:
		return numberQuantity(v)
	}
	return resource.Quantity{}, false
}

package conditions

import (
	"fmt"
	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/kanon-policy/kanon/pkg/engine/quantity"
	"k8s.io/apimachinery/pkg/api/resource"
)

// toFloat converts any Go number (and a valid json.Number) to float64, the
// way jmespath.Normalize does.
func toFloat(v any) (float64, bool) {
	switch v.(type) {
	case nil, string, bool, map[string]any, []any:
		return 0, false
	}
	f, ok := jmespath.Normalize(v).(float64)
	return f, ok
}

// normalize turns a Go number into float64, the type of every number in
// Kyverno (which only ever sees JSON-decoded data). Other values are
// returned unchanged.
func normalize(v any) any {
	switch v.(type) {
	case nil, string, bool, float64, map[string]any, []any:
		return v
	}
	if f, ok := toFloat(v); ok {
		return f
	}
	return v
}

// sprint is Kyverno's fmt.Sprint of a JSON value: numbers are float64.
func sprint(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return fmt.Sprint(t)
	case map[string]any, []any:
		return fmt.Sprint(jmespath.Normalize(t))
	}
	return fmt.Sprint(normalize(v))
}

// jsonEqual is deep equality of decoded JSON values, comparing numbers by
// value whatever their Go type.
func jsonEqual(a, b any) bool {
	switch ta := a.(type) {
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok || len(ta) != len(tb) || (ta == nil) != (tb == nil) {
			return false
		}
		for k, va := range ta {
			vb, ok := tb[k]
			if !ok || !jsonEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		tb, ok := b.([]any)
		if !ok || len(ta) != len(tb) || (ta == nil) != (tb == nil) {
			return false
		}
		for i := range ta {
			if !jsonEqual(ta[i], tb[i]) {
				return false
			}
		}
		return true
	case string:
		tb, ok := b.(string)
		return ok && ta == tb
	case bool:
		tb, ok := b.(bool)
		return ok && ta == tb
	case nil:
		return b == nil
	}
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

// numberQuantity converts a JSON number to a quantity.
func numberQuantity(f float64) (resource.Quantity, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return resource.Quantity{}, false
	}
	return quantity.Parse(strconv.FormatFloat(f, 'f', -1, 64))
}

// secondsDuration converts a number of seconds to a duration the way Kyverno
// does: time.Duration(n) * time.Second, which truncates the fraction.
func secondsDuration(f float64) time.Duration {
	return time.Duration(f) * time.Second
}

// parseDurations is Kyverno's duration detection for a key/value pair: at
// least one side must be a duration string (the string "0" does not count);
// the other side may be a duration string or a number of seconds.
func parseDurations(key, value any) (k, v time.Duration, ok bool) {
	kd, kok := durationString(key)
	vd, vok := durationString(value)
	if !kok && !vok {
		return 0, 0, false
	}
	if !kok {
		f, isNum := key.(float64)
		if !isNum {
			return 0, 0, false
		}
		kd = secondsDuration(f)
	}
	if !vok {
		f, isNum := value.(float64)
		if !isNum {
			return 0, 0, false
		}
		vd = secondsDuration(f)
	}
	return kd, vd, true
}

func durationString(v any) (time.Duration, bool) {
	s, ok := v.(string)
	if !ok || s == "0" {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

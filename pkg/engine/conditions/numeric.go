package conditions

import (
	"github.com/kanon-policy/kanon/pkg/engine/quantity"
	"strconv"
	"time"

	"github.com/blang/semver/v4"
)

// numeric implements GreaterThan, GreaterThanOrEquals, LessThan and
// LessThanOrEquals. key and value are normalized.
func numeric(key, value any, o order) bool {
	switch k := key.(type) {
	case float64:
		return numberVs(k, value, o)
	case string:
		return stringVs(k, value, o)
	}
	return false
}

// numberVs compares a number key: with a number, or with a string value
// read as a duration (the key then counts as seconds) or else as a float.
func numberVs(k float64, value any, o order) bool {
	switch v := value.(type) {
	case float64:
		return o.floats(k, v)
	case string:
		if kd, vd, ok := parseDurations(k, v); ok {
			return o.floats(kd.Seconds(), vd.Seconds())
		}
		// Kyverno also tries strconv.ParseInt, which accepts nothing that
		// ParseFloat rejects.
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return o.floats(k, f)
		}
	}
	return false
}

// stringVs compares a string key, trying in order: durations, quantities
// (both sides strings), the key as a number, the key as a semantic version.
func stringVs(k string, value any, o order) bool {
	if kd, vd, ok := parseDurations(k, value); ok {
		return o.floats(kd.Seconds(), vd.Seconds())
	}
	if v, ok := value.(string); ok {
		if kq, ok := quantity.Parse(k); ok {
			if vq, ok := quantity.Parse(v); ok {
				return o.holds(kq.Cmp(vq))
			}
		}
	}
	if f, err := strconv.ParseFloat(k, 64); err == nil {
		return numberVs(f, value, o)
	}
	if kv, err := semver.Parse(k); err == nil {
		v, ok := value.(string)
		if !ok {
			return false
		}
		vv, err := semver.Parse(v)
		if err != nil {
			return false
		}
		return o.holds(kv.Compare(vv))
	}
	return false
}

// durationOp implements the deprecated Duration* operators: both sides must
// be duration strings or numbers of seconds.
func durationOp(key, value any, o order) bool {
	kd, ok := durationOrSeconds(key)
	if !ok {
		return false
	}
	vd, ok := durationOrSeconds(value)
	if !ok {
		return false
	}
	switch {
	case kd < vd:
		return o.holds(-1)
	case kd > vd:
		return o.holds(1)
	}
	return o.holds(0)
}

func durationOrSeconds(v any) (time.Duration, bool) {
	switch t := v.(type) {
	case float64:
		return secondsDuration(t), true
	case string:
		d, err := time.ParseDuration(t)
		return d, err == nil
	}
	return 0, false
}

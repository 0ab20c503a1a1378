package jmespath

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// toText converts a scalar argument to a string the way Kyverno does for the
// functions that accept "string or number". Floats keep full float64
// precision.
func toText(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(t), 'f', -1, 32), nil
	case int:
		return strconv.Itoa(t), nil
	case bool:
		return strconv.FormatBool(t), nil
	}
	return "", errors.New("error, undefined type cast")
}

// toInt converts a float64 to an int, saturating instead of overflowing.
func toInt(f float64) int {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt:
		return math.MaxInt
	case f <= math.MinInt:
		return math.MinInt
	}
	return int(f)
}

func jpCompare(_ *Env, a []any) (any, error) {
	return float64(strings.Compare(a[0].(string), a[1].(string))), nil
}

func jpEqualFold(_ *Env, a []any) (any, error) {
	return strings.EqualFold(a[0].(string), a[1].(string)), nil
}

func jpReplace(_ *Env, a []any) (any, error) {
	return strings.Replace(a[0].(string), a[1].(string), a[2].(string), toInt(a[3].(float64))), nil
}

func jpReplaceAll(_ *Env, a []any) (any, error) {
	return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
}

func jpToUpper(_ *Env, a []any) (any, error) { return strings.ToUpper(a[0].(string)), nil }

func jpToLower(_ *Env, a []any) (any, error) { return strings.ToLower(a[0].(string)), nil }

func jpTrim(_ *Env, a []any) (any, error) { return strings.Trim(a[0].(string), a[1].(string)), nil }

func jpTrimPrefix(_ *Env, a []any) (any, error) {
	return strings.TrimPrefix(a[0].(string), a[1].(string)), nil
}

func jpSplit(_ *Env, a []any) (any, error) {
	parts := strings.Split(a[0].(string), a[1].(string))
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// regexArgs returns the compiled regular expression and the textual forms of
// the remaining arguments of the regex_* functions.
func regexArgs(name string, a []any) (*regexp.Regexp, []string, error) {
	texts := make([]string, len(a)-1)
	for i := range texts {
		s, err := toText(a[i+1])
		if err != nil {
			return nil, nil, fnErrorf(name, "argument #%d is not of type String or Real", i+2)
		}
		texts[i] = s
	}
	re, err := regexp.Compile(a[0].(string))
	if err != nil {
		return nil, nil, fnErrorf(name, "%s", err.Error())
	}
	return re, texts, nil
}

func jpRegexReplaceAll(_ *Env, a []any) (any, error) {
	re, t, err := regexArgs("regex_replace_all", a)
	if err != nil {
		return nil, err
	}
	return re.ReplaceAllString(t[0], t[1]), nil
}

func jpRegexReplaceAllLiteral(_ *Env, a []any) (any, error) {
	re, t, err := regexArgs("regex_replace_all_literal", a)
	if err != nil {
		return nil, err
	}
	return re.ReplaceAllLiteralString(t[0], t[1]), nil
}

func jpRegexMatch(_ *Env, a []any) (any, error) {
	src, err := toText(a[1])
	if err != nil {
		return nil, fnErrorf("regex_match", "argument #2 is not of type String or Real")
	}
	// Like Kyverno, a bad expression is reported as the regexp error.
	ok, err := regexp.MatchString(a[0].(string), src)
	if err != nil {
		return nil, err
	}
	return ok, nil
}

func jpPatternMatch(_ *Env, a []any) (any, error) {
	src, err := toText(a[1])
	if err != nil {
		return nil, fnErrorf("pattern_match", "argument #2 is not of type String or Real")
	}
	return wildcard.Match(a[0].(string), src), nil
}

func jpLabelMatch(_ *Env, a []any) (any, error) {
	selector, labels := a[0].(map[string]any), a[1].(map[string]any)
	for k, want := range selector {
		got, ok := labels[k]
		if !ok || !sameValue(got, want) {
			return false, nil
		}
	}
	return true, nil
}

// sameValue compares two JSON values; scalars by value, containers deeply.
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.TypeOf(a).Comparable() && reflect.TypeOf(b).Comparable() {
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

func jpToBoolean(_ *Env, a []any) (any, error) {
	s := a[0].(string)
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, fnErrorf("to_boolean", "%s", fmt.Sprintf("lowercase argument must be 'true' or 'false' (provided: '%s')", s))
}

func jpTruncate(_ *Env, a []any) (any, error) {
	s, n := a[0].(string), toInt(a[1].(float64))
	if n < 0 {
		n = 0
	}
	r := []rune(s)
	if n >= len(r) {
		return s, nil
	}
	return string(r[:n]), nil
}

func jpPathCanonicalize(_ *Env, a []any) (any, error) {
	return filepath.Join(a[0].(string)), nil
}

package manifest

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Scalar resolution follows YAML 1.1 as implemented by the YAML library
// under sigs.k8s.io/yaml (go.yaml.in/yaml/v2), so that a manifest means the
// same thing here as it does to kubectl and Kyverno:
//
//   - null: "", "~", null, Null, NULL
//   - bool: y Y yes Yes YES on On ON true True TRUE, and their negations
//     n N no No NO off Off OFF false False FALSE
//   - int: anything strconv.ParseInt accepts with base 0 once underscores are
//     removed (decimal, 0x hex, 0o and leading-0 octal, 0b binary, a sign)
//   - float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? after removing
//     underscores, anything strconv.ParseFloat accepts that starts with '.',
//     and .inf, -.inf, .nan in their three spellings
//   - everything else, timestamps included, is a string.

// Tags as go.yaml.in/yaml/v3 reports them (short form).
const (
	tagStr       = "!!str"
	tagBool      = "!!bool"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagNull      = "!!null"
	tagTimestamp = "!!timestamp"
	tagBinary    = "!!binary"
	tagMerge     = "!!merge"
)

// resolvePlain resolves an untagged plain scalar. The result is nil, bool,
// int64, uint64 (only above math.MaxInt64), float64 (possibly NaN or ±Inf)
// or string; tag names the type found.
func resolvePlain(s string) (v any, tag string) {
	if s == "" {
		return nil, tagNull
	}
	switch c := s[0]; {
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if v, tag, ok := resolveSpecial(s); ok {
			return v, tag
		}
		return resolveNumber(s)
	case c == '.':
		if v, tag, ok := resolveSpecial(s); ok {
			return v, tag
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, tagFloat
		}
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		if v, tag, ok := resolveSpecial(s); ok {
			return v, tag
		}
	}
	return s, tagStr
}

// resolveSpecial looks s up among the fixed spellings of null, booleans and
// special floats.
func resolveSpecial(s string) (v any, tag string, ok bool) {
	if len(s) > 5 {
		return nil, "", false
	}
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true, tagBool, true
	case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return false, tagBool, true
	case "~", "null", "Null", "NULL":
		return nil, tagNull, true
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), tagFloat, true
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), tagFloat, true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), tagFloat, true
	}
	return nil, "", false
}

// resolveNumber resolves a scalar starting with a digit or a sign.
func resolveNumber(s string) (any, string) {
	plain := s
	if strings.IndexByte(s, '_') >= 0 {
		plain = strings.ReplaceAll(s, "_", "")
	}
	if isDecimalInt(plain) {
		// Fast path for the common case; falls through on overflow.
		if i, err := strconv.ParseInt(plain, 10, 64); err == nil {
			return i, tagInt
		}
	}
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return i, tagInt
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return u, tagInt
	}
	if isYAMLFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f, tagFloat
		}
	}
	return s, tagStr
}

// isDecimalInt reports whether s is an optional '-' followed by digits with
// no leading zero (so base 0 and base 10 agree).
func isDecimalInt(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isYAMLFloat matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// resolveTagged resolves a scalar that carries an explicit tag, such as
// `!!int "3"` or `!!str 3`. Unknown and local tags (`!foo`) give the text.
func resolveTagged(tag, s string) (any, string, error) {
	switch tag {
	case tagStr:
		return s, tagStr, nil
	case tagBinary:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, "", fmt.Errorf("!!binary value contains invalid base64 data")
		}
		return validUTF8(string(b)), tagStr, nil
	case tagBool, tagInt, tagFloat, tagNull, tagTimestamp:
	default:
		return s, tagStr, nil
	}
	var v any
	var got string
	if tag == tagTimestamp && isTimestamp(s) {
		v, got = s, tagTimestamp
	} else {
		v, got = resolvePlain(s)
	}
	switch {
	case got == tag:
		return v, tag, nil
	case tag == tagFloat && got == tagInt:
		switch n := v.(type) {
		case int64:
			return float64(n), tagFloat, nil
		case uint64:
			// yaml.v2 refuses to widen an unsigned int to !!float.
		}
	}
	return nil, "", fmt.Errorf("cannot decode %s `%s` as a %s", got, s, tag)
}

// isTimestamp reports whether s is one of the timestamp forms yaml.v2
// recognises (it keeps them as strings; only an explicit !!timestamp tag
// needs the check).
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range [...]string{
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
		"2006-1-2",
	} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// validUTF8 replaces each byte of s that is not part of valid UTF-8 with
// U+FFFD, as encoding/json does when it writes a string.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// keyString turns a resolved map key into the JSON object key that
// sigs.k8s.io/yaml would produce.
func keyString(v any) (string, error) {
	switch k := v.(type) {
	case string:
		return k, nil
	case int64:
		return strconv.FormatInt(k, 10), nil
	case float64:
		switch {
		case math.IsNaN(k):
			return ".nan", nil
		case math.IsInf(k, 1):
			return ".inf", nil
		case math.IsInf(k, -1):
			return "-.inf", nil
		}
		return strconv.FormatFloat(k, 'g', -1, 32), nil
	case bool:
		if k {
			return "true", nil
		}
		return "false", nil
	case nil:
		return "", fmt.Errorf("a null map key is not supported in JSON")
	case uint64:
		return "", fmt.Errorf("map key %d is out of range", k)
	}
	return "", fmt.Errorf("unsupported map key %v", v)
}

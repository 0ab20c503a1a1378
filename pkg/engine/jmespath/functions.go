package jmespath

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	gojmespath "github.com/kyverno/go-jmespath"
)

// Argument and result types, as JMESPath names them.
const (
	tString = "string"
	tNumber = "number"
	tBool   = "bool"
	tObject = "object"
	tArray  = "array"
	tAny    = "any"
)

// FunctionInfo describes a custom function for `kanon jp function`.
type FunctionInfo struct {
	// Name is the function name, e.g. "truncate".
	Name string
	// Signature is the call form with the argument types followed by the
	// return type, as `kyverno jp function` prints it, e.g.
	// "truncate(string, number) string"; alternatives are joined by "|".
	Signature string
	// ReturnType is the result type, e.g. "string".
	ReturnType string
	// Note is a one-line description.
	Note string
}

// String renders the function the way `kyverno jp function` prints it.
func (f FunctionInfo) String() string {
	s := fmt.Sprintf("Name: %s\n  Signature: %s\n", f.Name, f.Signature)
	if f.Note != "" {
		s += "  Note: " + f.Note + "\n"
	}
	return s
}

// Functions returns every custom function, sorted by name.
func Functions() []FunctionInfo {
	out := make([]FunctionInfo, 0, len(functionTable))
	for _, f := range functionTable {
		out = append(out, f.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// function is one custom function.
type function struct {
	name string
	// args lists the accepted types of each argument. A function without
	// arguments accepts and ignores any arguments, as in Kyverno.
	args [][]string
	ret  string
	note string
	fn   func(e *Env, args []any) (any, error)
}

func (f function) info() FunctionInfo {
	parts := make([]string, len(f.args))
	for i, a := range f.args {
		parts[i] = strings.Join(a, "|")
	}
	return FunctionInfo{
		Name:       f.name,
		Signature:  f.name + "(" + strings.Join(parts, ", ") + ") " + f.ret,
		ReturnType: f.ret,
		Note:       f.note,
	}
}

// entry adapts f to the library. Arguments are declared as nothing so that
// the library hands every call to the handler, which checks the arity and
// the types itself and reports errors that name the function and argument.
func (f function) entry(e *Env) gojmespath.FunctionEntry {
	return gojmespath.FunctionEntry{
		Name: f.name,
		Handler: func(args []any) (any, error) {
			if len(f.args) > 0 {
				if len(args) != len(f.args) {
					return nil, fnErrorf(f.name, "incorrect number of args: expected %d, got %d", len(f.args), len(args))
				}
				for i, types := range f.args {
					if !matchesType(types, args[i]) {
						return nil, argTypeError(f.name, i, types, args[i])
					}
				}
			}
			return f.fn(e, args)
		},
	}
}

func matchesType(types []string, v any) bool {
	for _, t := range types {
		switch t {
		case tAny:
			return true
		case tString:
			if _, ok := v.(string); ok {
				return true
			}
		case tNumber:
			if _, ok := v.(float64); ok {
				return true
			}
		case tBool:
			if _, ok := v.(bool); ok {
				return true
			}
		case tObject:
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case tArray:
			if isSlice(v) {
				return true
			}
		}
	}
	return false
}

func isSlice(v any) bool {
	return v != nil && reflect.TypeOf(v).Kind() == reflect.Slice
}

// typeName is the JMESPath type of v, for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return tString
	case float64:
		return tNumber
	case bool:
		return tBool
	case map[string]any:
		return tObject
	}
	if isSlice(v) {
		return tArray
	}
	if reflect.TypeOf(v).Name() == "expRef" {
		return "expref"
	}
	return reflect.TypeOf(v).String()
}

// Error formats, as in Kyverno.
const errPrefix = "JMESPath function '%s': "

func fnErrorf(name, format string, a ...any) error {
	return fmt.Errorf(errPrefix+format, append([]any{name}, a...)...)
}

func argTypeError(name string, index int, types []string, got any) error {
	return fnErrorf(name, "argument #%d is not of type %s (got %s)", index+1, strings.Join(types, " or "), typeName(got))
}

func zeroDivisionError(name string) error { return fnErrorf(name, "Zero divisor passed") }
func nonIntModuloError(name string) error {
	return fnErrorf(name, "Non-integer argument(s) passed for modulo")
}
func typeMismatchError(name string) error { return fnErrorf(name, "Types mismatch") }

func args(types ...[]string) [][]string { return types }
func one(t string) []string             { return []string{t} }
func either(t ...string) []string       { return t }

var (
	str  = one(tString)
	num  = one(tNumber)
	obj  = one(tObject)
	arr  = one(tArray)
	anyT = one(tAny)
)

// functionTable lists every custom function.
var functionTable = []function{
	// strings
	{name: "compare", args: args(str, str), ret: tNumber, note: "compares two strings lexicographically: -1, 0 or 1", fn: jpCompare},
	{name: "equal_fold", args: args(str, str), ret: tBool, note: "reports whether two strings are equal ignoring letter case", fn: jpEqualFold},
	{name: "replace", args: args(str, str, str, num), ret: tString, note: "replaces the first n occurrences of the second string with the third in the first (all when n < 0)", fn: jpReplace},
	{name: "replace_all", args: args(str, str, str), ret: tString, note: "replaces every occurrence of the second string with the third in the first", fn: jpReplaceAll},
	{name: "to_upper", args: args(str), ret: tString, note: "converts a string to upper case", fn: jpToUpper},
	{name: "to_lower", args: args(str), ret: tString, note: "converts a string to lower case", fn: jpToLower},
	{name: "trim", args: args(str, str), ret: tString, note: "removes the characters of the second string from both ends of the first", fn: jpTrim},
	{name: "trim_prefix", args: args(str, str), ret: tString, note: "removes the second string from the start of the first, if present", fn: jpTrimPrefix},
	{name: "split", args: args(str, str), ret: "array[string]", note: "splits the first string around each occurrence of the second", fn: jpSplit},
	{name: "regex_replace_all", args: args(str, either(tString, tNumber), either(tString, tNumber)), ret: tString, note: "replaces the matches of a regular expression; the replacement may use $1 or ${name}; numbers are converted to strings", fn: jpRegexReplaceAll},
	{name: "regex_replace_all_literal", args: args(str, either(tString, tNumber), either(tString, tNumber)), ret: tString, note: "replaces the matches of a regular expression with a literal replacement; numbers are converted to strings", fn: jpRegexReplaceAllLiteral},
	{name: "regex_match", args: args(str, either(tString, tNumber)), ret: tBool, note: "reports whether the regular expression (first argument) matches the string or number", fn: jpRegexMatch},
	{name: "pattern_match", args: args(str, either(tString, tNumber)), ret: tBool, note: "wildcard match: '*' matches any sequence of characters, '?' any single character", fn: jpPatternMatch},
	{name: "label_match", args: args(obj, obj), ret: tBool, note: "reports whether every key/value of the first object (a label selector) is in the second (labels); pass objects as backtick literals", fn: jpLabelMatch},
	{name: "to_boolean", args: args(str), ret: tBool, note: "converts 'true' or 'false', in any letter case, to a boolean", fn: jpToBoolean},
	{name: "truncate", args: args(str, num), ret: tString, note: "keeps at most the given number of characters; the length is a number literal, e.g. truncate(@, `9`)", fn: jpTruncate},
	{name: "path_canonicalize", args: args(str), ret: tString, note: "cleans a file path: removes duplicate separators and resolves . and ..", fn: jpPathCanonicalize},

	// arithmetic
	{name: "add", args: args(anyT, anyT), ret: tAny, note: "adds two numbers, quantities or durations", fn: jpAdd},
	{name: "sum", args: args(arr), ret: tAny, note: "adds the elements of a non-empty array of numbers, quantities or durations", fn: jpSum},
	{name: "subtract", args: args(anyT, anyT), ret: tAny, note: "subtracts two numbers, quantities or durations", fn: jpSubtract},
	{name: "multiply", args: args(anyT, anyT), ret: tAny, note: "multiplies two numbers, or a quantity or duration by a number", fn: jpMultiply},
	{name: "divide", args: args(anyT, anyT), ret: tAny, note: "divides numbers, quantities or durations; the divisor must not be zero", fn: jpDivide},
	{name: "modulo", args: args(anyT, anyT), ret: tAny, note: "remainder of a division of integers, quantities or durations; the divisor must not be zero", fn: jpModulo},
	{name: "round", args: args(num, num), ret: tNumber, note: "rounds a number to the given number of decimal places", fn: jpRound},

	// encoding and hashing
	{name: "base64_decode", args: args(str), ret: tString, note: "decodes a standard base64 string", fn: jpBase64Decode},
	{name: "base64_encode", args: args(str), ret: tString, note: "encodes a string as standard base64", fn: jpBase64Encode},
	{name: "sha256", args: args(str), ret: tString, note: "hex-encoded SHA-256 digest of a string", fn: jpSha256},
	{name: "sha1", args: args(str), ret: tString, note: "hex-encoded SHA-1 digest of a string", fn: jpSha1},
	{name: "md5", args: args(str), ret: tString, note: "hex-encoded MD5 digest of a string", fn: jpMd5},
	{name: "parse_json", args: args(str), ret: tAny, note: "decodes a JSON document held in a string (the opposite of to_string)", fn: jpParseJSON},
	{name: "parse_yaml", args: args(str), ret: tAny, note: "decodes a YAML document held in a string, provided it can be represented as JSON", fn: jpParseYAML},
	{name: "x509_decode", args: args(str), ret: tObject, note: "decodes a PEM certificate or certificate request with an RSA key to an object; combine with base64_decode for base64 data", fn: jpX509Decode},

	// collections
	{name: "lookup", args: args(either(tObject, tArray), either(tString, tNumber)), ret: tAny, note: "returns the value at a key of an object or an index of an array, or null", fn: jpLookup},
	{name: "items", args: args(either(tObject, tArray), str, str), ret: tArray, note: "turns an object (keys sorted) or array into an array of objects {keyName: key, valueName: value}", fn: jpItems},
	{name: "object_from_lists", args: args(arr, arr), ret: tObject, note: "builds an object from a list of keys and a list of values", fn: jpObjectFromLists},

	// misc
	{name: "semver_compare", args: args(str, str), ret: tBool, note: "reports whether a semantic version (first argument) satisfies a range such as '>=1.2.0 <2.0.0 || 3.x'", fn: jpSemverCompare},
	{name: "random", args: args(str), ret: tString, note: "generates a random string matching a regular expression, e.g. random('[a-z0-9]{6}')", fn: jpRandom},
	{name: "image_normalize", args: args(str), ret: tString, note: "normalizes an image reference, adding the default registry and the 'latest' tag", fn: jpImageNormalize},
	{name: "is_external_url", args: args(str), ret: tBool, note: "reports whether a URL's host is neither loopback nor private; host names are resolved", fn: jpIsExternalURL},

	// time
	{name: "time_since", args: args(str, str, str), ret: tString, note: "duration from the second time to the third (now when empty), both in the layout of the first (RFC 3339 when empty)", fn: jpTimeSince},
	{name: "time_now", ret: tString, note: "current time in RFC 3339", fn: jpTimeNow},
	{name: "time_now_utc", ret: tString, note: "current UTC time in RFC 3339", fn: jpTimeNowUTC},
	{name: "time_add", args: args(str, str), ret: tString, note: "adds a duration (second argument) to an RFC 3339 time", fn: jpTimeAdd},
	{name: "time_parse", args: args(str, str), ret: tString, note: "converts a time in a Go layout (first argument; an integer means Unix seconds) to RFC 3339", fn: jpTimeParse},
	{name: "time_utc", args: args(str), ret: tString, note: "converts an RFC 3339 time to UTC", fn: jpTimeUTC},
	{name: "time_diff", args: args(str, str), ret: tString, note: "duration from the first RFC 3339 time to the second", fn: jpTimeDiff},
	{name: "time_before", args: args(str, str), ret: tBool, note: "reports whether the first RFC 3339 time is before the second", fn: jpTimeBefore},
	{name: "time_after", args: args(str, str), ret: tBool, note: "reports whether the first RFC 3339 time is after the second", fn: jpTimeAfter},
	{name: "time_between", args: args(str, str, str), ret: tBool, note: "reports whether the first RFC 3339 time is strictly between the second and the third", fn: jpTimeBetween},
	{name: "time_truncate", args: args(str, str), ret: tString, note: "rounds an RFC 3339 time down to a multiple of a duration", fn: jpTimeTruncate},
	{name: "time_to_cron", args: args(str), ret: tString, note: "converts an RFC 3339 time to a cron expression 'minute hour day month weekday'", fn: jpTimeToCron},
}

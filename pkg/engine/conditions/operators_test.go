package conditions

import (
	"encoding/json"
	"fmt"
	"testing"
)

// opCase is one operator evaluation. key and value are JSON texts, decoded
// like policy and resource data (numbers become float64).
type opCase struct {
	name  string
	op    string
	key   string
	value string
	want  bool
}

func decodeJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}

func runOpCases(t *testing.T, cases []opCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = fmt.Sprintf("%s/%s_vs_%s", tc.op, tc.key, tc.value)
		}
		if seen[name] {
			t.Fatalf("duplicate case name %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			got, err := EvalOperator(tc.op, decodeJSON(t, tc.key), decodeJSON(t, tc.value))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tc.want {
				t.Errorf("%s(%s, %s) = %v, want %v", tc.op, tc.key, tc.value, got, tc.want)
			}
		})
	}
}

// The matrix below ports the behaviour pinned by Kyverno's evaluate tests
// (pkg/engine/variables/evaluate_test.go); the unnamed rows are named
// after operator, key and value.

func TestEquals(t *testing.T) {
	runOpCases(t, []opCase{
		{"", "Equals", `"string"`, `"string"`, true},
		{"", "Equals", `1`, `1`, true},
		{"", "Equals", `1.0`, `1.5`, false},
		{"", "Equals", `true`, `true`, true},
		{"", "Equals", `false`, `false`, true},
		{"quantity plain vs Ki", "Equals", `"1024"`, `"1Ki"`, true},
		{"quantity Ki vs plain", "Equals", `"1Ki"`, `"1024"`, true},
		{"", "Equals", `"1Gi"`, `"1Gi"`, true},
		{"quantity different scale", "Equals", `"1Gi"`, `"1024Mi"`, true},
		{"", "Equals", `"1h"`, `"1h"`, true},
		{"duration different unit", "Equals", `"1h"`, `"60m"`, true},
		{"map equal", "Equals", `{"foo":"bar"}`, `{"foo":"bar"}`, true},
		{"list equal", "Equals", `["foo","bar"]`, `["foo","bar"]`, true},
		{"list of maps equal", "Equals", `[{"foo":"bar"}]`, `[{"foo":"bar"}]`, true},
		{"nested numbers equal", "Equals", `{"a":[1,2.5,{"b":3}]}`, `{"a":[1,2.5,{"b":3}]}`, true},
		{"", "Equals", `"string"`, `"not string"`, false},
		{"", "Equals", `1`, `2`, false},
		{"", "Equals", `true`, `false`, false},
		{"", "Equals", `false`, `true`, false},
		{"", "Equals", `"1Gi"`, `"10Gi"`, false},
		{"", "Equals", `"10Gi"`, `"1024Mi"`, false},
		{"", "Equals", `"1h"`, `"5h"`, false},
		{"", "Equals", `"1h"`, `"30m"`, false},
		{"string key number value", "Equals", `"string"`, `1`, false},
		{"number key non-equal string", "Equals", `1`, `"2"`, false},
		{"number key equal string", "Equals", `1`, `"1"`, true},
		{"number key float string", "Equals", `1`, `"1.0"`, true},
		{"number key invalid string", "Equals", `42`, `"invalid"`, false},
		{"float key string", "Equals", `3.14`, `"3.14"`, true},
		{"", "Equals", `1.0`, `"2.0"`, false},
		{"bool key string", "Equals", `true`, `"true"`, false},
		{"", "Equals", `false`, `"true"`, false},
		{"map different", "Equals", `{"foo":"bar"}`, `{"bar":"foo"}`, false},
		{"map vs string", "Equals", `{"foo":"bar"}`, `"not a map"`, false},
		{"list order matters", "Equals", `["foo","bar"]`, `["bar","foo"]`, false},
		{"list vs string", "Equals", `["a"]`, `"a"`, false},
		{"list of maps different", "Equals", `[{"foo":"bar"}]`, `[{"bar":"foo"}]`, false},
		{"duration vs seconds", "Equals", `"1h"`, `3600`, true},
		{"duration vs other seconds", "Equals", `"2h"`, `3600`, false},
		{"seconds vs duration", "Equals", `3600`, `"1h"`, false}, // number key: the string is parsed as a float only
		{"version equal", "Equals", `"1.5.2"`, `"1.5.2"`, true},
		{"wildcard star", "Equals", `"1.5.2"`, `"1.5.*"`, true},
		{"version different", "Equals", `"1.5.0"`, `"1.5.5"`, false},
		{"wildcard prefix", "Equals", `"hello-world"`, `"hello-*"`, true},
		{"wildcard no match", "Equals", `"goodbye-world"`, `"hello-*"`, false},
		{"wildcard question mark", "Equals", `"abc"`, `"a?c"`, true},
		{"wildcard only on value side", "Equals", `"a*"`, `"abc"`, false},
		{"quantity key does not fall back to wildcard", "Equals", `"100"`, `"1*"`, false},
		{"quantity key vs non-quantity", "Equals", `"100Mi"`, `"not-a-quantity"`, false},
		{"quantity string vs number", "Equals", `"5"`, `5`, true},
		{"quantity string vs other number", "Equals", `"5"`, `6`, false},
		{"quantity Ki vs number", "Equals", `"1Ki"`, `1024`, true},
		{"quantity fraction vs number", "Equals", `"0.5"`, `0.5`, true},
		{"500m is a duration (minutes) before a quantity", "Equals", `"500m"`, `0.5`, false},
		{"duration key vs non-duration string falls to quantities", "Equals", `"500m"`, `"0.5"`, true},

		{"zero string is not a duration", "Equals", `"0"`, `"0s"`, false},
		{"zero number vs zero duration", "Equals", `0`, `"0s"`, false},
		{"duration vs bool", "Equals", `"1h"`, `true`, false},
		{"null key", "Equals", `null`, `null`, false},
		{"null value", "Equals", `"a"`, `null`, false},
		{"int vs fractional float", "Equals", `5`, `5.5`, false},
		{"fractional float vs int", "Equals", `5.5`, `5`, false},
		{"empty strings", "Equals", `""`, `""`, true},
		{"empty list", "Equals", `[]`, `[]`, true},
		{"deprecated Equal", "Equal", `"a"`, `"a"`, true},
		{"lower-case equals", "equals", `"a"`, `"a"`, true},
		{"upper-case EQUALS", "EQUALS", `"a"`, `"a"`, true},
	})
}

func TestNotEquals(t *testing.T) {
	runOpCases(t, []opCase{
		{"", "NotEquals", `"string"`, `"string"`, false},
		{"", "NotEquals", `1`, `1`, false},
		{"", "NotEquals", `1.0`, `1.0`, false},
		{"", "NotEquals", `true`, `false`, true},
		{"", "NotEquals", `false`, `false`, false},
		{"quantity plain vs Ki", "NotEquals", `"1024"`, `"1Ki"`, false},
		{"quantity Ki vs plain", "NotEquals", `"1Ki"`, `"1024"`, false},
		{"quantity 1023 vs Ki", "NotEquals", `"1023"`, `"1Ki"`, true},
		{"quantity Ki vs 1023", "NotEquals", `"1Ki"`, `"1023"`, true},
		{"", "NotEquals", `"1Gi"`, `"1Gi"`, false},
		{"", "NotEquals", `"10Gi"`, `"1024Mi"`, true},
		{"", "NotEquals", `"1Gi"`, `"1024Mi"`, false},
		{"", "NotEquals", `"1h"`, `"1h"`, false},
		{"", "NotEquals", `"1h"`, `"60m"`, false},
		{"", "NotEquals", `"1h"`, `"30m"`, true},
		{"map equal", "NotEquals", `{"foo":"bar"}`, `{"foo":"bar"}`, false},
		{"map different", "NotEquals", `{"foo":"bar"}`, `{"bar":"foo"}`, true},
		{"map vs string", "NotEquals", `{"foo":"bar"}`, `"x"`, true},
		{"list equal", "NotEquals", `["foo","bar"]`, `["foo","bar"]`, false},
		{"list order", "NotEquals", `["foo","bar"]`, `["bar","foo"]`, true},
		{"list vs string", "NotEquals", `["a"]`, `"a"`, true},
		{"", "NotEquals", `"string"`, `"not string"`, true},
		{"", "NotEquals", `1`, `2`, true},
		{"string key number value", "NotEquals", `"string"`, `1`, true},
		{"number key string value", "NotEquals", `1`, `"2"`, true},
		{"", "NotEquals", `1.0`, `"2.0"`, true},
		{"bool key string value", "NotEquals", `true`, `"false"`, true},
		{"duration vs seconds", "NotEquals", `"1h"`, `3600`, false},
		{"duration vs other seconds", "NotEquals", `"2h"`, `3600`, true},
		{"versions", "NotEquals", `"1.5.2"`, `"1.5.5"`, true},
		{"wildcard", "NotEquals", `"1.5.2"`, `"1.5.*"`, false},
		{"same version", "NotEquals", `"1.5.0"`, `"1.5.0"`, false},
		{"quantity vs non-quantity", "NotEquals", `"100Mi"`, `"not-a-quantity"`, true},
		{"int vs fractional float", "NotEquals", `5`, `5.5`, true},
		{"quantity string vs number", "NotEquals", `"5"`, `5`, false},
		{"quantity string vs other number", "NotEquals", `"5"`, `6`, true},
		{"null key is false for both", "NotEquals", `null`, `"x"`, false},
		{"deprecated NotEqual", "NotEqual", `"a"`, `"b"`, true},
	})
}

func TestOrderingOperators(t *testing.T) {
	runOpCases(t, []opCase{
		// GreaterThan
		{"", "GreaterThan", `10`, `1`, true},
		{"", "GreaterThan", `1.5`, `1.0`, true},
		{"", "GreaterThan", `1`, `10`, false},
		{"", "GreaterThan", `1`, `1.5`, false},
		{"", "GreaterThan", `1`, `1`, false},
		{"", "GreaterThan", `"1025"`, `"1Ki"`, true},
		{"", "GreaterThan", `"1Ki"`, `"1023"`, true},
		{"", "GreaterThan", `"10Gi"`, `"1Gi"`, true},
		{"", "GreaterThan", `"1Gi"`, `"1Mi"`, true},
		{"", "GreaterThan", `"1Gi"`, `"10Gi"`, false},
		{"", "GreaterThan", `"10Mi"`, `"10Mi"`, false},
		{"", "GreaterThan", `"10h"`, `"1h"`, true},
		{"", "GreaterThan", `"1h"`, `"30m"`, true},
		{"", "GreaterThan", `"1h"`, `"1h"`, false},
		{"", "GreaterThan", `"10"`, `1`, true},
		{"", "GreaterThan", `100`, `"10"`, true},
		{"", "GreaterThan", `"100"`, `"10"`, true},
		{"", "GreaterThan", `"10"`, `"10"`, false},
		{"", "GreaterThan", `"1"`, `"10"`, false},
		{"", "GreaterThan", `"1"`, `10`, false},
		{"", "GreaterThan", `1`, `"10"`, false},
		{"", "GreaterThan", `"1h"`, `3600`, false},
		{"", "GreaterThan", `"2h"`, `3600`, true},
		{"", "GreaterThan", `3600`, `"1h"`, false},
		{"", "GreaterThan", `3600`, `"30m"`, true},
		{"", "GreaterThan", `-5`, `1`, false},
		{"", "GreaterThan", `-5`, `-10`, true},
		{"", "GreaterThan", `1`, `-10`, true},
		{"", "GreaterThan", `"1.5.5"`, `"1.5.0"`, true},
		{"", "GreaterThan", `"1.5.0"`, `"1.5.5"`, false},
		{"quantity key vs plain number string", "GreaterThan", `"1Gi"`, `"1"`, true},
		{"semver numeric ordering", "GreaterThan", `"1.10.0"`, `"1.9.0"`, true},
		{"semver v prefix is not semver", "GreaterThan", `"v1.2.3"`, `"v1.0.0"`, false},
		{"semver key number value", "GreaterThan", `"1.2.3"`, `1`, false},
		{"plain strings", "GreaterThan", `"abd"`, `"abc"`, false},
		{"empty key", "GreaterThan", `""`, `0`, false},
		{"null key", "GreaterThan", `null`, `0`, false},
		{"bool key", "GreaterThan", `true`, `false`, false},
		{"list key", "GreaterThan", `[2]`, `1`, false},
		{"number vs bool", "GreaterThan", `2`, `true`, false},
		{"number vs unparsable", "GreaterThan", `10`, `"not-a-number"`, false},
		{"quantity key number value", "GreaterThan", `"2Gi"`, `1`, false}, // only string/string quantities compare
		{"seconds vs zero string", "GreaterThan", `1`, `"0"`, true},       // "0" is a float, not a duration
		{"lower-case operator never holds", "greaterthan", `10`, `1`, false},
		// LessThan
		{"", "LessThan", `10`, `1`, false},
		{"", "LessThan", `1.5`, `1`, false},
		{"", "LessThan", `1`, `10`, true},
		{"", "LessThan", `1.0`, `1.5`, true},
		{"", "LessThan", `1`, `1`, false},
		{"", "LessThan", `"1023"`, `"1Ki"`, true},
		{"", "LessThan", `"1Ki"`, `"1025"`, true},
		{"", "LessThan", `"1Gi"`, `"1Mi"`, false},
		{"", "LessThan", `"1Mi"`, `"1Gi"`, true},
		{"", "LessThan", `"1h"`, `"30m"`, false},
		{"", "LessThan", `"1"`, `"10"`, true},
		{"", "LessThan", `"1"`, `10`, true},
		{"", "LessThan", `1`, `"10"`, true},
		{"", "LessThan", `"1h"`, `3600`, false},
		{"", "LessThan", `"30m"`, `3600`, true},
		{"", "LessThan", `3600`, `"1h"`, false},
		{"", "LessThan", `"1.5.0"`, `"1.5.5"`, true},
		{"semver prerelease", "LessThan", `"1.0.0-alpha"`, `"1.0.0"`, true},
		{"plain number vs quantity", "LessThan", `"1"`, `"1Gi"`, true},
		// GreaterThanOrEquals
		{"", "GreaterThanOrEquals", `1`, `1`, true},
		{"", "GreaterThanOrEquals", `1.0`, `1`, true},
		{"", "GreaterThanOrEquals", `1`, `1.5`, false},
		{"", "GreaterThanOrEquals", `"1024"`, `"1Ki"`, true},
		{"", "GreaterThanOrEquals", `"1Ki"`, `"1024"`, true},
		{"", "GreaterThanOrEquals", `"1h"`, `"1h"`, true},
		{"", "GreaterThanOrEquals", `"1Gi"`, `"1Gi"`, true},
		{"", "GreaterThanOrEquals", `"10"`, `"10"`, true},
		{"", "GreaterThanOrEquals", `"1"`, `10`, false},
		{"", "GreaterThanOrEquals", `"1h"`, `3600`, true},
		{"", "GreaterThanOrEquals", `"1.5.5"`, `"1.5.5"`, true},
		{"", "GreaterThanOrEquals", `"1.5.0"`, `"1.5.5"`, false},
		// LessThanOrEquals
		{"", "LessThanOrEquals", `10`, `1`, false},
		{"", "LessThanOrEquals", `1`, `1`, true},
		{"", "LessThanOrEquals", `"1Ki"`, `"1024"`, true},
		{"", "LessThanOrEquals", `"1023"`, `"1Ki"`, true},
		{"", "LessThanOrEquals", `"1h"`, `"1h"`, true},
		{"", "LessThanOrEquals", `"2h"`, `3600`, false},
		{"", "LessThanOrEquals", `"1.5.5"`, `"1.5.0"`, false},
		{"", "LessThanOrEquals", `"1.5.0"`, `"1.5.5"`, true},
	})
}

func TestDurationOperators(t *testing.T) {
	runOpCases(t, []opCase{
		{"", "DurationGreaterThan", `"2h"`, `"1h"`, true},
		{"", "DurationGreaterThan", `"1h"`, `"2h"`, false},
		{"", "DurationGreaterThan", `3600`, `"30m"`, true},
		{"", "DurationGreaterThan", `"1h"`, `3599`, true},
		{"", "DurationGreaterThanOrEquals", `"1h"`, `3600`, true},
		{"", "DurationGreaterThanOrEquals", `3600`, `3600`, true},
		{"", "DurationLessThan", `"30m"`, `"1h"`, true},
		{"", "DurationLessThan", `60`, `61`, true},
		{"", "DurationLessThanOrEquals", `"1h"`, `"60m"`, true},
		{"", "DurationLessThanOrEquals", `"61m"`, `"1h"`, false},
		{"seconds are truncated", "DurationGreaterThan", `1.9`, `"1s"`, false},
		{"zero string is a duration here", "DurationLessThanOrEquals", `"0"`, `"1s"`, true},
		{"non-duration key", "DurationGreaterThan", `"abc"`, `"1h"`, false},
		{"non-duration value", "DurationGreaterThan", `"2h"`, `"abc"`, false},
		{"bool value", "DurationGreaterThan", `"2h"`, `true`, false},
		{"null key", "DurationGreaterThan", `null`, `"1h"`, false},
		{"lower-case operator never holds", "durationgreaterthan", `"2h"`, `"1h"`, false},
	})
}

func TestInOperators(t *testing.T) {
	runOpCases(t, []opCase{
		// In (deprecated)
		{"", "In", `1`, `[1,2,3]`, true},
		{"", "In", `1.5`, `[1,1.5,2,3]`, true},
		{"", "In", `"1"`, `["1","2","3"]`, true},
		{"", "In", `["1.1.1.1","2.2.2.2"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "In", `5`, `[1,2,3]`, false},
		{"", "In", `5.5`, `[1,1.5,2,3]`, false},
		{"", "In", `"5"`, `["1","2","3"]`, false},
		{"", "In", `"1.1.1.1"`, `["1*"]`, true},
		{"", "In", `["1.1.1.1","4.4.4.4"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"In wildcard value string", "In", `"kube-system"`, `"kube-*"`, true},
		{"In JSON array string", "In", `"b"`, `"[\"a\",\"b\"]"`, true},
		{"In plain non-JSON string", "In", `"b"`, `"a"`, false},
		{"In list key JSON array string", "In", `["a","b"]`, `"[\"a\",\"b\",\"c\"]"`, true},
		{"In list key needs exact match", "In", `["a*"]`, `["abc"]`, false},
		{"In list key non-string list value", "In", `[1]`, `[1,2]`, false},
		{"In bool key", "In", `true`, `[true]`, false},
		{"In number value", "In", `1`, `1`, false},
		{"In empty list key", "In", `[]`, `["a"]`, true},
		// NotIn (deprecated)
		{"", "NotIn", `1`, `[1,2,3]`, false},
		{"", "NotIn", `1.5`, `[1,1.5,2,3]`, false},
		{"", "NotIn", `"1"`, `["1","2","3"]`, false},
		{"", "NotIn", `["1.1.1.1","2.2.2.2"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "NotIn", `5`, `[1,2,3]`, true},
		{"", "NotIn", `5.5`, `[1,1.5,2,3]`, true},
		{"", "NotIn", `"5"`, `["1","2","3"]`, true},
		{"", "NotIn", `["1.1.1.1","4.4.4.4"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"NotIn single element equal to value string", "NotIn", `["a"]`, `"a"`, true}, // Kyverno quirk
		{"NotIn invalid value string", "NotIn", `"a"`, `"b"`, false},
		{"NotIn empty list key", "NotIn", `[]`, `["a"]`, false},
		// AnyIn
		{"", "AnyIn", `["1.1.1.1","5.5.5.5"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AnyIn", `["1.1.1.1","5.5.5.5"]`, `"1.1.1.1"`, true},
		{"", "AnyIn", `["4.4.4.4","5.5.5.5"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AnyIn", `["1.1.1.1","5.5.5.5"]`, `["1.1.1.1"]`, true},
		{"", "AnyIn", `[1,2]`, `[1,2,3,4]`, true},
		{"", "AnyIn", `[1,5]`, `[1,2,3,4]`, true},
		{"", "AnyIn", `[5]`, `[1,2,3,4]`, false},
		{"", "AnyIn", `["1*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AnyIn", `["5*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AnyIn", `["1.1.1.1","2.2.2.2","5.5.5.5"]`, `["2*"]`, true},
		{"", "AnyIn", `["1.1.1.1","2.2.2.2","5.5.5.5"]`, `["4*"]`, false},
		{"", "AnyIn", `["5"]`, `"1-3"`, false},
		{"", "AnyIn", `"1.1.1.1"`, `["1*"]`, true},
		{"", "AnyIn", `"5"`, `"1-10"`, true},
		{"", "AnyIn", `5`, `"1-10"`, true},
		{"", "AnyIn", `[1,5]`, `"7-10"`, false},
		{"", "AnyIn", `[1,5]`, `"0-10"`, true},
		{"", "AnyIn", `[1.002,1.222]`, `"1.001-10"`, true},
		{"AnyIn string in same string", "AnyIn", `"kyverno"`, `"kyverno"`, true},
		{"AnyIn string in list with wildcard", "AnyIn", `"kube-system"`, `["default","kube-*"]`, true},
		{"AnyIn string not in string", "AnyIn", `"kyverno"`, `"default"`, false},
		{"AnyIn number in string", "AnyIn", `64`, `"64"`, true},
		{"AnyIn float in string", "AnyIn", `3.14`, `"3.14"`, true},
		{"AnyIn float in list", "AnyIn", `2.2`, `[1.1,2.2,3.3]`, true},
		{"AnyIn bool in string", "AnyIn", `true`, `"true"`, true},
		{"AnyIn list in wildcard string", "AnyIn", `["kube-system","kube-public"]`, `"kube-*"`, true},
		{"AnyIn list partially in string", "AnyIn", `["kube-system","default"]`, `"kube-system"`, true},
		{"AnyIn list not in wildcard string", "AnyIn", `["default","kyverno"]`, `"kube-*"`, false},
		{"AnyIn list in list of wildcards", "AnyIn", `["default","kyverno"]`, `["kube-*","ky*"]`, true},
		{"AnyIn empty list key", "AnyIn", `[]`, `["default","kyverno"]`, false},
		{"AnyIn empty string key", "AnyIn", `""`, `["default","kyverno"]`, false},
		{"AnyIn map key", "AnyIn", `{"foo":"bar"}`, `"test"`, false},
		{"AnyIn string in range", "AnyIn", `"0"`, `"1-10"`, false},
		{"AnyIn list any in range", "AnyIn", `["0","5"]`, `"1-10"`, true},
		{"AnyIn list none in range", "AnyIn", `["0","20"]`, `"1-10"`, false},
		{"AnyIn quantity range", "AnyIn", `"1536Mi"`, `"1Gi-2Gi"`, true},
		{"AnyIn range bounds inclusive", "AnyIn", `[10]`, `"1-10"`, true},
		{"AnyIn string in JSON array string", "AnyIn", `"apple"`, `"[\"apple\", \"banana\"]"`, true},
		{"AnyIn string not in JSON array string", "AnyIn", `"cherry"`, `"[\"apple\", \"banana\"]"`, false},
		{"AnyIn list in JSON array string", "AnyIn", `["apple","cherry"]`, `"[\"apple\", \"banana\"]"`, true},
		{"AnyIn list not in JSON array string", "AnyIn", `["cherry","date"]`, `"[\"apple\", \"banana\"]"`, false},
		{"AnyIn JSON array string elements are literal", "AnyIn", `"apple"`, `"[\"a*\"]"`, false},
		{"AnyIn JSON non-string array", "AnyIn", `"a"`, `"[\"a\", 1]"`, false},
		{"AnyIn number key number value", "AnyIn", `5`, `5`, false},
		{"AnyIn list key number value", "AnyIn", `[5]`, `5`, true},
		{"AnyIn list key bool value", "AnyIn", `[true]`, `true`, true},
		{"AnyIn numbers print like JSON floats", "AnyIn", `1000000`, `"1000000"`, false},
		{"AnyIn large number as %v", "AnyIn", `1000000`, `"1e+06"`, true},
		{"AnyIn null value", "AnyIn", `"a"`, `null`, false},
		// AllIn
		{"", "AllIn", `["1.1.1.1","2.2.2.2"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AllIn", `["1.1.1.1","5.5.5.5"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AllIn", `["4.4.4.4","5.5.5.5"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AllIn", `["1.1.1.1","5.5.5.5"]`, `["1.1.1.1"]`, false},
		{"", "AllIn", `[1,2]`, `[1,2,3,4]`, true},
		{"", "AllIn", `[1,5]`, `[1,2,3,4]`, false},
		{"", "AllIn", `[5]`, `[1,2,3,4]`, false},
		{"", "AllIn", `["1*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AllIn", `["5*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AllIn", `["2.1.1.1","2.2.2.2","2.5.5.5"]`, `["2*"]`, true},
		{"", "AllIn", `["1.1.1.1","2.2.2.2","5.5.5.5"]`, `["4*"]`, false},
		{"", "AllIn", `["1.1.1.1","5.5.5.5"]`, `"5.5.5.5"`, false},
		{"", "AllIn", `5`, `"1-10"`, true},
		{"", "AllIn", `[3,2]`, `"1-10"`, true},
		{"", "AllIn", `[3,2]`, `"5-10"`, false},
		{"AllIn empty list key", "AllIn", `[]`, `["a"]`, true},
		{"AllIn single element equal to string", "AllIn", `["a"]`, `"a"`, true},
		{"AllIn list in JSON array string", "AllIn", `["a","b"]`, `"[\"a\",\"b\",\"c\"]"`, true},
		{"AllIn list partly in JSON array string", "AllIn", `["a","d"]`, `"[\"a\",\"b\",\"c\"]"`, false},
		{"AllIn list key number value", "AllIn", `[5]`, `5`, false},
		{"AllIn JSON but not a string array", "AllIn", `["6"]`, `"5"`, false},
		{"AllIn bool key", "AllIn", `true`, `["true"]`, true},
		// AllNotIn
		{"", "AllNotIn", `1`, `[1,2,3]`, false},
		{"", "AllNotIn", `1.5`, `[1,1.5,2,3]`, false},
		{"", "AllNotIn", `"1"`, `["1","2","3"]`, false},
		{"", "AllNotIn", `["1.1.1.1","2.2.2.2"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AllNotIn", `5`, `[1,2,3]`, true},
		{"", "AllNotIn", `5.5`, `[1,1.5,2,3]`, true},
		{"", "AllNotIn", `"5"`, `["1","2","3"]`, true},
		{"", "AllNotIn", `["1.1.1.1","4.4.4.4"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AllNotIn", `["5.5.5.5","4.4.4.4"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AllNotIn", `["7*","6*","5*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AllNotIn", `["1*","2*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AllNotIn", `["1.1.1.1","3.3.3.3","5.5.5.5"]`, `["2*"]`, true},
		{"", "AllNotIn", `["4.1.1.1","4.2.2.2","4.5.5.5"]`, `["4*"]`, false},
		{"", "AllNotIn", `["1.1.1.1","4.4.4.4"]`, `"2.2.2.2"`, true},
		{"", "AllNotIn", `5.5`, `"6-10"`, true},
		{"", "AllNotIn", `"5"`, `"1-6"`, false},
		{"", "AllNotIn", `[3,2]`, `"5-10"`, true},
		{"", "AllNotIn", `[2,6]`, `"5-10"`, false},
		{"AllNotIn string in list with wildcard", "AllNotIn", `"kube-system"`, `["default","kube-*"]`, false},
		{"AllNotIn list in list of wildcards", "AllNotIn", `["default","kyverno"]`, `["kube-*","ky*"]`, false},
		{"AllNotIn list not in list", "AllNotIn", `["default","kyverno"]`, `["kube-*","kube-system"]`, true},
		{"AllNotIn empty list key", "AllNotIn", `[]`, `["a"]`, true},
		{"AllNotIn single element equal to string", "AllNotIn", `["a"]`, `"a"`, false},
		{"AllNotIn invalid type is false", "AllNotIn", `"a"`, `5`, false},
		// AnyNotIn
		{"", "AnyNotIn", `1`, `[1,2,3]`, false},
		{"", "AnyNotIn", `1.5`, `[1,1.5,2,3]`, false},
		{"", "AnyNotIn", `"1"`, `["1","2","3"]`, false},
		{"", "AnyNotIn", `["1.1.1.1","2.2.2.2"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, false},
		{"", "AnyNotIn", `5`, `[1,2,3]`, true},
		{"", "AnyNotIn", `5.5`, `[1,1.5,2,3]`, true},
		{"", "AnyNotIn", `"5"`, `["1","2","3"]`, true},
		{"", "AnyNotIn", `["1.1.1.1","4.4.4.4"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AnyNotIn", `["5.5.5.5","4.4.4.4"]`, `"4.4.4.4"`, true},
		{"", "AnyNotIn", `["5.5.5.5","4.4.4.4"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AnyNotIn", `["1*","3*","5*"]`, `["1.1.1.1","2.2.2.2","3.3.3.3"]`, true},
		{"", "AnyNotIn", `["1.1.1.1","2.2.2.2","5.5.5.5"]`, `["2*"]`, true},
		{"", "AnyNotIn", `["2.2*"]`, `["2.2.2.2"]`, false},
		{"", "AnyNotIn", `"5"`, `"1-3"`, true},
		{"", "AnyNotIn", `[1,5,11]`, `"0-10"`, true},
		{"", "AnyNotIn", `[1,5,7]`, `"0-10"`, false},
		{"AnyNotIn string in string", "AnyNotIn", `"kyverno"`, `"kyverno"`, false},
		{"AnyNotIn string in list with wildcard", "AnyNotIn", `"kube-system"`, `["default","kube-*"]`, false},
		{"AnyNotIn number in string", "AnyNotIn", `64`, `"64"`, false},
		{"AnyNotIn number not in string", "AnyNotIn", `64`, `"default"`, true},
		{"AnyNotIn bool key bool value", "AnyNotIn", `true`, `true`, false},
		{"AnyNotIn list partially in string", "AnyNotIn", `["kube-system","default"]`, `"kube-system"`, true},
		{"AnyNotIn list key number value", "AnyNotIn", `[1,2,3]`, `2`, true},
		{"AnyNotIn list key bool value", "AnyNotIn", `[true,false]`, `true`, true},
		{"AnyNotIn list all in list", "AnyNotIn", `["default","kyverno"]`, `["default","ky*"]`, false},
		{"AnyNotIn empty list key", "AnyNotIn", `[]`, `["default","kyverno"]`, false},
		{"AnyNotIn empty string key", "AnyNotIn", `""`, `["default","kyverno"]`, true},
		{"AnyNotIn single element equal to string", "AnyNotIn", `["a"]`, `"a"`, false},
		{"AnyNotIn range in", "AnyNotIn", `["2"]`, `"1-3"`, false},
	})
}

func TestEvalOperatorGoNumberTypes(t *testing.T) {
	cases := []struct {
		name       string
		op         string
		key, value any
		want       bool
	}{
		{"int64 equals float64", "Equals", int64(5), float64(5), true},
		{"int equals string float", "Equals", 1, "1.0", true},
		{"int64 greater than int", "GreaterThan", int64(10), 3, true},
		{"json.Number key", "LessThan", json.Number("2"), "3", true},
		{"uint8 in list", "AnyIn", uint8(7), []any{int64(7)}, true},
		{"int64 list elements print as floats", "AnyIn", []any{int64(1000000)}, "1000000", false},
		{"nested int64 deep equal", "Equals", map[string]any{"a": []any{int64(1)}}, map[string]any{"a": []any{1.0}}, true},
		{"float32 key", "Equals", float32(0.5), 0.5, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EvalOperator(tc.op, tc.key, tc.value)
			if err != nil || got != tc.want {
				t.Fatalf("EvalOperator(%s, %#v, %#v) = %v, %v; want %v", tc.op, tc.key, tc.value, got, err, tc.want)
			}
		})
	}
}

func TestEvalOperatorUnknown(t *testing.T) {
	if _, err := EvalOperator("Equalz", "a", "a"); err == nil {
		t.Fatal("expected an error for an unknown operator")
	}
}

func TestOperatorsAndDeprecation(t *testing.T) {
	if n := len(Operators()); n != 18 {
		t.Fatalf("Operators() has %d names, want 18", n)
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"Equal", true}, {"notequal", true}, {"In", true}, {"NotIn", true},
		{"DurationLessThan", true}, {"Equals", false}, {"AnyIn", false}, {"bogus", false},
	} {
		if got := IsDeprecated(tc.name); got != tc.want {
			t.Errorf("IsDeprecated(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

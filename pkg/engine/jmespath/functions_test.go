package jmespath

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fnCase is one evaluation of an expression.
type fnCase struct {
	name string
	expr string
	data any
	// want is the expected result (ignored when err or check is set).
	want any
	// err, when set, is a substring of the expected error.
	err string
	// check, when set, validates the result instead of want.
	check func(t *testing.T, got any)
}

var testNow = time.Date(2023, 1, 12, 12, 0, 0, 0, time.FixedZone("EST", -5*3600))

// testEnv has a fixed clock and a fake resolver.
var testEnv = NewEnv(Config{
	Now: func() time.Time { return testNow },
	LookupIP: func(_ context.Context, host string) ([]net.IP, error) {
		switch host {
		case "kyverno.io", "example.com":
			return []net.IP{net.ParseIP("104.21.0.1"), net.ParseIP("2606:4700::1")}, nil
		case "internal.corp":
			return []net.IP{net.ParseIP("8.8.8.8"), net.ParseIP("10.0.0.7")}, nil
		case "localhost":
			return []net.IP{net.ParseIP("127.0.0.1")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	},
})

func runCases(t *testing.T, env *Env, cases []fnCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = tc.expr
		}
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tc.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.expr, err)
			}
			data := tc.data
			if data == nil {
				// As in Kyverno's tests: multi-select lists such as
				// sum([`1`]) yield null when the current node is null.
				data = ""
			}
			got, err := q.SearchEnv(env, data)
			if tc.err != "" {
				if err == nil {
					t.Fatalf("%s = %#v, want error containing %q", tc.expr, got, tc.err)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s: error %q does not contain %q", tc.expr, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: unexpected error: %v", tc.expr, err)
			}
			if tc.check != nil {
				tc.check(t, got)
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s = %#v (%T), want %#v (%T)", tc.expr, got, got, tc.want, tc.want)
			}
		})
	}
}

// functionCases holds the cases of every custom function, by name.
var functionCases = map[string][]fnCase{
	"compare": {
		{expr: "compare('a', 'a')", want: 0.0},
		{expr: "compare('a', 'b')", want: -1.0},
		{expr: "compare('b', 'a')", want: 1.0},
		{name: "number first", expr: "compare(`1`, 'b')", err: "JMESPath function 'compare': argument #1 is not of type string (got number)"},
		{name: "number second", expr: "compare('a', `1`)", err: "argument #2 is not of type string (got number)"},
		{name: "one argument", expr: "compare('a')", err: "JMESPath function 'compare': incorrect number of args"},
	},
	"equal_fold": {
		{expr: "equal_fold('Go', 'go')", want: true},
		{expr: "equal_fold('pizza', 'pIzZa')", want: true},
		{expr: "equal_fold('a', 'b')", want: false},
		{expr: "equal_fold('1', 'b')", want: false},
		{name: "null argument", expr: "equal_fold(missing, 'b')", err: "argument #1 is not of type string (got null)"},
		{name: "three arguments", expr: "equal_fold('a', 'b', 'c')", err: "incorrect number of args"},
	},
	"replace": {
		{name: "doc example", expr: "replace('Lorem ipsum dolor sit amet foo ipsum bar ipsum', 'ipsum', 'muspi', `2`)", want: "Lorem muspi dolor sit amet foo muspi bar ipsum"},
		{expr: "replace('Lorem ipsum dolor sit amet', 'ipsum', 'muspi', `-1`)", want: "Lorem muspi dolor sit amet"},
		{expr: "replace('Lorem ipsum ipsum ipsum dolor sit amet', 'ipsum', 'muspi', `-1`)", want: "Lorem muspi muspi muspi dolor sit amet"},
		{expr: "replace('Lorem ipsum ipsum ipsum dolor sit amet', 'ipsum', 'muspi', `1`)", want: "Lorem muspi ipsum ipsum dolor sit amet"},
		{name: "zero replacements", expr: "replace('aaa', 'a', 'b', `0`)", want: "aaa"},
		{name: "count as string", expr: "replace('aaa', 'a', 'b', '1')", err: "argument #4 is not of type number (got string)"},
		{name: "bool replacement", expr: "replace('aaa', 'a', `false`, `1`)", err: "argument #3 is not of type string (got bool)"},
		{name: "number source", expr: "replace(`1`, 'a', 'b', `1`)", err: "argument #1 is not of type string"},
	},
	"replace_all": {
		{name: "doc example", expr: "replace_all('Lorem ipsum dolor sit amet', 'ipsum', 'muspi')", want: "Lorem muspi dolor sit amet"},
		{expr: "replace_all('Lorem ipsum ipsum ipsum dolor sit amet', 'ipsum', 'muspi')", want: "Lorem muspi muspi muspi dolor sit amet"},
		{name: "number old", expr: "replace_all('abc', `1`, 'x')", err: "argument #2 is not of type string (got number)"},
		{name: "missing argument", expr: "replace_all('abc', 'a')", err: "incorrect number of args"},
	},
	"to_upper": {
		{expr: "to_upper('abc')", want: "ABC"},
		{expr: "to_upper('123')", want: "123"},
		{expr: "to_upper('a#%&123Bc')", want: "A#%&123BC"},
		{name: "number", expr: "to_upper(`32`)", err: "JMESPath function 'to_upper': argument #1 is not of type string (got number)"},
		{name: "array", expr: "to_upper(`[\"a\"]`)", err: "(got array)"},
	},
	"to_lower": {
		{expr: "to_lower('ABC')", want: "abc"},
		{expr: "to_lower('123')", want: "123"},
		{expr: "to_lower('a#%&123Bc')", want: "a#%&123bc"},
		{name: "from data", expr: "to_lower(foo)", data: map[string]any{"foo": "BAR"}, want: "bar"},
		{name: "object", expr: "to_lower(`{}`)", err: "argument #1 is not of type string (got object)"},
	},
	"trim": {
		{expr: "trim('¡¡¡Hello, Gophers!!!', '!¡')", want: "Hello, Gophers"},
		{expr: "trim('foocorpcom', 'mo')", want: "foocorpc"},
		{expr: "trim('foocorpcom', 'o')", want: "foocorpcom"},
		{expr: "trim('foocorpcom', 'mcof')", want: "rp"},
		{name: "bool cutset", expr: "trim('abc', `true`)", err: "argument #2 is not of type string (got bool)"},
	},
	"trim_prefix": {
		{name: "doc example", expr: "trim_prefix('docker://kubevirt/fedora-cloud-registry-disk-demo', 'docker://')", want: "kubevirt/fedora-cloud-registry-disk-demo"},
		{expr: "trim_prefix('¡¡¡Hello, Gophers!!!', '¡¡¡Hello, ')", want: "Gophers!!!"},
		{name: "no prefix", expr: "trim_prefix('¡¡¡Hello, Gophers!!!', '¡¡¡Hola, ')", want: "¡¡¡Hello, Gophers!!!"},
		{name: "number input", expr: "trim_prefix(`1`, 'a')", err: "argument #1 is not of type string"},
		{name: "number prefix", expr: "trim_prefix('a', `1`)", err: "argument #2 is not of type string"},
	},
	"split": {
		{expr: "split('Hello, Gophers', ', ')", want: []any{"Hello", "Gophers"}},
		{name: "doc example", expr: "split('cat,dog,horse', ',')", want: []any{"cat", "dog", "horse"}},
		{name: "indexable", expr: "split('/foo/bar', '/') | [1]", want: "foo"},
		{name: "no separator found", expr: "split('abc', ',')", want: []any{"abc"}},
		{name: "number separator", expr: "split('abc', `1`)", err: "argument #2 is not of type string"},
	},
	"regex_replace_all": {
		{name: "doc example", expr: "regex_replace_all('([0-9])([0-9])', 'hello im 42 months old', '${1}1')", want: "hello im 41 months old"},
		{name: "kyverno test", expr: "regex_replace_all('([Hh]e|G)l', spec.field, '${2}G')", data: map[string]any{"spec": map[string]any{"field": "Hello world, helworldlo"}}, want: "Glo world, Gworldlo"},
		{name: "retention example", expr: "regex_replace_all('([0-9])([0-9])', 'days_37', '${1}0')", want: "days_30"},
		{name: "numbers", expr: "regex_replace_all('^1', `123`, `9`)", want: "923"},
		{name: "float keeps precision", expr: "regex_replace_all('^16777217$', `16777217`, 'matched')", want: "matched"},
		{name: "bad regex", expr: "regex_replace_all('(', 'a', 'b')", err: "JMESPath function 'regex_replace_all': error parsing regexp"},
		{name: "bool source", expr: "regex_replace_all('a', `true`, 'b')", err: "argument #2 is not of type string or number (got bool)"},
		{name: "object replacement", expr: "regex_replace_all('a', 'a', `{}`)", err: "argument #3 is not of type string or number (got object)"},
	},
	"regex_replace_all_literal": {
		{name: "kyverno test", expr: "regex_replace_all_literal('[Hh]el?', 'Hello world, helworldlo', 'G')", want: "Glo world, Gworldlo"},
		{name: "doc example", expr: `regex_replace_all_literal('^(\d{3}-?\d{2}-?\d{4})$', '123-45-6789', 'redacted')`, want: "redacted"},
		{name: "dollar is literal", expr: "regex_replace_all_literal('a', 'cat', '$1')", want: "c$1t"},
		{name: "registry example", expr: "regex_replace_all_literal('^[^/]+', 'docker.io/nginx:latest', 'myregistry.corp.com')", want: "myregistry.corp.com/nginx:latest"},
		{name: "numbers", expr: "regex_replace_all_literal('2', `12`, `3`)", want: "13"},
		{name: "bad regex", expr: "regex_replace_all_literal('[', 'a', 'b')", err: "error parsing regexp"},
		{name: "null source", expr: "regex_replace_all_literal('a', missing, 'b')", err: "argument #2 is not of type string or number (got null)"},
	},
	"regex_match": {
		{name: "doc number", expr: "regex_match('^[1-7]$', `1`)", want: true},
		{name: "doc string", expr: "regex_match('^[1-7]$', '1')", want: true},
		{expr: "regex_match('^[1-7]$', '8')", want: false},
		{name: "kyverno test", expr: "regex_match('12.*', foo)", data: map[string]any{"foo": "hgf'b1a2r'b12g"}, want: true},
		{name: "number from abs", expr: "regex_match('12.*', abs(foo))", data: map[string]any{"foo": -12.0}, want: true},
		{name: "precise number", expr: "regex_match('^16777217$', value)", data: map[string]any{"value": 16777217.0}, want: true},
		{name: "bad regex", expr: "regex_match('(', 'a')", err: "error parsing regexp: missing closing )"},
		{name: "array subject", expr: "regex_match('a', `[]`)", err: "argument #2 is not of type string or number (got array)"},
		{name: "number pattern", expr: "regex_match(`1`, 'a')", err: "argument #1 is not of type string (got number)"},
	},
	"pattern_match": {
		{expr: "pattern_match('prefix-*', 'prefix-foo')", want: true},
		{name: "number", expr: "pattern_match('12*', abs(foo))", data: map[string]any{"foo": -12.0}, want: true},
		{name: "question mark", expr: "pattern_match('158-7?-4*', '158-73-417')", want: true},
		{name: "no match", expr: "pattern_match('158-6?-3*', '158-73-417')", want: false},
		{name: "precise number", expr: "pattern_match('16777216', `16777217`)", want: false},
		{name: "array pattern", expr: "pattern_match(`[]`, 'a')", err: "JMESPath function 'pattern_match': argument #1 is not of type string (got array)"},
		{name: "bool subject", expr: "pattern_match('a', `true`)", err: "argument #2 is not of type string or number (got bool)"},
	},
	"label_match": {
		{expr: "label_match(`{\"app\": \"test-app\"}`, metadata.labels)", data: labelsDoc, want: true},
		{expr: "label_match(`{\"app\": \"test-app\", \"controller-name\": \"test-controller\"}`, metadata.labels)", data: labelsDoc, want: true},
		{expr: "label_match(`{\"app\": \"test-app2\"}`, metadata.labels)", data: labelsDoc, want: false},
		{expr: "label_match(`{\"app.kubernetes.io/name\": \"test-app\"}`, metadata.labels)", data: labelsDoc, want: false},
		{name: "empty selector", expr: "label_match(`{}`, metadata.labels)", data: labelsDoc, want: true},
		{name: "doc example superset", expr: "label_match(`{\"dog\":\"lab\",\"color\":\"tan\"}`, `{\"color\":\"tan\",\"weight\":\"chonky\",\"dog\":\"lab\"}`)", want: true},
		{name: "non-scalar values", expr: "label_match(`{\"a\":[1]}`, `{\"a\":[1]}`)", want: true},
		{name: "string selector", expr: "label_match('app', metadata.labels)", data: labelsDoc, err: "argument #1 is not of type object (got string)"},
		{name: "missing labels", expr: "label_match(`{}`, metadata.missing)", data: labelsDoc, err: "argument #2 is not of type object (got null)"},
	},
	"to_boolean": {
		{expr: "to_boolean('true')", want: true},
		{expr: "to_boolean('TRue')", want: true},
		{expr: "to_boolean('FaLse')", want: false},
		{expr: "to_boolean('false')", want: false},
		{name: "not a boolean", expr: "to_boolean('FaLsee')", err: "JMESPath function 'to_boolean': lowercase argument must be 'true' or 'false' (provided: 'FaLsee')"},
		{name: "number", expr: "to_boolean(`1`)", err: "argument #1 is not of type string (got number)"},
		{name: "null", expr: "to_boolean(`null`)", err: "(got null)"},
	},
	"truncate": {
		{expr: "truncate('Lorem ipsum dolor sit amet', `5`)", want: "Lorem"},
		{expr: "truncate('Lorem ipsum ipsum ipsum dolor sit amet', `11`)", want: "Lorem ipsum"},
		{expr: "truncate('Lorem ipsum ipsum ipsum dolor sit amet', `40`)", want: "Lorem ipsum ipsum ipsum dolor sit amet"},
		{expr: "truncate('Lorem ipsum', `2.6`)", want: "Lo"},
		{expr: "truncate('Lorem ipsum', `0`)", want: ""},
		{expr: "truncate('Lorem ipsum', `-1`)", want: ""},
		{name: "doc example", expr: "truncate('foobar', `3`)", want: "foo"},
		{name: "counts characters", expr: "truncate('¡¡¡Hello', `4`)", want: "¡¡¡H"},
		{name: "pipe form", expr: "metadata.name | truncate(@, `9`)", data: map[string]any{"metadata": map[string]any{"name": "averyveryverylongname"}}, want: "averyvery"},
		{name: "length as string", expr: "truncate('abc', '1')", err: "argument #2 is not of type number (got string)"},
	},
	"path_canonicalize": {
		{expr: "path_canonicalize('///')", want: "/"},
		{expr: "path_canonicalize('///var/run/containerd/containerd.sock')", want: "/var/run/containerd/containerd.sock"},
		{expr: "path_canonicalize('/var/run///containerd/containerd.sock')", want: "/var/run/containerd/containerd.sock"},
		{expr: "path_canonicalize('/var/run///containerd////')", want: "/var/run/containerd"},
		{expr: "path_canonicalize('/run///')", want: "/run"},
		{expr: "path_canonicalize('/run/../etc')", want: "/etc"},
		{expr: "path_canonicalize('///etc*')", want: "/etc*"},
		{expr: "path_canonicalize('/../../')", want: "/"},
		{name: "doc example", expr: "path_canonicalize('/var//lib///kubelet')", want: "/var/lib/kubelet"},
		{name: "empty", expr: "path_canonicalize('')", want: ""},
		{name: "number", expr: "path_canonicalize(`1`)", err: "argument #1 is not of type string"},
	},

	"add": {
		{name: "Scalar + Scalar -> Scalar", expr: "add(`12`, `13`)", want: 25.0},
		{name: "Quantity + Quantity -> Quantity", expr: "add('12Ki', '13Ki')", want: "25Ki"},
		{name: "Quantity + plain Quantity", expr: "add('12Ki', '13')", want: "12301"},
		{name: "Duration + Duration -> Duration", expr: "add('12s', '13s')", want: "25s"},
		{name: "ambiguous zero in duration context", expr: "add('0', '5s')", want: "5s"},
		{name: "minutes in duration context", expr: "add('1h', '5m')", want: "1h5m0s"},
		{name: "ambiguous operands are quantities", expr: "add('5m', '0')", want: "5m"},
		{name: "doc example with defaults", expr: "add(element.resources.requests.memory || '0', element.resources.limits.memory || '0')", data: map[string]any{"element": map[string]any{"resources": map[string]any{"requests": map[string]any{"memory": "100Mi"}}}}, want: "100Mi"},
		{name: "int64 data", expr: "add(a, b)", data: map[string]any{"a": int64(2), "b": 3}, want: 5.0},
		{name: "Scalar + Duration -> error", expr: "add('12', '13s')", err: "JMESPath function 'add': Types mismatch"},
		{name: "Scalar + Quantity -> error", expr: "add(`12`, '13Ki')", err: "Types mismatch"},
		{name: "Scalar + string Quantity -> error", expr: "add(`12`, '13')", err: "Types mismatch"},
		{name: "Quantity + Duration -> error", expr: "add('12Ki', '13s')", err: "Types mismatch"},
		{name: "Quantity + Scalar -> error", expr: "add('12Ki', `13`)", err: "Types mismatch"},
		{name: "Duration + Scalar -> error", expr: "add('12s', `13`)", err: "Types mismatch"},
		{name: "Duration + Quantity -> error", expr: "add('12s', '13Ki')", err: "Types mismatch"},
		{name: "not a quantity", expr: "add('abc', `1`)", err: "JMESPath function 'add': invalid operand"},
		{name: "bool operand", expr: "add(`true`, `1`)", err: "invalid operand"},
		{name: "missing key operand", expr: "add(`1`, missing)", err: "invalid operand"},
		{name: "one argument", expr: "add(`1`)", err: "incorrect number of args"},
	},
	"sum": {
		{name: "doc quantities", expr: "sum(input)", data: map[string]any{"input": []any{"2Ki", "5Gi", "8Mi"}}, want: "5251074Ki"},
		{name: "doc durations", expr: "sum(input)", data: map[string]any{"input": []any{"2h", "50s", "90s"}}, want: "2h2m20s"},
		{name: "doc numbers", expr: "sum(input)", data: map[string]any{"input": []any{6, 3, 8}}, want: 17.0},
		{expr: "sum([`12`])", want: 12.0},
		{expr: "sum([`12`, `13`, `1`, `4`])", want: 30.0},
		{expr: "sum(['12Ki'])", want: "12Ki"},
		{expr: "sum(['12Ki', '13Ki', '1Ki', '4Ki'])", want: "30Ki"},
		{expr: "sum(['12Ki', '13'])", want: "12301"},
		{expr: "sum(['12s', '13s', '1s', '4s'])", want: "30s"},
		{name: "container memory", expr: "sum(spec.containers[].resources.requests.memory)", data: podDoc, want: "384Mi"},
		{name: "empty", expr: "sum(`[]`)", err: "JMESPath function 'sum': at least one element in the array is required"},
		{name: "Quantity and Duration", expr: "sum(['12', '13s'])", err: "JMESPath function 'sum': Types mismatch"},
		{name: "Scalar and Quantity", expr: "sum([`12`, '13Ki'])", err: "Types mismatch"},
		{name: "Duration and Scalar", expr: "sum(['12s', `13`])", err: "Types mismatch"},
		{name: "not an array", expr: "sum('12')", err: "JMESPath function 'sum': argument #1 is not of type array (got string)"},
		{name: "invalid element", expr: "sum([`1`, 'x'])", err: "JMESPath function 'sum': invalid operand"},
	},
	"subtract": {
		{name: "Scalar - Scalar -> Scalar", expr: "subtract(`12`, `13`)", want: -1.0},
		{name: "Quantity - Quantity -> Quantity", expr: "subtract('12Ki', '13Ki')", want: "-1Ki"},
		{expr: "subtract('12Ki', '13')", want: "12275"},
		{name: "doc example", expr: "subtract('10Mi', '5Ki')", want: "10235Ki"},
		{name: "Duration - Duration -> Duration", expr: "subtract('12s', '13s')", want: "-1s"},
		{name: "replicas example", expr: "subtract(spec.replicas, `2`)", data: map[string]any{"spec": map[string]any{"replicas": int32(5)}}, want: 3.0},
		{name: "Scalar - Duration -> error", expr: "subtract('12', '13s')", err: "JMESPath function 'subtract': Types mismatch"},
		{name: "Scalar - Quantity -> error", expr: "subtract(`12`, '13Ki')", err: "Types mismatch"},
		{name: "Quantity - Scalar -> error", expr: "subtract('12Ki', `13`)", err: "Types mismatch"},
		{name: "Duration - Quantity -> error", expr: "subtract('12s', '13')", err: "Types mismatch"},
		{name: "invalid operand", expr: "subtract(`{}`, `1`)", err: "JMESPath function 'subtract': invalid operand"},
	},
	"multiply": {
		{name: "Quantity * Scalar -> Quantity", expr: "multiply('12Ki', `2`)", want: "24Ki"},
		{name: "Duration * Scalar -> Duration", expr: "multiply('12s', `2`)", want: "24s"},
		{name: "Scalar * Scalar -> Scalar", expr: "multiply(`2.5`, `2.5`)", want: 6.25},
		{name: "Scalar * Quantity -> Quantity", expr: "multiply(`2.5`, '12Ki')", want: "30Ki"},
		{name: "Scalar * plain Quantity", expr: "multiply(`2.5`, '12')", want: "30"},
		{name: "Scalar * Duration -> Duration", expr: "multiply(`2.5`, '40s')", want: "1m40s"},
		{name: "doc replicas", expr: "multiply(nodecount, `2`)", data: map[string]any{"nodecount": 3}, want: 6.0},
		{name: "Quantity * Quantity -> error", expr: "multiply('12Ki', '12Ki')", err: "JMESPath function 'multiply': Types mismatch"},
		{name: "Quantity * plain Quantity -> error", expr: "multiply('12Ki', '12')", err: "Types mismatch"},
		{name: "Quantity * Duration -> error", expr: "multiply('12Ki', '12s')", err: "Types mismatch"},
		{name: "Duration * Duration -> error", expr: "multiply('12s', '12s')", err: "Types mismatch"},
		{name: "Duration * Quantity -> error", expr: "multiply('12s', '12Ki')", err: "Types mismatch"},
		{name: "invalid operand", expr: "multiply('twelve', `2`)", err: "invalid operand"},
	},
	"divide": {
		{expr: "divide('256M', '256M')", want: 1.0},
		{expr: "divide('512M', '256M')", want: 2.0},
		{expr: "divide('8', '3')", want: 8.0 / 3.0},
		{expr: "divide('128M', '256M')", want: 0.5},
		{name: "Quantity / Scalar -> Quantity", expr: "divide('12Ki', `3`)", want: "4Ki"},
		{name: "Quantity / Quantity -> Scalar", expr: "divide('12Ki', '2Ki')", want: 6.0},
		{expr: "divide('12Ki', '200')", want: 61.44},
		{name: "doc example", expr: "divide('10Mi', '5Ki')", want: 2048.0},
		{name: "Duration / Scalar -> Duration", expr: "divide('12s', `3`)", want: "4s"},
		{name: "Duration / Duration -> Scalar", expr: "divide('12s', '5s')", want: 2.4},
		{name: "Scalar / Scalar -> Scalar", expr: "divide(`14`, `3`)", want: 4.666666666666667},
		{name: "ratio with defaults", expr: "divide(element.resources.limits.memory || '0', element.resources.requests.memory || '1m')", data: map[string]any{"element": map[string]any{"resources": map[string]any{"limits": map[string]any{"memory": "500Mi"}, "requests": map[string]any{"memory": "200Mi"}}}}, want: 2.5},
		{name: "Quantity / Duration -> error", expr: "divide('12Ki', '2s')", err: "JMESPath function 'divide': Types mismatch"},
		{name: "Duration / Quantity -> error", expr: "divide('12s', '4Ki')", err: "Types mismatch"},
		{name: "Scalar / Duration -> error", expr: "divide(`14`, '5s')", err: "Types mismatch"},
		{name: "Scalar / Quantity -> error", expr: "divide(`14`, '5Ki')", err: "Types mismatch"},
		{name: "Scalar / Zero -> error", expr: "divide(`14`, `0`)", err: "JMESPath function 'divide': Zero divisor passed"},
		{name: "Quantity / Zero -> error", expr: "divide('4Ki', `0`)", err: "Zero divisor passed"},
		{name: "Quantity / Zero Quantity -> error", expr: "divide('4Ki', '0Ki')", err: "Zero divisor passed"},
		{name: "plain Quantity / Zero -> error", expr: "divide('4', '0')", err: "Zero divisor passed"},
		{name: "Duration / Zero -> error", expr: "divide('4s', `0`)", err: "Zero divisor passed"},
		{name: "Duration / Zero Duration -> error", expr: "divide('4s', '0s')", err: "Zero divisor passed"},
		{name: "invalid operand", expr: "divide(`[]`, `1`)", err: "invalid operand"},
	},
	"modulo": {
		{name: "Scalar % Scalar -> Scalar", expr: "modulo(`13`, `5`)", want: 3.0},
		{name: "doc example", expr: "modulo(`10`, `3`)", want: 1.0},
		{name: "negative dividend", expr: "modulo(`-7`, `3`)", want: -1.0},
		{name: "Quantity % Quantity -> Quantity", expr: "modulo('12Ki', '5Ki')", want: "2Ki"},
		{name: "Duration % Duration -> Duration", expr: "modulo('13s', '2s')", want: "1s"},
		{name: "memory divisible", expr: "modulo('1Gi', '256Mi')", want: "0"},
		{name: "Quantity % Duration -> error", expr: "modulo('12Ki', '13s')", err: "JMESPath function 'modulo': Types mismatch"},
		{name: "Quantity % Scalar -> error", expr: "modulo('12Ki', `13`)", err: "Types mismatch"},
		{name: "Duration % Scalar -> error", expr: "modulo('13s', `2`)", err: "Types mismatch"},
		{name: "Scalar % Quantity -> error", expr: "modulo(`13`, '12')", err: "Types mismatch"},
		{name: "Scalar % Zero -> error", expr: "modulo(`14`, `0`)", err: "JMESPath function 'modulo': Zero divisor passed"},
		{name: "Quantity % Zero -> error", expr: "modulo('4Ki', '0Ki')", err: "Zero divisor passed"},
		{name: "Duration % Zero -> error", expr: "modulo('4s', '0s')", err: "Zero divisor passed"},
		{name: "Quantity % Non int -> error", expr: "modulo('4', '1.5')", err: "JMESPath function 'modulo': Non-integer argument(s) passed for modulo"},
		{name: "Non int % Quantity -> error", expr: "modulo('4.5', '1')", err: "Non-integer argument(s)"},
		{name: "Scalar % Non int -> error", expr: "modulo(`14`, `1.5`)", err: "Non-integer argument(s)"},
		{name: "Non int % Scalar -> error", expr: "modulo(`14.5`, `2`)", err: "Non-integer argument(s)"},
	},
	"round": {
		{name: "doc example", expr: "round(`10.125`, `2`)", want: 10.13},
		{expr: "round(`10.123456`, `2`)", want: 10.12},
		{expr: "round(`1.5`, `0`)", want: 2.0},
		{expr: "round(`-1.5`, `0`)", want: -2.0},
		{name: "with to_number", expr: "round(to_number('3.14159'), `3`)", want: 3.142},
		{name: "non-integer digits", expr: "round(`1.5`, `0.5`)", err: "JMESPath function 'round': Non-integer argument(s) passed for round off"},
		{name: "negative digits", expr: "round(`1.5`, `-1`)", err: "JMESPath function 'round'"},
		{name: "string number", expr: "round('1.5', `0`)", err: "argument #1 is not of type number (got string)"},
	},

	"base64_decode": {
		{expr: "base64_decode('SGVsbG8sIHdvcmxkIQ==')", want: "Hello, world!"},
		{name: "secret data", expr: "base64_decode(data.example1)", data: map[string]any{"data": map[string]any{"example1": "SGVsbG8sIHdvcmxkIQ==", "example2": "Rm9vQmFy"}}, want: "Hello, world!"},
		{name: "keeps newlines", expr: "base64_decode('YQpiCg==')", want: "a\nb\n"},
		{name: "invalid", expr: "base64_decode('!!!')", err: "illegal base64 data"},
		{name: "null", expr: "base64_decode(`null`)", err: "JMESPath function 'base64_decode': argument #1 is not of type string (got null)"},
	},
	"base64_encode": {
		{expr: "base64_encode('Hello, world!')", want: "SGVsbG8sIHdvcmxkIQ=="},
		{name: "round trip", expr: "base64_decode(base64_encode('x y z'))", want: "x y z"},
		{name: "empty", expr: "base64_encode('')", want: ""},
		{name: "number", expr: "base64_encode(`1`)", err: "argument #1 is not of type string (got number)"},
	},
	"sha256": {
		{name: "doc example", expr: "sha256('alertmanager-kube-prometheus-stack-alertmanager')", want: "75c07bb807f2d80a85d34880b8af0c5f29f7c27577076ed5d0e4b427dee7dbcc"},
		{name: "empty", expr: "sha256('')", want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{name: "number", expr: "sha256(`1`)", err: "JMESPath function 'sha256': argument #1 is not of type string (got number)"},
	},
	"sha1": {
		{name: "doc example", expr: "sha1('Alice & Bob')", want: "e3ec484930685a61b0f824cd684a68699d2b98c1"},
		{name: "array", expr: "sha1(`[]`)", err: "JMESPath function 'sha1': argument #1 is not of type string (got array)"},
	},
	"md5": {
		{name: "doc example", expr: "md5('Alice & Bob')", want: "def42e1abd2462df1f9f0a4b3d488221"},
		{name: "bool", expr: "md5(`true`)", err: "JMESPath function 'md5': argument #1 is not of type string (got bool)"},
	},
	"parse_json": {
		{expr: `parse_json('{"a": "b"}').a`, want: "b"},
		{expr: `parse_json('{"a": [1, 2, 3, 4]}').a[0]`, want: 1.0},
		{expr: `parse_json('[1, 2, {"a": {"b": {"c": [1, 2]}}}]')[2].a.b.c[1]`, want: 2.0},
		{name: "round trip", expr: `to_string(parse_json('[1.2,true,{"a":{"a":"b"}}]'))`, want: `[1.2,true,{"a":{"a":"b"}}]`},
		{name: "null", expr: "parse_json('null')", want: nil},
		{name: "supplemental groups", expr: `parse_json(data.finance)[*].to_number(@)`, data: map[string]any{"data": map[string]any{"finance": `["1001","1002"]`}}, want: []any{1001.0, 1002.0}},
		{name: "invalid", expr: "parse_json('{')", err: "unexpected end of JSON input"},
		{name: "number", expr: "parse_json(`1`)", err: "argument #1 is not of type string"},
	},
	"parse_yaml": {
		{expr: "parse_yaml('a: b')", want: map[string]any{"a": "b"}},
		{name: "list", expr: "parse_yaml('- 1\n- 2\n- a: b')", want: []any{1.0, 2.0, map[string]any{"a": "b"}}},
		{name: "nested", expr: "parse_yaml('spec:\n  test: 1\n  test2:\n    - 2\n    - 3\n')", want: map[string]any{"spec": map[string]any{"test": 1.0, "test2": []any{2.0, 3.0}}}},
		{name: "folded", expr: "parse_yaml('bar: >\n  this is not a normal string it\n  spans more than\n  one line\n  see?')", want: map[string]any{"bar": "this is not a normal string it spans more than one line see?"}},
		{name: "nulls", expr: "parse_yaml('---\nfoo: ~\nbar: null\n')", want: map[string]any{"foo": nil, "bar": nil}},
		{name: "doc annotation", expr: "metadata.annotations.pets | parse_yaml(@).species.isGoodBoi", data: map[string]any{"metadata": map[string]any{"annotations": map[string]any{"pets": "species:\n  dog: lab\n  isGoodBoi: false\n"}}}, want: false},
		{name: "invalid", expr: "parse_yaml('a: [')", err: "yaml"},
		{name: "object", expr: "parse_yaml(`{}`)", err: "argument #1 is not of type string (got object)"},
	},
	"x509_decode": {
		{name: "certificate", expr: "x509_decode(cert)", data: x509Doc(), check: checkCert},
		{name: "base64 certificate", expr: "x509_decode(base64_decode(certB64))", data: x509Doc(), check: checkCert},
		{name: "expiry window", expr: "x509_decode(cert).time_since('', NotBefore, NotAfter)", data: x509Doc(), want: "24h0m0s"},
		{name: "certificate request", expr: "x509_decode(csr)", data: x509Doc(), check: func(t *testing.T, got any) {
			m := got.(map[string]any)
			if cn := m["Subject"].(map[string]any)["CommonName"]; cn != "csr.kanon.test" {
				t.Errorf("CommonName = %v", cn)
			}
			if e := m["PublicKey"].(map[string]any)["E"]; e != 65537.0 {
				t.Errorf("E = %v", e)
			}
		}},
		{name: "not PEM", expr: "x509_decode('xyz')", err: "failed to decode PEM block"},
		{name: "ECDSA key", expr: "x509_decode(ecCert)", data: x509Doc(), err: "certificate should use rsa algorithm"},
		{name: "other PEM block", expr: "x509_decode(key)", data: x509Doc(), err: "PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST"},
		{name: "number", expr: "x509_decode(`1`)", err: "argument #1 is not of type string"},
	},

	"lookup": {
		{name: "doc object", expr: "lookup(`{\"key1\": \"value1\", \"key2\": \"value2\"}`, `\"key2\"`)", want: "value2"},
		{name: "doc array", expr: "lookup(`[\"item0\", \"item1\", \"item2\"]`, `1`)", want: "item1"},
		{name: "missing key", expr: "lookup(`{\"key1\": \"value1\"}`, 'key2')", want: nil},
		{name: "empty key", expr: "lookup(`{\"\": \"value1\"}`, '')", want: "value1"},
		{name: "nested value", expr: "lookup(`{\"k\": {\"key1\": true}}`, 'k')", want: map[string]any{"key1": true}},
		{name: "negative index", expr: "lookup(`[\"item0\"]`, `-1`)", want: nil},
		{name: "index past end", expr: "lookup(`[\"item0\"]`, `1`)", want: nil},
		{name: "index rounds to integer", expr: "lookup(`[\"item0\", \"item1\"]`, `0.99999999999999999999999999999999999999999999`)", want: "item1"},
		{name: "dynamic key", expr: "lookup(metadata.annotations, join('', ['container.apparmor.security.beta.kubernetes.io/', 'app'])) || 'runtime/default'", data: map[string]any{"metadata": map[string]any{"annotations": map[string]any{}}}, want: "runtime/default"},
		{name: "number key on object", expr: "lookup(`{}`, `123`)", err: "argument #2 is not of type String"},
		{name: "string key on array", expr: "lookup(`[]`, 'abc')", err: "argument #2 is not of type Number"},
		{name: "fractional index", expr: "lookup(`[]`, `1.5`)", err: "JMESPath function 'lookup': argument #2: expected an integer number but got: 1.5"},
		{name: "string collection", expr: "lookup('abc', `1`)", err: "argument #1 is not of type object or array (got string)"},
	},
	"items": {
		{name: "doc object", expr: "items(@, 'key', 'value')", data: map[string]any{"team": "apple", "organization": "banana"}, want: []any{
			map[string]any{"key": "organization", "value": "banana"},
			map[string]any{"key": "team", "value": "apple"},
		}},
		{name: "doc array", expr: "items(@, 'key', 'value')", data: []any{map[string]any{"team": "apple"}, map[string]any{"organization": "banana"}}, want: []any{
			map[string]any{"key": 0.0, "value": map[string]any{"team": "apple"}},
			map[string]any{"key": 1.0, "value": map[string]any{"organization": "banana"}},
		}},
		{name: "custom names", expr: "items(`{\"key1\": \"value1\"}`, 'myKey', 'myValue')", want: []any{map[string]any{"myKey": "key1", "myValue": "value1"}}},
		{name: "projectable", expr: "items(`{\"b\": 2, \"a\": 1}`, 'k', 'v')[].k", want: []any{"a", "b"}},
		{name: "sortable", expr: "sort_by(items(`{\"b\": 1, \"a\": 2}`, 'k', 'v'), &v)[0].k", want: "b"},
		{name: "string input", expr: "items('abc', 'k', 'v')", err: "JMESPath function 'items': argument #1 is not of type object or array (got string)"},
		{name: "number key name", expr: "items(`{}`, `1`, 'v')", err: "argument #2 is not of type string (got number)"},
	},
	"object_from_lists": {
		{expr: "object_from_lists(`[\"key1\", \"key2\"]`, `[\"1\", \"2\"]`)", want: map[string]any{"key1": "1", "key2": "2"}},
		{expr: "object_from_lists(`[\"key1\", \"key2\"]`, `[1, \"2\"]`)", want: map[string]any{"key1": 1.0, "key2": "2"}},
		{name: "fewer values", expr: "object_from_lists(`[\"key1\", \"key2\"]`, `[1]`)", want: map[string]any{"key1": 1.0, "key2": nil}},
		{name: "number key", expr: "object_from_lists([value], ['matched'])", data: map[string]any{"value": 16777217.0}, want: map[string]any{"16777217": "matched"}},
		{name: "doc env", expr: "object_from_lists(spec.containers[].env[].name, spec.containers[].env[].value)", data: map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"env": []any{
			map[string]any{"name": "KEY", "value": "123-456-789"}, map[string]any{"name": "endpoint", "value": "licensing.corp.org"}}}}}},
			want: map[string]any{"KEY": "123-456-789", "endpoint": "licensing.corp.org"}},
		{name: "object key", expr: "object_from_lists(`[{}]`, `[1]`)", err: "JMESPath function 'object_from_lists': argument #1 is not of type StringArray"},
		{name: "not arrays", expr: "object_from_lists('a', `[]`)", err: "argument #1 is not of type array (got string)"},
	},

	"semver_compare": {
		{expr: "semver_compare('1.2.3', '1.2.4')", want: false},
		{expr: "semver_compare('4.1.3', '>=4.1.x')", want: true},
		{expr: "semver_compare('4.1.3', '!4.x.x')", want: false},
		{expr: "semver_compare('1.8.6', '>1.0.0 <2.0.0')", want: true},
		{expr: "semver_compare('2.1.5', '<2.0.0 || >=3.0.0')", want: false},
		{name: "invalid version is 0.0.0", expr: "semver_compare('latest', '<1.0.0')", want: true},
		{name: "invalid range", expr: "semver_compare('1.0.0', 'not a range')", err: "Could not"},
		{name: "number", expr: "semver_compare(`1`, '1.0.0')", err: "argument #1 is not of type string"},
	},
	"random": {
		{name: "doc example", expr: "random('[0-9a-z]{5}')", check: matches(`^[0-9a-z]{5}$`)},
		{name: "license key", expr: "random('[A-Z0-9]{8}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{12}')", check: matches(`^[A-Z0-9]{8}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{12}$`)},
		{name: "alternation and optional", expr: "random('(foo|bar)-x?[a-c]+')", check: matches(`^(foo|bar)-x?[a-c]+$`)},
		{name: "anchors", expr: "random('^a.b$')", check: matches(`^a.b$`)},
		{name: "array lookup", expr: "lookup(@, modulo(random('[1-9][0-9]{0,5}') | parse_json(@), length(@)))", data: []any{"item1", "item2", "item3"}, check: func(t *testing.T, got any) {
			if s, _ := got.(string); !strings.HasPrefix(s, "item") {
				t.Errorf("got %v", got)
			}
		}},
		{name: "empty pattern", expr: "random('')", err: "no pattern provided"},
		{name: "bad pattern", expr: "random('[')", err: "error parsing regexp"},
		{name: "number", expr: "random(`1`)", err: "argument #1 is not of type string"},
	},
	"image_normalize": {
		{expr: "image_normalize('nginx')", want: "docker.io/nginx:latest"},
		{expr: "image_normalize('docker.io/nginx')", want: "docker.io/nginx:latest"},
		{expr: "image_normalize('docker.io/library/nginx')", want: "docker.io/library/nginx:latest"},
		{expr: "image_normalize('ghcr.io/library/nginx')", want: "ghcr.io/library/nginx:latest"},
		{expr: "image_normalize('ghcr.io/nginx')", want: "ghcr.io/nginx:latest"},
		{expr: "image_normalize('ghcr.io/nginx:latest')", want: "ghcr.io/nginx:latest"},
		{expr: "image_normalize('ghcr.io/nginx:1.2')", want: "ghcr.io/nginx:1.2"},
		{expr: "image_normalize('test/nginx')", want: "docker.io/test/nginx:latest"},
		{expr: "image_normalize('localhost:4443/test/nginx')", want: "localhost:4443/test/nginx:latest"},
		{expr: "image_normalize('localhost/netd:v0.4.4-gke.0')", want: "localhost/netd:v0.4.4-gke.0"},
		{name: "digest", expr: "image_normalize('test/centos@sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f')", want: "docker.io/test/centos@sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f"},
		{name: "tag and digest", expr: "image_normalize('nginx:1.0@sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f')", want: "docker.io/nginx@sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f"},
		{name: "doc replace registry", expr: "regex_replace_all('^docker.io/(.*)$', image_normalize('nginx'), 'harbor.corp.org/$1')", want: "harbor.corp.org/nginx:latest"},
		{name: "empty", expr: "image_normalize('')", err: "JMESPath function 'image_normalize': bad image: docker.io/, defaultRegistry: docker.io, enableDefaultRegistryMutation: true: invalid reference format"},
		{name: "invalid", expr: "image_normalize('++')", err: "invalid reference format"},
		{name: "upper case", expr: "image_normalize('ghcr.io/Nginx')", err: "repository name must be lowercase"},
		{name: "short digest", expr: "image_normalize('nginx@sha256:deadbeefdeadbeefdeadbeefdeadbeef')", err: "invalid checksum digest length"},
		{name: "unknown digest algorithm", expr: "image_normalize('nginx@md5:deadbeefdeadbeefdeadbeefdeadbeef')", err: "unsupported digest algorithm"},
		{name: "number", expr: "image_normalize(`1`)", err: "argument #1 is not of type string"},
	},
	"is_external_url": {
		{name: "public host", expr: "is_external_url('https://kyverno.io/docs')", want: true},
		{name: "public IP", expr: "is_external_url('http://8.8.8.8')", want: true},
		{name: "loopback IP", expr: "is_external_url('http://127.0.0.1:8080/x')", want: false},
		{name: "private IP", expr: "is_external_url('http://10.1.2.3')", want: false},
		{name: "private IPv6", expr: "is_external_url('http://[fd00::1]/')", want: false},
		{name: "host with a private address", expr: "is_external_url('https://internal.corp')", want: false},
		{name: "localhost", expr: "is_external_url('http://localhost')", want: false},
		{name: "configmap data", expr: "request.object.data.test | is_external_url(@)", data: map[string]any{"request": map[string]any{"object": map[string]any{"data": map[string]any{"test": "https://example.com"}}}}, want: true},
		{name: "unresolvable", expr: "is_external_url('https://nowhere.invalid')", err: "no such host"},
		{name: "invalid URL", expr: "is_external_url('http://[::1')", err: "missing ']' in host"},
		{name: "object", expr: "is_external_url(`{}`)", err: "JMESPath function 'is_external_url': argument #1 is not of type string (got object)"},
	},

	"time_since": {
		{expr: "time_since('', '2021-01-02T15:04:05-07:00', '2021-01-10T03:14:05-07:00')", want: "180h10m0s"},
		{name: "doc example", expr: "time_since('','2022-04-10T03:14:05-07:00','2022-04-11T03:14:05-07:00')", want: "24h0m0s"},
		{name: "unix date layout", expr: "time_since('Mon Jan _2 15:04:05 MST 2006', 'Mon Jan 02 15:04:05 MST 2021', 'Mon Jan 10 03:14:16 MST 2021')", want: "180h10m11s"},
		{name: "helm layout", expr: "time_since('2006-Jan-02','2020-Jan-14','2020-Jan-17')", want: "72h0m0s"},
		{name: "until now", expr: "time_since('', '2023-01-12T16:00:00Z', '')", want: "1h0m0s"},
		{name: "bad time", expr: "time_since('', 'yesterday', '')", err: "cannot parse"},
		{name: "bad end", expr: "time_since('', '2023-01-12T16:00:00Z', 'later')", err: "cannot parse"},
		{name: "two arguments", expr: "time_since('', '2023-01-12T16:00:00Z')", err: "incorrect number of args"},
	},
	"time_now": {
		{expr: "time_now()", want: "2023-01-12T12:00:00-05:00"},
		{name: "extra arguments ignored", expr: "time_now('x')", want: "2023-01-12T12:00:00-05:00"},
	},
	"time_now_utc": {
		{expr: "time_now_utc()", want: "2023-01-12T17:00:00Z"},
		{name: "doc cleanup schedule", expr: "time_add(time_now_utc(), '4h') | time_to_cron(@)", want: "0 21 12 1 4"},
	},
	"time_add": {
		{name: "doc example", expr: "time_add('2023-01-12T12:37:56-05:00','6h')", want: "2023-01-12T18:37:56-05:00"},
		{expr: "time_add('2021-01-02T15:04:05-07:00', '3h')", want: "2021-01-02T18:04:05-07:00"},
		{expr: "time_add(time_parse('Mon Jan 02 15:04:05 MST 2006', 'Sat Jan 02 15:04:05 MST 2021'), '5h30m40s')", want: "2021-01-02T20:34:45Z"},
		{name: "negative duration", expr: "time_add('2021-01-02T15:04:05Z', '-1h')", want: "2021-01-02T14:04:05Z"},
		{name: "bad time", expr: "time_add('2021-01-02', '3h')", err: "cannot parse"},
		{name: "bad duration", expr: "time_add('2021-01-02T15:04:05Z', '3 hours')", err: "time: unknown unit"},
		{name: "null duration", expr: "time_add('2021-01-02T15:04:05Z', missing)", err: "JMESPath function 'time_add': argument #2 is not of type string (got null)"},
	},
	"time_parse": {
		{expr: "time_parse('2006-01-02T15:04:05Z07:00', '2021-01-02T15:04:05-07:00')", want: "2021-01-02T15:04:05-07:00"},
		{expr: "time_parse('Mon Jan 02 15:04:05 MST 2006', 'Sat Jan 02 15:04:05 MST 2021')", want: "2021-01-02T15:04:05Z"},
		{name: "doc example", expr: "time_parse('Mon Jan 02 2006 15:04:05 -0700', 'Fri Jun 22 2022 17:45:00 +0100')", want: "2022-06-22T17:45:00+01:00"},
		{name: "epoch", expr: "time_parse('1702691171', '1702691171')", want: "2023-12-16T01:46:11Z"},
		{name: "bad epoch", expr: "time_parse('1702691171', 'yesterday')", err: "invalid syntax"},
		{name: "mismatch", expr: "time_parse('2006-01-02', 'Jan 2')", err: "cannot parse"},
		{name: "number layout", expr: "time_parse(`1`, '1')", err: "argument #1 is not of type string (got number)"},
	},
	"time_utc": {
		{expr: "time_utc('2023-02-02T15:04:05Z')", want: "2023-02-02T15:04:05Z"},
		{expr: "time_utc('2023-02-02T15:04:05-07:00')", want: "2023-02-02T22:04:05Z"},
		{name: "doc example 1", expr: "time_utc('2021-01-02T18:04:05-05:00')", want: "2021-01-02T23:04:05Z"},
		{name: "doc example 2", expr: "time_utc('2021-01-02T02:04:05+08:30')", want: "2021-01-01T17:34:05Z"},
		{name: "empty", expr: "time_utc('')", err: "cannot parse"},
		{name: "number", expr: "time_utc(`1`)", err: "argument #1 is not of type string"},
	},
	"time_diff": {
		{expr: "time_diff('2021-01-02T15:04:05-07:00', '2021-01-10T03:14:05-07:00')", want: "180h10m0s"},
		{name: "doc positive", expr: "time_diff('2023-01-10T00:00:00Z','2023-01-11T00:00:00Z')", want: "24h0m0s"},
		{name: "doc negative", expr: "time_diff('2023-01-12T00:00:00Z','2023-01-11T00:00:00Z')", want: "-24h0m0s"},
		{name: "bad second time", expr: "time_diff('2023-01-12T00:00:00Z','tomorrow')", err: "cannot parse"},
	},
	"time_before": {
		{name: "doc true", expr: "time_before('2023-01-12T19:05:59Z','2023-01-13T19:05:59Z')", want: true},
		{name: "doc false", expr: "time_before('2023-01-12T19:05:59Z','2023-01-11T19:05:59Z')", want: false},
		{name: "equal", expr: "time_before('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00')", want: false},
		{name: "with now", expr: "time_before(time_now_utc(), '2023-01-31T00:00:00Z')", want: true},
		{name: "number", expr: "time_before(`1`, '2021-01-02T15:04:05-07:00')", err: "argument #1 is not of type string"},
		{name: "second number", expr: "time_before('2021-01-02T15:04:05-07:00', `1`)", err: "argument #2 is not of type string"},
	},
	"time_after": {
		{name: "doc true", expr: "time_after('2023-01-12T14:07:55-05:00','2023-01-12T19:05:59Z')", want: true},
		{name: "doc false", expr: "time_after('2023-01-12T19:05:59Z','2023-01-13T19:05:59Z')", want: false},
		{name: "equal", expr: "time_after('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00')", want: false},
		{name: "bad time", expr: "time_after('now', '2021-01-02T15:04:05-07:00')", err: "cannot parse"},
	},
	"time_between": {
		{name: "doc true", expr: "time_between('2023-01-12T19:05:59Z','2023-01-01T19:05:59Z','2023-01-15T19:05:59Z')", want: true},
		{name: "doc false", expr: "time_between('2023-01-12T19:05:59Z','2023-01-01T19:05:59Z','2023-01-11T19:05:59Z')", want: false},
		{name: "start is excluded", expr: "time_between('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00', '2021-01-02T18:04:05-07:00')", want: false},
		{name: "end is excluded", expr: "time_between('2021-01-02T18:04:05-07:00', '2021-01-02T15:04:05-07:00', '2021-01-02T18:04:05-07:00')", want: false},
		{name: "number end", expr: "time_between('2021-01-02T15:04:05-07:00', '2021-01-02T18:04:05-07:00', `1`)", err: "argument #3 is not of type string"},
		{name: "bad end", expr: "time_between('2021-01-02T15:04:05Z', '2021-01-02T14:04:05Z', 'x')", err: "cannot parse"},
	},
	"time_truncate": {
		{name: "doc 1h", expr: "time_truncate('2023-01-12T17:37:00Z','1h')", want: "2023-01-12T17:00:00Z"},
		{name: "doc 2h", expr: "time_truncate('2023-01-12T17:37:00Z','2h')", want: "2023-01-12T16:00:00Z"},
		{name: "annotation example", expr: "time_truncate('2021-01-02T23:04:05Z','2h')", want: "2021-01-02T22:00:00Z"},
		{name: "bad duration", expr: "time_truncate('2021-01-02T23:04:05Z','two hours')", err: "time: invalid duration"},
		{name: "number duration", expr: "time_truncate('2021-01-02T23:04:05Z',`2`)", err: "argument #2 is not of type string"},
	},
	"time_to_cron": {
		{expr: "time_to_cron('2023-02-02T15:04:05Z')", want: "4 15 2 2 4"},
		{expr: "time_to_cron(time_utc('2023-02-02T15:04:05-07:00'))", want: "4 22 2 2 4"},
		{name: "doc example", expr: "time_to_cron('2022-04-11T03:14:05-07:00')", want: "14 3 11 4 1"},
		{name: "not RFC 3339", expr: "time_to_cron('2022-04-11')", err: "cannot parse"},
		{name: "number", expr: "time_to_cron(`1`)", err: "argument #1 is not of type string"},
	},
}

var labelsDoc = map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "test-app", "controller-name": "test-controller"}}}

var podDoc = map[string]any{
	"apiVersion": "v1",
	"kind":       "Pod",
	"metadata":   map[string]any{"name": "mypod", "namespace": "foo"},
	"spec": map[string]any{
		"initContainers": []any{map[string]any{"name": "redis", "image": "redis"}},
		"containers": []any{
			map[string]any{"name": "busybox", "image": "busybox", "resources": map[string]any{"requests": map[string]any{"memory": "128Mi"}}},
			map[string]any{"name": "nginx", "image": "nginx:1.25", "resources": map[string]any{"requests": map[string]any{"memory": "256Mi"}}},
		},
	},
}

func matches(pattern string) func(t *testing.T, got any) {
	re := regexp.MustCompile(pattern)
	return func(t *testing.T, got any) {
		t.Helper()
		s, ok := got.(string)
		if !ok || !re.MatchString(s) {
			t.Errorf("got %#v, want a string matching %s", got, pattern)
		}
	}
}

// x509 fixtures, generated once.
var (
	x509Once sync.Once
	x509Data map[string]any
	x509Key  *rsa.PrivateKey
)

func x509Doc() map[string]any {
	x509Once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		x509Key = key
		notBefore := time.Date(2022, 10, 10, 11, 46, 32, 0, time.UTC)
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(42),
			Subject:               pkix.Name{CommonName: "*.kanon.svc"},
			NotBefore:             notBefore,
			NotAfter:              notBefore.Add(24 * time.Hour),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
			DNSNames:              []string{"kanon.svc"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr.kanon.test"}}, key)
		if err != nil {
			panic(err)
		}
		ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		ecDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
		if err != nil {
			panic(err)
		}
		x509Data = map[string]any{
			"cert":    string(certPEM),
			"certB64": base64.StdEncoding.EncodeToString(certPEM),
			"csr":     string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})),
			"ecCert":  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ecDER})),
			"key":     string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		}
	})
	return x509Data
}

func checkCert(t *testing.T, got any) {
	t.Helper()
	m, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("got %T", got)
	}
	want := map[string]any{
		"IsCA":               true,
		"SerialNumber":       42.0,
		"PublicKeyAlgorithm": float64(x509.RSA),
		"NotBefore":          "2022-10-10T11:46:32Z",
		"NotAfter":           "2022-10-11T11:46:32Z",
		"DNSNames":           []any{"kanon.svc"},
		"Version":            3.0,
		"MaxPathLen":         -1.0,
	}
	for k, v := range want {
		if !reflect.DeepEqual(m[k], v) {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if cn := m["Subject"].(map[string]any)["CommonName"]; cn != "*.kanon.svc" {
		t.Errorf("Subject.CommonName = %v", cn)
	}
	pk := m["PublicKey"].(map[string]any)
	if pk["N"] != x509Key.N.String() || pk["E"] != 65537.0 {
		t.Errorf("PublicKey = %v", pk)
	}
	if _, ok := m["Raw"].(string); !ok {
		t.Errorf("Raw = %T, want base64 string", m["Raw"])
	}
}

func TestFunctions(t *testing.T) {
	for name, cases := range functionCases {
		t.Run(name, func(t *testing.T) { runCases(t, testEnv, cases) })
	}
}

// TestEveryFunctionIsTested makes sure each custom function has cases, with
// at least one success and, for functions that take arguments, one error.
func TestEveryFunctionIsTested(t *testing.T) {
	known := map[string]bool{}
	for _, f := range functionTable {
		known[f.name] = true
		cases := functionCases[f.name]
		var ok, bad int
		for _, c := range cases {
			if c.err != "" {
				bad++
			} else {
				ok++
			}
		}
		if ok == 0 {
			t.Errorf("%s: no success case", f.name)
		}
		if bad == 0 && len(f.args) > 0 {
			t.Errorf("%s: no error case", f.name)
		}
	}
	for name := range functionCases {
		if !known[name] {
			t.Errorf("cases for unknown function %s", name)
		}
	}
}

func TestFunctionsList(t *testing.T) {
	fns := Functions()
	if len(fns) != 51 {
		t.Errorf("len(Functions()) = %d, want 51", len(fns))
	}
	for i, f := range fns {
		if i > 0 && fns[i-1].Name >= f.Name {
			t.Errorf("not sorted: %s before %s", fns[i-1].Name, f.Name)
		}
		if f.Signature == "" || f.ReturnType == "" || f.Note == "" {
			t.Errorf("%s: incomplete %+v", f.Name, f)
		}
		if !strings.HasPrefix(f.Signature, f.Name+"(") {
			t.Errorf("%s: signature %q", f.Name, f.Signature)
		}
	}
	byName := map[string]FunctionInfo{}
	for _, f := range fns {
		byName[f.Name] = f
	}
	for name, want := range map[string][2]string{
		"add":           {"add(any, any) any", "any"},
		"truncate":      {"truncate(string, number) string", "string"},
		"lookup":        {"lookup(object|array, string|number) any", "any"},
		"time_now":      {"time_now() string", "string"},
		"split":         {"split(string, string) array[string]", "array[string]"},
		"equal_fold":    {"equal_fold(string, string) bool", "bool"},
		"x509_decode":   {"x509_decode(string) object", "object"},
		"compare":       {"compare(string, string) number", "number"},
		"pattern_match": {"pattern_match(string, string|number) bool", "bool"},
	} {
		if f := byName[name]; f.Signature != want[0] || f.ReturnType != want[1] {
			t.Errorf("%s: got %q %q, want %q %q", name, f.Signature, f.ReturnType, want[0], want[1])
		}
	}
	if s := byName["truncate"].String(); !strings.HasPrefix(s, "Name: truncate\n  Signature: truncate(string, number) string\n  Note: ") {
		t.Errorf("String() = %q", s)
	}
}

func TestImageNormalizeConfig(t *testing.T) {
	cases := []struct {
		cfg   Config
		image string
		want  string
	}{
		{Config{DefaultRegistry: "gcr.io"}, "test/nginx", "gcr.io/test/nginx:latest"},
		{Config{DefaultRegistry: "gcr.io", DisableDefaultRegistryMutation: true}, "test/nginx", "test/nginx:latest"},
		{Config{DisableDefaultRegistryMutation: true}, "ghcr.io/test/nginx", "ghcr.io/test/nginx:latest"},
		{Config{DefaultRegistry: "test.io"}, "docker.io/test/nginx:v10.4", "docker.io/test/nginx:v10.4"},
	}
	for _, c := range cases {
		q, err := Parse(fmt.Sprintf("image_normalize('%s')", c.image))
		if err != nil {
			t.Fatal(err)
		}
		got, err := q.SearchEnv(NewEnv(c.cfg), nil)
		if err != nil || got != c.want {
			t.Errorf("%+v %s: got %v, %v; want %s", c.cfg, c.image, got, err, c.want)
		}
	}
	q, _ := Parse("image_normalize('')")
	_, err := q.SearchEnv(NewEnv(Config{DefaultRegistry: "gcr.io", DisableDefaultRegistryMutation: true}), nil)
	if err == nil || !strings.Contains(err.Error(), "bad image: gcr.io/, defaultRegistry: gcr.io, enableDefaultRegistryMutation: false") {
		t.Errorf("err = %v", err)
	}
}

func TestRandomUsesConfig(t *testing.T) {
	env := NewEnv(Config{RandIntN: func(int) int { return 0 }})
	q, _ := Parse("random('[a-z]{3}x*')")
	got, err := q.SearchEnv(env, nil)
	if err != nil || got != "aaa" {
		t.Errorf("got %v, %v; want aaa", got, err)
	}
	// Unbounded repetition is capped, and runaway expansion is refused.
	env = NewEnv(Config{RandIntN: func(n int) int { return n - 1 }})
	q, _ = Parse("length(random('a*'))")
	got, err = q.SearchEnv(env, nil)
	if err != nil || got != float64(maxUnboundedRepeat) {
		t.Errorf("length(random('a*')) = %v, %v", got, err)
	}
	q, _ = Parse("random('(a*){1000}')")
	if _, err := q.SearchEnv(env, nil); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("err = %v", err)
	}
}

func TestIsExternalURLDefaultResolverErrors(t *testing.T) {
	env := NewEnv(Config{LookupIP: func(context.Context, string) ([]net.IP, error) { return nil, errors.New("resolver down") }})
	q, _ := Parse("is_external_url('https://kyverno.io')")
	if _, err := q.SearchEnv(env, nil); err == nil || err.Error() != "resolver down" {
		t.Errorf("err = %v", err)
	}
}

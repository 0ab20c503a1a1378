package jsonvalue

import (
	"errors"
	"io"
	"math"
	"strings"
	"sync"
	"testing"
)

type decodeCase struct {
	name string
	in   string
	want any
	// For invalid input: the message, the offset and whether the input
	// is truncated (io.ErrUnexpectedEOF).
	err       string
	offset    int64
	truncated bool
}

func nested(open, leaf, closing string, n int) string {
	return strings.Repeat(open, n) + leaf + strings.Repeat(closing, n)
}

var negZero = math.Copysign(0, -1)

var valid = []decodeCase{
	// literals and whitespace
	{name: "null", in: "null", want: nil},
	{name: "true", in: "true", want: true},
	{name: "false", in: "false", want: false},
	{name: "surrounding whitespace", in: " \t\r\n true \n\t\r ", want: true},

	// strings
	{name: "empty string", in: `""`, want: ""},
	{name: "plain string", in: `"hello, world"`, want: "hello, world"},
	{name: "common key as value", in: `"metadata"`, want: "metadata"},
	{name: "common value", in: `"IfNotPresent"`, want: "IfNotPresent"},
	{name: "simple escapes", in: `"\"\\\/\b\f\n\r\t"`, want: "\"\\/\b\f\n\r\t"},
	{name: "escape between text", in: `"a\nb"`, want: "a\nb"},
	{name: "unicode escape", in: `"caf\u00e9 \u20AC"`, want: "café €"},
	{name: "NUL escape", in: `"\u0000"`, want: "\x00"},
	{name: "surrogate pair", in: `"\ud83d\ude00"`, want: "😀"},
	{name: "lone high surrogate", in: `"\ud800"`, want: "\ufffd"},
	{name: "lone low surrogate", in: `"\udc00x"`, want: "\ufffdx"},
	{name: "high surrogate then letter", in: `"\ud800x"`, want: "\ufffdx"},
	{name: "high surrogate then non-surrogate escape", in: `"\ud800\u0041"`, want: "\ufffdA"},
	{name: "two high surrogates then low", in: `"\ud800\ud800\udc00"`, want: "\ufffd𐀀"},
	{name: "two low surrogates", in: `"\udc00\udc00"`, want: "\ufffd\ufffd"},
	{name: "high surrogate then other escape", in: `"\ud800\n"`, want: "\ufffd\n"},
	{name: "UTF-8", in: `"héllo, 世界 😀"`, want: "héllo, 世界 😀"},
	{name: "UTF-8 after an escape", in: `"\t世界"`, want: "\t世界"},
	{name: "U+FFFD itself", in: "\"\xef\xbf\xbd\"", want: "\ufffd"},
	{name: "invalid byte", in: "\"a\xffb\"", want: "a\ufffdb"},
	{name: "truncated UTF-8 sequence", in: "\"\xe2\x82\"", want: "\ufffd\ufffd"},
	{name: "UTF-8 encoded surrogate", in: "\"\xed\xa0\x80\"", want: "\ufffd\ufffd\ufffd"},
	{name: "overlong encoding", in: "\"\xc0\xaf\"", want: "\ufffd\ufffd"},
	{name: "invalid byte after an escape", in: "\"\\n\xff\"", want: "\n\ufffd"},
	{name: "DEL is allowed", in: "\"\x7f\"", want: "\x7f"},

	// numbers
	{name: "zero", in: "0", want: int64(0)},
	{name: "minus zero is an integer", in: "-0", want: int64(0)},
	{name: "minus zero with fraction", in: "-0.0", want: negZero},
	{name: "minus zero with exponent", in: "-0e0", want: negZero},
	{name: "integer", in: "42", want: int64(42)},
	{name: "negative integer", in: "-17", want: int64(-17)},
	{name: "max int64", in: "9223372036854775807", want: int64(math.MaxInt64)},
	{name: "min int64", in: "-9223372036854775808", want: int64(math.MinInt64)},
	{name: "above max int64", in: "9223372036854775808", want: float64(1 << 63)},
	{name: "below min int64", in: "-9223372036854775809", want: -float64(1 << 63)},
	{name: "max uint64", in: "18446744073709551615", want: float64(1 << 64)},
	{name: "many digits", in: "123456789012345678901234567890", want: 1.2345678901234568e29},
	{name: "integer beyond float64", in: "1" + strings.Repeat("0", 400), want: "1" + strings.Repeat("0", 400)},
	{name: "fraction", in: "1.5", want: 1.5},
	{name: "fraction of an integer", in: "1.0", want: 1.0},
	{name: "exponent", in: "1e2", want: 100.0},
	{name: "exponent upper case with sign", in: "1E+2", want: 100.0},
	{name: "negative exponent", in: "25e-2", want: 0.25},
	{name: "fraction and exponent", in: "-1.25e1", want: -12.5},
	{name: "smallest subnormal", in: "5e-324", want: 5e-324},
	{name: "underflow to zero", in: "1e-400", want: 0.0},
	{name: "overflow keeps the digits", in: "1e400", want: "1e400"},
	{name: "negative overflow keeps the digits", in: "-1.5e309", want: "-1.5e309"},
	{name: "max float64", in: "1.7976931348623157e308", want: math.MaxFloat64},

	// arrays and objects
	{name: "empty array", in: "[]", want: []any{}},
	{name: "empty array with space", in: "[ \n ]", want: []any{}},
	{name: "empty object", in: "{}", want: map[string]any{}},
	{name: "empty object with space", in: "{\t}", want: map[string]any{}},
	{name: "array of every kind", in: `[1, "a", null, true, false, 2.5, [], {}]`, want: []any{int64(1), "a", nil, true, false, 2.5, []any{}, map[string]any{}}},
	{name: "object", in: `{"a": 1, "b": [true], "c": {"d": null}}`, want: map[string]any{"a": int64(1), "b": []any{true}, "c": map[string]any{"d": nil}}},
	{name: "spaces everywhere", in: " { \"a\" \n : \t [ 1 , 2 ] , \"b\" : { } } ", want: map[string]any{"a": []any{int64(1), int64(2)}, "b": map[string]any{}}},
	{name: "duplicate keys: last wins", in: `{"a": 1, "b": 2, "a": 3}`, want: map[string]any{"a": int64(3), "b": int64(2)}},
	{name: "escaped key", in: `{"a\nb": 1, "\u00e9": 2}`, want: map[string]any{"a\nb": int64(1), "é": int64(2)}},
	{name: "empty key", in: `{"": 1}`, want: map[string]any{"": int64(1)}},
	{name: "common keys", in: `{"metadata": {"name": "x", "namespace": "default"}}`, want: map[string]any{"metadata": map[string]any{"name": "x", "namespace": "default"}}},
	{name: "many members", in: `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}`, want: map[string]any{"a": int64(1), "b": int64(2), "c": int64(3), "d": int64(4), "e": int64(5), "f": int64(6), "g": int64(7), "h": int64(8), "i": int64(9), "j": int64(10)}},
	{name: "nested arrays", in: `[[1, [2]], [[]]]`, want: []any{[]any{int64(1), []any{int64(2)}}, []any{[]any{}}}},
	{name: "max depth of arrays", in: nested("[", "", "]", MaxDepth)},
	{name: "max depth of objects", in: nested(`{"a":`, "1", "}", MaxDepth)},
}

var invalid = []decodeCase{
	// where a value should begin
	{name: "empty", in: "", err: "unexpected end of JSON input", offset: 0, truncated: true},
	{name: "only whitespace", in: " \n ", err: "unexpected end of JSON input", offset: 3, truncated: true},
	{name: "bare word", in: "x", err: "invalid character 'x' looking for beginning of value", offset: 1},
	{name: "bad value in object", in: `{"a":x}`, err: "invalid character 'x' looking for beginning of value", offset: 6},
	{name: "single quotes", in: `'a'`, err: `invalid character '\'' looking for beginning of value`, offset: 1},
	{name: "NaN", in: "NaN", err: "invalid character 'N' looking for beginning of value", offset: 1},
	{name: "Infinity", in: "[Infinity]", err: "invalid character 'I' looking for beginning of value", offset: 2},
	{name: "byte order mark", in: "\xef\xbb\xbf{}", err: "invalid character 'ï' looking for beginning of value", offset: 1},
	{name: "C1 control byte", in: "\x85", err: `invalid character '\u0085' looking for beginning of value`, offset: 1},
	{name: "closing bracket", in: "]", err: "invalid character ']' looking for beginning of value", offset: 1},

	// structure
	{name: "trailing comma in array", in: "[1,]", err: "invalid character ']' looking for beginning of value", offset: 4},
	{name: "trailing comma in object", in: `{"a":1,}`, err: "invalid character '}' looking for beginning of object key string", offset: 8},
	{name: "comma first in object", in: "{,}", err: "invalid character ',' looking for beginning of object key string", offset: 2},
	{name: "unquoted key", in: "{a:1}", err: "invalid character 'a' looking for beginning of object key string", offset: 2},
	{name: "missing colon", in: `{"a" 1}`, err: "invalid character '1' after object key", offset: 6},
	{name: "missing comma in object", in: `{"a":1 "b":2}`, err: `invalid character '"' after object key:value pair`, offset: 8},
	{name: "missing comma in array", in: "[1 2]", err: "invalid character '2' after array element", offset: 4},
	{name: "wrong closer", in: "[1}", err: "invalid character '}' after array element", offset: 3},
	{name: "second value", in: "1 2", err: "invalid character '2' after top-level value", offset: 3},
	{name: "trailing garbage", in: `{"a":1} x`, err: "invalid character 'x' after top-level value", offset: 9},
	{name: "too deep array", in: nested("[", "", "]", MaxDepth+1), err: "invalid character '[' exceeded max depth", offset: MaxDepth + 1},
	{name: "too deep object", in: nested(`{"a":`, "1", "}", MaxDepth+1), err: "invalid character '{' exceeded max depth", offset: 5*MaxDepth + 1},

	// literals
	{name: "misspelt true", in: "trux", err: "invalid character 'x' in literal true (expecting 'e')", offset: 4},
	{name: "upper-case null", in: "nULL", err: "invalid character 'U' in literal null (expecting 'u')", offset: 2},
	{name: "literal with a tail", in: "falsy", err: "invalid character 'y' in literal false (expecting 'e')", offset: 5},
	{name: "literal then letter", in: "[truex]", err: "invalid character 'x' after array element", offset: 6},

	// numbers
	{name: "leading zero", in: "01", err: "invalid character '1' after top-level value", offset: 2},
	{name: "leading zero in array", in: "[-01]", err: "invalid character '1' after array element", offset: 4},
	{name: "plus sign", in: "+1", err: "invalid character '+' looking for beginning of value", offset: 1},
	{name: "minus without digits", in: "-a", err: "invalid character 'a' in numeric literal", offset: 2},
	{name: "minus Infinity", in: "-Infinity", err: "invalid character 'I' in numeric literal", offset: 2},
	{name: "leading point", in: ".5", err: "invalid character '.' looking for beginning of value", offset: 1},
	{name: "point without digits", in: "1.e5", err: "invalid character 'e' after decimal point in numeric literal", offset: 3},
	{name: "exponent without digits", in: "1e+x", err: "invalid character 'x' in exponent of numeric literal", offset: 4},
	{name: "hexadecimal", in: "0x10", err: "invalid character 'x' after top-level value", offset: 2},

	// strings
	{name: "control character", in: "\"\x01\"", err: `invalid character '\x01' in string literal`, offset: 2},
	{name: "newline in string", in: "\"a\nb\"", err: `invalid character '\n' in string literal`, offset: 3},
	{name: "control character after an escape", in: "\"\\n\t\"", err: `invalid character '\t' in string literal`, offset: 4},
	{name: "unknown escape", in: `"\x41"`, err: "invalid character 'x' in string escape code", offset: 3},
	{name: "escaped single quote", in: `"\'"`, err: `invalid character '\'' in string escape code`, offset: 3},
	{name: "short unicode escape", in: `"\u12"`, err: `invalid character '"' in \u hexadecimal character escape`, offset: 6},
	{name: "bad unicode escape", in: `"\uZZZZ"`, err: `invalid character 'Z' in \u hexadecimal character escape`, offset: 4},
	{name: "bad escape after a high surrogate", in: `"\ud800\u12"`, err: `invalid character '"' in \u hexadecimal character escape`, offset: 12},
	{name: "bad key", in: "{\"\x00\":1}", err: `invalid character '\x00' in string literal`, offset: 3},

	// truncated
	{name: "open array", in: "[", err: "unexpected end of JSON input", offset: 1, truncated: true},
	{name: "open object", in: "{ ", err: "unexpected end of JSON input", offset: 2, truncated: true},
	{name: "key only", in: `{"a"`, err: "unexpected end of JSON input", offset: 4, truncated: true},
	{name: "key and colon", in: `{"a":`, err: "unexpected end of JSON input", offset: 5, truncated: true},
	{name: "after a member", in: `{"a":1`, err: "unexpected end of JSON input", offset: 6, truncated: true},
	{name: "after a comma", in: `[1,`, err: "unexpected end of JSON input", offset: 3, truncated: true},
	{name: "open string", in: `"abc`, err: "unexpected end of JSON input", offset: 4, truncated: true},
	{name: "open string with escape", in: `"a\n`, err: "unexpected end of JSON input", offset: 4, truncated: true},
	{name: "backslash at the end", in: `"\`, err: "unexpected end of JSON input", offset: 2, truncated: true},
	{name: "unicode escape at the end", in: `"\u12`, err: "unexpected end of JSON input", offset: 5, truncated: true},
	{name: "surrogate then backslash", in: `"\ud800\`, err: "unexpected end of JSON input", offset: 8, truncated: true},
	{name: "partial literal", in: "tru", err: "unexpected end of JSON input", offset: 3, truncated: true},
	{name: "minus", in: "-", err: "unexpected end of JSON input", offset: 1, truncated: true},
	{name: "point", in: "1.", err: "unexpected end of JSON input", offset: 2, truncated: true},
	{name: "exponent", in: "1e", err: "unexpected end of JSON input", offset: 2, truncated: true},
	{name: "exponent sign", in: "1e-", err: "unexpected end of JSON input", offset: 3, truncated: true},
}

func TestDecode(t *testing.T) {
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			if err != nil {
				t.Fatalf("Decode(%.80q): %v", tc.in, err)
			}
			if strings.HasPrefix(tc.name, "max depth") {
				return // checked against encoding/json below
			}
			if d := diff("$", got, tc.want); d != "" {
				t.Errorf("Decode(%q): %s", tc.in, d)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Decode([]byte(tc.in))
			if err == nil {
				t.Fatalf("Decode(%.80q) = %#v, want an error", tc.in, v)
			}
			var syn *SyntaxError
			if !errors.As(err, &syn) {
				t.Fatalf("error %T %v, want *SyntaxError", err, err)
			}
			if err.Error() != tc.err || syn.Offset != tc.offset {
				t.Errorf("Decode(%.80q): %q at %d, want %q at %d", tc.in, err, syn.Offset, tc.err, tc.offset)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) != tc.truncated {
				t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = %t, want %t", err, !tc.truncated, tc.truncated)
			}
		})
	}
}

// TestAgreesWithEncodingJSON runs every table case through encoding/json:
// same values, same errors at the same offsets.
func TestAgreesWithEncodingJSON(t *testing.T) {
	for _, tc := range append(append([]decodeCase{}, valid...), invalid...) {
		t.Run(tc.name, func(t *testing.T) { agree(t, []byte(tc.in)) })
	}
}

// TestInputNotAliased checks that no decoded string shares the input's
// memory: overwriting the input leaves the values as they were.
func TestInputNotAliased(t *testing.T) {
	data := reviewJSON(t)
	before, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := reference(data)
	for i := range data {
		data[i] = 'x'
	}
	if d := diff("$", before, want); d != "" {
		t.Fatalf("after overwriting the input: %s", d)
	}
}

// TestAllocations pins the allocation counts Decode promises: none for
// common strings, two per other string and per slice (the bytes and the
// string or slice header boxed in an interface).
func TestAllocations(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  float64
	}{
		{"literal", "true", 0},
		{"small integer", "7", 0},
		{"common string", `"RuntimeDefault"`, 0},
		{"plain string", `"some-pod-name"`, 2},
		{"object of common strings", `{"kind": "Pod", "apiVersion": "v1"}`, 2},
		{"array of common strings", `["metadata", "name", "v1", "ALL"]`, 2},
		{"array of small integers", `[1, 2, 3, 200]`, 2},
		{"large integer", "123456789", 1},
		{"float", "0.25", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			if n := testing.AllocsPerRun(100, func() { _, _ = Decode(data) }); n > tc.max {
				t.Errorf("Decode(%s): %.0f allocations, want at most %.0f", tc.in, n, tc.max)
			}
		})
	}
}

// TestConcurrent decodes from several goroutines at once (the decoders are
// pooled); run with -race.
func TestConcurrent(t *testing.T) {
	data := reviewJSON(t)
	want, _ := reference(data)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				got, err := Decode(data)
				if err != nil {
					t.Error(err)
					return
				}
				if d := diff("$", got, want); d != "" {
					t.Error(d)
					return
				}
				_, _ = Decode(data[:len(data)/2]) // leaves values on the stacks
			}
		})
	}
	wg.Wait()
}

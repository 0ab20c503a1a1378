package jmespath

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	gojmespath "github.com/kyverno/go-jmespath"
)

var admission = map[string]any{
	"request": map[string]any{
		"operation": "CREATE",
		"namespace": "foo",
		"object": map[string]any{
			"metadata": map[string]any{
				"name":   "mypod",
				"labels": map[string]any{"team": "a", "enabled": false},
			},
			"spec": podDoc["spec"],
		},
	},
}

func TestNotFoundAndDefaults(t *testing.T) {
	cases := []fnCase{
		{name: "present label", expr: "request.object.metadata.labels.team", data: admission, want: "a"},
		{name: "missing label", expr: "request.object.metadata.labels.app", data: admission, err: `Unknown key "app" in path`},
		{name: "missing intermediate", expr: "request.object.metadata.annotations.foo", data: admission, err: `Unknown key "annotations" in path`},
		{name: "default string", expr: "request.object.metadata.labels.app || 'none'", data: admission, want: "none"},
		{name: "default for missing intermediate", expr: "request.object.metadata.annotations.foo || ''", data: admission, want: ""},
		{name: "default literal", expr: "request.object.spec.volumes || `[]`", data: admission, want: []any{}},
		{name: "false is replaced by the default", expr: "request.object.metadata.labels.enabled || 'dflt'", data: admission, want: "dflt"},
		{name: "to_string keeps false", expr: "to_string(request.object.metadata.labels.enabled) || 'dflt'", data: admission, want: "false"},
		{name: "missing key in filter is null", expr: "request.object.spec.containers[?resources.limits].name", data: admission, want: []any{}},
		{name: "missing key in projection is skipped", expr: "request.object.spec.containers[].resources.requests.memory", data: admission, want: []any{"128Mi", "256Mi"}},
		{name: "missing key as function argument is null", expr: "not_null(request.object.metadata.labels.app, 'x')", data: admission, want: "x"},
		{name: "missing key in comparison is null", expr: "request.object.metadata.labels.app == null", data: admission, want: true},
		{name: "flatten", expr: "request.object.spec.[initContainers, containers][].image", data: admission, want: []any{"redis", "busybox", "nginx:1.25"}},
		{name: "pipe", expr: "request.object.spec.containers[].name | length(@)", data: admission, want: 2.0},
		{name: "null data", expr: "foo", data: nil, want: nil},
	}
	runCases(t, testEnv, cases)

	_, err := Search("request.object.metadata.labels.app", admission)
	if !IsNotFound(err) {
		t.Fatalf("IsNotFound(%v) = false", err)
	}
	if !IsNotFound(fmt.Errorf("substitution failed: %w", err)) {
		t.Error("IsNotFound does not see through wrapping")
	}
	if IsNotFound(errors.New(`Unknown key "app" in path`)) || IsNotFound(nil) {
		t.Error("IsNotFound is true for other errors")
	}
	_, err = Search("to_upper(`1`)", nil)
	if err == nil || IsNotFound(err) {
		t.Errorf("type error reported as not found: %v", err)
	}
	var nf gojmespath.NotFoundError
	if !errors.As(err, &nf) {
		_, err = Search("a.b", map[string]any{})
		if !errors.As(err, &nf) {
			t.Errorf("errors.As(%v, NotFoundError) = false", err)
		}
	}
}

func TestNumberNormalization(t *testing.T) {
	type named string
	data := map[string]any{
		"i":      int(3),
		"i64":    int64(4),
		"u8":     uint8(5),
		"f32":    float32(1.5),
		"num":    json.Number("7"),
		"labels": map[string]string{"app": "x"},
		"list":   []string{"a", "b"},
		"ints":   []int{1, 2, 3},
		"maps":   []map[string]any{{"n": int64(1)}},
		"nested": map[string]any{"deep": []any{map[string]any{"n": int32(9)}}},
		"named":  named("n"),
		"byKey":  map[string][]int{"k": {1}},
	}
	cases := []fnCase{
		{expr: "i", data: data, want: 3.0},
		{expr: "i64 > `3`", data: data, want: true},
		{expr: "i64 == `4`", data: data, want: true},
		{expr: "add(i, i64)", data: data, want: 7.0},
		{expr: "u8", data: data, want: 5.0},
		{expr: "f32", data: data, want: 1.5},
		{expr: "num", data: data, want: 7.0},
		{expr: "labels.app", data: data, want: "x"},
		{expr: "list[1]", data: data, want: "b"},
		{expr: "sum(ints)", data: data, want: 6.0},
		{expr: "max(ints)", data: data, want: 3.0},
		{expr: "maps[0].n", data: data, want: 1.0},
		{expr: "nested.deep[0].n", data: data, want: 9.0},
		{expr: "named", data: data, want: "n"},
		{expr: "byKey.k[0]", data: data, want: 1.0},
		{name: "int64 top level", expr: "@", data: int64(12), want: 12.0},
	}
	runCases(t, testEnv, cases)

	// The caller's data is not modified.
	if _, ok := data["i"].(int); !ok {
		t.Error("input was modified")
	}
	// JSON data is used as is.
	in := map[string]any{"a": []any{1.0, "x"}}
	out, changed := normalize(in)
	if changed || reflect.ValueOf(out).Pointer() != reflect.ValueOf(in).Pointer() {
		t.Error("JSON data was copied")
	}
}

func TestParse(t *testing.T) {
	for _, expr := range []string{"", "foo.", "[", "foo[?", "'unterminated", "`{bad json`", "a ||", "not a valid expression"} {
		if _, err := Parse(expr); err == nil {
			t.Errorf("Parse(%q) succeeded", expr)
		}
	}
	q, err := Parse("request.object.metadata.name")
	if err != nil {
		t.Fatal(err)
	}
	if q.String() != "request.object.metadata.name" {
		t.Errorf("String() = %q", q.String())
	}
	// A compiled query can be evaluated many times, concurrently.
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := fmt.Sprintf("pod-%d", i)
			got, err := q.Search(map[string]any{"request": map[string]any{"object": map[string]any{"metadata": map[string]any{"name": want}}}})
			if err != nil || got != want {
				t.Errorf("got %v, %v", got, err)
			}
		}()
	}
	wg.Wait()
}

func TestParseLimits(t *testing.T) {
	cases := map[string]string{
		"long":        strings.Repeat("a.", MaxExpressionLength/2) + "a",
		"nested":      strings.Repeat("(", maxNesting+1) + "a" + strings.Repeat(")", maxNesting+1),
		"not chain":   strings.Repeat("!", maxNesting+1) + "a",
		"brackets":    strings.Repeat("[", maxNesting+1),
		"spaced nots": strings.Repeat("! ", maxNesting+1) + "a",
	}
	for name, expr := range cases {
		if _, err := Parse(expr); err == nil {
			t.Errorf("%s: Parse succeeded", name)
		}
	}
	ok := map[string]string{
		"nesting at limit":      strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100),
		"brackets in strings":   "'" + strings.Repeat("(", maxNesting+1) + "'",
		"brackets in literals":  "`\"" + strings.Repeat("[", maxNesting+1) + "\"`",
		"brackets in quoted id": `"` + strings.Repeat("{", maxNesting+1) + `"`,
		"long chain":            strings.Repeat("a.", 10000) + "a",
	}
	for name, expr := range ok {
		if _, err := Parse(expr); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseAST(t *testing.T) {
	ast, err := ParseAST("request.object.metadata.name | truncate(@, `9`)")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ASTPipe {", "ASTSubexpression {", `value: "request"`, "ASTFunctionExpression {", `value: "truncate"`, "ASTCurrentNode {", "ASTLiteral {", "value: 9"} {
		if !strings.Contains(ast, want) {
			t.Errorf("AST lacks %q:\n%s", want, ast)
		}
	}
	// Same text as the library's own pretty printer.
	for _, expr := range []string{"a.b[0] | c", "foo[?a == `1` && !b].{x: x, y: [y, `\"z\"`]}", "sort_by(@, &a)", "*.a || 'b'"} {
		got, err := ParseAST(expr)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := Parse(expr)
		if want := q.ast.String(); got != want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", expr, got, want)
		}
	}
	sl, err := ParseAST("a[-1:]")
	if err != nil || !strings.Contains(sl, "value: []*int{-1, nil, nil}") {
		t.Errorf("slice AST: %v\n%s", err, sl)
	}
	if _, err := ParseAST("foo["); err == nil {
		t.Error("ParseAST accepted a syntax error")
	}
}

func TestSearchCache(t *testing.T) {
	for i := range queryCacheSize + 10 {
		expr := fmt.Sprintf("a.b%d || `%d`", i, i)
		got, err := Search(expr, map[string]any{})
		if err != nil || got != float64(i) {
			t.Fatalf("%s = %v, %v", expr, got, err)
		}
	}
	if n := queryCacheCount.Load(); n > queryCacheSize {
		t.Errorf("cache holds %d entries", n)
	}
	if _, err := Search("foo[", nil); err == nil {
		t.Error("syntax error not reported")
	}
}

func TestUnknownFunctionAndBuiltins(t *testing.T) {
	cases := []fnCase{
		{name: "unknown function", expr: "nope(@)", err: "unknown function: nope"},
		{name: "built-in still available", expr: "starts_with('Gophers', 'Go')", want: true},
		{name: "ends_with", expr: "ends_with('Amigo', 'go')", want: true},
		{name: "built-in type error", expr: "length(`1`)", err: "Invalid type"},
		{name: "expref to custom function", expr: "to_upper(&foo)", err: "argument #1 is not of type string (got expref)"},
	}
	runCases(t, testEnv, cases)
}

func TestSearchRecoversPanics(t *testing.T) {
	env := NewEnv(Config{})
	env.caller.Register(gojmespath.FunctionEntry{Name: "boom", Handler: func([]any) (any, error) { panic("kaboom") }})
	q, err := Parse("boom()")
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.SearchEnv(env, nil)
	if err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Errorf("err = %v", err)
	}
	// The fork's sort_by asserts []interface{}; typed slices must not crash.
	if _, err := Search("sort_by(@, &a)", []map[string]any{{"a": "x"}}); err != nil {
		t.Errorf("sort_by over typed slice: %v", err)
	}
}

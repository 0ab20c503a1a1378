package jmespath

import (
	"fmt"
	"reflect"
	"testing"
)

func TestReads(t *testing.T) {
	cases := []struct {
		name  string
		expr  string
		reads [][]string
		calls bool
	}{
		{name: "field", expr: "a", reads: [][]string{{"a"}}},
		{name: "chain", expr: "request.object.spec", reads: [][]string{{"request", "object", "spec"}}},
		{name: "quoted key", expr: `request."a.b"`, reads: [][]string{{"request", "a.b"}}},
		{name: "current node", expr: "@", reads: [][]string{{}}},
		{name: "index on root", expr: "[0]", reads: [][]string{{}}},
		{name: "index", expr: "a.b[0].c", reads: [][]string{{"a", "b"}}},
		{name: "slice", expr: "a.b[1:].c", reads: [][]string{{"a", "b"}}},
		{name: "projection", expr: "request.object.spec.containers[].securityContext", reads: [][]string{{"request", "object", "spec", "containers"}}},
		{name: "wildcard", expr: "a.b[*].c", reads: [][]string{{"a", "b"}}},
		{name: "value projection", expr: "a.m.*.c", reads: [][]string{{"a", "m"}}},
		{name: "filter", expr: "a.l[?x > `1`].y", reads: [][]string{{"a", "l"}}},
		{name: "pipe", expr: "a.b | c.d", reads: [][]string{{"a", "b", "c", "d"}}},
		{name: "pipe after projection", expr: "a.l[*].x | [0]", reads: [][]string{{"a", "l"}}},
		{name: "or", expr: "a.b || c", reads: [][]string{{"a", "b"}, {"c"}}},
		{name: "and not", expr: "a && !b.c", reads: [][]string{{"a"}, {"b"}}}, // (!b).c
		{name: "comparator", expr: "a.n == `1`", reads: [][]string{{"a", "n"}}},
		{name: "literal", expr: "`{\"n\": 1}`", reads: nil},
		{name: "function", expr: "length(a.l)", reads: [][]string{{"a", "l"}}, calls: true},
		{name: "function of current node", expr: "keys(@)", reads: [][]string{{}}, calls: true},
		{name: "expression reference", expr: "sort_by(a.l, &n)[0].n", reads: [][]string{{"a", "l"}}, calls: true},
		{name: "function in filter", expr: "a.l[?contains(n, 'x')]", reads: [][]string{{"a", "l"}}, calls: true},
		{name: "multi-select hash", expr: "{x: a.b, y: c}", reads: [][]string{{"a", "b"}, {"c"}}},
		{name: "multi-select list", expr: "a.[b, c.d]", reads: [][]string{{"a", "b"}, {"a", "c", "d"}}},
		{name: "flatten", expr: "a.l[][]", reads: [][]string{{"a", "l"}}},
		{name: "chain after multi-select", expr: "a.[b, c] | [0]", reads: [][]string{{"a", "b"}, {"a", "c"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Reads(); !reflect.DeepEqual(got, tc.reads) {
				t.Errorf("Reads() = %q, want %q", got, tc.reads)
			}
			if got := q.CallsFunctions(); got != tc.calls {
				t.Errorf("CallsFunctions() = %v, want %v", got, tc.calls)
			}
		})
	}
}

// TestReadsCoverEvaluation checks that a query gives the same result when
// everything outside the subtrees it reads is replaced by a marker value.
func TestReadsCoverEvaluation(t *testing.T) {
	doc := Normalize(map[string]any{
		"request": map[string]any{
			"operation": "CREATE",
			"object": map[string]any{
				"metadata": map[string]any{"name": "p", "labels": map[string]any{"app": "x"}},
				"spec": map[string]any{
					"replicas": int64(3),
					"containers": []any{
						map[string]any{"name": "a", "ports": []any{map[string]any{"containerPort": int64(80)}}},
						map[string]any{"name": "b", "securityContext": map[string]any{"runAsUser": int64(0)}},
					},
				},
			},
			"oldObject": nil,
		},
		"element": map[string]any{"name": "a", "n": int64(2)},
		"list":    []any{int64(3), int64(1), int64(2)},
	})
	exprs := []string{
		"request.object.spec.replicas",
		"request.object.spec.replicas > `2`",
		"request.object.spec.containers[].securityContext.runAsUser",
		"request.object.spec.containers[?name == 'a'].ports[].containerPort",
		"request.object.spec.containers[*].ports[?containerPort > `10`] | []",
		"request.object.metadata.labels.missing || 'none'",
		"request.object.missing.deeper",
		"request.object.spec.replicas.nested",
		"request.oldObject.spec",
		"request.object == request.oldObject",
		"length(request.object.spec.containers)",
		"sort_by(request.object.spec.containers, &name)[-1].name",
		"max(list)",
		"sort(keys(@))",
		"element.n",
		"{n: element.n, r: request.operation}",
		"element.[name, n]",
		"request.object.metadata.labels.*",
		"request | object | spec | replicas",
		"[request.operation, list[0]]",
		"list[1:]",
		"!request.object.spec.replicas",
		"request.object.spec.containers[0].name && element.n",
		"to_string(request.object.spec.replicas)",
		"request.object.spec.containers[?securityContext.runAsUser == `0`].name | [0]",
	}
	for _, expr := range exprs {
		t.Run(expr, func(t *testing.T) {
			q, err := Parse(expr)
			if err != nil {
				t.Fatal(err)
			}
			want, wantErr := q.SearchNormalized(doc)
			got, gotErr := q.SearchNormalized(keepOnly(doc, q.Reads()))
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("with only %q kept: %#v, %v; want %#v, %v", q.Reads(), got, gotErr, want, wantErr)
			}
		})
	}
}

// keepOnly returns v with every map value outside paths replaced by a
// marker; keys stay, so lookups along the paths behave the same.
func keepOnly(v any, paths [][]string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	tails := map[string][][]string{}
	for _, p := range paths {
		if len(p) == 0 {
			return v
		}
		tails[p[0]] = append(tails[p[0]], p[1:])
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = "marker"
		if t, ok := tails[k]; ok {
			out[k] = keepOnly(e, t)
		}
	}
	return out
}

package jmespath

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// fuzzDoc is a small fixed document.
var fuzzDoc = map[string]any{
	"request": map[string]any{
		"operation": "CREATE",
		"object": map[string]any{
			"metadata": map[string]any{"name": "p", "labels": map[string]any{"a": "b"}},
			"spec": map[string]any{"containers": []any{
				map[string]any{"name": "c", "image": "nginx:1", "resources": map[string]any{"limits": map[string]any{"memory": "1Gi"}}},
			}},
		},
	},
	"n": 3.0, "s": "16Mi", "d": "1h", "t": "2023-01-12T17:37:00Z", "b": true, "z": nil,
	"list": []any{1.0, "x", false, nil, []any{}, map[string]any{}},
}

// fuzzEnv does not touch the network or the clock.
var fuzzEnv = NewEnv(Config{
	Now: func() time.Time { return time.Unix(0, 0) },
	LookupIP: func(context.Context, string) ([]net.IP, error) {
		return nil, errors.New("no resolver while fuzzing")
	},
})

func FuzzSearch(f *testing.F) {
	for _, seed := range []string{
		"request.object.spec.containers[].image",
		"request.object.metadata.labels.app || 'none'",
		"request.object.spec.containers[?name=='c'].resources.limits.memory | [0]",
		"sum(request.object.spec.containers[].resources.limits.memory)",
		"add(s, '1Ki')", "divide(d, `0`)", "modulo(n, `2`)", "multiply(s, n)",
		"time_add(t, d)", "time_to_cron(t)", "time_since('', t, '')",
		"items(request.object.metadata.labels, 'k', 'v')",
		"object_from_lists(list, list)", "lookup(list, `1`)",
		"regex_replace_all('(a)', 'aaa', '$1b')", "pattern_match('a*', 'abc')",
		"parse_yaml('a: [1, 2]')", "parse_json('{\"a\":1}').a",
		"random('[a-z]{3}')", "image_normalize(request.object.spec.containers[0].image)",
		"semver_compare('1.2.3', '>1.0.0')", "x509_decode('')", "truncate(s, n)",
		"label_match(request.object.metadata.labels, request.object.metadata.labels)",
		"to_boolean('TRUE')", "is_external_url('http://10.0.0.1')", "round(n, `2`)", "split('a,b', ',')", "base64_decode('YQ==')",
		"`[1,2,3]`[::-1]", "list[?@ != null] | length(@)", "*.*", "sort_by(list, &@)",
		"{a: n, b: [s, d]}", "!b && n > `1`", "max_by(list, &n)", "&foo",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		q, err := Parse(expr)
		if err != nil {
			return
		}
		// Must neither panic nor hang; errors are fine.
		_, _ = q.SearchEnv(fuzzEnv, fuzzDoc)
		_, _ = ParseAST(expr)
	})
}

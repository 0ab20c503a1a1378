package manifest

import (
	"strings"
	"testing"
)

func FuzzCompareSigs(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    args: [\"a\", b, 1]\n",
		"a: |\n  x\n\n  y\nb: >-\n  f\n  g\n---\nc: 'q''s'\n",
		"a: &x {b: 1}\nc:\n  <<: *x\n  d: !!str 2\ne: *x\n",
		`{"apiVersion": "v1", "kind": "List", "items": [{"a": 1.5e3}, {"b": "\u00e9\n"}]}`,
		"a: 'x\n  y'\nb: \"\\x41\\u00e9\"\n",
		"a:\n  - - b\n    - c\n  -\n    d: e\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if strings.ContainsAny(string(data), "!&") || strings.Contains(string(data), "---") {
			return
		}
		want, refErr := referenceDecode(data)
		for _, w := range want {
			if _, ok := w.(map[string]any); !ok {
				return // not a manifest
			}
		}
		got, err := Decode("f", data)
		if refErr == nil && err != nil && strings.Contains(err.Error(), "did not find expected <document start>") {
			return // yaml.v2 ignores what follows the first document
		}
		if refErr != nil || err != nil {
			if (refErr == nil) != (err == nil) {
				t.Fatalf("ref err %v, our err %v\n%q", refErr, err, data)
			}
			return
		}
		var objs []any
		for _, d := range got {
			objs = append(objs, d.Object)
		}
		for _, w := range want {
			if _, ok := w.(map[string]any); !ok {
				return // sigs accepts non-map documents
			}
		}
		if d := firstDiff("", normalize(objs), normalize(want)); d != "" && len(objs)+len(want) > 0 {
			t.Fatalf("diff %s\n%q", d, data)
		}
	})
}

package manifest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never panics, returns only JSON-compatible
// documents, and that the fast paths agree with the general parser.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    args: [\"a\", b, 1]\n",
		"a: |\n  x\n\n  y\nb: >-\n  f\n  g\n---\nc: 'q''s'\n",
		"---\n# c\n--- # d\na: [1, 2]\n...\n",
		"a: &x {b: 1}\nc:\n  <<: *x\n  d: !!str 2\ne: *x\n",
		`{"apiVersion": "v1", "kind": "List", "items": [{"a": 1.5e3}, {"b": "\u00e9\n"}]}`,
		"items:\n- kind: A\n-\n  kind: B\nkind: List\n",
		"a: b: c\n",
		"- a\n- b\n",
		"a: 'x\n  y'\nb: \"\\x41\\u00e9\"\n",
		"? a\n: b\n",
		"a:\n  - - b\n    - c\n  -\n    d: e\n",
		"\xef\xbb\xbfa: 1\r\nb: 2\r\n",
		"%YAML 1.1\n---\na: yes\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode("fuzz.yaml", data)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		last := 0
		for _, d := range docs {
			if d.Index < last || d.Line < 1 || d.Object == nil {
				t.Fatalf("bad document %+v", d)
			}
			last = d.Index
			if _, err := json.Marshal(d.Object); err != nil {
				t.Fatalf("document is not JSON: %v", err)
			}
		}
		checkFastPath(t, data)
	})
}

// FuzzMatchesSigsYAML compares Decode with the way kubectl and Kyverno read
// manifests (the apimachinery reader splits, sigs.k8s.io/yaml decodes).
// Known, deliberate differences are left out:
//   - yaml.v2 silently ignores what follows a complete document when it
//     cannot start another one ("{}x", or a JSON stream "{}{}"); Decode
//     reports it;
//   - the non-specific tag "!" makes a string for yaml.v2, while Decode
//     resolves the scalar as if it had no tag;
//   - the apimachinery reader rejects "---" followed by text ("--- {}",
//     "---x") and splits "%YAML" directives from their document, where
//     Decode follows YAML.
func FuzzMatchesSigsYAML(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    args: [\"a\", b, 1]\n",
		"a: |\n  x\n\n  y\nb: >-\n  f\n  g\n---\nc: 'q''s'\n",
		"a: &x {b: 1}\nc:\n  <<: *x\n  d: !!str 2\ne: *x\n",
		`{"apiVersion": "v1", "kind": "List", "items": [{"a": 1.5e3}, {"b": "\u00e9\n"}]}`,
		"a: [yes, no, on, 0x1F, 017, 1_000, .5, 1e3, 2001-01-01, ~]\ny: n\n",
		"a:\n  - - b\n    - c\n  -\n    d: e\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("!")) || bytes.Contains(data, []byte("---")) || bytes.Contains(data, []byte("%")) {
			return
		}
		want, refErr := referenceDecode(data)
		for _, w := range want {
			if _, ok := w.(map[string]any); !ok {
				return // not a manifest: Decode rejects it
			}
		}
		got, err := Decode("f", data)
		if refErr == nil && err != nil && strings.Contains(err.Error(), "did not find expected <document start>") {
			return
		}
		if (refErr == nil) != (err == nil) {
			t.Fatalf("reference error %v, Decode error %v", refErr, err)
		}
		if err != nil {
			return
		}
		objs := make([]any, len(got))
		for i, d := range got {
			objs[i] = d.Object
		}
		if len(objs) == 0 && len(want) == 0 {
			return
		}
		if d := firstDiff("", normalize(objs), normalize(want)); d != "" {
			t.Fatalf("differs (Decode vs reference) at %s", d)
		}
	})
}

package mutate

import (
	"reflect"
	"strings"
	"testing"
)

func TestApplyJSON6902(t *testing.T) {
	const pod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"replicas":2,"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox"}]}}`
	tests := []struct {
		name     string
		resource string
		patches  string
		want     string
		errHas   string
	}{
		{
			name:    "yaml add and replace",
			patches: "- op: add\n  path: /metadata/labels/tier\n  value: frontend\n- op: replace\n  path: /spec/containers/0/image\n  value: nginx:1.27\n",
			want:    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web","tier":"frontend"}},"spec":{"replicas":2,"containers":[{"name":"a","image":"nginx:1.27"},{"name":"b","image":"busybox"}]}}`,
		},
		{
			name:    "json list",
			patches: `[{"op":"remove","path":"/metadata/labels/app"}]`,
			want:    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{}},"spec":{"replicas":2,"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox"}]}}`,
		},
		{
			name:    "append with dash",
			patches: "- op: add\n  path: /spec/containers/-\n  value: {name: c, image: redis}\n",
			want:    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"replicas":2,"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox"},{"name":"c","image":"redis"}]}}`,
		},
		{
			name:    "negative index",
			patches: "- op: remove\n  path: /spec/containers/-1\n",
			want:    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"replicas":2,"containers":[{"name":"a","image":"nginx"}]}}`,
		},
		{
			name:    "remove of a missing path is a no-op",
			patches: "- op: remove\n  path: /metadata/annotations/x\n",
			want:    pod,
		},
		{
			name:    "add creates missing parents",
			patches: "- op: add\n  path: /metadata/annotations/a~1b\n  value: \"1\"\n",
			want:    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"},"annotations":{"a/b":"1"}},"spec":{"replicas":2,"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox"}]}}`,
		},
		{
			name:    "integers stay integers",
			patches: "- op: replace\n  path: /spec/replicas\n  value: 3\n",
			want:    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"replicas":3,"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox"}]}}`,
		},
		{
			name:    "empty document is a no-op",
			patches: "  \n",
			want:    pod,
		},
		{
			name:    "failed test names the operation",
			patches: "- op: add\n  path: /metadata/labels/x\n  value: y\n- op: test\n  path: /spec/replicas\n  value: 5\n",
			errHas:  `patchesJson6902[1] (test "/spec/replicas")`,
		},
		{
			name:    "replace of a missing path fails",
			patches: `[{"op":"replace","path":"/spec/nothing/here","value":1}]`,
			errHas:  `patchesJson6902[0] (replace "/spec/nothing/here")`,
		},
		{
			name:    "unknown operation",
			patches: `[{"op":"frobnicate","path":"/a"}]`,
			errHas:  "failed to decode patches",
		},
		{
			name:    "not a list",
			patches: "op: add\npath: /a\nvalue: 1\n",
			errHas:  "failed to decode patches",
		},
		{
			name:    "invalid yaml",
			patches: "- op: add\n\tpath: [",
			errHas:  "failed to convert patchesJson6902 to JSON",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := pod
			if tt.resource != "" {
				src = tt.resource
			}
			res := decode(t, src).(map[string]any)
			before := deepCopy(res)
			got, err := ApplyJSON6902(res, tt.patches)
			if !reflect.DeepEqual(before, any(res)) {
				t.Fatal("input resource was modified")
			}
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error %v, want it to contain %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if want := decode(t, tt.want); !reflect.DeepEqual(any(got), want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func FuzzApplyJSON6902(f *testing.F) {
	f.Add(`{"a":{"b":[1,2,3]}}`, "- op: remove\n  path: /a/b/-1\n")
	f.Add(`{"a":1}`, `[{"op":"move","from":"/a","path":"/c/d"}]`)
	f.Add(`{}`, `[{"op":"copy","from":"/x","path":"/y"}]`)
	f.Fuzz(func(t *testing.T, r, p string) {
		var res map[string]any
		if v, ok := decodeQuiet(r).(map[string]any); ok {
			res = v
		} else {
			return
		}
		before := deepCopy(res)
		got, err := ApplyJSON6902(res, p)
		if !reflect.DeepEqual(before, any(res)) {
			t.Fatal("input modified")
		}
		if err == nil && got == nil && strings.TrimSpace(p) != "" {
			t.Fatal("nil result without error")
		}
	})
}

package engine

import (
	"encoding/json"
	"reflect"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"
)

func TestJSONPatch(t *testing.T) {
	tests := []struct {
		name     string
		original string
		patched  string
		want     string // expected operations; "" means no patch
		wantErr  bool
	}{
		{name: "equal objects give no patch", original: `{"a":1,"b":{"c":[1,2]}}`, patched: `{"b":{"c":[1,2]},"a":1}`},
		{name: "added label", original: `{"metadata":{"name":"x"}}`, patched: `{"metadata":{"name":"x","labels":{"team":"a"}}}`,
			want: `[{"op":"add","path":"/metadata/labels","value":{"team":"a"}}]`},
		{name: "replaced scalar", original: `{"spec":{"replicas":1}}`, patched: `{"spec":{"replicas":3}}`,
			want: `[{"op":"replace","path":"/spec/replicas","value":3}]`},
		{name: "removed field", original: `{"spec":{"hostNetwork":true,"x":1}}`, patched: `{"spec":{"x":1}}`,
			want: `[{"op":"remove","path":"/spec/hostNetwork"}]`},
		{name: "keys with slash and tilde are escaped", original: `{"metadata":{"annotations":{}}}`, patched: `{"metadata":{"annotations":{"a/b~c":"1"}}}`,
			want: `[{"op":"add","path":"/metadata/annotations/a~1b~0c","value":"1"}]`},
		{name: "list element changed in place", original: `{"c":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}`, patched: `{"c":[{"name":"a","image":"x"},{"name":"b","image":"r/y"}]}`,
			want: `[{"op":"replace","path":"/c/1/image","value":"r/y"}]`},
		{name: "nil original is an error", original: `null`, patched: `{"a":1}`, wantErr: true},
		{name: "nil patched object is an error", original: `{"a":1}`, patched: `null`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b map[string]any
			mustJSON(t, tt.original, &a)
			mustJSON(t, tt.patched, &b)
			got, err := JSONPatch(a, b)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if got != nil {
					t.Fatalf("want no patch, got %s", got)
				}
				return
			}
			var gotOps, wantOps any
			mustJSON(t, string(got), &gotOps)
			mustJSON(t, tt.want, &wantOps)
			if !reflect.DeepEqual(gotOps, wantOps) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			assertPatchApplies(t, tt.original, got, b)
		})
	}
}

// TestPolicyResponseJSONPatch checks that the patch a policy answers turns
// the request's object into the patched resource.
func TestPolicyResponseJSONPatch(t *testing.T) {
	tests := []struct {
		name      string
		policy    string
		wantPatch bool
	}{
		{
			name: "strategic merge and json6902",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: labels
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge:
        metadata: {labels: {+(team): shop}, annotations: {example.com/owner: "{{ request.object.metadata.labels.app }}"}}
  - name: pull
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchesJson6902: |-
        - {op: add, path: /spec/containers/1/imagePullPolicy, value: Always}`,
			wantPatch: true,
		},
		{
			name: "nothing to change",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge:
        metadata: {labels: {+(app): other}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileYAML(t, "apiVersion: kyverno.io/v1\n"+tt.policy)
			obj := pod(t, testPod)
			resp := p.Evaluate(&Request{Object: obj})
			patch, err := resp.JSONPatch()
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantPatch {
				if patch != nil {
					t.Fatalf("want no patch, got %s", patch)
				}
				return
			}
			if patch == nil {
				t.Fatal("want a patch")
			}
			orig, _ := json.Marshal(obj)
			assertPatchApplies(t, string(orig), patch, resp.PatchedResource)
		})
	}
}

func assertPatchApplies(t *testing.T, original string, patch []byte, want map[string]any) {
	t.Helper()
	p, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		t.Fatalf("patch %s does not decode: %v", patch, err)
	}
	out, err := p.Apply([]byte(original))
	if err != nil {
		t.Fatalf("patch %s does not apply: %v", patch, err)
	}
	var got, wantN any
	mustJSON(t, string(out), &got)
	b, _ := json.Marshal(want)
	mustJSON(t, string(b), &wantN)
	if !reflect.DeepEqual(got, wantN) {
		t.Errorf("patched original = %s\nwant %s", out, b)
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
}

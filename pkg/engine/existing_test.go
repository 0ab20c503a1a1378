package engine

import (
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// objects is an in-memory ResourceLister for tests.
type objects []map[string]any

func (o objects) List(q ResourceQuery) ([]map[string]any, error) {
	var out []map[string]any
	for _, obj := range o {
		if q.Matches(obj) {
			out = append(out, obj)
		}
	}
	return out, nil
}

type failingLister struct{}

func (failingLister) List(ResourceQuery) ([]map[string]any, error) {
	return nil, errors.New("connection refused")
}

func objs(t *testing.T, docs ...string) objects {
	t.Helper()
	var out objects
	for _, d := range docs {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func labelsOf(obj map[string]any) map[string]any {
	meta, _ := obj["metadata"].(map[string]any)
	l, _ := meta["labels"].(map[string]any)
	return l
}

func TestMutateExisting(t *testing.T) {
	secrets := objs(t,
		`{apiVersion: v1, kind: Secret, metadata: {name: db, namespace: shop, labels: {tier: data}}}`,
		`{apiVersion: v1, kind: Secret, metadata: {name: db, namespace: other, labels: {tier: data}}}`,
		`{apiVersion: v1, kind: Secret, metadata: {name: web-token, namespace: shop}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: db, namespace: shop}}`,
	)
	type result struct {
		status Status
		target string // namespace/name of the patched target
		label  string // value of label "by" on the patched target
	}
	tests := []struct {
		name    string
		targets string // mutate.targets as YAML
		patch   string
		extra   string // more rule fields
		lister  ResourceLister
		want    []result
		wantMsg string
	}{
		{
			name:    "target namespace from the trigger, target variable in the patch",
			targets: `[{apiVersion: v1, kind: Secret, name: db, namespace: "{{ request.object.metadata.namespace }}"}]`,
			patch:   `{metadata: {labels: {by: "{{ request.object.metadata.name }}-{{ target.metadata.labels.tier }}"}}}`,
			lister:  secrets,
			want:    []result{{StatusPass, "shop/db", "web-data"}},
		},
		{
			name:    "no namespace selects every namespace",
			targets: `[{apiVersion: v1, kind: Secret, name: db}]`,
			patch:   `{metadata: {labels: {by: x}}}`,
			lister:  secrets,
			want:    []result{{StatusPass, "shop/db", "x"}, {StatusPass, "other/db", "x"}},
		},
		{
			name:    "wildcard name and label selector",
			targets: `[{apiVersion: v1, kind: Secret, name: "*", namespace: shop, selector: {matchLabels: {tier: data}}}]`,
			patch:   `{metadata: {labels: {by: x}}}`,
			lister:  secrets,
			want:    []result{{StatusPass, "shop/db", "x"}},
		},
		{
			name: "target preconditions skip a target",
			targets: `[{apiVersion: v1, kind: Secret, namespace: shop,
  preconditions: {all: [{key: "{{ target.metadata.name }}", operator: Equals, value: db}]}}]`,
			patch:  `{metadata: {labels: {by: x}}}`,
			lister: secrets,
			want:   []result{{StatusPass, "shop/db", "x"}, {StatusSkip, "shop/web-token", ""}},
		},
		{
			name:    "json6902 on a target",
			targets: `[{apiVersion: v1, kind: Secret, name: web-token, namespace: shop}]`,
			extra:   "patchesJson6902: |-\n        - {op: add, path: /metadata/labels, value: {by: json}}",
			lister:  secrets,
			want:    []result{{StatusPass, "shop/web-token", "json"}},
		},
		{
			name:    "a target already patched is skipped",
			targets: `[{apiVersion: v1, kind: Secret, name: db, namespace: shop}]`,
			patch:   `{metadata: {labels: {tier: data}}}`,
			lister:  secrets,
			want:    []result{{StatusSkip, "shop/db", ""}},
		},
		{
			name:    "no target found is a skip",
			targets: `[{apiVersion: v1, kind: Secret, name: missing}]`,
			patch:   `{metadata: {labels: {by: x}}}`,
			lister:  secrets,
			want:    []result{{StatusSkip, "", ""}},
			wantMsg: "no target resources found",
		},
		{
			name:    "no lister is a skip",
			targets: `[{apiVersion: v1, kind: Secret, name: db}]`,
			patch:   `{metadata: {labels: {by: x}}}`,
			want:    []result{{StatusSkip, "", ""}},
		},
		{
			name:    "a failing lookup is an error naming the target",
			targets: `[{apiVersion: v1, kind: Secret, name: db}]`,
			patch:   `{metadata: {labels: {by: x}}}`,
			lister:  failingLister{},
			want:    []result{{StatusError, "", ""}},
			wantMsg: "failed to get targets[0]: connection refused",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.extra
			if tt.patch != "" {
				body = "patchStrategicMerge: " + tt.patch
			}
			p := compileYAML(t, `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      targets: `+tt.targets+`
      `+body)
			trigger := pod(t, testPod)
			resp := p.Evaluate(&Request{Object: trigger, Targets: tt.lister})
			if resp.PatchedResource != nil {
				t.Errorf("the trigger was patched: %v", resp.PatchedResource)
			}
			if len(resp.Rules) != len(tt.want) {
				t.Fatalf("got %d responses %+v, want %d", len(resp.Rules), resp.Rules, len(tt.want))
			}
			for i, w := range tt.want {
				rr := resp.Rules[i]
				if rr.Status != w.status || rr.Name != "r" || rr.Type != Mutation {
					t.Errorf("response %d: %s %s %s (%s), want %s", i, rr.Name, rr.Type, rr.Status, rr.Message, w.status)
				}
				if tt.wantMsg != "" && !strings.Contains(rr.Message, tt.wantMsg) {
					t.Errorf("response %d: message %q, want %q", i, rr.Message, tt.wantMsg)
				}
				if w.target == "" {
					if rr.PatchedTarget != nil {
						t.Errorf("response %d: unexpected target %v", i, rr.PatchedTarget)
					}
					continue
				}
				ref := refOf(rr.PatchedTarget)
				if got := ref.Namespace + "/" + ref.Name; got != w.target {
					t.Errorf("response %d: target %s, want %s", i, got, w.target)
				}
				if got, _ := labelsOf(rr.PatchedTarget)["by"].(string); got != w.label {
					t.Errorf("response %d: label by=%q, want %q", i, got, w.label)
				}
			}
			if _, ok := labelsOf(secrets[0])["by"]; ok {
				t.Error("the lister's object was modified")
			}
		})
	}
}

func TestMutateExistingOnPolicyUpdateAndGenerateExisting(t *testing.T) {
	p := compileYAML(t, `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  mutateExistingOnPolicyUpdate: true
  generateExisting: true
  rules:
  - name: inherit
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      targets: [{apiVersion: v1, kind: Secret}]
      patchStrategicMerge: {metadata: {labels: {a: b}}}
  - name: own
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      mutateExistingOnPolicyUpdate: false
      targets: [{apiVersion: v1, kind: Secret}]
      patchStrategicMerge: {metadata: {labels: {a: b}}}
  - name: plain
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge: {metadata: {labels: {a: b}}}
  - name: gen
    match: {any: [{resources: {kinds: [Namespace]}}]}
    generate: {apiVersion: v1, kind: ConfigMap, name: x, namespace: ns1, data: {data: {}}}
  - name: gen-off
    match: {any: [{resources: {kinds: [Namespace]}}]}
    generate: {generateExisting: false, apiVersion: v1, kind: ConfigMap, name: x, namespace: ns1, data: {data: {}}}`)
	want := map[string][3]bool{ // MutateExisting, MutateExistingOnPolicyUpdate, GenerateExisting
		"inherit": {true, true, false},
		"own":     {true, false, false},
		"plain":   {false, false, false},
		"gen":     {false, false, true},
		"gen-off": {false, false, false},
	}
	for _, r := range p.Rules {
		w, ok := want[r.Name]
		if !ok {
			continue
		}
		got := [3]bool{r.MutateExisting(), p.MutateExistingOnPolicyUpdate(r), p.GenerateExisting(r)}
		if got != w {
			t.Errorf("%s: got %v, want %v", r.Name, got, w)
		}
	}
}

// TestMutateRulesSeeEarlierPatches: request.object in a later mutate rule
// is the object patched by the earlier ones (Kyverno issue 6816).
func TestMutateRulesSeeEarlierPatches(t *testing.T) {
	p := compileYAML(t, `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: first
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate: {patchStrategicMerge: {metadata: {labels: {stage: one}}}}
  - name: second
    match: {any: [{resources: {kinds: [Pod], selector: {matchLabels: {stage: one}}}}]}
    preconditions: {all: [{key: "{{ request.object.metadata.labels.stage }}", operator: Equals, value: one}]}
    mutate: {patchStrategicMerge: {metadata: {labels: {stage: two}}}}`)
	resp := p.Evaluate(&Request{Object: pod(t, testPod)})
	if len(resp.Rules) != 2 || resp.Rules[1].Status != StatusPass {
		t.Fatalf("rules %+v", resp.Rules)
	}
	if got := labelsOf(resp.PatchedResource)["stage"]; got != "two" {
		t.Errorf("stage = %v, want two", got)
	}
}

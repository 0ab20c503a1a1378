package engine

import (
	"strings"
	"testing"
)

func TestMutateAndGenerate(t *testing.T) {
	tests := []struct {
		name      string
		policy    string
		wantRule  map[string]Status
		check     func(t *testing.T, resp *PolicyResponse)
		wantError string
	}{
		{
			name: "strategic merge adds a label and the validate rule sees it",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: add-team
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge:
        metadata: {labels: {+(team): "{{ request.object.metadata.namespace }}"}}
  - name: require-team
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate: {pattern: {metadata: {labels: {team: "?*"}}}}`,
			wantRule: map[string]Status{"add-team": StatusPass, "require-team": StatusPass},
			check: func(t *testing.T, resp *PolicyResponse) {
				labels := resp.PatchedResource["metadata"].(map[string]any)["labels"].(map[string]any)
				if labels["team"] != "shop" || labels["app"] != "web" {
					t.Errorf("labels = %v", labels)
				}
			},
		},
		{
			name: "global anchor that does not hold skips",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge:
        spec: {<(hostNetwork): true, dnsPolicy: ClusterFirstWithHostNet}`,
			wantRule: map[string]Status{"r": StatusSkip},
		},
		{
			name: "json6902 with foreach over containers",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchesJson6902: |-
          - op: add
            path: /spec/containers/{{elementIndex}}/imagePullPolicy
            value: Always`,
			wantRule: map[string]Status{"r": StatusPass},
			check: func(t *testing.T, resp *PolicyResponse) {
				for _, c := range resp.PatchedResource["spec"].(map[string]any)["containers"].([]any) {
					if c.(map[string]any)["imagePullPolicy"] != "Always" {
						t.Errorf("container %v not patched", c)
					}
				}
			},
		},
		{
			name: "strategic-merge foreach keeps the container order",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchStrategicMerge:
          spec:
            containers:
            - (name): "{{ element.name }}"
              +(imagePullPolicy): IfNotPresent`,
			wantRule: map[string]Status{"r": StatusPass},
			check: func(t *testing.T, resp *PolicyResponse) {
				var names []string
				for _, c := range resp.PatchedResource["spec"].(map[string]any)["containers"].([]any) {
					names = append(names, c.(map[string]any)["name"].(string))
					if c.(map[string]any)["imagePullPolicy"] != "IfNotPresent" {
						t.Errorf("container %v not patched", c)
					}
				}
				if strings.Join(names, ",") != "app,sidecar" {
					t.Errorf("container order %v, want app,sidecar", names)
				}
			},
		},
		{
			name: "generate data with variables",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: gen
    match: {any: [{resources: {kinds: [Pod]}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: "{{ request.object.metadata.name }}-info"
      namespace: "{{ request.object.metadata.namespace }}"
      data:
        data: {owner: "{{ request.object.metadata.labels.app }}"}`,
			wantRule: map[string]Status{"gen": StatusPass},
			check: func(t *testing.T, resp *PolicyResponse) {
				g := resp.Rules[0].Generated
				if len(g) != 1 || g[0].Object["metadata"].(map[string]any)["name"] != "web-info" || g[0].Object["data"].(map[string]any)["owner"] != "web" {
					t.Errorf("generated %v", g)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileYAML(t, "apiVersion: kyverno.io/v1\n"+tt.policy)
			resp := p.Evaluate(&Request{Object: pod(t, testPod)})
			for _, rr := range resp.Rules {
				if want, ok := tt.wantRule[rr.Name]; ok && rr.Status != want {
					t.Errorf("%s: %s (%s), want %s", rr.Name, rr.Status, rr.Message, want)
				}
				if tt.wantError != "" && !strings.Contains(rr.Message, tt.wantError) {
					t.Errorf("%s: message %q", rr.Name, rr.Message)
				}
			}
			if tt.check != nil {
				tt.check(t, resp)
			}
		})
	}
}

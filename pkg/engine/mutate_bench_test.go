package engine

import "testing"

// mutatePolicy is a policy of our own with the three kinds of mutation on a
// Pod: a strategic merge with anchors, a JSON 6902 patch, and a foreach
// strategic merge over the containers.
const mutatePolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: mutate-bench}
spec:
  rules:
  - name: defaults
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge:
        metadata:
          labels: {+(team): "{{ request.object.metadata.namespace }}"}
          annotations: {+(example.com/reviewed): "true"}
        spec:
          +(automountServiceAccountToken): false
          containers:
          - (name): "*"
            +(imagePullPolicy): IfNotPresent
  - name: toleration
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchesJson6902: |-
        - op: add
          path: /spec/tolerations
          value: [{key: dedicated, operator: Equal, value: apps, effect: NoSchedule}]
  - name: registry-and-requests
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchStrategicMerge:
          spec:
            containers:
            - name: "{{ element.name }}"
              image: "{{ regex_replace_all('^[^/]+/', '{{ element.image }}', 'mirror.example.com/') }}"
              resources:
                requests: {+(cpu): 100m, +(memory): 128Mi}
`

const mutatePod = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - {name: app, image: registry.example.com/shop/app:1.4, resources: {requests: {cpu: 250m}}}
  - {name: proxy, image: registry.example.com/envoy:1.30}
  - {name: metrics, image: registry.example.com/exporter:0.9, imagePullPolicy: Always}
`

// BenchmarkMutate applies the mutate policy to a three-container Pod, with
// the JSON patch the admission webhook answers: each rule alone, then the
// whole policy.
func BenchmarkMutate(b *testing.B) {
	full := compileYAML(b, mutatePolicy)
	obj := pod(b, mutatePod)
	cases := []struct {
		name string
		p    *Policy
	}{
		{"strategic", onlyRule(full, "defaults")},
		{"json6902", onlyRule(full, "toleration")},
		{"foreach", onlyRule(full, "registry-and-requests")},
		{"all", full},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp := tc.p.Evaluate(&Request{Object: obj})
				if _, err := resp.JSONPatch(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// onlyRule returns a copy of the compiled policy with one rule.
func onlyRule(p *Policy, name string) *Policy {
	c := *p
	c.Rules = nil
	for _, r := range p.Rules {
		if r.Name == name {
			c.Rules = append(c.Rules, r)
		}
	}
	return &c
}

func TestMutateBenchPolicy(t *testing.T) {
	p := compileYAML(t, mutatePolicy)
	resp := p.Evaluate(&Request{Object: pod(t, mutatePod)})
	for _, rr := range resp.Rules {
		if rr.Status != StatusPass {
			t.Errorf("%s: %s %s", rr.Name, rr.Status, rr.Message)
		}
	}
	spec := resp.PatchedResource["spec"].(map[string]any)
	var got []string
	for _, c := range spec["containers"].([]any) {
		m := c.(map[string]any)
		req := m["resources"].(map[string]any)["requests"].(map[string]any)
		got = append(got, m["name"].(string)+" "+m["image"].(string)+" "+m["imagePullPolicy"].(string)+" "+req["cpu"].(string)+" "+req["memory"].(string))
	}
	want := []string{
		"app mirror.example.com/shop/app:1.4 IfNotPresent 250m 128Mi",
		"proxy mirror.example.com/envoy:1.30 IfNotPresent 100m 128Mi",
		"metrics mirror.example.com/exporter:0.9 Always 100m 128Mi",
	}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Fatalf("containers %q, want %q", got, want)
		}
	}
	if spec["tolerations"] == nil || spec["automountServiceAccountToken"] != false {
		t.Errorf("spec %v", spec)
	}
	patch, err := resp.JSONPatch()
	if err != nil || len(patch) == 0 {
		t.Fatalf("patch %s, %v", patch, err)
	}
}

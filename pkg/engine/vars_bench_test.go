package engine

import (
	"testing"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"sigs.k8s.io/yaml"
)

// variableHeavyPolicy uses what real policies use most: a context variable,
// preconditions on the operation, a deny rule comparing labels with a list,
// a foreach over containers with per-element messages, and a pattern with a
// variable.
const variableHeavyPolicy = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: team-guardrails
spec:
  validationFailureAction: Enforce
  rules:
  - name: allowed-registries
    match:
      any:
      - resources:
          kinds: [Pod]
    context:
    - name: registries
      variable:
        value: ["registry.example.com", "ghcr.io"]
    preconditions:
      all:
      - key: "{{ request.operation || 'BACKGROUND' }}"
        operator: AnyIn
        value: [CREATE, UPDATE]
    validate:
      message: "container {{ element.name }} uses image {{ element.image }} from a registry that is not allowed"
      foreach:
      - list: "request.object.spec.containers"
        deny:
          conditions:
            all:
            - key: "{{ images.containers.\"{{element.name}}\".registry }}"
              operator: AnyNotIn
              value: "{{ registries }}"
  - name: team-label
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "label team={{ request.object.metadata.labels.team || '' }} is not a known team"
      deny:
        conditions:
          any:
          - key: "{{ request.object.metadata.labels.team || '' }}"
            operator: NotEquals
            value: "platform"
  - name: name-prefix
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "the Pod name must start with its namespace"
      pattern:
        metadata:
          name: "{{ request.object.metadata.namespace }}-*"
`

// BenchmarkVariableHeavy evaluates the variable-heavy policy on one Pod.
func BenchmarkVariableHeavy(b *testing.B) {
	var cp kyvernov1.ClusterPolicy
	if err := yaml.Unmarshal([]byte(variableHeavyPolicy), &cp); err != nil {
		b.Fatal(err)
	}
	p, err := Compile(Source{Kind: cp.Kind, Name: cp.Name, Spec: &cp.Spec})
	if err != nil {
		b.Fatal(err)
	}
	obj := pod(b, `
apiVersion: v1
kind: Pod
metadata: {name: shop-web, namespace: shop, labels: {team: platform}}
spec:
  containers:
  - {name: app, image: registry.example.com/shop/web:1.2}
  - {name: proxy, image: ghcr.io/envoyproxy/envoy:1.30}
  - {name: debug, image: docker.io/busybox:1.36}
`)
	resp := p.Evaluate(&Request{Object: obj})
	want := map[string]Status{"allowed-registries": StatusFail, "team-label": StatusPass, "name-prefix": StatusPass}
	for _, rr := range resp.Rules {
		if want[rr.Name] != rr.Status {
			b.Fatalf("%s: got %s (%s), want %s", rr.Name, rr.Status, rr.Message, want[rr.Name])
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(&Request{Object: obj})
	}
}

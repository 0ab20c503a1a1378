package engine

import (
	"strings"
	"testing"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"sigs.k8s.io/yaml"
)

func compileYAML(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := compileYAMLErr(doc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func compileYAMLErr(doc string) (*Policy, error) {
	var cp kyvernov1.ClusterPolicy
	if err := yaml.Unmarshal([]byte(doc), &cp); err != nil {
		return nil, err
	}
	return Compile(Source{Kind: cp.Kind, Name: cp.Name, Namespace: cp.Namespace, Annotations: cp.Annotations, Spec: &cp.Spec})
}

const testPod = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - {name: app, image: nginx:1.25, securityContext: {privileged: false}}
  - {name: sidecar, image: envoy:latest}
`

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name       string
		policy     string
		op         string
		old        string
		wantStatus map[string]Status
		wantMsg    map[string]string
		wantRules  int
	}{
		{
			name: "preconditions not met skip the rule",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    preconditions:
      all: [{key: "{{ request.operation }}", operator: Equals, value: DELETE}]
    validate: {deny: {}}`,
			wantStatus: map[string]Status{"r": StatusSkip},
			wantMsg:    map[string]string{"r": "preconditions not met"},
		},
		{
			name: "deny with message and variables",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      message: "{{ request.object.metadata.name }} may not use latest"
      deny:
        conditions:
          any: [{key: "{{ request.object.spec.containers[].image }}", operator: AnyIn, value: ["*:latest"]}]`,
			wantStatus: map[string]Status{"r": StatusFail},
			wantMsg:    map[string]string{"r": "web may not use latest"},
		},
		{
			name: "unresolvable variable in a condition is an error naming it",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      deny:
        conditions:
          any: [{key: "{{ request.object.metadata.labels.team }}", operator: Equals, value: x}]`,
			wantStatus: map[string]Status{"r": StatusError},
			wantMsg:    map[string]string{"r": "request.object.metadata.labels.team"},
		},
		{
			name: "default with || avoids the error",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      deny:
        conditions:
          any: [{key: "{{ request.object.metadata.labels.team || 'none' }}", operator: Equals, value: none}]`,
			wantStatus: map[string]Status{"r": StatusFail},
		},
		{
			name: "foreach with element scope",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      message: "tag required"
      foreach:
      - list: request.object.spec.containers
        pattern: {image: "*:?*"}
        preconditions:
          all: [{key: "{{ element.name }}", operator: NotEquals, value: sidecar}]`,
			wantStatus: map[string]Status{"r": StatusPass},
		},
		{
			name: "foreach failure names the element",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      message: "{{ element.name }} uses latest"
      foreach:
      - list: request.object.spec.containers
        deny:
          conditions:
            any: [{key: "{{ element.image }}", operator: Equals, value: "*:latest"}]`,
			wantStatus: map[string]Status{"r": StatusFail},
			wantMsg:    map[string]string{"r": "validation failure: sidecar uses latest"},
		},
		{
			name: "context variable and pattern variable",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    context:
    - name: expected
      variable: {jmesPath: request.object.metadata.labels.app}
    validate:
      pattern:
        metadata: {name: "{{ expected }}"}`,
			wantStatus: map[string]Status{"r": StatusPass},
		},
		{
			name: "anyPattern passes on the second pattern",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      anyPattern:
      - metadata: {labels: {team: "?*"}}
      - metadata: {labels: {app: "?*"}}`,
			wantStatus: map[string]Status{"r": StatusPass},
			wantMsg:    map[string]string{"r": "validation rule 'r' anyPattern[1] passed."},
		},
		{
			name: "conditional anchor that does not hold skips",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      pattern:
        spec:
          (hostNetwork): true
          containers: [{name: never}]`,
			wantStatus: map[string]Status{"r": StatusSkip},
		},
		{
			name: "applyRules One stops after the first rule that applies",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  applyRules: One
  rules:
  - name: first
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate: {pattern: {metadata: {name: web}}}
  - name: second
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate: {pattern: {metadata: {name: web}}}`,
			wantStatus: map[string]Status{"first": StatusPass},
			wantRules:  1,
		},
		{
			name: "existing violation on UPDATE under Enforce is skipped",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      failureAction: Enforce
      pattern: {metadata: {labels: {team: "?*"}}}`,
			op:         "UPDATE",
			old:        testPod,
			wantStatus: map[string]Status{"r": StatusSkip},
		},
		{
			name: "verifyImages rules are reported as not evaluated",
			policy: `kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages: [{imageReferences: ["*"]}]`,
			wantStatus: map[string]Status{"r": StatusError},
			wantMsg:    map[string]string{"r": "does not evaluate yet"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileYAML(t, "apiVersion: kyverno.io/v1\n"+tt.policy)
			req := &Request{Object: pod(t, testPod), Operation: tt.op}
			if tt.old != "" {
				req.OldObject = pod(t, tt.old)
			}
			resp := p.Evaluate(req)
			if tt.wantRules > 0 && len(resp.Rules) != tt.wantRules {
				t.Errorf("got %d rule results, want %d", len(resp.Rules), tt.wantRules)
			}
			got := map[string]RuleResponse{}
			for _, rr := range resp.Rules {
				got[rr.Name] = rr
			}
			for name, want := range tt.wantStatus {
				if got[name].Status != want {
					t.Errorf("%s: status %s (%s), want %s", name, got[name].Status, got[name].Message, want)
				}
			}
			for name, want := range tt.wantMsg {
				if !strings.Contains(got[name].Message, want) {
					t.Errorf("%s: message %q lacks %q", name, got[name].Message, want)
				}
			}
		})
	}
}

func TestFailureAction(t *testing.T) {
	tests := []struct {
		name, spec string
		ns         string
		enforce    bool
	}{
		{name: "default is Audit", spec: "rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]"},
		{name: "legacy lowercase enforce", spec: "validationFailureAction: enforce\n  rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]", enforce: true},
		{name: "rule failureAction wins", spec: "validationFailureAction: Enforce\n  rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {failureAction: Audit, pattern: {x: y}}}]"},
		{name: "namespace override", spec: "validationFailureAction: Audit\n  validationFailureActionOverrides: [{action: Enforce, namespaces: [sh*]}]\n  rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]", enforce: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileYAML(t, "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  "+tt.spec)
			resp := p.Evaluate(&Request{Object: pod(t, testPod)})
			if len(resp.Rules) != 1 || resp.Rules[0].Enforce != tt.enforce {
				t.Errorf("got %+v, want enforce=%v", resp.Rules, tt.enforce)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, spec, want string }{
		{name: "no rules", spec: "rules: []", want: "spec.rules: at least one rule is required"},
		{name: "rule without type", spec: "rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}}]", want: "spec.rules[0]: a rule needs one of validate"},
		{name: "duplicate rule", spec: "rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {a: b}}}, {name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {a: b}}}]", want: `duplicate rule name "r"`},
		{name: "add anchor in validate", spec: "rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {+(a): b}}}]", want: "spec.rules[0].validate.pattern"},
		{name: "unknown operator", spec: "rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {deny: {conditions: {any: [{key: a, operator: Equalz, value: b}]}}}}]", want: "Equalz"},
		{name: "anyPattern not a list", spec: "rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {anyPattern: {a: b}}}]", want: "anyPattern: must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cp kyvernov1.ClusterPolicy
			if err := yaml.Unmarshal([]byte("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  "+tt.spec), &cp); err != nil {
				t.Fatal(err)
			}
			_, err := Compile(Source{Kind: "ClusterPolicy", Name: "p", Spec: &cp.Spec})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNamespacedPolicyAppliesOnlyInItsNamespace(t *testing.T) {
	var pol kyvernov1.Policy
	if err := yaml.Unmarshal([]byte("apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: p, namespace: other}\nspec:\n  rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {a: b}}}]"), &pol); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(Source{Kind: "Policy", Name: pol.Name, Namespace: pol.Namespace, Spec: &pol.Spec})
	if err != nil {
		t.Fatal(err)
	}
	if resp := p.Evaluate(&Request{Object: pod(t, testPod)}); len(resp.Rules) != 0 {
		t.Errorf("policy in namespace other applied to a Pod in shop: %+v", resp.Rules)
	}
}

package autogen

import (
	"reflect"
	"strings"
	"testing"
)

const podRule = `
  - name: check-labels
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: labels are required
      pattern:
        metadata:
          labels:
            app: "?*"
`

func withRules(annotations, rules string) string {
	doc := "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\n"
	if annotations != "" {
		doc += "  annotations:\n" + annotations
	}
	return doc + "spec:\n  rules:\n" + rules
}

var allTemplateGVKs = []any{
	"apps/v1/DaemonSet", "apps/v1/Deployment", "batch/v1/Job",
	"apps/v1/ReplicaSet", "v1/ReplicationController", "apps/v1/StatefulSet",
}

func TestRulesSkipConditions(t *testing.T) {
	cases := []struct {
		name  string
		rules string
	}{
		{"generate rule anywhere in the policy", podRule + `
  - name: gen
    match:
      any:
      - resources:
          kinds: [Namespace]
    generate:
      kind: ConfigMap
      name: x
      namespace: "{{request.object.metadata.name}}"
      data: {}
`},
		{"mutate patchesJson6902", `
  - name: m
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        - op: add
          path: /metadata/labels/a
          value: b
`},
		{"mutate foreach patchesJson6902", `
  - name: m
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchesJson6902: |-
          - op: add
            path: /metadata/labels/a
            value: b
`},
		{"match legacy name", `
  - name: r
    match:
      resources:
        kinds: [Pod]
        name: foo
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"match any names", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
          names: [foo]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"match all selector", `
  - name: r
    match:
      all:
      - resources:
          kinds: [Pod]
          selector:
            matchLabels: {a: b}
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"match any annotations", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
          annotations: {a: b}
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"match empty annotations map", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
          annotations: {}
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"exclude legacy selector", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    exclude:
      resources:
        selector:
          matchLabels: {a: b}
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"exclude any names", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    exclude:
      any:
      - resources:
          names: [skip-me]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"exclude all name", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    exclude:
      all:
      - resources:
          name: skip-me
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"Pod mixed with a controller", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod, Deployment]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"Pod mixed with another kind", `
  - name: r
    match:
      resources:
        kinds: [Service, Pod]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"Pod mixed in exclude", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    exclude:
      any:
      - resources:
          kinds: [Pod, Deployment]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"no Pod or controller kind", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Namespace]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"v1/Pod is not an exact Pod kind", `
  - name: r
    match:
      any:
      - resources:
          kinds: [v1/Pod]
    validate:
      pattern: {metadata: {name: "?*"}}
`},
		{"another rule with names disables the whole policy", podRule + `
  - name: other
    match:
      any:
      - resources:
          kinds: [ConfigMap]
          names: [cm]
    validate:
      pattern: {data: {a: "?*"}}
`},
		{"annotation none", ""},
		{"annotation none overrides all", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var doc string
			switch tc.name {
			case "annotation none":
				doc = withRules("    pod-policies.kyverno.io/autogen-controllers: none\n", podRule)
			case "annotation none overrides all":
				doc = withRules("    pod-policies.kyverno.io/autogen-controllers: \"none\"\n", podRule)
			default:
				doc = withRules("", tc.rules)
			}
			p := policy(t, doc)
			if got := Rules(p.Annotations, &p.Spec); len(got) != 0 {
				t.Fatalf("expected no generated rule, got %v", ruleNames(got))
			}
			if got := ComputeRules(p.Annotations, &p.Spec); !reflect.DeepEqual(got, p.Spec.Rules) {
				t.Fatalf("ComputeRules should return the policy rules unchanged, got %v", ruleNames(got))
			}
			if pc, cron := Controllers(p.Annotations, &p.Spec); pc != nil || cron {
				t.Fatalf("Controllers = %v, %v; want none", pc, cron)
			}
		})
	}
}

// Annotations are only honoured when autogen is possible; with a generate
// rule, even an explicit controller list yields nothing.
func TestAnnotationCannotForceAutogen(t *testing.T) {
	p := policy(t, withRules("    pod-policies.kyverno.io/autogen-controllers: Deployment\n", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod, Deployment]
    validate:
      pattern: {metadata: {name: "?*"}}
`))
	if got := Rules(p.Annotations, &p.Spec); len(got) != 0 {
		t.Fatalf("got %v", ruleNames(got))
	}
}

func TestAnnotationVariants(t *testing.T) {
	cases := []struct {
		name       string
		annotation *string
		wantNames  []string
		wantKinds  []any // kinds of autogen-check-labels
		wantPod    []string
		wantCron   bool
	}{
		{"absent: every controller", nil,
			[]string{"autogen-check-labels", "autogen-cronjob-check-labels"}, allTemplateGVKs,
			[]string{"DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"}, true},
		{"all", ptr("all"),
			[]string{"autogen-check-labels", "autogen-cronjob-check-labels"}, allTemplateGVKs,
			[]string{"DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"}, true},
		{"one controller", ptr("Deployment"),
			[]string{"autogen-check-labels"}, []any{"apps/v1/Deployment"}, []string{"Deployment"}, false},
		{"list is sorted", ptr("StatefulSet,DaemonSet"),
			[]string{"autogen-check-labels"}, []any{"apps/v1/DaemonSet", "apps/v1/StatefulSet"},
			[]string{"DaemonSet", "StatefulSet"}, false},
		{"controller and CronJob", ptr("Deployment,CronJob"),
			[]string{"autogen-check-labels", "autogen-cronjob-check-labels"}, []any{"apps/v1/Deployment"},
			[]string{"Deployment"}, true},
		{"CronJob only", ptr("CronJob"),
			[]string{"autogen-cronjob-check-labels"}, nil, nil, true},
		{"empty value", ptr(""), []string{}, nil, nil, false},
		{"unknown items are dropped when a known one is listed", ptr("Deployment, StatefulSet,Foo"),
			[]string{"autogen-check-labels"}, []any{"apps/v1/Deployment"}, []string{"Deployment"}, false},
		{"custom controller alone is passed through", ptr("CloneSet"),
			[]string{"autogen-check-labels"}, []any{"CloneSet"}, []string{"CloneSet"}, false},
		{"custom controller with CronJob", ptr("CloneSet,CronJob"),
			[]string{"autogen-check-labels", "autogen-cronjob-check-labels"}, []any{"CloneSet"}, []string{"CloneSet"}, true},
		{"case sensitive", ptr("deployment"),
			[]string{"autogen-check-labels"}, []any{"deployment"}, []string{"deployment"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ann := ""
			if tc.annotation != nil {
				ann = "    pod-policies.kyverno.io/autogen-controllers: \"" + *tc.annotation + "\"\n"
			}
			p := policy(t, withRules(ann, podRule))
			got := Rules(p.Annotations, &p.Spec)
			if names := ruleNames(got); !reflect.DeepEqual(names, tc.wantNames) {
				t.Fatalf("names = %v, want %v", names, tc.wantNames)
			}
			for _, r := range got {
				kinds := at(generic(t, r), "match", "any", 0, "resources", "kinds")
				switch r.Name {
				case "autogen-check-labels":
					if !reflect.DeepEqual(kinds, tc.wantKinds) {
						t.Errorf("kinds = %v, want %v", kinds, tc.wantKinds)
					}
				case "autogen-cronjob-check-labels":
					if !reflect.DeepEqual(kinds, []any{"batch/v1/CronJob"}) {
						t.Errorf("cronjob kinds = %v", kinds)
					}
				}
			}
			pc, cron := Controllers(p.Annotations, &p.Spec)
			if !reflect.DeepEqual(pc, tc.wantPod) || cron != tc.wantCron {
				t.Errorf("Controllers = %v, %v; want %v, %v", pc, cron, tc.wantPod, tc.wantCron)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestPatternDeploymentAndCronJob(t *testing.T) {
	p := policy(t, withRules("", `
  - name: check-labels
    match:
      any:
      - resources:
          kinds: [Pod]
          namespaces: [prod]
    exclude:
      any:
      - resources:
          kinds: [Pod]
          namespaces: [kube-system]
      - subjects:
        - kind: User
          name: admin
    context:
    - name: cm
      configMap:
        name: settings
        namespace: default
    preconditions:
      all:
      - key: "{{ request.object.metadata.labels.team || '' }}"
        operator: NotEquals
        value: ""
    celPreconditions:
    - name: not-system
      expression: "object.metadata.namespace != 'kube-system'"
    skipBackgroundRequests: false
    reportProperties:
      owner: sec
    imageExtractors:
      Task:
      - path: /spec/image
    validate:
      failureAction: Enforce
      allowExistingViolations: false
      failureActionOverrides:
      - action: Audit
        namespaces: [dev]
      message: "labels are required for {{request.object.metadata.name}}"
      pattern:
        metadata:
          labels:
            app: "?*"
        spec:
          containers:
          - image: "!*:latest"
`))
	before := generic(t, p.Spec)
	got := Rules(p.Annotations, &p.Spec)
	assertRulesYAML(t, got, `
- name: autogen-check-labels
  match:
    any:
    - resources:
        kinds: [apps/v1/DaemonSet, apps/v1/Deployment, batch/v1/Job, apps/v1/ReplicaSet, v1/ReplicationController, apps/v1/StatefulSet]
        namespaces: [prod]
  exclude:
    any:
    - resources:
        kinds: [apps/v1/DaemonSet, apps/v1/Deployment, batch/v1/Job, apps/v1/ReplicaSet, v1/ReplicationController, apps/v1/StatefulSet]
        namespaces: [kube-system]
    - subjects:
      - kind: User
        name: admin
  context:
  - name: cm
    configMap:
      name: settings
      namespace: default
  preconditions:
    all:
    - key: "{{ request.object.spec.template.metadata.labels.team || '' }}"
      operator: NotEquals
      value: ""
  celPreconditions:
  - name: not-system
    expression: "object.metadata.namespace != 'kube-system'"
  skipBackgroundRequests: false
  reportProperties:
    owner: sec
  validate:
    failureAction: Enforce
    allowExistingViolations: false
    failureActionOverrides:
    - action: Audit
      namespaces: [dev]
    message: "labels are required for {{request.object.spec.template.metadata.name}}"
    pattern:
      spec:
        template:
          metadata:
            labels:
              app: "?*"
          spec:
            containers:
            - image: "!*:latest"
- name: autogen-cronjob-check-labels
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
        namespaces: [prod]
  exclude:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
        namespaces: [kube-system]
    - resources:
        kinds: [batch/v1/CronJob]
      subjects:
      - kind: User
        name: admin
  context:
  - name: cm
    configMap:
      name: settings
      namespace: default
  preconditions:
    all:
    - key: "{{ request.object.spec.jobTemplate.spec.template.metadata.labels.team || '' }}"
      operator: NotEquals
      value: ""
  celPreconditions:
  - name: not-system
    expression: "object.metadata.namespace != 'kube-system'"
  skipBackgroundRequests: false
  reportProperties:
    owner: sec
  validate:
    failureAction: Enforce
    allowExistingViolations: false
    failureActionOverrides:
    - action: Audit
      namespaces: [dev]
    message: "labels are required for {{request.object.spec.jobTemplate.spec.template.metadata.name}}"
    pattern:
      spec:
        jobTemplate:
          spec:
            template:
              metadata:
                labels:
                  app: "?*"
              spec:
                containers:
                - image: "!*:latest"
`)
	if after := generic(t, p.Spec); !reflect.DeepEqual(before, after) {
		t.Fatalf("input policy was modified")
	}
}

func TestLegacyMatchAndExclude(t *testing.T) {
	p := policy(t, withRules("    pod-policies.kyverno.io/autogen-controllers: Deployment,CronJob\n", `
  - name: legacy
    match:
      resources:
        kinds: [Pod]
        namespaces: [a]
      roles: [viewer]
    exclude:
      resources:
        namespaces: [b]
    validate:
      message: no host network
      pattern:
        spec:
          =(hostNetwork): false
`))
	assertRulesYAML(t, Rules(p.Annotations, &p.Spec), `
- name: autogen-legacy
  match:
    roles: [viewer]
    resources:
      kinds: [apps/v1/Deployment]
      namespaces: [a]
  exclude:
    resources:
      namespaces: [b]
  validate:
    message: no host network
    pattern:
      spec:
        template:
          spec:
            =(hostNetwork): false
- name: autogen-cronjob-legacy
  match:
    roles: [viewer]
    resources:
      kinds: [batch/v1/CronJob]
      namespaces: [a]
  exclude:
    resources:
      namespaces: [b]
  validate:
    message: no host network
    pattern:
      spec:
        jobTemplate:
          spec:
            template:
              spec:
                =(hostNetwork): false
`)
}

func TestMatchAllAndMixedAnyEntries(t *testing.T) {
	p := policy(t, withRules("    pod-policies.kyverno.io/autogen-controllers: DaemonSet,CronJob\n", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
      - resources:
          kinds: [ConfigMap]
    exclude:
      all:
      - resources:
          kinds: [Pod]
        clusterRoles: [admin]
    validate:
      pattern: {metadata: {name: "?*"}}
`))
	got := generic(t, Rules(p.Annotations, &p.Spec))
	checks := []struct {
		path []any
		want any
	}{
		{[]any{0, "match", "any", 0, "resources", "kinds"}, []any{"apps/v1/DaemonSet"}},
		{[]any{0, "match", "any", 1, "resources", "kinds"}, []any{"ConfigMap"}},
		{[]any{0, "exclude", "all", 0, "resources", "kinds"}, []any{"apps/v1/DaemonSet"}},
		{[]any{0, "exclude", "all", 0, "clusterRoles"}, []any{"admin"}},
		{[]any{1, "match", "any", 0, "resources", "kinds"}, []any{"batch/v1/CronJob"}},
		{[]any{1, "match", "any", 1, "resources", "kinds"}, []any{"batch/v1/CronJob"}},
		{[]any{1, "exclude", "all", 0, "resources", "kinds"}, []any{"batch/v1/CronJob"}},
	}
	for _, c := range checks {
		if v := at(got, c.path...); !reflect.DeepEqual(v, c.want) {
			t.Errorf("%v = %v, want %v", c.path, v, c.want)
		}
	}
}

func TestRuleLevelSkips(t *testing.T) {
	cases := []struct {
		name  string
		rules string
		want  []string
	}{
		{"only Pod rules are sources", podRule + `
  - name: ns
    match:
      any:
      - resources:
          kinds: [Namespace]
    validate:
      pattern: {metadata: {labels: {a: "?*"}}}
`, []string{"autogen-check-labels", "autogen-cronjob-check-labels"}},
		{"exclude kinds without Pod skip the rule", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    exclude:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      pattern: {metadata: {name: "?*"}}
`, []string{}},
		{"Pod with a subresource counts as Pod", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod/ephemeralcontainers]
      - resources:
          kinds: [Deployment]
    validate:
      pattern: {metadata: {name: "?*"}}
`, []string{"autogen-r", "autogen-cronjob-r"}},
		{"existing autogen rules are not sources", podRule + `
  - name: autogen-custom
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      pattern: {metadata: {name: "?*"}}
`, []string{"autogen-check-labels", "autogen-cronjob-check-labels"}},
		{"mutate without patch is not translated", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      targets:
      - apiVersion: v1
        kind: ConfigMap
`, []string{}},
		{"validate manifests is not translated", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      manifests:
        attestors:
        - entries:
          - keys:
              publicKeys: k
`, []string{}},
		{"rules keep policy order", podRule + `
  - name: second
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      deny: {}
`, []string{"autogen-check-labels", "autogen-cronjob-check-labels", "autogen-second", "autogen-cronjob-second"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := policy(t, withRules("", tc.rules))
			if got := ruleNames(Rules(p.Annotations, &p.Spec)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRuleNameTruncation(t *testing.T) {
	long := "too-long-this-rule-name-will-be-truncated-to-63-characters"
	p := policy(t, withRules("", strings.Replace(podRule, "check-labels", long, 1)))
	got := ruleNames(Rules(p.Annotations, &p.Spec))
	want := []string{
		"autogen-too-long-this-rule-name-will-be-truncated-to-63-charact",
		"autogen-cronjob-too-long-this-rule-name-will-be-truncated-to-63",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if !IsAutogenRuleName(want[0]) || !IsAutogenRuleName(want[1]) || IsAutogenRuleName("autogencheck") {
		t.Fatal("IsAutogenRuleName")
	}
}

func TestComputeRules(t *testing.T) {
	t.Run("stale autogen rules are replaced", func(t *testing.T) {
		p := policy(t, withRules("", podRule+`
  - name: autogen-check-labels
    match:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      pattern: {metadata: {name: stale}}
`))
		got := ComputeRules(p.Annotations, &p.Spec)
		want := []string{"check-labels", "autogen-check-labels", "autogen-cronjob-check-labels"}
		if names := ruleNames(got); !reflect.DeepEqual(names, want) {
			t.Fatalf("got %v, want %v", names, want)
		}
		if v := at(generic(t, got[1]), "validate", "pattern", "spec", "template", "metadata", "labels", "app"); v != "?*" {
			t.Fatalf("autogen rule not regenerated: %v", generic(t, got[1]))
		}
	})
	t.Run("autogen-named rules are kept when nothing is generated", func(t *testing.T) {
		p := policy(t, withRules("    pod-policies.kyverno.io/autogen-controllers: none\n", podRule+`
  - name: autogen-mine
    match:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      pattern: {metadata: {name: "?*"}}
`))
		if names := ruleNames(ComputeRules(p.Annotations, &p.Spec)); !reflect.DeepEqual(names, []string{"check-labels", "autogen-mine"}) {
			t.Fatalf("got %v", names)
		}
	})
	t.Run("for one kind", func(t *testing.T) {
		p := policy(t, withRules("", podRule))
		cases := map[string][]string{
			"CronJob":    {"check-labels", "autogen-cronjob-check-labels"},
			"Deployment": {"check-labels", "autogen-check-labels"},
			"Pod":        {"check-labels"},
			"":           {"check-labels", "autogen-check-labels", "autogen-cronjob-check-labels"},
		}
		for kind, want := range cases {
			got := ComputeRulesForKind(p.Annotations, &p.Spec, kind)
			if names := ruleNames(got); !reflect.DeepEqual(names, want) {
				t.Errorf("kind %q: got %v, want %v", kind, names, want)
			}
			if kind == "Deployment" {
				if k := at(generic(t, got[1]), "match", "any", 0, "resources", "kinds"); !reflect.DeepEqual(k, []any{"apps/v1/Deployment"}) {
					t.Errorf("kinds %v", k)
				}
			}
		}
	})
}

func TestCanAutoGen(t *testing.T) {
	p := policy(t, withRules("", `
  - name: r
    match:
      any:
      - resources:
          kinds: [Namespace]
    exclude:
      any:
      - resources:
          kinds: [Pod]
    validate:
      pattern: {metadata: {name: "?*"}}
`))
	// exclude kinds count towards "a Pod kind is present", but the rule itself
	// does not match Pod so nothing is generated.
	if !CanAutoGen(&p.Spec) {
		t.Fatal("CanAutoGen = false")
	}
	if got := Rules(p.Annotations, &p.Spec); len(got) != 0 {
		t.Fatalf("got %v", ruleNames(got))
	}
	if CanAutoGen(nil) || Rules(nil, nil) != nil || ComputeRules(nil, nil) != nil {
		t.Fatal("nil spec")
	}
}

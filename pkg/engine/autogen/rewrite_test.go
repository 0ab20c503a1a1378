package autogen

import (
	"reflect"
	"testing"
)

// one validate/mutate/verifyImages rule per case, with the expected pair of
// generated rules (default controllers).
func TestRuleTranslation(t *testing.T) {
	const kinds = "[apps/v1/DaemonSet, apps/v1/Deployment, batch/v1/Job, apps/v1/ReplicaSet, v1/ReplicationController, apps/v1/StatefulSet]"
	cases := []struct {
		name string
		rule string
		want string
	}{
		{
			name: "deny conditions and preconditions",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    preconditions:
      any:
      - key: "{{ request.operation }}"
        operator: Equals
        value: UPDATE
    validate:
      message: "{{ request.object.metadata.name }} changed {{ request.oldObject.metadata.labels.app }}"
      manifests:
        attestors: []
      deny:
        conditions:
          all:
          - key: "{{ request.object.spec.hostNetwork || false }}"
            operator: NotEquals
            value: "{{ request.oldObject.spec.hostNetwork || false }}"
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  preconditions:
    any:
    - key: "{{ request.operation }}"
      operator: Equals
      value: UPDATE
  validate:
    message: "{{ request.object.spec.template.metadata.name }} changed {{ request.oldObject.spec.template.metadata.labels.app }}"
    deny:
      conditions:
        all:
        - key: "{{ request.object.spec.template.spec.hostNetwork || false }}"
          operator: NotEquals
          value: "{{ request.oldObject.spec.template.spec.hostNetwork || false }}"
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  preconditions:
    any:
    - key: "{{ request.operation }}"
      operator: Equals
      value: UPDATE
  validate:
    message: "{{ request.object.spec.jobTemplate.spec.template.metadata.name }} changed {{ request.oldObject.spec.jobTemplate.spec.template.metadata.labels.app }}"
    deny:
      conditions:
        all:
        - key: "{{ request.object.spec.jobTemplate.spec.template.spec.hostNetwork || false }}"
          operator: NotEquals
          value: "{{ request.oldObject.spec.jobTemplate.spec.template.spec.hostNetwork || false }}"
`,
		},
		{
			name: "anyPattern",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: must run as non-root
      anyPattern:
      - spec:
          securityContext:
            runAsNonRoot: true
      - spec:
          containers:
          - securityContext:
              runAsNonRoot: true
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  validate:
    message: must run as non-root
    anyPattern:
    - spec:
        template:
          spec:
            securityContext:
              runAsNonRoot: true
    - spec:
        template:
          spec:
            containers:
            - securityContext:
                runAsNonRoot: true
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  validate:
    message: must run as non-root
    anyPattern:
    - spec:
        jobTemplate:
          spec:
            template:
              spec:
                securityContext:
                  runAsNonRoot: true
    - spec:
        jobTemplate:
          spec:
            template:
              spec:
                containers:
                - securityContext:
                    runAsNonRoot: true
`,
		},
		{
			name: "podSecurity",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      failureAction: Audit
      podSecurity:
        level: restricted
        version: latest
        exclude:
        - controlName: Seccomp
          images: ["*"]
          restrictedField: spec.containers[*].securityContext.seccompProfile.type
          values: [Unconfined]
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  validate:
    failureAction: Audit
    podSecurity:
      level: restricted
      version: latest
      exclude:
      - controlName: Seccomp
        images: ["*"]
        restrictedField: spec.containers[*].securityContext.seccompProfile.type
        values: [Unconfined]
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  validate:
    failureAction: Audit
    podSecurity:
      level: restricted
      version: latest
      exclude:
      - controlName: Seccomp
        images: ["*"]
        restrictedField: spec.containers[*].securityContext.seccompProfile.type
        values: [Unconfined]
`,
		},
		{
			name: "foreach validation",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    context:
    - name: allowed
      variable:
        jmesPath: request.object.metadata.annotations.allowed
    validate:
      message: bad image
      foreach:
      - list: request.object.spec.containers
        deny:
          conditions:
            any:
            - key: "{{ element.image }}"
              operator: NotEquals
              value: "{{ request.object.metadata.labels.image }}"
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  context:
  - name: allowed
    variable:
      jmesPath: request.object.spec.template.metadata.annotations.allowed
  validate:
    message: bad image
    foreach:
    - list: request.object.spec.template.spec.containers
      deny:
        conditions:
          any:
          - key: "{{ element.image }}"
            operator: NotEquals
            value: "{{ request.object.spec.template.metadata.labels.image }}"
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  context:
  - name: allowed
    variable:
      jmesPath: request.object.spec.jobTemplate.spec.template.metadata.annotations.allowed
  validate:
    message: bad image
    foreach:
    - list: request.object.spec.jobTemplate.spec.template.spec.containers
      deny:
        conditions:
          any:
          - key: "{{ element.image }}"
            operator: NotEquals
            value: "{{ request.object.spec.jobTemplate.spec.template.metadata.labels.image }}"
`,
		},
		{
			name: "validate cel",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      failureAction: Enforce
      cel:
        variables:
        - name: names
          expression: object.metadata.name
        expressions:
        - expression: "!has(object.spec.hostPID) || object.spec.hostPID == false"
          message: hostPID must be unset
        - expression: "oldObject == null || oldObject.spec.hostIPC == object.spec.hostIPC"
          messageExpression: "'changed ' + request.object.metadata.name"
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  validate:
    failureAction: Enforce
    cel:
      variables:
      - name: names
        expression: object.spec.template.metadata.name
      expressions:
      - expression: "!has(object.spec.template.spec.hostPID) || object.spec.template.spec.hostPID == false"
        message: hostPID must be unset
      - expression: "oldObject == null || oldObject.spec.template.spec.hostIPC == object.spec.template.spec.hostIPC"
        messageExpression: "'changed ' + request.object.spec.template.metadata.name"
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  validate:
    failureAction: Enforce
    cel:
      variables:
      - name: names
        expression: object.spec.jobTemplate.spec.template.metadata.name
      expressions:
      - expression: "!has(object.spec.jobTemplate.spec.template.spec.hostPID) || object.spec.jobTemplate.spec.template.spec.hostPID == false"
        message: hostPID must be unset
      - expression: "oldObject == null || oldObject.spec.jobTemplate.spec.template.spec.hostIPC == object.spec.jobTemplate.spec.template.spec.hostIPC"
        messageExpression: "'changed ' + request.object.spec.jobTemplate.spec.template.metadata.name"
`,
		},
		{
			name: "assert",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: no default service account
      assert:
        object:
          spec:
            (serviceAccountName == 'default'): false
        other: 1
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  validate:
    message: no default service account
    assert:
      object:
        spec:
          template:
            spec:
              (serviceAccountName == 'default'): false
      other: 1
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  validate:
    message: no default service account
    assert:
      object:
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  (serviceAccountName == 'default'): false
      other: 1
`,
		},
		{
			name: "mutate patchStrategicMerge",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      mutateExistingOnPolicyUpdate: false
      patchStrategicMerge:
        metadata:
          labels:
            +(owner): "{{ request.object.metadata.namespace }}"
        spec:
          containers:
          - (name): "*"
            imagePullPolicy: Always
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  mutate:
    patchStrategicMerge:
      spec:
        template:
          metadata:
            labels:
              +(owner): "{{ request.object.spec.template.metadata.namespace }}"
          spec:
            containers:
            - (name): "*"
              imagePullPolicy: Always
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  mutate:
    patchStrategicMerge:
      spec:
        jobTemplate:
          spec:
            template:
              metadata:
                labels:
                  +(owner): "{{ request.object.spec.jobTemplate.spec.template.metadata.namespace }}"
              spec:
                containers:
                - (name): "*"
                  imagePullPolicy: Always
`,
		},
		{
			name: "mutate foreach",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        order: Descending
        preconditions:
          all:
          - key: "{{ element.name }}"
            operator: NotEquals
            value: sidecar
        patchStrategicMerge:
          spec:
            containers:
            - name: "{{ element.name }}"
              imagePullPolicy: Always
      - list: request.object.spec.initContainers
        foreach:
        - list: element.ports
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  mutate:
    foreach:
    - list: request.object.spec.template.spec.containers
      preconditions:
        all:
        - key: "{{ element.name }}"
          operator: NotEquals
          value: sidecar
      patchStrategicMerge:
        spec:
          template:
            spec:
              containers:
              - name: "{{ element.name }}"
                imagePullPolicy: Always
    - list: request.object.spec.template.spec.initContainers
      patchStrategicMerge:
        spec:
          template: null
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  mutate:
    foreach:
    - list: request.object.spec.jobTemplate.spec.template.spec.containers
      preconditions:
        all:
        - key: "{{ element.name }}"
          operator: NotEquals
          value: sidecar
      patchStrategicMerge:
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - name: "{{ element.name }}"
                    imagePullPolicy: Always
    - list: request.object.spec.jobTemplate.spec.template.spec.initContainers
      patchStrategicMerge:
        spec:
          jobTemplate:
            spec:
              template: null
`,
		},
		{
			name: "verifyImages",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    imageExtractors:
      Pod:
      - path: /spec/x
    verifyImages:
    - imageReferences: ["ghcr.io/*"]
      mutateDigest: false
      attestors:
      - entries:
        - keys:
            publicKeys: "{{ request.object.metadata.annotations.key }}"
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  verifyImages:
  - imageReferences: ["ghcr.io/*"]
    mutateDigest: false
    attestors:
    - entries:
      - keys:
          publicKeys: "{{ request.object.spec.template.metadata.annotations.key }}"
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  verifyImages:
  - imageReferences: ["ghcr.io/*"]
    mutateDigest: false
    attestors:
    - entries:
      - keys:
          publicKeys: "{{ request.object.spec.jobTemplate.spec.template.metadata.annotations.key }}"
`,
		},
		{
			name: "message references are shifted",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "host port $(./../../pattern/spec/containers/0/ports/0/hostPort) is not allowed"
      pattern:
        spec:
          containers:
          - ports:
            - hostPort: 0
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  validate:
    message: "host port $(./../../pattern/spec/template/spec/containers/0/ports/0/hostPort) is not allowed"
    pattern:
      spec:
        template:
          spec:
            containers:
            - ports:
              - hostPort: 0
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  validate:
    message: "host port $(./../../pattern/spec/jobTemplate/spec/template/spec/template/spec/containers/0/ports/0/hostPort) is not allowed"
    pattern:
      spec:
        jobTemplate:
          spec:
            template:
              spec:
                containers:
                - ports:
                  - hostPort: 0
`,
		},
		{
			name: "empty preconditions are dropped",
			rule: `
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    preconditions: {}
    validate:
      pattern: {spec: {hostPID: false}}
`,
			want: `
- name: autogen-r
  match:
    any:
    - resources:
        kinds: ` + kinds + `
  validate:
    pattern: {spec: {template: {spec: {hostPID: false}}}}
- name: autogen-cronjob-r
  match:
    any:
    - resources:
        kinds: [batch/v1/CronJob]
  validate:
    pattern: {spec: {jobTemplate: {spec: {template: {spec: {hostPID: false}}}}}}
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := policy(t, withRules("", tc.rule))
			before := generic(t, p.Spec)
			assertRulesYAML(t, Rules(p.Annotations, &p.Spec), tc.want)
			if after := generic(t, p.Spec); !reflect.DeepEqual(before, after) {
				t.Fatal("input policy was modified")
			}
		})
	}
}

func TestShiftReferences(t *testing.T) {
	cases := []struct {
		name, in, shift, pivot, want string
	}{
		{"no reference", "plain message", "spec/template", "pattern", "plain message"},
		{"at start", "$(./../pattern/a) x", "spec/template", "pattern", "$(./../pattern/spec/template/a) x"},
		{"inside", "value $(pattern/a/b) bad", "spec/template", "pattern", "value $(pattern/spec/template/a/b) bad"},
		{"escaped", `value \$(pattern/a) bad`, "spec/template", "pattern", `value \$(pattern/a) bad`},
		{"pivot absent", "value $(foo/a) bad", "spec/template", "pattern", "value $(foo/a) bad"},
		{"two references", "$(pattern/a) and $(pattern/b)", "s", "pattern", "$(pattern/s/a) and $(pattern/s/b)"},
		{"anyPattern keeps the index", "see $(anyPattern/1/spec/x)", "spec/template", "anyPattern", "see $(anyPattern/1/spec/template/spec/x)"},
		{"anyPattern index sticks to later references", "$(anyPattern/0/a) $(anyPattern/1/b)", "s", "anyPattern", "$(anyPattern/0/s/a) $(anyPattern/1/b)"},
		{"anyPattern short reference", " $(x)", "s", "anyPattern", " $(x)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := shiftReferences(tc.in, tc.shift, tc.pivot); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRewriteFields(t *testing.T) {
	cases := []struct {
		name         string
		in           string
		cronJob, cel bool
		want         string
	}{
		{"object spec", "request.object.spec.x", false, false, "request.object.spec.template.spec.x"},
		{"oldObject spec", "request.oldObject.spec", false, false, "request.oldObject.spec.template.spec"},
		{"object metadata", "request.object.metadata.name", false, false, "request.object.spec.template.metadata.name"},
		{"oldObject metadata", "request.oldObject.metadata", false, false, "request.oldObject.spec.template.metadata"},
		{"bare object untouched without cel", "object.spec", false, false, "object.spec"},
		{"cronjob object spec", "request.object.spec", true, false, "request.object.spec.jobTemplate.spec.template.spec"},
		{"cronjob oldObject metadata", "request.oldObject.metadata", true, false, "request.oldObject.spec.jobTemplate.spec.template.metadata"},
		{"cel object", "object.spec", false, true, "object.spec.template.spec"},
		{"cel oldObject", "oldObject.metadata", false, true, "oldObject.spec.template.metadata"},
		{"cel request object", "request.object.spec", false, true, "request.object.spec.template.spec"},
		{"cel cronjob", "object.metadata", true, true, "object.spec.jobTemplate.spec.template.metadata"},
		{"other paths", "request.object.kind request.operation", false, false, "request.object.kind request.operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(rewriteFields([]byte(tc.in), tc.cronJob, tc.cel)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestContainsKind(t *testing.T) {
	cases := []struct {
		list []string
		want bool
	}{
		{[]string{"Pod"}, true},
		{[]string{"v1/Pod"}, true},
		{[]string{"core/v1/Pod"}, true},
		{[]string{"Pod/status"}, true},
		{[]string{"Pod.status"}, true},
		{[]string{"v1/Pod/status"}, true},
		{[]string{"*/Pod"}, true},
		{[]string{"Pods"}, false},
		{[]string{"Deployment", "Pod"}, true},
		{[]string{"apps/v1/Deployment"}, false},
		{nil, false},
	}
	for _, tc := range cases {
		if got := containsKind(tc.list, "Pod"); got != tc.want {
			t.Errorf("containsKind(%v) = %v, want %v", tc.list, got, tc.want)
		}
	}
}

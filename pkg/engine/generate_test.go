package engine

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	sources := objs(t,
		`{apiVersion: v1, kind: Secret, metadata: {name: regcred, namespace: base, uid: u1, labels: {share: "yes", keep: me}}, data: {k: dg==}}`,
		`{apiVersion: v1, kind: Secret, metadata: {name: private, namespace: base, labels: {share: "no"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: ca, namespace: base, labels: {share: "yes"}}, data: {ca: x}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: ca, namespace: elsewhere, labels: {share: "yes"}}}`,
	)
	tests := []struct {
		name     string
		generate string
		want     []string // kind/namespace/name of the generated objects, sorted
		status   Status
		msg      string
		check    func(t *testing.T, g []GeneratedResource)
	}{
		{
			name: "data with variables, provenance labels and synchronize",
			generate: `apiVersion: v1
      kind: ConfigMap
      name: "{{ request.object.metadata.name }}-cfg"
      namespace: "{{ request.object.metadata.namespace }}"
      synchronize: true
      orphanDownstreamOnPolicyDelete: true
      data: {metadata: {labels: {own: label}}, data: {app: "{{ request.object.metadata.labels.app }}"}}`,
			want:   []string{"ConfigMap/shop/web-cfg"},
			status: StatusPass,
			check: func(t *testing.T, g []GeneratedResource) {
				l := labelsOf(g[0].Object)
				want := map[string]any{
					"own": "label", LabelPolicyName: "p", LabelRuleName: "gen",
					"generate.kyverno.io/trigger-kind": "Pod", "generate.kyverno.io/trigger-version": "v1",
					"generate.kyverno.io/trigger-namespace": "shop", "generate.kyverno.io/trigger-name": "web",
				}
				if !reflect.DeepEqual(l, want) {
					t.Errorf("labels %v, want %v", l, want)
				}
				if !g[0].Synchronize || !g[0].OrphanDownstreamOnPolicyDelete || g[0].Source != nil {
					t.Errorf("flags %+v", g[0])
				}
				if g[0].Object["data"].(map[string]any)["app"] != "web" {
					t.Errorf("data %v", g[0].Object["data"])
				}
			},
		},
		{
			name: "clone records its source",
			generate: `apiVersion: v1
      kind: Secret
      name: regcred
      namespace: "{{ request.object.metadata.namespace }}"
      clone: {namespace: base, name: regcred}`,
			want:   []string{"Secret/shop/regcred"},
			status: StatusPass,
			check: func(t *testing.T, g []GeneratedResource) {
				if g[0].Source == nil || g[0].Source.Namespace != "base" || g[0].Source.UID != "u1" {
					t.Errorf("source %+v", g[0].Source)
				}
				l := labelsOf(g[0].Object)
				if l["keep"] != "me" || l["generate.kyverno.io/source-name"] != "regcred" || l["generate.kyverno.io/source-uid"] != "u1" {
					t.Errorf("labels %v", l)
				}
				if labelsOf(sources[0])[LabelPolicyName] != nil {
					t.Error("the source was modified")
				}
			},
		},
		{
			name: "missing clone source is an error",
			generate: `apiVersion: v1
      kind: Secret
      name: x
      namespace: shop
      clone: {namespace: base, name: nope}`,
			status: StatusError,
			msg:    "failed to get the clone source Secret base/nope: not found",
		},
		{
			name: "cloneList by kinds and selector",
			generate: `namespace: "{{ request.object.metadata.namespace }}"
      cloneList:
        namespace: base
        kinds: [v1/Secret, ConfigMap]
        selector: {matchLabels: {share: "yes"}}`,
			want:   []string{"ConfigMap/shop/ca", "Secret/shop/regcred"},
			status: StatusPass,
		},
		{
			name: "cloneList without matching sources skips",
			generate: `namespace: shop
      cloneList: {namespace: base, kinds: [Deployment]}`,
			status: StatusSkip,
		},
		{
			name: "foreach over containers with its own preconditions",
			generate: `foreach:
      - list: request.object.spec.containers
        preconditions: {all: [{key: "{{ element.name }}", operator: NotEquals, value: sidecar}]}
        apiVersion: v1
        kind: ConfigMap
        name: "{{ request.object.metadata.name }}-{{ element.name }}"
        namespace: shop
        data: {data: {image: "{{ element.image }}", index: "{{ elementIndex }}"}}`,
			want:   []string{"ConfigMap/shop/web-app"},
			status: StatusPass,
			check: func(t *testing.T, g []GeneratedResource) {
				if d := g[0].Object["data"].(map[string]any); d["image"] != "nginx:1.25" {
					t.Errorf("data %v", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileYAML(t, `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: gen
    match: {any: [{resources: {kinds: [Pod]}}]}
    generate:
      `+tt.generate)
			resp := p.Evaluate(&Request{Object: pod(t, testPod), Sources: sources})
			if len(resp.Rules) != 1 {
				t.Fatalf("responses %+v", resp.Rules)
			}
			rr := resp.Rules[0]
			if rr.Status != tt.status || !strings.Contains(rr.Message, tt.msg) {
				t.Fatalf("%s %q, want %s %q", rr.Status, rr.Message, tt.status, tt.msg)
			}
			var got []string
			for _, g := range rr.Generated {
				ref := refOf(g.Object)
				got = append(got, ref.Kind+"/"+ref.Namespace+"/"+ref.Name)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("generated %v, want %v", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, rr.Generated)
			}
		})
	}
}

func TestCompileGenerateErrors(t *testing.T) {
	tests := []struct {
		name     string
		generate string
		want     string
	}{
		{"no source", `{apiVersion: v1, kind: ConfigMap, name: x, namespace: ns1}`, "exactly one of data, clone or cloneList is required"},
		{"two sources", `{apiVersion: v1, kind: ConfigMap, name: x, data: {}, clone: {name: a}}`, "exactly one of data, clone or cloneList"},
		{"anchors in data", `{apiVersion: v1, kind: ConfigMap, name: x, data: {metadata: {labels: {"+(a)": b}}}}`, `anchors are not supported in generated resources ("+(a)")`},
		{"data not an object", `{apiVersion: v1, kind: ConfigMap, name: x, data: [1]}`, "data: must be an object"},
		{"kind required", `{apiVersion: v1, name: x, data: {}}`, "generate.kind: required"},
		{"foreach list required", `{foreach: [{apiVersion: v1, kind: ConfigMap, name: x, data: {}}]}`, "generate.foreach[0].list: required"},
		{"bad cloneList selector", `{namespace: a, cloneList: {kinds: [Secret], selector: {matchExpressions: [{key: a, operator: Bad}]}}}`, "cloneList.selector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileYAMLErr(`apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: gen
    match: {any: [{resources: {kinds: [Pod]}}]}
    generate: ` + tt.generate)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "spec.rules[0].generate") {
				t.Fatalf("error %v, want one containing %q and the rule path", err, tt.want)
			}
		})
	}
}

package variables

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// resource is the object of Kyverno's vars_test.go cases.
const resource = `{
	"metadata": {"name": "temp", "namespace": "n1", "annotations": {"test": "name"}},
	"spec": {"namespace": "n1", "name": "temp1"}
}`

// variableObject is the object of Kyverno's typed-substitution cases.
const variableObject = `{
	"complex_object_array": ["value1", "value2", "value3"],
	"complex_object_map": {"key1": "value1", "key2": "value2", "key3": "value3"},
	"simple_object_bool": false,
	"simple_object_int": 5,
	"simple_object_float": -5.5,
	"simple_object_string": "example",
	"simple_object_null": null
}`

func request(object string) string { return `{"request": {"object": ` + object + `}}` }

type substCase struct {
	name      string
	doc       string // JSON document to substitute
	data      string // JSON the fake evaluator queries
	overrides map[string]any
	opts      Options
	want      string // expected JSON result
	wantErr   string // expected exact error message
}

func runSubstCases(t *testing.T, cases []substCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newFake(tc.data)
			e.overrides = tc.overrides
			doc := mustJSON(tc.doc)
			before, _ := json.Marshal(doc)
			got, err := SubstituteAll(doc, e, tc.opts)
			if after, _ := json.Marshal(doc); string(after) != string(before) {
				t.Fatalf("input modified:\n%s\n%s", before, after)
			}
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("want error %q, got %v", tc.wantErr, show(got))
				}
				if err.Error() != tc.wantErr {
					t.Fatalf("error\n got: %s\nwant: %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v (queries %q)", err, e.queries)
			}
			if want := mustJSON(tc.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("\n got: %s\nwant: %s", show(got), show(want))
			}
		})
	}
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// Cases ported from Kyverno's pkg/engine/variables/vars_test.go.
func TestSubstituteKyvernoCases(t *testing.T) {
	runSubstCases(t, []substCase{
		{
			name: "subVars success",
			doc: `{"kind": "{{request.object.metadata.name}}", "name": "ns-owner-{{request.object.metadata.name}}",
				"data": {"rules": [{"apiGroups": ["{{request.object.metadata.name}}"], "resources": ["namespaces"],
				"verbs": ["*"], "resourceNames": ["{{request.object.metadata.name}}"]}]}}`,
			data: request(resource),
			want: `{"kind": "temp", "name": "ns-owner-temp",
				"data": {"rules": [{"apiGroups": ["temp"], "resources": ["namespaces"], "verbs": ["*"], "resourceNames": ["temp"]}]}}`,
		},
		{
			name: "subVars failed",
			doc: `{"kind": "{{request.object.metadata.name1}}", "name": "ns-owner-{{request.object.metadata.name}}",
				"data": {"rules": [{"apiGroups": ["{{request.object.metadata.name}}"], "resourceNames": ["{{request.object.metadata.name1}}"]}]}}`,
			data:    request(resource),
			wantErr: `failed to resolve request.object.metadata.name1 at path /data/rules/0/resourceNames/0: JMESPath query failed: Unknown key "name1" in path`,
		},
		{
			name: "JMESPath @ in a rule document",
			doc: `{"mutate": {"overlay": {"spec": {"kind": "{{@}}",
				"data": {"rules": [{"apiGroups": ["{{request.object.metadata.name}}"], "resourceNames": ["{{request.object.metadata.name}}"]}]}}}}}`,
			data: request(`{"metadata": {"name": "temp", "namespace": "n1"}, "spec": {"kind": "foo", "namespace": "n1", "name": "temp1"}}`),
			opts: Options{AtSkip: 2},
			want: `{"mutate": {"overlay": {"spec": {"kind": "foo", "data": {"rules": [{"apiGroups": ["temp"], "resourceNames": ["temp"]}]}}}}}`,
		},
		{
			name:      "regex_match with nested @",
			doc:       `{"mutate": {"overlay": {"spec": {"port": "{{ regex_match('(443)', '{{@}}') }}", "name": "ns-owner-{{request.object.metadata.name}}"}}}}`,
			data:      request(`{"metadata": {"name": "temp"}, "spec": {"port": "443"}}`),
			overrides: map[string]any{"regex_match('(443)', '443')": true},
			opts:      Options{AtSkip: 2},
			want:      `{"mutate": {"overlay": {"spec": {"port": true, "name": "ns-owner-temp"}}}}`,
		},
		{
			name:      "regex_replace_all_literal with nested @",
			doc:       `{"mutate": {"overlay": {"spec": {"port": "{{ regex_replace_all_literal('.*', '{{@}}', '1313') }}", "name": "ns-owner-{{request.object.metadata.name}}"}}}}`,
			data:      request(`{"metadata": {"name": "temp"}, "spec": {"port": "43123"}}`),
			overrides: map[string]any{"regex_replace_all_literal('.*', '43123', '1313')": "1313"},
			opts:      Options{AtSkip: 2},
			want:      `{"mutate": {"overlay": {"spec": {"port": "1313", "name": "ns-owner-temp"}}}}`,
		},
		{
			name: "DELETE rewrites request.object",
			doc:  `"{{request.object.metadata.annotations.target}}"`,
			data: `{"request": {"operation": "DELETE",
				"object": {"metadata": {"name": "curr", "annotations": {"target": "foo"}}},
				"oldObject": {"metadata": {"name": "old", "annotations": {"target": "bar"}}}}}`,
			opts: Options{DeleteRequest: true},
			want: `"bar"`,
		},
		{
			name: "DELETE rewrites nested variables",
			doc:  `"{{request.object.metadata.annotations.{{request.object.metadata.annotations.targetnew}}}}"`,
			data: `{"request": {"operation": "DELETE", "oldObject": {"metadata": {"name": "current",
				"annotations": {"target": "nested_target", "targetnew": "target"}}}}}`,
			opts: Options{DeleteRequest: true},
			want: `"nested_target"`,
		},
		{
			name: "variable between quotes is spliced",
			doc:  `"\"{{request.object.metadata.annotations.test}}\""`,
			data: request(resource),
			want: `"\"name\""`,
		},
		{
			name:    "recursive: inner variable missing",
			doc:     `"{{request.object.metadata.{{request.object.metadata.annotations.test2}}}}"`,
			data:    request(resource),
			wantErr: `failed to resolve request.object.metadata.annotations.test2 at path : JMESPath query failed: Unknown key "test2" in path`,
		},
		{
			name:    "recursive: outer variable missing",
			doc:     `"{{request.object.metadata2.{{request.object.metadata.annotations.test}}}}"`,
			data:    request(resource),
			wantErr: `failed to resolve request.object.metadata2.name at path : JMESPath query failed: Unknown key "metadata2" in path`,
		},
		{
			name: "recursive",
			doc:  `"\"{{request.object.metadata.{{request.object.metadata.annotations.test}}}}\""`,
			data: request(resource),
			want: `"\"temp\""`,
		},
		{
			name:    "policy context validation",
			doc:     `{"context": [{"name": "myconfigmap", "apiCall": {"urlPath": "/api/v1/namespaces/{{ request.namespace }}/configmaps/generate-pod"}}]}`,
			data:    `{"request": {"object": {}}}`,
			wantErr: `failed to resolve request.namespace at path /context/0/apiCall/urlPath: JMESPath query failed: Unknown key "namespace" in path`,
		},
		{
			name: "message with configmap data",
			doc:  `{"message": "The animal {{ request.object.metadata.labels.animal }} is not in the allowed list of animals: {{ animals.data.animals }}."}`,
			data: `{"animals": {"data": {"animals": "snake\nbear\ncat\ndog"}},
				"request": {"object": {"metadata": {"labels": {"animal": "cow"}}}}}`,
			want: `{"message": "The animal cow is not in the allowed list of animals: snake\nbear\ncat\ndog."}`,
		},
		{name: "null", doc: `{"spec": {"content": "{{ request.object.simple_object_null }}"}}`, data: request(variableObject), want: `{"spec": {"content": null}}`},
		{name: "null in string", doc: `{"spec": {"content": "content = {{ request.object.simple_object_null }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content = null"}}`},
		{name: "array", doc: `{"spec": {"content": "{{ request.object.complex_object_array }}"}}`, data: request(variableObject), want: `{"spec": {"content": ["value1", "value2", "value3"]}}`},
		{name: "array in string", doc: `{"spec": {"content": "content is {{ request.object.complex_object_array }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content is [\"value1\",\"value2\",\"value3\"]"}}`},
		{name: "map", doc: `{"spec": {"content": "{{ request.object.complex_object_map }}"}}`, data: request(variableObject), want: `{"spec": {"content": {"key1": "value1", "key2": "value2", "key3": "value3"}}}`},
		{name: "map in string", doc: `{"spec": {"content": "content is {{ request.object.complex_object_map }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content is {\"key1\":\"value1\",\"key2\":\"value2\",\"key3\":\"value3\"}"}}`},
		{name: "int", doc: `{"spec": {"content": "{{ request.object.simple_object_int }}"}}`, data: request(variableObject), want: `{"spec": {"content": 5}}`},
		{name: "int in string", doc: `{"spec": {"content": "content = {{ request.object.simple_object_int }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content = 5"}}`},
		{name: "float in string", doc: `{"spec": {"content": "content = {{ request.object.simple_object_float }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content = -5.5"}}`},
		{name: "bool", doc: `{"spec": {"content": "{{ request.object.simple_object_bool }}"}}`, data: request(variableObject), want: `{"spec": {"content": false}}`},
		{name: "bool in string", doc: `{"spec": {"content": "content = {{ request.object.simple_object_bool }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content = false"}}`},
		{name: "string", doc: `{"spec": {"content": "{{ request.object.simple_object_string }}"}}`, data: request(variableObject), want: `{"spec": {"content": "example"}}`},
		{name: "string in string", doc: `{"spec": {"content": "content = {{ request.object.simple_object_string }}"}}`, data: request(variableObject), want: `{"spec": {"content": "content = example"}}`},
		{
			name: "reference through an anchor",
			doc: `{"metadata": {"name": "temp", "namespace": "n1", "annotations": {"test": "$(../../../../spec/namespace)"}},
				"(spec)": {"namespace": "n1", "name": "temp1"}}`,
			want: `{"metadata": {"name": "temp", "namespace": "n1", "annotations": {"test": "n1"}},
				"(spec)": {"namespace": "n1", "name": "temp1"}}`,
		},
		{
			name: "escaped references",
			doc: `{"metadata": {"annotations": {"test1": "$(../../../../spec/namespace)", "test2": "\\$(ENV_VAR)",
				"test3": "\\${ENV_VAR}", "test4": "\\\\\\${ENV_VAR}"}}, "(spec)": {"namespace": "n1"}}`,
			want: `{"metadata": {"annotations": {"test1": "n1", "test2": "$(ENV_VAR)",
				"test3": "\\${ENV_VAR}", "test4": "\\\\\\${ENV_VAR}"}}, "(spec)": {"namespace": "n1"}}`,
		},
		{
			name: "escaped variable around a nested one, DELETE",
			doc:  `"\\{{request.object.metadata.annotations.{{request.object.metadata.annotations.targetnew}}}}"`,
			data: `{"request": {"operation": "DELETE", "oldObject": {"metadata": {"annotations": {"target": "nested_target", "targetnew": "target"}}}}}`,
			opts: Options{DeleteRequest: true},
			want: `"{{request.object.metadata.annotations.target}}"`,
		},
	})
}

func TestSubstituteSemantics(t *testing.T) {
	obj := request(`{"metadata": {"name": "temp", "labels": {"team": "a"}, "annotations": {"test": "name"}},
		"spec": {"replicas": 3, "containers": [{"name": "c0", "image": "nginx"}]}, "nullval": null}`)
	runSubstCases(t, []substCase{
		{name: "spaces are trimmed", doc: `["{{request.object.metadata.name}}", "{{   request.object.metadata.name\t}}", "a{{ request.object.metadata.name }}b"]`, data: obj, want: `["temp", "temp", "atempb"]`},
		{name: "several variables", doc: `"{{ request.object.metadata.name }}/{{ request.object.metadata.labels.team }}/{{ request.object.spec.replicas }}"`, data: obj, want: `"temp/a/3"`},
		{name: "adjacent variables", doc: `"{{request.object.metadata.name}}{{request.object.metadata.labels.team}}{{request.object.metadata.name}}"`, data: obj, want: `"tempatemp"`},
		{name: "number keeps its type", doc: `{"r": "{{ request.object.spec.replicas }}"}`, data: obj, want: `{"r": 3}`},
		{name: "typed map is substituted inside", doc: `"{{ obj }}"`, data: `{"obj": {"a": "{{ request.object.metadata.name }}", "b": "\\{{x}}", "c": [1, "{{request.object.spec.replicas}}"]}, "request": {"object": {"metadata": {"name": "temp"}, "spec": {"replicas": 3}}}}`, want: `{"a": "temp", "b": "{{x}}", "c": [1, 3]}`},
		{name: "substituted text is substituted again", doc: `"x {{ tmpl }}"`, data: `{"tmpl": "{{ request.object.metadata.name }}!", "request": {"object": {"metadata": {"name": "temp"}}}}`, want: `"x temp!"`},
		{name: "whole-string result is not re-scanned", doc: `"{{ tmpl }}"`, data: `{"tmpl": "{{ missing }}"}`, want: `"{{ missing }}"`},
		{name: "embedded map text is substituted again", doc: `"m={{ obj }}"`, data: `{"obj": {"a": "{{ name }}"}, "name": "n"}`, want: `"m={\"a\":\"n\"}"`},
		{name: "string that becomes one variable is typed", doc: `"{{ empty }}{{ num }}"`, data: `{"empty": "", "num": 5}`, want: `5`},
		{name: "non-ASCII character before a variable", doc: `"é{{request.object.metadata.name}}ü{{request.object.metadata.name}}"`, data: obj, want: `"étempütemp"`},
		{name: "JSON of embedded values escapes HTML like encoding/json", doc: `"v={{ o }}"`, data: `{"o": {"a": "<b>&"}}`, want: `"v={\"a\":\"\\u003cb\\u003e\\u0026\"}"`},

		// || defaults come from the evaluator.
		{name: "default whole", doc: `"{{ request.object.metadata.labels.app || 'none' }}"`, data: obj, want: `"none"`},
		{name: "default embedded", doc: `"app={{ request.object.metadata.labels.app || 'none' }}"`, data: obj, want: `"app=none"`},
		{name: "default typed", doc: `"{{ request.object.spec.x || ` + "`[]`" + ` }}"`, data: obj, want: `[]`},
		{name: "default not used", doc: `"{{ request.object.metadata.labels.team || 'none' }}"`, data: obj, want: `"a"`},
		{name: "null value is not missing", doc: `["{{ request.object.nullval }}", "x{{ request.object.nullval }}"]`, data: obj, want: `[null, "xnull"]`},

		// Escaping.
		{name: "escaped variable", doc: `"\\{{ request.object.metadata.name }}"`, data: obj, want: `"{{ request.object.metadata.name }}"`},
		{name: "escaped and plain", doc: `"a \\{{x}} b {{request.object.metadata.name}}"`, data: obj, want: `"a {{x}} b temp"`},
		{name: "unterminated braces are text", doc: `["{{ a", "a }}", "{ {a} }", "{{}"]`, data: obj, want: `["{{ a", "a }}", "{ {a} }", "{{}"]`},
		{name: "double backslash still escapes", doc: `"\\\\{{x}}"`, data: obj, want: `"\\{{x}}"`},

		// Single-brace JMESPath inside a variable.
		{name: "object literal in expression", doc: `"{{ request.object.metadata | {n: name} }}"`, data: obj, overrides: map[string]any{"request.object.metadata | {n: name}": map[string]any{"n": "temp"}}, want: `{"n": "temp"}`},

		// Shallow substitution.
		{name: "shallow whole", doc: `{"config": "{{- hcl }}"}`, data: `{"hcl": "from\n{{ some hcl template }}"}`, want: `{"config": "from\n{{ some hcl template }}"}`},
		{name: "shallow embedded", doc: `{"config": "x: {{- hcl }}"}`, data: `{"hcl": "from\n{{ some hcl template }}"}`, want: `{"config": "x: from\n{{ some hcl template }}"}`},
		{name: "shallow embedded map", doc: `"m={{- obj }}"`, data: `{"obj": {"a": "{{ x }}"}}`, want: `"m={\"a\":\"{{ x }}\"}"`},
		{name: "shallow embedded number", doc: `"n={{- request.object.spec.replicas }}"`, data: obj, want: `"n=3"`},
		{name: "shallow spacing", doc: `["{{-request.object.metadata.name}}", "{{ - request.object.metadata.name }}"]`, data: obj, want: `["temp", "temp"]`},
		{
			name:    "deep substitution of the same text fails",
			doc:     `{"config": "x: {{ hcl }}"}`,
			data:    `{"hcl": "from\n{{ some hcl template }}"}`,
			wantErr: `failed to resolve some hcl template at path /config: incorrect query some hcl template: SyntaxError: unexpected ' ' in "some hcl template"`,
		},

		// Map keys.
		{name: "variable in key", doc: `{"metadata": {"annotations": {"fluentbit.io/exclude-{{request.object.spec.containers[0].name}}": "true"}}}`, data: obj, want: `{"metadata": {"annotations": {"fluentbit.io/exclude-c0": "true"}}}`},
		{name: "whole-key variable", doc: `{"{{request.object.metadata.name}}": "{{request.object.metadata.labels.team}}"}`, data: obj, want: `{"temp": "a"}`},
		{name: "key resolving to null is kept", doc: `{"{{ request.object.nullval }}": 1}`, data: obj, want: `{"{{ request.object.nullval }}": 1}`},
		{name: "key resolving to a non-string", doc: `{"{{ request.object.spec.replicas }}": 1}`, data: obj, wantErr: `expected string after substituting variables in key "{{ request.object.spec.replicas }}"`},
		{name: "key error path is the map's path", doc: `{"a": {"{{ nope }}": 1}}`, data: obj, wantErr: `failed to resolve nope at path /a: JMESPath query failed: Unknown key "nope" in path`},

		// {{@}}.
		{name: "@ in an overlay document", doc: `{"spec": {"containers": [{"image": "{{@}}", "(name)": "{{@}}"}]}}`, data: obj, want: `{"spec": {"containers": [{"image": "nginx", "(name)": "c0"}]}}`, overrides: map[string]any{`request.object.spec.containers[0]."(name)"`: "c0"}},
		{name: "@ under foreach", doc: `{"mutate": {"foreach": [{"patchStrategicMerge": {"spec": {"replicas": "{{@}}"}}}]}}`, data: obj, opts: Options{AtSkip: 2}, want: `{"mutate": {"foreach": [{"patchStrategicMerge": {"spec": {"replicas": 3}}}]}}`},
		{name: "@ in a key uses the map path", doc: `{"metadata": {"labels": {"x-{{@}}": 1}}}`, data: obj, want: `{"metadata": {"labels": {"x-{\"team\":\"a\"}": 1}}}`},
		{name: "@ prefix target when present", doc: `{"spec": {"replicas": "{{@}}"}}`, data: `{"target": {"spec": {"replicas": 7}}, "request": {"object": {"spec": {"replicas": 3}}}}`, want: `{"spec": {"replicas": 7}}`},
		{name: "@ explicit prefix", doc: `{"spec": {"replicas": "{{@}}"}}`, data: `{"target": {"spec": {"replicas": 7}}, "request": {"object": {"spec": {"replicas": 3}}}}`, opts: Options{AtPrefix: "request.object"}, want: `{"spec": {"replicas": 3}}`},
		{name: "@ and DELETE", doc: `{"spec": {"replicas": "{{@}}"}}`, data: `{"request": {"object": null, "oldObject": {"spec": {"replicas": 2}}}}`, opts: Options{DeleteRequest: true, AtPrefix: "request.object"}, want: `{"spec": {"replicas": 2}}`},
		{name: "@ quoted identifiers", doc: `{"metadata": {"labels": {"app.kubernetes.io/name": "{{@}}"}}}`, data: request(`{"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}`), want: `{"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}`},

		// DELETE rewriting only when asked.
		{name: "no DELETE rewriting by default", doc: `"{{ request.object.metadata.name }}"`, data: `{"request": {"operation": "DELETE", "object": {"metadata": {"name": "new"}}, "oldObject": {"metadata": {"name": "old"}}}}`, want: `"new"`},

		// References.
		{name: "reference with operator and number", doc: `{"a": {"x": 3000, "y": "$(<./../x)"}}`, want: `{"a": {"x": 3000, "y": "<3000.000000"}}`},
		{name: "reference to a string with operator", doc: `{"r": {"requests": {"memory": "$(<=./../../limits/memory)"}, "limits": {"memory": "2048Mi"}}}`, want: `{"r": {"requests": {"memory": "<=2048Mi"}, "limits": {"memory": "2048Mi"}}}`},
		{name: "reference absolute", doc: `{"a": "x-$(/b)", "b": "B"}`, want: `{"a": "x-B", "b": "B"}`},
		{name: "references separated by spaces", doc: `{"a": "$(./../b) and $(./../c)", "b": "B", "c": "C"}`, want: `{"a": "B and C", "b": "B", "c": "C"}`},
		{name: "reference in a key is relative to the map", doc: `{"m": {"k-$(./v)": 1, "v": "V"}}`, want: `{"m": {"k-V": 1, "v": "V"}}`},
		{name: "reference in a root key", doc: `{"k-$(./v)": 1, "v": "V"}`, wantErr: `got nil resolved variable $(./v) at path : <nil>`},
		{name: "reference sees unsubstituted document", doc: `{"a": "{{request.object.metadata.name}}", "b": "$(./../a)"}`, data: obj, want: `{"a": "temp", "b": "temp"}`},
		{
			name: "reference across an existence anchor (Kyverno docs example)",
			doc: `{"spec": {"^(containers)": [{"livenessProbe": {"tcpSocket": {"port": "$(./../../../readinessProbe/tcpSocket/port)"}},
				"readinessProbe": {"tcpSocket": {"port": "3000"}}}]}}`,
			want: `{"spec": {"^(containers)": [{"livenessProbe": {"tcpSocket": {"port": "3000"}},
				"readinessProbe": {"tcpSocket": {"port": "3000"}}}]}}`,
		},
		{name: "reference to a number", doc: `{"a": {"x": 3000, "y": "$(./../x)"}}`, wantErr: `NotResolvedReferenceErr,reference $(./../x) not resolved at path /a/y`},
		{name: "reference to nothing", doc: `{"a": {"y": "$(./../nope)"}}`, wantErr: `got nil resolved variable $(./../nope) at path /a/y: <nil>`},
		{name: "reference to null", doc: `{"a": {"x": null, "y": "v=$(./../x)"}}`, wantErr: `got nil resolved variable $(./../x) at path /a/y: <nil>`},
		{name: "reference without a path", doc: `{"a": "$(>=)"}`, wantErr: `failed to resolve $(>=) at path /a: expected path, found empty reference`},
		{name: "operator on a non-scalar", doc: `{"a": {"y": "$(>./../x)", "x": true}}`, wantErr: `failed to resolve $(>./../x) at path /a/y: incorrect expression: operator > does not match with value true`},
		{name: "escaped references are unescaped", doc: `{"a": "\\$(POD_NAMESPACE)/\\$(APP_NAME)/\\$(POD_NAME)"}`, want: `{"a": "$(POD_NAMESPACE)/$(APP_NAME)/$(POD_NAME)"}`},
		{name: "reference to a map yields a key", doc: `{"a": {"m": {"only": 1}, "y": "$(./../m)"}}`, want: `{"a": {"m": {"only": 1}, "y": "only"}}`},
	})
}

func TestSubstituteString(t *testing.T) {
	e := newFake(`{"request": {"operation": "DELETE", "object": null, "oldObject": {"metadata": {"name": "old"}}}}`)
	got, err := SubstituteString("deleting {{ request.object.metadata.name }}", e)
	if err != nil || got != "deleting old" {
		t.Fatalf("got %v, %v", got, err)
	}
	e.queries = nil
	if got, err := SubstituteString("no variables here", e); err != nil || got != "no variables here" || len(e.queries) != 0 {
		t.Fatalf("got %v, %v, queries %q", got, err, e.queries)
	}
	if got, err := SubstituteString("{{ request.oldObject.metadata }}", e); err != nil || !reflect.DeepEqual(got, map[string]any{"name": "old"}) {
		t.Fatalf("typed: got %v, %v", got, err)
	}
	// A reference in a lone string has nothing to resolve against.
	if _, err := SubstituteString("port $(./x)", e); err == nil || err.Error() != "got nil resolved variable $(./x) at path : <nil>" {
		t.Fatalf("reference: %v", err)
	}
	if got, err := SubstituteString(`run \$(CMD)`, e); err != nil || got != "run $(CMD)" {
		t.Fatalf("escaped reference: %v, %v", got, err)
	}
	// No evaluator: variables fail, plain text does not.
	if _, err := SubstituteString("{{ a }}", nil); err == nil || err.Error() != "failed to resolve a at path : no evaluator" {
		t.Fatalf("nil evaluator: %v", err)
	}
}

func TestResolveErrorUnwraps(t *testing.T) {
	_, err := SubstituteAll(map[string]any{"a": []any{"{{ request.object.x }}"}}, newFake(request(`{}`)), Options{})
	var re *ResolveError
	if !errors.As(err, &re) || re.Variable != "request.object.x" || re.Path != "/a/0" {
		t.Fatalf("got %#v", err)
	}
	var nf notFoundError
	if !errors.As(err, &nf) || nf.key != "x" {
		t.Fatalf("cause not reachable: %v", err)
	}
	_, err = SubstituteAll("$(./x)", nil, Options{})
	var ref *ReferenceError
	if !errors.As(err, &ref) || ref.Kind != ReferenceNotFound || ref.Reference != "$(./x)" {
		t.Fatalf("got %#v", err)
	}
}

func TestEvaluationIsLazyAndOrdered(t *testing.T) {
	e := newFake(request(resource))
	_, err := SubstituteAll(map[string]any{
		"b": "{{ request.object.metadata.name }} {{ request.object.spec.name }}",
		"a": []any{"x", "{{ request.object.metadata.namespace }}"},
		"c": 1,
	}, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"request.object.metadata.namespace", "request.object.metadata.name", "request.object.spec.name"}
	if !reflect.DeepEqual(e.queries, want) {
		t.Fatalf("queries %q, want %q", e.queries, want)
	}
	// "target" is only probed for {{@}} without an explicit prefix.
	e.queries = nil
	if _, err := SubstituteAll(map[string]any{"a": "{{@}}", "b": "{{@}}"}, e, Options{}); err == nil {
		t.Fatal("want error for missing request.object.a")
	}
	if want := []string{"target", "request.object.a"}; !reflect.DeepEqual(e.queries, want) {
		t.Fatalf("queries %q, want %q", e.queries, want)
	}
}

func TestResultIsACopy(t *testing.T) {
	shared := map[string]any{"labels": map[string]any{"a": "b"}}
	e := EvaluatorFunc(func(string) (any, error) { return shared, nil })
	got, err := SubstituteAll(map[string]any{"m": "{{ x }}", "l": []any{"{{ x }}"}}, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got.(map[string]any)["m"].(map[string]any)["labels"].(map[string]any)["a"] = "changed"
	if shared["labels"].(map[string]any)["a"] != "b" {
		t.Fatal("substituted map aliases the evaluator's value")
	}
	doc := map[string]any{"a": []any{map[string]any{"b": "c"}}}
	out, _ := SubstituteAll(doc, nil, Options{})
	out.(map[string]any)["a"].([]any)[0].(map[string]any)["b"] = "changed"
	if doc["a"].([]any)[0].(map[string]any)["b"] != "c" {
		t.Fatal("result aliases the input")
	}
}

func TestLimits(t *testing.T) {
	cases := []struct {
		name, doc, data string
	}{
		{"self reference", `"x{{ loop }}"`, `{"loop": "{{ loop }}"}`},
		{"doubling", `"x{{ d }}"`, `{"d": "{{ d }} {{ d }}"}`},
		{"self-referencing map", `"{{ m }}"`, `{"m": {"a": "{{ m }}"}}`},
		{"doubling map", `"{{ m }}"`, `{"m": {"a": "{{ m }}", "b": "{{ m }}"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SubstituteAll(mustJSON(tc.doc), newFake(tc.data), Options{})
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("want ErrLimit, got %v", err)
			}
		})
	}
}

func TestHasVariables(t *testing.T) {
	cases := []struct {
		doc  string
		want bool
	}{
		{`"plain"`, false},
		{`{"a": ["x", 1, null, {"b": "c"}]}`, false},
		{`{"a": "{ {x} }"}`, false},
		{`{"a": "{{x}}"}`, true},
		{`{"a": [{"b": "x{{ y }}"}]}`, true},
		{`{"{{k}}": 1}`, true},
		{`{"a": "$(./b)"}`, true},
		{`{"$(./b)": 1}`, true},
		{`{"a": "\\{{x}}"}`, true},         // the backslash is removed
		{`{"a": "\\$(X)"}`, true},          // idem
		{`{"a": "{{ unterminated"}`, true}, // conservative
	}
	for _, tc := range cases {
		if got := HasVariables(mustJSON(tc.doc)); got != tc.want {
			t.Errorf("HasVariables(%s) = %v, want %v", tc.doc, got, tc.want)
		}
		if !tc.want {
			// SubstituteAll must then be the identity, without queries.
			e := newFake("")
			got, err := SubstituteAll(mustJSON(tc.doc), e, Options{})
			if err != nil || !reflect.DeepEqual(got, mustJSON(tc.doc)) || len(e.queries) > 0 {
				t.Errorf("SubstituteAll(%s) = %v, %v, queries %q", tc.doc, show(got), err, e.queries)
			}
		}
	}
}

func TestVariablesAndPredicates(t *testing.T) {
	cases := []struct {
		s     string
		vars  []string
		isVar bool
		isRef bool
	}{
		{"tag: {{ value }}", []string{"value"}, true, false},
		{"{{ foo {{foo2}} }}", []string{"foo2"}, true, false},
		{`\{{ foo }}`, nil, false, false},
		{"{{- hcl }} and {{a}}", []string{"hcl", "a"}, true, false},
		{"{{ x | {a: b} }}", []string{"x | {a: b}"}, true, false},
		{"$(./a)", nil, false, true},
		{"x$(./a)", nil, false, true},
		{`\$(./a)`, nil, false, false},
		{"$()", nil, false, false},
	}
	for _, tc := range cases {
		if got := Variables(tc.s); !reflect.DeepEqual(got, tc.vars) {
			t.Errorf("Variables(%q) = %q, want %q", tc.s, got, tc.vars)
		}
		if got := IsVariable(tc.s); got != tc.isVar {
			t.Errorf("IsVariable(%q) = %v", tc.s, got)
		}
		if got := IsReference(tc.s); got != tc.isRef {
			t.Errorf("IsReference(%q) = %v", tc.s, got)
		}
	}
}

// From Kyverno's jsonpointer tests (Pointer.JMESPath).
func TestJMESPathOf(t *testing.T) {
	cases := []struct {
		segs []string
		want string
	}{
		{[]string{"a", "b", "c", "3", "e/e", "f"}, `a.b.c[3]."e/e".f`},
		{[]string{"a", "바나나", "c", "3", "e/e", "f"}, `a."바나나".c[3]."e/e".f`},
		{[]string{"a", "a\tb", "c"}, `a."a\tb".c`},
		{[]string{"a", "a\aa", "c", "3", "e/e", "f"}, `a."a\u0007a".c[3]."e/e".f`},
		{[]string{"request", "object", "(name)", "a)", "_x", "", `q"\`}, `request.object."(name)".a)._x."".` + `"q\"\\"`},
		{[]string{"request", "object", "007", "-1"}, `request.object[007]."-1"`},
	}
	for _, tc := range cases {
		if got := jmesPathOf(tc.segs); got != tc.want {
			t.Errorf("jmesPathOf(%q) = %s, want %s", tc.segs, got, tc.want)
		}
	}
}

// From Kyverno's vars_test.go (formAbsolutePath, resolveReference).
func TestReferencePaths(t *testing.T) {
	abs := "/spec/containers/0/resources/requests/memory"
	for _, tc := range []struct{ ref, want string }{
		{"./../../limits/memory", "/spec/containers/0/resources/limits/memory"},
		{"../../limits/memory", "/spec/containers/0/resources/limits/memory"},
		{"/spec/containers/0/resources/limits/memory", "/spec/containers/0/resources/limits/memory"},
		{"", abs},
	} {
		if got := formAbsolutePath(tc.ref, abs); got != tc.want {
			t.Errorf("formAbsolutePath(%q) = %q, want %q", tc.ref, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"/(spec)/^(containers)/0/=(name)", "/spec/containers/0/name"},
		{"/a/<(b)/X(c)/+(d)/e", "/a/b/c/d/e"},
		{"", ""},
		{"/", "/"},
		{"a/./b", "a/b"},
	} {
		if got := removeAnchorsFromPath(tc.in); got != tc.want {
			t.Errorf("removeAnchorsFromPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ p, want string }{
		{">=1", ">="}, {"<=1", "<="}, {">1", ">"}, {"<1", "<"}, {"!1", "!"}, {"1-5", "-"}, {"1!-5", "!-"}, {"./x", ""}, {">", ""},
	} {
		if got := referenceOperator(tc.p); got != tc.want {
			t.Errorf("referenceOperator(%q) = %q, want %q", tc.p, got, tc.want)
		}
	}

	s := newSubstituter(nil, Options{})
	s.refDoc = mustJSON(`{"spec": {"containers": [{"name": "*", "resources": {
		"requests": {"memory": "$(<=./../../limits/memory)"}, "limits": {"memory": "2048Mi"}}}]}}`)
	s.path = strings.Split(abs[1:], "/")
	if got, err := s.resolveReference("$(<=./../../limits/memory)"); err != nil || got != "<=2048Mi" {
		t.Fatalf("resolveReference = %q, %v", got, err)
	}
}

package autogen

import (
	"encoding/json"
	"reflect"
	"testing"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"sigs.k8s.io/yaml"
)

// policy decodes a ClusterPolicy written in YAML.
func policy(t *testing.T, doc string) *kyvernov1.ClusterPolicy {
	t.Helper()
	var p kyvernov1.ClusterPolicy
	if err := yaml.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("decoding policy: %v", err)
	}
	return &p
}

// generic converts any value to its generic JSON form.
func generic(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return out
}

// fromYAML converts a YAML document to its generic JSON form.
func fromYAML(t *testing.T, doc string) any {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return out
}

// assertRulesYAML compares rules with the YAML list want, semantically.
func assertRulesYAML(t *testing.T, got []kyvernov1.Rule, want string) {
	t.Helper()
	g, w := prune(generic(t, got)), prune(fromYAML(t, want))
	if got == nil {
		g = []any{}
	}
	if !reflect.DeepEqual(g, w) {
		gy, _ := yaml.Marshal(g)
		wy, _ := yaml.Marshal(w)
		t.Errorf("generated rules differ\n--- got:\n%s\n--- want:\n%s", gy, wy)
	}
}

func ruleNames(rules []kyvernov1.Rule) []string {
	names := []string{}
	for _, r := range rules {
		names = append(names, r.Name)
	}
	return names
}

// at walks a generic JSON value along keys (strings) and indexes (ints).
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// prune drops the empty objects the API types always encode (such as
// "resources: {}"), so that expectations can be written without them.
func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = prune(e)
			if m, ok := e.(map[string]any); ok && len(m) == 0 {
				delete(x, k)
				continue
			}
			x[k] = e
		}
		return x
	case []any:
		for i := range x {
			x[i] = prune(x[i])
		}
		return x
	}
	return v
}

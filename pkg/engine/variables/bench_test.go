package variables

import (
	"strings"
	"testing"
)

// mapEvaluator resolves dotted paths over a map without logging, to measure
// the substitution itself.
type mapEvaluator struct{ data map[string]any }

func (m mapEvaluator) Query(expr string) (any, error) {
	expr, def, hasDefault := strings.Cut(expr, "||")
	var cur any = m.data
	for _, k := range strings.Split(strings.TrimSpace(expr), ".") {
		mm, _ := cur.(map[string]any)
		v, ok := mm[k]
		if !ok {
			if hasDefault {
				return strings.Trim(strings.TrimSpace(def), "'"), nil
			}
			return nil, notFoundError{k}
		}
		cur = v
	}
	return cur, nil
}

func benchEvaluator() Evaluator {
	return mapEvaluator{data: mustJSON(`{"request": {"operation": "CREATE", "object": {
		"metadata": {"name": "web-7d4b9c", "namespace": "prod", "labels": {"team": "payments"}},
		"spec": {"replicas": 3}}}}`).(map[string]any)}
}

const benchMessage = "Pod {{ request.object.metadata.name }} in namespace {{ request.object.metadata.namespace }} " +
	"must set label 'app' (team {{ request.object.metadata.labels.team }}, app {{ request.object.metadata.labels.app || 'none' }})."

func BenchmarkSubstituteMessage(b *testing.B) {
	e := benchEvaluator()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SubstituteString(benchMessage, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubstitutePattern(b *testing.B) {
	e := benchEvaluator()
	pat := mustJSON(`{"metadata": {"labels": {"team": "{{ request.object.metadata.labels.team }}", "=(env)": "prod-*"}},
		"spec": {"replicas": "<={{ request.object.spec.replicas }}", "containers": [{"image": "!*:latest", "name": "?*"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SubstituteAll(pat, e, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubstituteStringNoVariables(b *testing.B) {
	e := benchEvaluator()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SubstituteString("Pods must set resource limits.", e); err != nil {
			b.Fatal(err)
		}
	}
}

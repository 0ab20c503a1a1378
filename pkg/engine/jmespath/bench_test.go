package jmespath

import (
	"encoding/json"
	"testing"
)

const benchAdmission = `{
  "request": {
    "uid": "3d4fc6c1-7906-47d9-b7da-fc2b22353643",
    "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "operation": "CREATE",
    "namespace": "foo",
    "userInfo": {"username": "thomas", "groups": ["system:authenticated"]},
    "object": {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {"name": "mypod", "namespace": "foo", "labels": {"app": "web", "tier": "frontend"}},
      "spec": {
        "initContainers": [{"name": "init", "image": "busybox:1.36"}],
        "containers": [
          {"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
           "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}},
          {"name": "sidecar", "image": "ghcr.io/org/proxy:2.1",
           "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}
        ],
        "volumes": [{"name": "data", "emptyDir": {}}]
      }
    }
  }
}`

func benchDoc(b *testing.B) any {
	var doc any
	if err := json.Unmarshal([]byte(benchAdmission), &doc); err != nil {
		b.Fatal(err)
	}
	return doc
}

// BenchmarkSearch evaluates a typical compiled query.
func BenchmarkSearch(b *testing.B) {
	doc := benchDoc(b)
	q, err := Parse("request.object.spec.containers[].image")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Search(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchCached goes through the package-level Search and its cache.
func BenchmarkSearchCached(b *testing.B) {
	doc := benchDoc(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Search("request.object.spec.containers[].image", doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchFunction exercises a custom function.
func BenchmarkSearchFunction(b *testing.B) {
	doc := benchDoc(b)
	q, err := Parse("sum(request.object.spec.containers[].resources.requests.memory)")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Search(doc); err != nil {
			b.Fatal(err)
		}
	}
}

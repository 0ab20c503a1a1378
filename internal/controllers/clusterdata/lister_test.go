package clusterdata

import (
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

var (
	secretsGVR    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	namespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

type fakeMapper struct{}

func (fakeMapper) ResourceFor(apiVersion, kind string) (schema.GroupVersionResource, bool, bool) {
	if apiVersion != "" && apiVersion != "v1" {
		return schema.GroupVersionResource{}, false, false
	}
	switch kind {
	case "Secret":
		return secretsGVR, true, true
	case "Namespace":
		return namespacesGVR, false, true
	}
	return schema.GroupVersionResource{}, false, false
}

func obj(apiVersion, kind, namespace, name string, l map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	u.SetNamespace(namespace)
	u.SetName(name)
	u.SetLabels(l)
	return u
}

func names(objs []map[string]any) string {
	var out []string
	for _, o := range objs {
		u := unstructured.Unstructured{Object: o}
		out = append(out, strings.TrimPrefix(u.GetNamespace()+"/"+u.GetName(), "/"))
	}
	return strings.Join(out, ",")
}

func TestLister(t *testing.T) {
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		secretsGVR: "SecretList", namespacesGVR: "NamespaceList",
	},
		obj("v1", "Secret", "b", "regcred", map[string]string{"team": "x"}),
		obj("v1", "Secret", "a", "regcred", map[string]string{"team": "y"}),
		obj("v1", "Secret", "a", "token", nil),
		obj("v1", "Namespace", "", "a", nil),
		obj("v1", "Namespace", "", "b", nil),
	)
	sel := func(s string) labels.Selector {
		out, err := labels.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name  string
		max   int
		q     engine.ResourceQuery
		want  string
		error string
	}{
		{name: "one object by name", q: engine.ResourceQuery{APIVersion: "v1", Kind: "Secret", Namespace: "a", Name: "regcred"}, want: "a/regcred"},
		{name: "a missing object is an empty answer", q: engine.ResourceQuery{Kind: "Secret", Namespace: "a", Name: "missing"}},
		{name: "every namespace, sorted", q: engine.ResourceQuery{Kind: "Secret", Name: "regcred"}, want: "a/regcred,b/regcred"},
		{name: "wildcard names", q: engine.ResourceQuery{Kind: "Secret", Namespace: "a", Name: "t*"}, want: "a/token"},
		{name: "label selector", q: engine.ResourceQuery{Kind: "Secret", Selector: sel("team=x")}, want: "b/regcred"},
		{name: "cluster-scoped", q: engine.ResourceQuery{Kind: "Namespace"}, want: "a,b"},
		{name: "cluster-scoped by name", q: engine.ResourceQuery{Kind: "Namespace", Name: "b"}, want: "b"},
		{name: "unknown kind", q: engine.ResourceQuery{APIVersion: "example.com/v1", Kind: "Widget"}, error: "does not serve kind example.com/v1/Widget"},
		{name: "too many objects", max: 1, q: engine.ResourceQuery{Kind: "Secret"}, error: "more than 1 objects match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLister(ListerOptions{Client: client, Mapper: fakeMapper{}, MaxObjects: tc.max})
			got, err := l.List(tc.q)
			if tc.error != "" {
				if err == nil || !strings.Contains(err.Error(), tc.error) {
					t.Fatalf("error %v, want %q", err, tc.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if names(got) != tc.want {
				t.Errorf("got %q, want %q", names(got), tc.want)
			}
		})
	}
}

package webhookconfig

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestResourceFor(t *testing.T) {
	disco := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{}}
	disco.Resources = []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "configmaps", Kind: "ConfigMap", Namespaced: true},
			{Name: "namespaces", Kind: "Namespace"},
			{Name: "events", Kind: "Event", Namespaced: true},
			{Name: "pods/status", Kind: "Pod", Namespaced: true},
		}},
		{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{{Name: "events", Kind: "Event", Namespaced: true}}},
		{GroupVersion: "autoscaling/v2", APIResources: []metav1.APIResource{{Name: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true}}},
		{GroupVersion: "autoscaling/v1", APIResources: []metav1.APIResource{{Name: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true}}},
	}
	r := NewResources(disco)
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, apiVersion, kind string
		want                   schema.GroupVersionResource
		namespaced, ok         bool
	}{
		{"core namespaced", "v1", "ConfigMap", schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, true, true},
		{"cluster-scoped", "", "Namespace", schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, false, true},
		{"no apiVersion prefers the core group", "", "Event", schema.GroupVersionResource{Version: "v1", Resource: "events"}, true, true},
		{"group named", "events.k8s.io/v1", "Event", schema.GroupVersionResource{Group: "events.k8s.io", Version: "v1", Resource: "events"}, true, true},
		{"non-preferred version", "autoscaling/v1", "HorizontalPodAutoscaler", schema.GroupVersionResource{Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"}, true, true},
		{"subresources are not kinds", "v1", "Pod", schema.GroupVersionResource{}, false, false},
		{"unknown version", "autoscaling/v9", "HorizontalPodAutoscaler", schema.GroupVersionResource{}, false, false},
		{"unknown kind", "", "Widget", schema.GroupVersionResource{}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gvr, namespaced, ok := r.ResourceFor(tc.apiVersion, tc.kind)
			if ok != tc.ok || (ok && (gvr != tc.want || namespaced != tc.namespaced)) {
				t.Errorf("ResourceFor(%q, %q) = %v, %v, %v; want %v, %v, %v", tc.apiVersion, tc.kind, gvr, namespaced, ok, tc.want, tc.namespaced, tc.ok)
			}
		})
	}
}

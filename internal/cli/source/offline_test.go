package source

import (
	"testing"

	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/manifest"
	"k8s.io/apimachinery/pkg/labels"
)

func TestResourceListers(t *testing.T) {
	docs, err := manifest.Decode("objects.yaml", []byte(`apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop, labels: {tier: data}}
---
apiVersion: v1
kind: Secret
metadata: {name: db}
---
apiVersion: v1
kind: Secret
metadata: {name: web-token, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
`))
	if err != nil {
		t.Fatal(err)
	}
	objects := Objects(Resources(docs))
	sources := &Offline{Sources: objects[:1], Resources: objects[1:]}
	tests := []struct {
		name   string
		lister engine.ResourceLister
		q      engine.ResourceQuery
		want   []string // namespace/name/kind
	}{
		{"kind in every namespace", objects, engine.ResourceQuery{Kind: "Secret", Name: "db"}, []string{"shop/db/Secret", "default/db/Secret"}},
		{"apiVersion narrows", objects, engine.ResourceQuery{APIVersion: "apps/v1", Kind: "Deployment"}, []string{"shop/db/Deployment"}},
		{"wrong apiVersion finds nothing", objects, engine.ResourceQuery{APIVersion: "v2", Kind: "Secret"}, nil},
		{"namespace and wildcard name", objects, engine.ResourceQuery{Kind: "Secret", Namespace: "shop", Name: "*-token"}, []string{"shop/web-token/Secret"}},
		{"objects without namespace are in default", objects, engine.ResourceQuery{Kind: "Secret", Namespace: "default"}, []string{"default/db/Secret"}},
		{"label selector", objects, engine.ResourceQuery{Kind: "Secret", Selector: labels.SelectorFromSet(labels.Set{"tier": "data"})}, []string{"shop/db/Secret"}},
		{"offline: clone sources before resources", sources, engine.ResourceQuery{Kind: "Secret", Name: "db"}, []string{"shop/db/Secret", "default/db/Secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.lister.List(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range got {
				meta := o["metadata"].(map[string]any)
				ns, _ := meta["namespace"].(string)
				keys = append(keys, ns+"/"+meta["name"].(string)+"/"+o["kind"].(string))
			}
			if len(keys) != len(tt.want) {
				t.Fatalf("got %v, want %v", keys, tt.want)
			}
			for i := range keys {
				if keys[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", keys, tt.want)
				}
			}
		})
	}
}

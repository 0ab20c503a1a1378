package webhookconfig

import (
	"slices"
	"testing"

	"github.com/kanon-policy/kanon/internal/config"
)

// TestBuildMutateExisting: the triggers of mutate-existing rules reach the
// validating webhook, which hands them to the background controller after
// admission; plain mutate rules stay on the mutating webhook only.
func TestBuildMutateExisting(t *testing.T) {
	c := New(Options{Resources: fakeResources(t), Namespace: "kanon", Endpoint: Endpoint{ServiceNamespace: "kanon", ServiceName: "kanon-svc"},
		Config: func() *config.Config { return config.Default() }})
	validating, mutating := c.Build(snapshot(t, `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: existing, generation: 1, uid: e}
spec:
  rules:
  - name: stamp
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    mutate:
      targets: [{apiVersion: v1, kind: Namespace}]
      patchStrategicMerge: {metadata: {labels: {stamped: "yes"}}}
  - name: plain
    match: {any: [{resources: {kinds: [Namespace]}}]}
    mutate: {patchStrategicMerge: {metadata: {labels: {+(a): b}}}}
`), []byte("CA"))
	if len(validating.Webhooks) != 1 || !slices.Equal(resources(validating.Webhooks[0].Rules), []string{"v1:configmaps"}) {
		t.Errorf("validating webhooks %+v", validating.Webhooks)
	}
	if len(mutating.Webhooks) != 1 || !slices.Equal(resources(mutating.Webhooks[0].Rules), []string{"v1:configmaps", "v1:namespaces"}) {
		t.Errorf("mutating webhooks %+v", mutating.Webhooks)
	}
}

package webhook

import (
	"net/http"
	"sync"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

const generateCopy = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: copy, generation: 1, uid: u4}
spec:
  rules:
  - name: copy
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: "{{request.object.metadata.name}}-copy"
      namespace: "{{request.object.metadata.namespace}}"
      data: {data: {a: b}}
`

const stampSecrets = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: stamp, generation: 1, uid: u5}
spec:
  rules:
  - name: stamp
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    mutate:
      targets: [{apiVersion: v1, kind: Secret, namespace: "{{request.object.metadata.namespace}}"}]
      patchStrategicMerge: {metadata: {labels: {stamped: "yes"}}}
`

// generator records what the webhook hands over.
type generator struct {
	mu  sync.Mutex
	got []GenerateRequest
}

func (g *generator) Generate(r GenerateRequest) {
	g.mu.Lock()
	g.got = append(g.got, r)
	g.mu.Unlock()
}

func TestGenerateHandOff(t *testing.T) {
	tests := []struct {
		name     string
		policies []string
		review   reviewCase
		want     []string // policy name + "generate" or "mutate-existing"
	}{
		{name: "admitted create: generated resources and mutate-existing work", policies: []string{generateCopy, stampSecrets},
			review: reviewCase{object: withTeam}, want: []string{"copy generate", "stamp mutate-existing"}},
		{name: "dry run: nothing", policies: []string{generateCopy, stampSecrets}, review: reviewCase{object: withTeam, dryRun: true}},
		{name: "denied request: nothing", policies: []string{generateCopy, stampSecrets, sprintf(requireTeam, "Enforce")}, review: reviewCase{object: noTeam}},
		{name: "delete: no generate, no mutate-existing without DELETE", policies: []string{generateCopy, stampSecrets},
			review: reviewCase{op: admissionv1.Delete, old: withTeam}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &generator{}
			h := New(Options{Policies: cacheOf(t, tc.policies...), Generator: g}).Handler()
			if _, code, raw := post(t, h, PathValidateFail, tc.review.body(t)); code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", code, raw)
			}
			var got []string
			for _, r := range g.got {
				switch {
				case r.MutateExisting != nil:
					got = append(got, r.Policy.Name+" mutate-existing")
					if r.MutateExisting.Object == nil || r.MutateExisting.Operation != "CREATE" {
						t.Errorf("mutate-existing request %+v", r.MutateExisting)
					}
				case len(r.Rules) == 1 && len(r.Rules[0].Generated) == 1:
					got = append(got, r.Policy.Name+" generate")
				default:
					t.Errorf("unexpected hand-off %+v", r)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("handed over %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("handed over %v, want %v", got, tc.want)
				}
			}
		})
	}
}

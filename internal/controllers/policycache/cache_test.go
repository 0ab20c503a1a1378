package policycache

import (
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

func object(t *testing.T, s string) map[string]any {
	t.Helper()
	docs, err := manifest.Decode("test", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return docs[0].Object
}

const good = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: good, uid: g, generation: 1}
spec:
  webhookConfiguration: {failurePolicy: Ignore, timeoutSeconds: 5}
  rules:
  - name: team
    match: {any: [{resources: {kinds: [Pod], operations: [CREATE, DELETE]}}]}
    validate: {message: m, pattern: {metadata: {labels: {team: "?*"}}}}
  - name: add
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate: {patchStrategicMerge: {metadata: {labels: {+(a): b}}}}
`

const bad = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: bad, uid: b, generation: 1}
spec:
  rules:
  - name: nothing
    match: {any: [{resources: {kinds: [Pod]}}]}
`

func TestCache(t *testing.T) {
	c := New(logr.Discard())
	changed := c.Subscribe()
	g := c.Set(object(t, good))
	if g.Err != nil {
		t.Fatal(g.Err)
	}
	<-changed
	b := c.Set(object(t, bad))
	if b.Err == nil || !strings.Contains(b.Err.Error(), "spec.rules[0]") {
		t.Fatalf("bad policy error %v", b.Err)
	}
	snap := c.Snapshot()
	if len(snap.Entries) != 2 || len(snap.Ready()) != 1 || snap.Ready()[0].Name != "good" {
		t.Fatalf("a bad policy must stay out of the served set: %+v", snap.Entries)
	}
	if g.Validate == nil || g.Mutate == nil || g.Generate != nil {
		t.Errorf("rule-type parts: validate %v mutate %v generate %v", g.Validate != nil, g.Mutate != nil, g.Generate != nil)
	}
	if len(g.Validate.Rules) == 0 || g.Validate.Rules[0].Name != "team" {
		t.Errorf("validate part rules: %v", g.Validate.Rules)
	}
	if g.FailurePolicy() != "Ignore" || g.TimeoutSeconds() != 5 || !g.ExplicitOperations["DELETE"] || g.ExplicitOperations["CONNECT"] {
		t.Errorf("failurePolicy %s timeout %d ops %v", g.FailurePolicy(), g.TimeoutSeconds(), g.ExplicitOperations)
	}
	if b.FailurePolicy() != "Fail" {
		t.Errorf("default failure policy %s", b.FailurePolicy())
	}
	// The same generation again (a status update) recompiles nothing.
	if again := c.Set(object(t, good)); again != g {
		t.Error("a status-only update recompiled the policy")
	}
	rev := c.Snapshot().Revision
	c.Delete(Key("ClusterPolicy", "", "bad"))
	if c.Snapshot().Revision != rev+1 || len(c.Snapshot().Entries) != 1 {
		t.Errorf("delete not published")
	}
	c.Delete("ClusterPolicy/missing")
	if c.Snapshot().Revision != rev+1 {
		t.Errorf("deleting an unknown key published a snapshot")
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, object, want string
	}{
		{"wrong type", "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec: {background: maybe}\n", "background"},
		{"namespaced policy key", "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: p, namespace: ns}\nspec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}}]}\n", "Policy/ns/p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Compile(object(t, tc.object))
			if e.Err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(e.Err.Error()+" "+e.Key, tc.want) {
				t.Errorf("error %v (key %s), want %q", e.Err, e.Key, tc.want)
			}
		})
	}
}

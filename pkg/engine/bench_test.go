package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"sigs.k8s.io/yaml"
)

// corpusDir finds ../shared/corpus beside the repository root.
func corpusDir(tb testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(d), "shared", "corpus")
			if _, err := os.Stat(c); err != nil {
				tb.Skipf("corpus not found at %s", c)
			}
			return c
		}
	}
	tb.Skip("repository root not found")
	return ""
}

// podSecurityPolicies compiles the 12 Pod Security policies of the corpus
// (pod-security/baseline and pod-security/restricted).
func podSecurityPolicies(tb testing.TB) []*Policy {
	root := filepath.Join(corpusDir(tb), "policies", "pod-security")
	var out []*Policy
	for _, level := range []string{"baseline", "restricted"} {
		dirs, err := os.ReadDir(filepath.Join(root, level))
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range dirs {
			path := filepath.Join(root, level, d.Name(), d.Name()+".yaml")
			data, err := os.ReadFile(path)
			if err != nil {
				tb.Fatal(err)
			}
			var cp kyvernov1.ClusterPolicy
			if err := yaml.Unmarshal(data, &cp); err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
			p, err := Compile(Source{Kind: cp.Kind, Name: cp.Name, Annotations: cp.Annotations, Spec: &cp.Spec})
			if err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
			out = append(out, p)
		}
	}
	if len(out) != 12 {
		tb.Fatalf("want 12 pod security policies, got %d", len(out))
	}
	return out
}

func pod(tb testing.TB, manifest string) map[string]any {
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(strings.TrimSpace(manifest)), &obj); err != nil {
		tb.Fatal(err)
	}
	return obj
}

const compliantPod = `
apiVersion: v1
kind: Pod
metadata:
  name: good
  namespace: apps
  labels: {app: web}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  volumes:
  - name: data
    emptyDir: {}
  containers:
  - name: app
    image: registry.example.com/app:1.0
    ports: [{containerPort: 8080}]
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
`

const violatingPod = `
apiVersion: v1
kind: Pod
metadata:
  name: bad
  namespace: apps
spec:
  hostNetwork: true
  volumes:
  - name: host
    hostPath: {path: /var/run}
  containers:
  - name: app
    image: registry.example.com/app:1.0
    ports: [{containerPort: 8080, hostPort: 80}]
    securityContext:
      privileged: true
      capabilities: {add: [NET_ADMIN]}
      seccompProfile: {type: Unconfined}
`

// BenchmarkPodSecurity evaluates all 12 Pod Security policies against one
// Pod per iteration: the number is the cost of a full Pod review.
func BenchmarkPodSecurity(b *testing.B) {
	policies := podSecurityPolicies(b)
	for _, tc := range []struct{ name, manifest string }{{"compliant", compliantPod}, {"violating", violatingPod}} {
		obj := pod(b, tc.manifest)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := &Request{Object: obj}
				for _, p := range policies {
					p.Evaluate(req)
				}
			}
		})
	}
}

func TestPodSecurityResults(t *testing.T) {
	policies := podSecurityPolicies(t)
	tests := []struct {
		name     string
		manifest string
		want     Status
		atLeast  int
	}{
		{name: "compliant pod passes every policy", manifest: compliantPod, want: StatusPass, atLeast: 12},
		{name: "violating pod fails several policies", manifest: violatingPod, want: StatusFail, atLeast: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &Request{Object: pod(t, tt.manifest)}
			n := 0
			for _, p := range policies {
				for _, rr := range p.Evaluate(req).Rules {
					if rr.Status == tt.want {
						n++
					} else if tt.want == StatusPass {
						t.Errorf("%s/%s: %s: %s", p.Name, rr.Name, rr.Status, rr.Message)
					}
				}
			}
			if n < tt.atLeast {
				t.Errorf("want at least %d %s results, got %d", tt.atLeast, tt.want, n)
			}
		})
	}
}

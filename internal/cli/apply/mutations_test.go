package apply

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mutateGeneratePolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: stamp}
spec:
  rules:
  - name: label-pod
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      patchStrategicMerge: {metadata: {labels: {stamped: "yes"}}}
  - name: label-secret
    match: {any: [{resources: {kinds: [Pod]}}]}
    mutate:
      targets: [{apiVersion: v1, kind: Secret, namespace: "{{ request.object.metadata.namespace }}"}]
      patchStrategicMerge: {metadata: {labels: {used-by: "{{ request.object.metadata.name }}"}}}
  - name: config
    match: {any: [{resources: {kinds: [Pod]}}]}
    generate:
      apiVersion: v1
      kind: ConfigMap
      name: "{{ request.object.metadata.name }}-config"
      namespace: "{{ request.object.metadata.namespace }}"
      data: {data: {owner: "{{ request.object.metadata.name }}"}}
`

func TestApplyMutateAndGenerateOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pol := write("policy.yaml", mutateGeneratePolicy)
	pod := write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: nginx}]}\n")
	secret := write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: shop}\n")
	base := Options{PolicyPaths: []string{pol}, ResourcePaths: []string{pod}, TargetPaths: []string{secret}}

	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		opts   func(Options) Options
		want   []string
		absent []string
		files  map[string][]string // file -> substrings
	}{
		{
			name: "printed in Kyverno's shape",
			opts: func(o Options) Options { return o },
			want: []string{
				"policy stamp applied to shop/Pod/web:\napiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    stamped: \"yes\"\n",
				"patched targets: \n\napiVersion: v1\nkind: Secret\nmetadata:\n  labels:\n    used-by: web\n  name: token\n",
				"Mutation:\nMutation has been applied successfully.",
				"policy stamp applied to shop/Pod/web:\napiVersion: v1\ndata:\n  owner: web\nkind: ConfigMap\n",
				"Generate:\nGeneration completed successfully.",
				"pass: 3, fail: 0",
			},
		},
		{
			name:   "--stdin prints only YAML on stdout",
			opts:   func(o Options) Options { o.StdinMode = true; return o },
			want:   []string{"stamped: \"yes\"", "used-by: web", "owner: web"},
			absent: []string{"policy stamp applied", "Mutation:", "Generate:", "pass: 3"},
		},
		{
			name:   "-o FILE holds every document",
			opts:   func(o Options) Options { o.Output = filepath.Join(dir, "all.yaml"); return o },
			want:   []string{"Mutation:\nMutation has been applied successfully.", "Generate:"},
			absent: []string{"stamped: \"yes\""},
			files:  map[string][]string{"all.yaml": {"---\napiVersion: v1\nkind: Pod", "---\napiVersion: v1\nkind: Secret", "---\napiVersion: v1\ndata:\n  owner: web\nkind: ConfigMap"}},
		},
		{
			name:  "-o DIR writes mutated and generated files",
			opts:  func(o Options) Options { o.Output = outDir; return o },
			files: map[string][]string{"out/web-mutated.yaml": {"stamped: \"yes\""}, "out/token-mutated.yaml": {"used-by: web"}, "out/stamp-generated.yaml": {"---\n", "name: web-config"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts(base)
			var out, errb bytes.Buffer
			opts.Stdout, opts.Stderr, opts.Stdin = &out, &errb, strings.NewReader("")
			if err := Run(opts); err != nil {
				t.Fatalf("%v\n%s%s", err, out.String(), errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(out.String(), a) {
					t.Errorf("stdout has %q:\n%s", a, out.String())
				}
			}
			for f, subs := range tt.files {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range subs {
					if !strings.Contains(string(b), s) {
						t.Errorf("%s lacks %q:\n%s", f, s, b)
					}
				}
			}
		})
	}
}

package test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/internal/cli/exit"
)

var update = flag.Bool("update", false, "rewrite golden files")

func run(t *testing.T, opts Options) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &errb
	if opts.FileName == "" {
		opts.FileName = DefaultFileName
	}
	err := Run(opts)
	code = 0
	if err != nil {
		code = 1
		var ee *exit.Error
		if errors.As(err, &ee) {
			code = ee.Code
		}
	}
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestExampleGolden(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		golden string
	}{
		{name: "table", opts: Options{Paths: []string{"../../../examples"}}, golden: "examples.txt"},
		{name: "detailed", opts: Options{Paths: []string{"../../../examples"}, Detailed: true}, golden: "examples-detailed.txt"},
		{name: "json", opts: Options{Paths: []string{"../../../examples"}, Output: "json"}, golden: "examples.json"},
		{name: "junit", opts: Options{Paths: []string{"../../../examples"}, Output: "junit"}, golden: "examples.junit.xml"},
		{name: "selector", opts: Options{Paths: []string{"../../../examples"}, Selector: "policy=require-*,rule=*,resource=*"}, golden: "examples-selector.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, code := run(t, tt.opts)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			golden(t, tt.golden, out)
		})
	}
}

// writeTree writes files (path -> content) under a temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const policy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-owner
spec:
  rules:
  - name: owner-label
    match:
      any:
      - resources:
          kinds: [ConfigMap]
    validate:
      message: "label owner is required"
      pattern:
        metadata:
          labels:
            owner: "?*"
`

const resources = `apiVersion: v1
kind: ConfigMap
metadata:
  name: good
  labels: {owner: me}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bad
`

func TestRunCases(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		opts       Options
		wantCode   int
		wantOut    []string
		wantStderr []string
	}{
		{
			name: "pass and fail as expected",
			files: map[string]string{"policy.yaml": policy, "resources.yaml": resources, "kyverno-test.yaml": `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: t}
policies: [policy.yaml]
resources: [resources.yaml]
results:
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resources: [good], result: pass}
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resources: [default/bad], result: fail}
`},
			wantOut: []string{"Test Summary: 2 tests passed and 0 tests failed"},
		},
		{
			name: "unexpected result fails with reason",
			files: map[string]string{"policy.yaml": policy, "resources.yaml": resources, "kyverno-test.yaml": `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: t}
policies: [policy.yaml]
resources: [resources.yaml]
results:
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resources: [bad], result: pass}
`},
			wantCode: 1,
			wantOut:  []string{"Want pass, got fail", "Test Summary: 0 tests passed and 1 tests failed"},
		},
		{
			name: "missing policy, rule and resource are Not found",
			files: map[string]string{"policy.yaml": policy, "resources.yaml": resources, "kyverno-test.yaml": `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: t}
policies: [policy.yaml]
resources: [resources.yaml]
results:
- {policy: no-such-policy, rule: owner-label, kind: ConfigMap, resources: [good], result: pass}
- {policy: require-owner, rule: no-such-rule, kind: ConfigMap, resources: [good], result: pass}
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resources: [no-such-resource], result: pass}
`},
			wantCode: 1,
			wantOut:  []string{"Not found", "Test Summary: 0 tests passed and 3 tests failed"},
		},
		{
			name: "legacy test.yaml runs",
			files: map[string]string{"policy.yaml": policy, "resources.yaml": resources, "test.yaml": `name: legacy
policies: [policy.yaml]
resources: [resources.yaml]
results:
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resource: bad, status: fail}
`},
			wantOut:    []string{"Loading test legacy (", "Test Summary: 1 tests passed and 0 tests failed"},
			wantStderr: []string{"legacy test schema"},
		},
		{
			name: "broken test file does not stop the others",
			files: map[string]string{"policy.yaml": policy, "resources.yaml": resources,
				"a/kyverno-test.yaml": "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nresults: [\n",
				"b/kyverno-test.yaml": `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: t}
policies: [../policy.yaml]
resources: [../resources.yaml]
results:
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resources: [good], result: pass}
`},
			wantCode: 1,
			wantOut:  []string{"Test errors:", "kyverno-test.yaml: document 0 (line 1): yaml: line 4", "Test Summary: 1 tests passed and 0 tests failed"},
		},
		{
			name: "unknown field is a warning naming the path",
			files: map[string]string{"policy.yaml": policy, "resources.yaml": resources, "kyverno-test.yaml": `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: t}
policies: [policy.yaml]
resources: [resources.yaml]
results:
- {policy: require-owner, rule: owner-label, kind: ConfigMap, resources: [good], result: pass, reslt: pass}
`},
			wantOut:    []string{"Test Summary: 1 tests passed and 0 tests failed"},
			wantStderr: []string{`results[0].reslt`},
		},
		{
			name:     "require tests",
			files:    map[string]string{"empty.txt": ""},
			opts:     Options{RequireTests: true},
			wantCode: 1,
			wantOut:  []string{"No test yamls available"},
		},
		{
			name:     "invalid output format",
			files:    map[string]string{"kyverno-test.yaml": ""},
			opts:     Options{Output: "xml"},
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			opts := tt.opts
			opts.Paths = []string{dir}
			out, errOut, code := run(t, opts)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

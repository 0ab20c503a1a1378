package apply

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/internal/cli/exit"
)

const examples = "../../../examples/workload-guardrails"

func run(t *testing.T, opts Options) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &errb
	if opts.Stdin == nil {
		opts.Stdin = strings.NewReader("")
	}
	if opts.OutputFormat == "" {
		opts.OutputFormat = "yaml"
	}
	err := Run(opts)
	code := 0
	if err != nil {
		code = 1
		var ee *exit.Error
		if errors.As(err, &ee) {
			code = ee.Code
		} else {
			out.WriteString("ERROR: " + err.Error())
		}
	}
	return out.String() + errb.String(), code
}

func TestApply(t *testing.T) {
	pods := filepath.Join(examples, "resources", "pods.yaml")
	policies := filepath.Join(examples, "policies")
	podsYAML, err := os.ReadFile(pods)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		opts     Options
		wantCode int
		want     []string
		absent   []string
	}{
		{
			name:     "violations and summary",
			opts:     Options{PolicyPaths: []string{policies}, ResourcePaths: []string{pods}},
			wantCode: 1,
			want: []string{
				"Applying 9 policy rule(s) to 4 resource(s)...",
				"policy require-team-label -> resource shop/Pod/unlabelled failed:\n1 - check-team validation error: The label `team` is required and must be one of platform, payments or search. rule check-team failed at path /metadata/labels/",
				"policy limit-container-resources -> resource shop/Pod/debug-shell failed:",
				"pass: 8, fail: 3, warn: 0, error: 0, skip: 0 \n",
			},
		},
		{
			name:     "resources from stdin",
			opts:     Options{PolicyPaths: []string{policies}, ResourcePaths: []string{"-"}, Stdin: bytes.NewReader(podsYAML)},
			wantCode: 1,
			want:     []string{"pass: 8, fail: 3"},
		},
		{
			name:     "table",
			opts:     Options{PolicyPaths: []string{policies}, ResourcePaths: []string{pods}, Table: true},
			wantCode: 1,
			want:     []string{"│ ID (11) ", "shop/Pod/unlabelled", "Fail"},
			absent:   []string{"pass: 8"},
		},
		{
			name:     "policy report",
			opts:     Options{PolicyPaths: []string{policies}, ResourcePaths: []string{pods}, PolicyReport: true},
			wantCode: 1,
			want:     []string{"apiVersion: wgpolicyk8s.io/v1alpha2\nkind: ClusterPolicyReport", "name: merged", "  fail: 3\n", "  pass: 8\n"},
			absent:   []string{"Applying"},
		},
		{
			name:     "audit warn on an Audit policy is still a failure for Enforce rules",
			opts:     Options{PolicyPaths: []string{policies}, ResourcePaths: []string{pods}, AuditWarn: true},
			wantCode: 1,
			want:     []string{"fail: 3"},
		},
		{
			name:     "no resources",
			opts:     Options{PolicyPaths: []string{policies}},
			wantCode: 1,
			want:     []string{"resource file(s) or cluster required"},
		},
		{
			name:     "missing policy file",
			opts:     Options{PolicyPaths: []string{"does-not-exist.yaml"}, ResourcePaths: []string{pods}},
			wantCode: 1,
			want:     []string{"does-not-exist.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := run(t, tt.opts)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tt.wantCode, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(out, a) {
					t.Errorf("output has %q:\n%s", a, out)
				}
			}
		})
	}
}

func TestWarnExitCode(t *testing.T) {
	dir := t.TempDir()
	pol := `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: unscored
  annotations:
    policies.kyverno.io/scored: "false"
spec:
  rules:
  - name: r
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    validate:
      pattern: {metadata: {labels: {owner: "?*"}}}
`
	res := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(pol), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(res), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, Options{PolicyPaths: []string{filepath.Join(dir, "p.yaml")}, ResourcePaths: []string{filepath.Join(dir, "r.yaml")}, WarnExitCode: 3})
	if code != 3 || !strings.Contains(out, "warn: 1") || !strings.Contains(out, "exit as warnExitCode is 3") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

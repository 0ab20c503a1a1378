package webhook

import (
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/pkg/engine"
	yaml "go.yaml.in/yaml/v2"
)

// TestBlockedMessageYAML checks that the memoized per-policy blocks give
// exactly the YAML of the whole failure map (Kyverno's message text), for
// messages that YAML quotes, folds or writes as block scalars.
func TestBlockedMessageYAML(t *testing.T) {
	long := "validation error: Privilege escalation is disallowed. The fields spec.containers[*].securityContext.allowPrivilegeEscalation must be set to false. rule privilege-escalation failed at path /spec/containers/0/securityContext/allowPrivilegeEscalation/"
	tests := []struct {
		name     string
		failures map[string]map[string]string
	}{
		{"one policy one rule", map[string]map[string]string{"require-team": {"check-team": "label team is required"}}},
		{"several policies, sorted", map[string]map[string]string{
			"zeta":  {"b": "second", "a": "first"},
			"alpha": {"only": "x: y"},
			"mid":   {"r": long},
		}},
		{"quoting and special scalars", map[string]map[string]string{"p": {
			"colon":     "key: value",
			"hash":      "a #comment",
			"leading":   "*star",
			"quote":     `it's "quoted"`,
			"bool-like": "true",
			"number":    "123",
			"empty":     "",
			"newline":   "line one\nline two",
			"unicode":   "café – ok",
			"trailing":  "space ",
		}}},
		{"long message folded", map[string]map[string]string{"pod-security-restricted": {"autogen-cronjob-restrict-seccomp-strict": long + " " + long}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var responses []*engine.PolicyResponse
			for p, rules := range tc.failures {
				pr := &engine.PolicyResponse{Policy: &engine.Policy{Name: p}}
				for r, msg := range rules {
					pr.Rules = append(pr.Rules, engine.RuleResponse{Name: r, Status: engine.StatusFail, Enforce: true, Message: msg})
				}
				responses = append(responses, pr)
			}
			want, err := yaml.Marshal(tc.failures)
			if err != nil {
				t.Fatal(err)
			}
			s := New(Options{})
			for round := range 2 { // the second round is served from the memo
				got := s.blockedMessage("Pod/default/web", responses)
				prefix := "\n\nresource Pod/default/web was blocked due to the following policies\n\n"
				if !strings.HasPrefix(got, prefix) || got[len(prefix):] != string(want) {
					t.Errorf("round %d:\n%s\nwant the YAML\n%s", round, got, want)
				}
			}
		})
	}
	if got := New(Options{}).blockedMessage("Pod/default/web", nil); got != "" {
		t.Errorf("nothing blocks: %q", got)
	}
}

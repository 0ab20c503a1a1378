package report

import (
	"bytes"
	"testing"
)

func TestApplyingLine(t *testing.T) {
	tests := []struct {
		name                         string
		rules, resources, exceptions int
		want                         string
	}{
		{"no exceptions", 3, 2, 0, "\nApplying 3 policy rule(s) to 2 resource(s)...\n"},
		{"singular counts keep (s)", 1, 1, 0, "\nApplying 1 policy rule(s) to 1 resource(s)...\n"},
		{"with exceptions", 3, 2, 1, "\nApplying 3 policy rule(s) to 2 resource(s) with 1 exception(s)...\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ApplyingLine(tt.rules, tt.resources, tt.exceptions); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestApplyResourcePath(t *testing.T) {
	tests := []struct{ ns, kind, name, want string }{
		{"default", "Pod", "nginx", "default/Pod/nginx"},
		{"", "Namespace", "prod", "/Namespace/prod"},
		{"", "", "", "JSON payload"},
	}
	for _, tt := range tests {
		if got := ApplyResourcePath(tt.ns, tt.kind, tt.name); got != tt.want {
			t.Errorf("ApplyResourcePath(%q,%q,%q) = %q, want %q", tt.ns, tt.kind, tt.name, got, tt.want)
		}
	}
}

func TestApplyBlocks(t *testing.T) {
	tests := []struct {
		name  string
		write func(*bytes.Buffer)
		want  string
	}{
		{
			name: "failure block",
			write: func(b *bytes.Buffer) {
				WriteApplyFailures(b, "require-labels", "default/Pod/nginx", false, []RuleFailure{
					{Rule: "check-team", Message: "validation error: label team is required. rule check-team failed at path /metadata/labels/team/"},
					{Rule: "autogen-check-team", Message: ""},
				})
			},
			want: "policy require-labels -> resource default/Pod/nginx failed:\n" +
				"1 - check-team validation error: label team is required. rule check-team failed at path /metadata/labels/team/\n" +
				"2 - autogen-check-team validation failed\n",
		},
		{
			name: "audit warning block",
			write: func(b *bytes.Buffer) {
				WriteApplyFailures(b, "p", "/Namespace/prod", true, []RuleFailure{{Rule: "r", Message: "m"}})
			},
			want: "policy p -> resource /Namespace/prod failed as audit warning:\n1 - r m\n",
		},
		{
			name:  "no failures prints nothing",
			write: func(b *bytes.Buffer) { WriteApplyFailures(b, "p", "x", false, nil) },
			want:  "",
		},
		{
			name:  "summary",
			write: func(b *bytes.Buffer) { WriteApplySummary(b, ApplyCounts{Pass: 1, Fail: 2, Warn: 3, Error: 4, Skip: 5}) },
			want:  "\npass: 1, fail: 2, warn: 3, error: 4, skip: 5 \n",
		},
		{
			name:  "skipped mutate",
			write: func(b *bytes.Buffer) { WriteApplySkippedMutate(b, "add-labels", "default/Pod/nginx") },
			want:  "\nskipped mutate policy add-labels -> resource default/Pod/nginx\n",
		},
		{
			name:  "mutate error",
			write: func(b *bytes.Buffer) { WriteApplyMutateError(b, "add-labels", "default/Pod/nginx", "boom") },
			want:  "\nerror while applying mutate policy add-labels -> resource default/Pod/nginx \nerror:  boom\n",
		},
		{
			name:  "generate error",
			write: func(b *bytes.Buffer) { WriteApplyGenerateError(b, "gen", "/Namespace/prod", "boom") },
			want:  "\nerror while applying generate policy gen -> resource /Namespace/prod \nerror: boom\n",
		},
		{
			name: "skipped and invalid",
			write: func(b *bytes.Buffer) {
				WriteApplySkippedAndInvalid(b,
					[]PolicyDiagnostic{{Name: "a", Reason: "path: spec.rules[0]: invalid"}, {Name: "b"}},
					[]PolicyDiagnostic{{Name: "c", Reason: "variable 'element.name' ..."}})
			},
			want: "----------------------------------------------------------------------\n" +
				"Policies Skipped:\n" +
				"1. a: path: spec.rules[0]: invalid\n" +
				"2. b\n" +
				"----------------------------------------------------------------------\n" +
				"----------------------------------------------------------------------\n" +
				"Invalid Policies:\n" +
				"1. c: variable 'element.name' ...\n" +
				"----------------------------------------------------------------------\n",
		},
		{
			name:  "nothing skipped",
			write: func(b *bytes.Buffer) { WriteApplySkippedAndInvalid(b, nil, nil) },
			want:  "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.write(&buf)
			if got := buf.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestApplyExit(t *testing.T) {
	tests := []struct {
		name         string
		counts       ApplyCounts
		warnExitCode int
		warnNoPass   bool
		wantCode     int
		wantOut      string
	}{
		{"clean", ApplyCounts{Pass: 1}, 0, false, 0, ""},
		{"failures win over warnings", ApplyCounts{Fail: 1, Warn: 2}, 3, false, 1, ""},
		{"errors", ApplyCounts{Pass: 1, Error: 1}, 3, true, 1, ""},
		{"warn exit code", ApplyCounts{Pass: 1, Warn: 1}, 3, false, 3, "exit as warnExitCode is 3"},
		{"warnings ignored without code", ApplyCounts{Pass: 1, Warn: 1}, 0, false, 0, ""},
		{"warn-no-pass with code", ApplyCounts{Skip: 2}, 4, true, 4, "exit as no objects satisfied policy\n"},
		{"warn-no-pass without code exits 0", ApplyCounts{}, 0, true, 0, "exit as no objects satisfied policy\n"},
		{"warn code beats warn-no-pass", ApplyCounts{Warn: 1}, 2, true, 2, "exit as warnExitCode is 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if got := ApplyExit(&buf, tt.counts, tt.warnExitCode, tt.warnNoPass); got != tt.wantCode {
				t.Errorf("code = %d, want %d", got, tt.wantCode)
			}
			if buf.String() != tt.wantOut {
				t.Errorf("out = %q, want %q", buf.String(), tt.wantOut)
			}
		})
	}
}

func TestApplyTableRow(t *testing.T) {
	p := Palette{}
	tests := []struct {
		name string
		in   ApplyTableRow
		want Row
	}{
		{
			name: "kyverno policy fail",
			in:   ApplyTableRow{PolicyName: "p", IsKyvernoPolicy: true, Rule: "r", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "x", Status: "fail", Scored: true, Message: "m"},
			want: Row{ID: 3, Policy: "p", Rule: "r", Resource: "default/Pod/x", Result: "Fail", Message: "m"},
		},
		{
			name: "unscored fail is Warn",
			in:   ApplyTableRow{PolicyName: "p", IsKyvernoPolicy: true, Rule: "r", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "x", Status: "fail"},
			want: Row{ID: 3, Policy: "p", Rule: "r", Resource: "default/Pod/x", Result: "Warn"},
		},
		{
			name: "audit-warn fail is Warn",
			in:   ApplyTableRow{PolicyName: "p", IsKyvernoPolicy: true, Rule: "r", ResourceKind: "Pod", ResourceName: "x", Status: "fail", Scored: true, AuditWarn: true},
			want: Row{ID: 3, Policy: "p", Rule: "r", Resource: "Pod/x", Result: "Warn"},
		},
		{
			name: "CEL policy has no rule and namespaced policy shows ns/name",
			in:   ApplyTableRow{PolicyNamespace: "team", PolicyName: "vpol", Rule: "vpol", ResourceKind: "Pod", ResourceNamespace: "team", ResourceName: "x", Status: "skip", Scored: true},
			want: Row{ID: 3, Policy: "team/vpol", Resource: "team/Pod/x", Result: "Skip"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Row(p, 3); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

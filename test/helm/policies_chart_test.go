package helm

import (
	"slices"
	"testing"
)

var (
	baselinePolicies = []string{
		"disallow-capabilities", "disallow-host-namespaces", "disallow-host-path", "disallow-host-ports",
		"disallow-host-process", "disallow-privileged-containers", "disallow-proc-mount", "disallow-selinux",
		"restrict-apparmor-profiles", "restrict-seccomp", "restrict-sysctls",
	}
	restrictedPolicies = []string{
		"disallow-capabilities-strict", "disallow-privilege-escalation", "require-run-as-non-root-user",
		"require-run-as-nonroot", "restrict-seccomp-strict", "restrict-volume-types",
	}
)

func policies(docs []map[string]any) map[string]map[string]any {
	return find(docs, "ClusterPolicy")
}

func wantPolicies(t *testing.T, docs []map[string]any, want ...[]string) {
	t.Helper()
	var all []string
	for _, w := range want {
		all = append(all, w...)
	}
	slices.Sort(all)
	if got := keys(policies(docs)); !slices.Equal(got, all) {
		t.Errorf("policies = %v, want %v", got, all)
	}
}

// rules returns every rule of every policy.
func rules(docs []map[string]any) map[string][]any {
	out := map[string][]any{}
	for name, p := range policies(docs) {
		out[name], _ = get(p, "spec", "rules").([]any)
	}
	return out
}

func TestPoliciesChart(t *testing.T) {
	testChart(t, "kanon-policies", []chartCase{
		{
			name: "defaults: baseline, Audit",
			check: func(t *testing.T, docs []map[string]any) {
				wantPolicies(t, docs, baselinePolicies)
				for name, p := range policies(docs) {
					ann := get(p, "metadata", "annotations").(map[string]any)
					for _, key := range []string{"policies.kyverno.io/title", "policies.kyverno.io/description"} {
						if s, _ := ann[key].(string); s == "" {
							t.Errorf("%s: %s missing", name, key)
						}
					}
					wantEqual(t, name+" category", ann["policies.kyverno.io/category"], "Pod Security Standards (Baseline)")
					wantEqual(t, name+" severity", ann["policies.kyverno.io/severity"], "medium")
					wantEqual(t, name+" subject", ann["policies.kyverno.io/subject"], "Pod")
					wantEqual(t, name+" background", get(p, "spec", "background"), true)
					wantEqual(t, name+" failurePolicy", get(p, "spec", "webhookConfiguration", "failurePolicy"), "Fail")
					wantEqual(t, name+" label", get(p, "metadata", "labels", "app.kubernetes.io/part-of"), "kanon")
				}
				for name, rs := range rules(docs) {
					for _, r := range rs {
						wantEqual(t, name+" failureAction", get(r, "validate", "failureAction"), "Audit")
						wantEqual(t, name+" kinds", get(r, "match", "any", 0, "resources", "kinds"), []any{"Pod"})
						wantEqual(t, name+" DELETE precondition", get(r, "preconditions", "all", 0, "value"), "DELETE")
						wantEqual(t, name+" exclude", get(r, "exclude"), nil)
						wantEqual(t, name+" overrides", get(r, "validate", "failureActionOverrides"), nil)
					}
				}
			},
		},
		{
			name: "restricted",
			args: []string{"--set", "podSecurityStandard=restricted"},
			check: func(t *testing.T, docs []map[string]any) {
				wantPolicies(t, docs, baselinePolicies, restrictedPolicies)
				for _, name := range restrictedPolicies {
					wantEqual(t, name+" category", get(policies(docs)[name], "metadata", "annotations", "policies.kyverno.io/category"), "Pod Security Standards (Restricted)")
				}
			},
		},
		{
			name: "privileged",
			args: []string{"--set", "podSecurityStandard=privileged"},
			check: func(t *testing.T, docs []map[string]any) {
				wantPolicies(t, docs)
			},
		},
		{
			name: "custom",
			args: []string{"--set", "podSecurityStandard=custom", "--set", "podSecurityPolicies={disallow-host-path,restrict-volume-types}"},
			check: func(t *testing.T, docs []map[string]any) {
				wantPolicies(t, docs, []string{"disallow-host-path", "restrict-volume-types"})
			},
		},
		{
			name: "includeRestrictedPolicies",
			args: []string{"--set", "includeRestrictedPolicies={disallow-privilege-escalation,require-run-as-nonroot}"},
			check: func(t *testing.T, docs []map[string]any) {
				wantPolicies(t, docs, baselinePolicies, []string{"disallow-privilege-escalation", "require-run-as-nonroot"})
			},
		},
		{
			name:    "includeRestrictedPolicies unknown",
			args:    []string{"--set", "includeRestrictedPolicies={disallow-everything}"},
			wantErr: "/includeRestrictedPolicies/0",
		},
		{
			name:    "podSecurityStandard unknown",
			args:    []string{"--set", "podSecurityStandard=strict"},
			wantErr: "/podSecurityStandard",
		},
		{
			name: "Enforce, in Kyverno's old lower case",
			args: []string{"--set", "validationFailureAction=enforce"},
			check: func(t *testing.T, docs []map[string]any) {
				for name, rs := range rules(docs) {
					for _, r := range rs {
						wantEqual(t, name+" failureAction", get(r, "validate", "failureAction"), "Enforce")
					}
				}
			},
		},
		{
			name:    "validationFailureAction unknown",
			args:    []string{"--set", "validationFailureAction=Warn"},
			wantErr: "/validationFailureAction",
		},
		{
			name: "failure action per policy and namespace overrides",
			args: []string{"--set", "validationFailureActionByPolicy.disallow-host-path=Enforce",
				"--set-json", `validationFailureActionOverrides={"all":[{"action":"enforce","namespaces":["prod-*"]}],"disallow-host-ports":[{"action":"Audit","namespaces":["edge"]}]}`},
			check: func(t *testing.T, docs []map[string]any) {
				rs := rules(docs)
				wantEqual(t, "host-path action", get(rs["disallow-host-path"][0], "validate", "failureAction"), "Enforce")
				wantEqual(t, "host-namespaces action", get(rs["disallow-host-namespaces"][0], "validate", "failureAction"), "Audit")
				wantEqual(t, "all override", get(rs["disallow-selinux"][1], "validate", "failureActionOverrides"), []any{map[string]any{"action": "Enforce", "namespaces": []any{"prod-*"}}})
				wantEqual(t, "policy override", get(rs["disallow-host-ports"][0], "validate", "failureActionOverrides"), []any{map[string]any{"action": "Audit", "namespaces": []any{"edge"}}})
			},
		},
		{
			name: "severity",
			args: []string{"--set", "podSecuritySeverity=high", "--set", "podSecuritySeverityByPolicy.disallow-proc-mount=low"},
			check: func(t *testing.T, docs []map[string]any) {
				for name, p := range policies(docs) {
					want := "high"
					if name == "disallow-proc-mount" {
						want = "low"
					}
					wantEqual(t, name+" severity", get(p, "metadata", "annotations", "policies.kyverno.io/severity"), want)
				}
			},
		},
		{
			name:    "severity unknown",
			args:    []string{"--set", "podSecuritySeverity=critical"},
			wantErr: "/podSecuritySeverity",
		},
		{
			name: "policyExclude",
			args: []string{"--set-json", `policyExclude={"disallow-selinux":{"any":[{"resources":{"namespaces":["legacy"]}}]}}`},
			check: func(t *testing.T, docs []map[string]any) {
				for name, rs := range rules(docs) {
					for _, r := range rs {
						var want any
						if name == "disallow-selinux" {
							want = []any{"legacy"}
						}
						wantEqual(t, name+" exclude", get(r, "exclude", "any", 0, "resources", "namespaces"), want)
					}
				}
			},
		},
		{
			name: "policyPreconditions",
			args: []string{"--set-json", `policyPreconditions={"restrict-sysctls":{"all":[{"key":"{{ request.object.metadata.labels.tier || '' }}","operator":"NotEquals","value":"node-tuning"}],"any":[{"key":"a","operator":"Equals","value":"a"}]}}`},
			check: func(t *testing.T, docs []map[string]any) {
				r := rules(docs)["restrict-sysctls"][0]
				wantEqual(t, "DELETE precondition kept", get(r, "preconditions", "all", 0, "value"), "DELETE")
				wantEqual(t, "extra all", get(r, "preconditions", "all", 1, "value"), "node-tuning")
				wantEqual(t, "extra any", get(r, "preconditions", "any", 0, "key"), "a")
			},
		},
		{
			name: "failurePolicy and background",
			args: []string{"--set", "failurePolicy=Ignore", "--set", "background=false"},
			check: func(t *testing.T, docs []map[string]any) {
				for name, p := range policies(docs) {
					wantEqual(t, name+" failurePolicy", get(p, "spec", "webhookConfiguration", "failurePolicy"), "Ignore")
					wantEqual(t, name+" background", get(p, "spec", "background"), false)
				}
			},
		},
		{
			name:    "failurePolicy unknown",
			args:    []string{"--set", "failurePolicy=Retry"},
			wantErr: "/failurePolicy",
		},
		{
			name: "autogen controllers, annotations, labels, nameOverride",
			args: []string{"--set", "autogenControllers=Deployment\\,StatefulSet", "--set", "customAnnotations.owner=security", "--set", "customLabels.team=security", "--set", "nameOverride=pss"},
			check: func(t *testing.T, docs []map[string]any) {
				for name, p := range policies(docs) {
					wantEqual(t, name+" autogen", get(p, "metadata", "annotations", "pod-policies.kyverno.io/autogen-controllers"), "Deployment,StatefulSet")
					wantEqual(t, name+" annotation", get(p, "metadata", "annotations", "owner"), "security")
					wantEqual(t, name+" label", get(p, "metadata", "labels", "team"), "security")
					wantEqual(t, name+" name label", get(p, "metadata", "labels", "app.kubernetes.io/name"), "pss")
				}
			},
		},
		{
			name: "customPolicies",
			args: []string{"--set", "podSecurityStandard=privileged", "--set-json", `customPolicies=[{"apiVersion":"kyverno.io/v1","kind":"ClusterPolicy","metadata":{"name":"require-team"},"spec":{"rules":[{"name":"team","match":{"any":[{"resources":{"kinds":["Pod"]}}]},"validate":{"message":"team label","pattern":{"metadata":{"labels":{"team":"?*"}}}}}]}}]`},
			check: func(t *testing.T, docs []map[string]any) {
				wantPolicies(t, docs, []string{"require-team"})
			},
		},
		{
			name:    "customPolicies of another kind",
			args:    []string{"--set-json", `customPolicies=[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"spec":{}}]`},
			wantErr: "/customPolicies/0/kind",
		},
	})
}

package autogen

import (
	"reflect"
	"sort"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
)

// AnnotationControllers is the policy annotation selecting the controllers
// autogen targets: "none", "all", or a comma list such as
// "Deployment,StatefulSet,CronJob". Values are case-sensitive and not trimmed.
const AnnotationControllers = "pod-policies.kyverno.io/autogen-controllers"

// CanAutoGen reports whether the rules of spec can be auto-generated for pod
// controllers at all. It is false (for the whole policy, whatever the
// annotation says) when any rule:
//   - is a generate rule;
//   - has a mutate.patchesJson6902, or one in a mutate.foreach entry;
//   - has, in match or exclude (legacy resources, any[] or all[] entries),
//     a name, names, a selector or annotations;
//   - lists Pod together with other kinds in one resource description;
//
// and it is also false when no resource description of any rule (match or
// exclude) names Pod or a pod controller exactly ("v1/Pod" does not count).
func CanAutoGen(spec *kyvernov1.Spec) bool {
	if spec == nil {
		return false
	}
	needed := false
	supported := func(descs ...kyvernov1.ResourceDescription) bool {
		for _, d := range descs {
			if d.Name != "" || len(d.Names) > 0 || d.Selector != nil || d.Annotations != nil ||
				(len(d.Kinds) > 1 && containsKind(d.Kinds, KindPod)) {
				return false
			}
			for _, k := range d.Kinds {
				needed = needed || isAutogenKind(k)
			}
		}
		return true
	}
	block := func(m *kyvernov1.MatchResources) bool {
		if !supported(m.Resources) {
			return false
		}
		for _, f := range m.Any {
			if !supported(f.Resources) {
				return false
			}
		}
		for _, f := range m.All {
			if !supported(f.Resources) {
				return false
			}
		}
		return true
	}
	for i := range spec.Rules {
		rule := &spec.Rules[i]
		if rule.Generation != nil && !reflect.DeepEqual(*rule.Generation, kyvernov1.Generation{}) {
			return false
		}
		if rule.Mutation != nil {
			if rule.Mutation.PatchesJSON6902 != "" {
				return false
			}
			for _, fe := range rule.Mutation.ForEachMutation {
				if fe.PatchesJSON6902 != "" {
					return false
				}
			}
		}
		if !block(&rule.Match) {
			return false
		}
		if rule.Exclude != nil && !block(rule.Exclude) {
			return false
		}
	}
	return needed
}

// controllerSet returns the effective controllers of a policy: {"none"} when
// autogen is not possible; the annotation's comma items when it is set (even
// to an empty string); otherwise every pod controller. The result is sorted
// and deduplicated.
func controllerSet(annotations map[string]string, spec *kyvernov1.Spec) []string {
	if !CanAutoGen(spec) {
		return []string{"none"}
	}
	value, ok := annotations[AnnotationControllers]
	if !ok {
		return PodControllers()
	}
	seen := map[string]bool{}
	var out []string
	for _, item := range strings.Split(value, ",") {
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	sort.Strings(out)
	return out
}

// Controllers reports which controllers autogen targets for this policy:
// podControllers are the kinds of the autogen-<rule> rules (plain kind names,
// sorted; normally a subset of DaemonSet, Deployment, Job, ReplicaSet,
// ReplicationController, StatefulSet, but a custom controller named alone in
// the annotation is passed through), and cronJob tells whether
// autogen-cronjob-<rule> rules are generated. Both are empty when autogen is
// disabled ("none") or impossible (see CanAutoGen). Whether a given rule
// yields generated rules also depends on the rule (see Rules).
func Controllers(annotations map[string]string, spec *kyvernov1.Spec) (podControllers []string, cronJob bool) {
	controllers := strings.Join(controllerSet(annotations, spec), ",")
	if controllers == "none" {
		return nil, false
	}
	if stripped := stripCronJob(controllers); stripped != "" {
		podControllers = templateKinds(stripped)
	}
	return podControllers, wantsCronJob(controllers)
}

// stripCronJob removes the CronJob items of a controllers string.
func stripCronJob(controllers string) string {
	var out []string
	for _, c := range splitSorted(controllers) {
		if c != KindCronJob {
			out = append(out, c)
		}
	}
	return strings.Join(out, ",")
}

// Rules returns the rules Kyverno would generate for pod controllers from the
// Pod rules of a policy, in policy order: for each source rule,
// autogen-<rule> (DaemonSet/Deployment/Job/ReplicaSet/ReplicationController/
// StatefulSet, pod part under spec.template) then autogen-cronjob-<rule>
// (CronJob, pod part under spec.jobTemplate.spec.template). It honours the
// pod-policies.kyverno.io/autogen-controllers annotation and every skip
// condition, and returns nil when nothing is generated. Rules whose name
// already starts with "autogen-" are never used as a source. The input is not
// modified.
//
// A source rule is used only when its match kinds include Pod and its exclude
// block, if it lists kinds, includes Pod too; and only validate (pattern,
// anyPattern, deny, podSecurity, foreach, cel, assert), mutate
// (patchStrategicMerge, foreach) and verifyImages rules are translated.
func Rules(annotations map[string]string, spec *kyvernov1.Spec) []kyvernov1.Rule {
	return generate(spec, strings.Join(controllerSet(annotations, spec), ","))
}

// ComputeRules returns the rules Kyverno evaluates for a policy: when autogen
// generates rules, the policy's own rules minus any rule named "autogen-*",
// followed by the generated rules; otherwise the policy's rules unchanged.
// The policy's own rules are returned as they are (shallow copies sharing
// memory with spec); the generated rules are new values.
func ComputeRules(annotations map[string]string, spec *kyvernov1.Spec) []kyvernov1.Rule {
	return ComputeRulesForKind(annotations, spec, "")
}

// ComputeRulesForKind is ComputeRules restricted to one controller kind (as
// Kyverno's ComputeRules(policy, kind)): when kind is not among the policy's
// effective controllers the policy's rules are returned unchanged; otherwise
// rules are generated for that kind only ("CronJob" yields only the
// autogen-cronjob rules). An empty kind means every effective controller.
func ComputeRulesForKind(annotations map[string]string, spec *kyvernov1.Spec, kind string) []kyvernov1.Rule {
	if spec == nil {
		return nil
	}
	set := controllerSet(annotations, spec)
	if kind != "" {
		found := false
		for _, c := range set {
			found = found || c == kind
		}
		if !found {
			return spec.Rules
		}
	} else {
		kind = strings.Join(set, ",")
	}
	generated := generate(spec, kind)
	if len(generated) == 0 {
		return spec.Rules
	}
	out := make([]kyvernov1.Rule, 0, len(spec.Rules)+len(generated))
	for _, rule := range spec.Rules {
		if !IsAutogenRuleName(rule.Name) {
			out = append(out, rule)
		}
	}
	return append(out, generated...)
}

// generate produces the rules for a controllers string. A rule that fails to
// translate (malformed raw JSON) is skipped, as Kyverno logs and skips it.
func generate(spec *kyvernov1.Spec, controllers string) []kyvernov1.Rule {
	if spec == nil || controllers == "none" {
		return nil
	}
	var out []kyvernov1.Rule
	add := func(rule *kyvernov1.Rule, err error, cronJob bool) {
		if rule == nil || err != nil {
			return
		}
		if final, err := finalize(rule, cronJob); err == nil && final != nil {
			out = append(out, *final)
		}
	}
	for i := range spec.Rules {
		rule := &spec.Rules[i]
		generated, err := podControllerRule(rule, stripCronJob(controllers))
		add(generated, err, false)
		generated, err = cronJobRule(rule, controllers)
		add(generated, err, true)
	}
	return out
}

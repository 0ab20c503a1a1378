package autogen

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

const (
	autogenPrefix        = "autogen"
	autogenCronJobPrefix = "autogen-cronjob"
	maxRuleNameLength    = 63
)

// RuleName returns the name of a generated rule: prefix + "-" + name, cut to 63
// characters ("autogen-<rule>" or "autogen-cronjob-<rule>").
func RuleName(prefix, name string) string {
	name = prefix + "-" + name
	if len(name) > maxRuleNameLength {
		name = name[:maxRuleNameLength]
	}
	return name
}

// IsAutogenRuleName reports whether a rule name is reserved for generated rules.
// Such rules are never used as a source, and are dropped from the policy's own
// rules whenever autogen produces rules (see ComputeRules).
func IsAutogenRuleName(name string) bool {
	return strings.HasPrefix(name, autogenPrefix+"-")
}

// template describes where the pod template sits in a controller.
type template struct {
	prefix string // rule name prefix
	key    string // key wrapped as {"spec": {key: <pod part>}}
	shift  string // path inserted into "$(...)" message references
	// filters rewrites the kinds of the any/all entries of match and exclude.
	filters func(kyvernov1.ResourceFilters, []string) kyvernov1.ResourceFilters
}

var (
	podTemplate = template{
		prefix: autogenPrefix,
		key:    "template",
		shift:  "spec/template",
		// only the entries that select Pod are retargeted
		filters: func(in kyvernov1.ResourceFilters, kinds []string) kyvernov1.ResourceFilters {
			for i := range in {
				if containsKind(in[i].Resources.Kinds, KindPod) {
					in[i].Resources.Kinds = toGVK(kinds)
				}
			}
			return in
		},
	}
	cronJobTemplate = template{
		prefix: autogenCronJobPrefix,
		key:    "jobTemplate",
		shift:  "spec/jobTemplate/spec/template",
		// every entry is retargeted to CronJob
		filters: func(in kyvernov1.ResourceFilters, kinds []string) kyvernov1.ResourceFilters {
			for i := range in {
				in[i].Resources.Kinds = toGVK(kinds)
			}
			return in
		},
	}
)

// podControllerRule derives the autogen-<rule> rule (not yet finalized) for
// the controllers string, or nil when the rule does not apply to Pods.
func podControllerRule(rule *kyvernov1.Rule, controllers string) (*kyvernov1.Rule, error) {
	if IsAutogenRuleName(rule.Name) || controllers == "" {
		return nil, nil
	}
	if !containsKind(matchKinds(&rule.Match), KindPod) {
		return nil, nil
	}
	if rule.Exclude != nil {
		if kinds := matchKinds(rule.Exclude); len(kinds) != 0 && !containsKind(kinds, KindPod) {
			return nil, nil
		}
	}
	return generateRule(RuleName(podTemplate.prefix, rule.Name), rule, podTemplate, templateKinds(controllers))
}

// cronJobRule derives the autogen-cronjob-<rule> rule (not yet finalized): the
// autogen-<rule> rule for the same controllers string, wrapped once more.
func cronJobRule(rule *kyvernov1.Rule, controllers string) (*kyvernov1.Rule, error) {
	if !wantsCronJob(controllers) {
		return nil, nil
	}
	base, err := podControllerRule(rule, controllers)
	if base == nil || err != nil {
		return nil, err
	}
	return generateRule(RuleName(cronJobTemplate.prefix, rule.Name), base, cronJobTemplate, []string{KindCronJob})
}

func wantsCronJob(controllers string) bool {
	return strings.Contains(controllers, KindCronJob) || strings.Contains(controllers, "all")
}

// templateKinds returns the kinds an autogen-<rule> rule matches for a
// controllers string: the six template controllers for "all"; otherwise the
// listed template controllers (sorted); or, when none is listed, every listed
// value as it is (this is how a custom controller such as "CloneSet" is
// supported, and why "CronJob" alone yields ["CronJob"] in the first pass).
func templateKinds(controllers string) []string {
	if controllers == "all" {
		return splitSorted(strings.Join(templateControllers, ","))
	}
	if controllers != "none" {
		var known []string
		for _, c := range splitSorted(controllers) {
			if isTemplateController(c) {
				known = append(known, c)
			}
		}
		if len(known) > 0 {
			return known
		}
	}
	return splitSorted(controllers)
}

// matchKinds returns every kind of a match/exclude block (legacy, all, any).
func matchKinds(m *kyvernov1.MatchResources) []string {
	var kinds []string
	kinds = append(kinds, m.Resources.Kinds...)
	for _, f := range m.All {
		kinds = append(kinds, f.Resources.Kinds...)
	}
	for _, f := range m.Any {
		kinds = append(kinds, f.Resources.Kinds...)
	}
	return kinds
}

// generateRule returns a copy of rule named name, retargeted to kinds, with its
// pod-level content moved under the template of tpl. It returns nil when the
// rule has nothing autogen can translate. The message references are shifted
// here; the JMESPath/CEL rewriting is done later by finalize.
func generateRule(name string, rule *kyvernov1.Rule, tpl template, kinds []string) (*kyvernov1.Rule, error) {
	if rule == nil {
		return nil, nil
	}
	out, err := copyRule(rule)
	if err != nil {
		return nil, err
	}
	out.Name = name

	switch {
	case len(out.Match.Any) > 0:
		out.Match.Any = tpl.filters(out.Match.Any, kinds)
	case len(out.Match.All) > 0:
		out.Match.All = tpl.filters(out.Match.All, kinds)
	default:
		out.Match.Resources.Kinds = toGVK(kinds)
	}
	if out.Exclude != nil {
		switch {
		case len(out.Exclude.Any) > 0:
			out.Exclude.Any = tpl.filters(out.Exclude.Any, kinds)
		case len(out.Exclude.All) > 0:
			out.Exclude.All = tpl.filters(out.Exclude.All, kinds)
		case len(out.Exclude.Resources.Kinds) != 0:
			out.Exclude.Resources.Kinds = toGVK(kinds)
		}
	}

	if m := rule.Mutation; m != nil {
		if !isNull(m.RawPatchStrategicMerge) {
			patch, err := wrap(m.RawPatchStrategicMerge, tpl.key)
			if err != nil {
				return nil, err
			}
			out.Mutation = &kyvernov1.Mutation{RawPatchStrategicMerge: patch}
			return out, nil
		}
		if len(m.ForEachMutation) > 0 {
			foreach := make([]kyvernov1.ForEachMutation, 0, len(m.ForEachMutation))
			for _, fe := range out.Mutation.ForEachMutation {
				// only list, context and preconditions survive; a missing
				// patch is wrapped as null, as Kyverno does
				patch, err := wrap(fe.RawPatchStrategicMerge, tpl.key)
				if err != nil {
					return nil, err
				}
				foreach = append(foreach, kyvernov1.ForEachMutation{
					List:                   fe.List,
					Context:                fe.Context,
					AnyAllConditions:       fe.AnyAllConditions,
					RawPatchStrategicMerge: patch,
				})
			}
			out.Mutation = &kyvernov1.Mutation{ForEachMutation: foreach}
			return out, nil
		}
	}

	if v := rule.Validation; v != nil {
		// the common fields kept when the validation is rebuilt
		rebuilt := func(pivot string) *kyvernov1.Validation {
			return &kyvernov1.Validation{
				Message:                 shiftReferences(v.Message, tpl.shift, pivot),
				FailureAction:           out.Validation.FailureAction,
				FailureActionOverrides:  out.Validation.FailureActionOverrides,
				AllowExistingViolations: out.Validation.AllowExistingViolations,
			}
		}
		switch {
		case !isNull(v.RawPattern):
			nv := rebuilt("pattern")
			if nv.RawPattern, err = wrap(v.RawPattern, tpl.key); err != nil {
				return nil, err
			}
			out.Validation = nv
			return out, nil
		case v.Deny != nil:
			nv := rebuilt("deny")
			nv.Deny = out.Validation.Deny
			out.Validation = nv
			return out, nil
		case v.PodSecurity != nil:
			nv := rebuilt("podSecurity")
			nv.PodSecurity = &kyvernov1.PodSecurity{
				Level:   out.Validation.PodSecurity.Level,
				Version: out.Validation.PodSecurity.Version,
				Exclude: append([]kyvernov1.PodSecurityStandard{}, out.Validation.PodSecurity.Exclude...),
			}
			out.Validation = nv
			return out, nil
		case !isNull(v.RawAnyPattern):
			nv := rebuilt("anyPattern")
			if nv.RawAnyPattern, err = wrapEach(v.RawAnyPattern, tpl.key); err != nil {
				return nil, err
			}
			out.Validation = nv
			return out, nil
		case len(v.ForEachValidation) > 0:
			nv := rebuilt("pattern")
			nv.ForEachValidation = out.Validation.ForEachValidation
			out.Validation = nv
			return out, nil
		case v.CEL != nil && !reflect.DeepEqual(*v.CEL, kyvernov1.CEL{}):
			// the whole validation is kept; expressions are rewritten later
			return out, nil
		case !isNull(v.Assert):
			if out.Validation.Assert, err = wrapAssertion(v.Assert, tpl.key); err != nil {
				return nil, err
			}
			return out, nil
		}
	}

	if rule.VerifyImages != nil {
		return out, nil
	}
	return nil, nil
}

// finalize turns a generated rule into its stored form: only the fields Kyverno
// carries over are kept (name, match, exclude, context, preconditions,
// celPreconditions, mutate, validate, verifyImages, skipBackgroundRequests,
// reportProperties; imageExtractors and generate are dropped), and the
// JMESPath (or, with validate.cel, CEL) references are rewritten over the
// whole JSON text of the rule.
func finalize(rule *kyvernov1.Rule, cronJob bool) (*kyvernov1.Rule, error) {
	if rule == nil {
		return nil, nil
	}
	kept := kyvernov1.Rule{
		Name:                   rule.Name,
		VerifyImages:           rule.VerifyImages,
		SkipBackgroundRequests: rule.SkipBackgroundRequests,
	}
	if len(rule.ReportProperties) > 0 {
		kept.ReportProperties = rule.ReportProperties
	}
	if !reflect.DeepEqual(rule.Match, kyvernov1.MatchResources{}) {
		kept.Match = rule.Match
	}
	if rule.Exclude != nil && !reflect.DeepEqual(*rule.Exclude, kyvernov1.MatchResources{}) {
		kept.Exclude = rule.Exclude
	}
	if rule.Mutation != nil && !reflect.DeepEqual(*rule.Mutation, kyvernov1.Mutation{}) {
		kept.Mutation = rule.Mutation
	}
	if rule.Validation != nil && !reflect.DeepEqual(*rule.Validation, kyvernov1.Validation{}) {
		kept.Validation = rule.Validation
	}
	if hasConditions(rule.RawAnyAllConditions) {
		kept.RawAnyAllConditions = rule.RawAnyAllConditions
	}
	if len(rule.Context) > 0 {
		kept.Context = rule.Context
	}
	if len(rule.CELPreconditions) > 0 {
		kept.CELPreconditions = rule.CELPreconditions
	}

	data, err := json.Marshal(&kept)
	if err != nil {
		return nil, err
	}
	cel := kept.Validation != nil && kept.Validation.CEL != nil
	data = rewriteFields(data, cronJob, cel)
	var out kyvernov1.Rule
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// hasConditions reports whether rule preconditions are worth keeping: a
// non-empty legacy list, or an object with a non-null any or all.
func hasConditions(raw *apiextv1.JSON) bool {
	if isNull(raw) {
		return false
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw.Raw, &list); err == nil {
		return len(list) > 0
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw.Raw, &obj); err == nil {
		return !isNullRaw(obj["any"]) || !isNullRaw(obj["all"])
	}
	// not a shape Kyverno would accept; keep it rather than lose it
	return true
}

func isNull(j *apiextv1.JSON) bool {
	return j == nil || isNullRaw(j.Raw)
}

func isNullRaw(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// wrap returns {"spec": {key: raw}} (raw null when absent).
func wrap(raw *apiextv1.JSON, key string) (*apiextv1.JSON, error) {
	inner := json.RawMessage("null")
	if !isNull(raw) {
		inner = json.RawMessage(raw.Raw)
	}
	return toJSON(map[string]any{"spec": map[string]any{key: inner}})
}

// wrapEach wraps every element of a JSON list. A value that is not a list
// (or an empty list) leaves no anyPattern at all, as in Kyverno.
func wrapEach(raw *apiextv1.JSON, key string) (*apiextv1.JSON, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw.Raw, &items); err != nil || len(items) == 0 {
		return nil, nil
	}
	out := make([]any, 0, len(items))
	for _, item := range items {
		out = append(out, map[string]any{"spec": map[string]any{key: item}})
	}
	return toJSON(out)
}

// wrapAssertion moves the "object" and "oldObject" members of an assertion
// tree (when they are objects) under {"spec": {key: ...}}; any other value is
// returned unchanged.
func wrapAssertion(raw *apiextv1.JSON, key string) (*apiextv1.JSON, error) {
	var tree map[string]json.RawMessage
	if err := json.Unmarshal(raw.Raw, &tree); err != nil || tree == nil {
		return raw, nil
	}
	out := make(map[string]any, len(tree))
	for k, v := range tree {
		out[k] = v
	}
	for _, node := range []string{"object", "oldObject"} {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(tree[node], &obj); err != nil || obj == nil {
			continue
		}
		out[node] = map[string]any{"spec": map[string]any{key: tree[node]}}
	}
	return toJSON(out)
}

func toJSON(v any) (*apiextv1.JSON, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &apiextv1.JSON{Raw: data}, nil
}

// copyRule deep-copies a rule through its JSON form.
func copyRule(rule *kyvernov1.Rule) (*kyvernov1.Rule, error) {
	data, err := json.Marshal(rule)
	if err != nil {
		return nil, err
	}
	var out kyvernov1.Rule
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
	"github.com/kanon-policy/kanon/pkg/engine/validate"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	admissionv1 "k8s.io/api/admission/v1"
)

// validatePolicy is the policy-validation webhook: a ClusterPolicy or Policy
// that Kanon cannot serve is rejected at `kubectl apply` with the reason and
// the field path; unknown fields come back as warnings.
func (s *Server) validatePolicy(_ context.Context, in *input, _ string) *admissionv1.AdmissionResponse {
	req := in.review.Request
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return allow(nil)
	}
	if in.objectErr != nil || in.object == nil {
		return deny(fmt.Sprintf("policy %s: request.object is missing or not a JSON object", req.Name))
	}
	obj := in.object
	e := policycache.Compile(obj)
	if e.Err != nil {
		return deny(fmt.Sprintf("policy %s is invalid: %v", e.Key, e.Err))
	}
	problems := append(backgroundProblems(e.Spec), expressionProblems(e.Spec)...)
	problems = append(problems, s.kindProblems(e.Spec)...)
	if len(problems) > 0 {
		return deny(fmt.Sprintf("policy %s is invalid: %s", e.Key, strings.Join(problems, "; ")))
	}
	return allow(e.Warnings)
}

// requestOnly are the variables that exist only in an admission request,
// not in a background scan.
var requestOnly = regexp.MustCompile(`\b(request\.userInfo|request\.roles|request\.clusterRoles|serviceAccountName|serviceAccountNamespace)\b`)

var variable = regexp.MustCompile(`\{\{.*?\}\}`)

// backgroundProblems lists request-only variables and user-info match
// conditions in a policy with background processing on (the default), as
// Kyverno rejects them.
func backgroundProblems(spec *kyvernov1.Spec) []string {
	if spec == nil || (spec.Background != nil && !*spec.Background) {
		return nil
	}
	var out []string
	const hint = "not allowed when spec.background is true (set spec.background: false)"
	for i := range spec.Rules {
		r := &spec.Rules[i]
		base := fmt.Sprintf("spec.rules[%d]", i)
		for _, m := range matchBlocks(r) {
			if path, ok := userInfoPath(m.mr); ok {
				out = append(out, fmt.Sprintf("%s.%s%s: user information (subjects, roles, clusterRoles) is %s", base, m.name, path, hint))
			}
		}
		walkStrings(ruleTree(r), base, func(path, s string) {
			for _, v := range variable.FindAllString(s, -1) {
				if requestOnly.MatchString(v) {
					out = append(out, fmt.Sprintf("%s: variable %s is %s", path, v, hint))
				}
			}
		})
	}
	sort.Strings(out)
	return out
}

func userInfoPath(m *kyvernov1.MatchResources) (path string, found bool) {
	m.Filters(func(p string, f *kyvernov1.ResourceFilter) bool {
		if len(f.Subjects) > 0 || len(f.Roles) > 0 || len(f.ClusterRoles) > 0 {
			path, found = p, true
		}
		return !found
	})
	return path, found
}

func walkStrings(v any, path string, fn func(path, s string)) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(t[k], path+"."+k, fn)
			fn(path+"."+k, k) // variables may appear in keys
		}
	case []any:
		for i, e := range t {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case string:
		fn(path, t)
	}
}

// ruleTree is a rule as JSON values, without its match and exclude blocks.
func ruleTree(r *kyvernov1.Rule) map[string]any {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil
	}
	var tree map[string]any
	if json.Unmarshal(raw, &tree) != nil {
		return nil
	}
	delete(tree, "match")
	delete(tree, "exclude")
	return tree
}

// expressionProblems finds variables whose JMESPath does not parse and
// pattern keys that look like anchors but are malformed.
func expressionProblems(spec *kyvernov1.Spec) []string {
	var out []string
	for i := range spec.Rules {
		base := fmt.Sprintf("spec.rules[%d]", i)
		walkStrings(ruleTree(&spec.Rules[i]), base, func(path, s string) {
			for _, v := range variables.Variables(s) {
				expr := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(v, "{{"), "}}"))
				if expr == "" || expr == "@" || strings.Contains(expr, "{{") {
					continue
				}
				if _, err := jmespath.Parse(expr); err != nil {
					out = append(out, fmt.Sprintf("%s: invalid JMESPath in variable {{%s}}: %v", path, v, err))
				}
			}
			if isKeyOf(path, s) && looksLikeAnchor(s) {
				if kind, _ := validate.ParseAnchor(s); kind == validate.AnchorNone {
					out = append(out, fmt.Sprintf("%s: malformed anchor %q (anchors are (key), +(key), <(key), =(key), X(key) or ^(key))", path, s))
				}
			}
		})
	}
	return out
}

// isKeyOf reports whether walkStrings reported s as the last key of path.
func isKeyOf(path, s string) bool { return strings.HasSuffix(path, "."+s) }

func looksLikeAnchor(key string) bool {
	k := strings.TrimSpace(key)
	if k == "" {
		return false
	}
	if strings.ContainsAny(k[:1], "+<=X^") {
		k = k[1:]
	}
	return strings.HasPrefix(k, "(") || (strings.HasSuffix(k, ")") && strings.Contains(key, "("))
}

// kindProblems lists kinds in match and exclude blocks that the API server
// does not serve (wildcards are always accepted).
func (s *Server) kindProblems(spec *kyvernov1.Spec) []string {
	if s.opts.KnownKind == nil {
		return nil
	}
	var out []string
	for i := range spec.Rules {
		for _, m := range matchBlocks(&spec.Rules[i]) {
			base := fmt.Sprintf("spec.rules[%d].%s", i, m.name)
			m.mr.Filters(func(path string, f *kyvernov1.ResourceFilter) bool {
				for j, k := range f.Resources.Kinds {
					if wildcard.ContainsWildcard(k) || s.opts.KnownKind(k) {
						continue
					}
					out = append(out, fmt.Sprintf("%s%s.resources.kinds[%d]: kind %q is not served by the API server (check the spelling, or install its CRD first)", base, path, j, k))
				}
				return true
			})
		}
	}
	return out
}

// namedMatch is a rule's match or exclude block with its field name.
type namedMatch struct {
	name string
	mr   *kyvernov1.MatchResources
}

// matchBlocks returns a rule's match block and, when present, its exclude
// block.
func matchBlocks(r *kyvernov1.Rule) []namedMatch {
	out := []namedMatch{{"match", &r.Match}}
	if r.Exclude != nil {
		out = append(out, namedMatch{"exclude", r.Exclude})
	}
	return out
}

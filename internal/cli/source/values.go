package source

import (
	"fmt"
	"os"
	"strings"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// Values wraps a values file (Values kind, the legacy shape without
// apiVersion/kind, or a Test's inline values) with the lookups the commands need.
type Values struct {
	Spec     v1alpha1.ValuesSpec
	nsLabels map[string]map[string]string
}

// NewValues indexes a values spec; spec may be nil.
func NewValues(spec *v1alpha1.ValuesSpec) *Values {
	v := &Values{nsLabels: map[string]map[string]string{}}
	if spec != nil {
		v.Spec = *spec
	}
	for _, ns := range v.Spec.Namespaces {
		v.nsLabels[ns.Name] = ns.Labels
	}
	for _, s := range v.Spec.NamespaceSelectors {
		v.nsLabels[s.Name] = s.Labels
	}
	return v
}

// LoadValues reads a values file.
func LoadValues(path string) (*Values, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	docs, err := manifest.Decode(path, data)
	if err != nil {
		return nil, nil, err
	}
	if len(docs) == 0 {
		return NewValues(nil), nil, nil
	}
	var vals v1alpha1.Values
	warnings, err := manifest.Into(docs[0], &vals)
	if err != nil {
		return nil, warnings, err
	}
	return NewValues(&vals.ValuesSpec), warnings, nil
}

// NamespaceLabels implements match.NamespaceLabeler.
func (v *Values) NamespaceLabels(namespace string) map[string]string {
	if v == nil {
		return nil
	}
	return v.nsLabels[namespace]
}

var _ match.NamespaceLabeler = (*Values)(nil)

// Operation returns request.operation for a resource of a policy: the
// per-resource value, else the global value, else CREATE.
func (v *Values) Operation(policy, resource string) string {
	if v != nil {
		for _, p := range v.Spec.Policies {
			if p.Name != policy {
				continue
			}
			for _, r := range p.Resources {
				if r.Name == resource {
					if op, ok := r.Values["request.operation"].(string); ok && op != "" {
						return strings.ToUpper(op)
					}
				}
			}
		}
		if op, ok := v.Spec.GlobalValues["request.operation"].(string); ok && op != "" {
			return strings.ToUpper(op)
		}
	}
	return "CREATE"
}

// Subresource returns, for an object whose kind is declared as a subresource
// in the values file (e.g. Scale as deployments/scale), the parent's kind and
// the subresource name.
func (v *Values) Subresource(gvk match.GVK) (*match.GVK, string) {
	if v == nil {
		return nil, ""
	}
	for _, s := range v.Spec.Subresources {
		sub := s.Subresource
		if sub.Kind != gvk.Kind || (sub.Group != "" && sub.Group != gvk.Group) || (sub.Version != "" && sub.Version != gvk.Version) {
			continue
		}
		parent := s.ParentResource
		_, name, ok := strings.Cut(sub.Name, "/")
		if !ok {
			return nil, ""
		}
		return &match.GVK{Group: parent.Group, Version: parent.Version, Kind: parent.Kind}, name
	}
	return nil, ""
}

// LoadUserInfo reads a user-info file into the requester the engine matches
// subjects, roles and cluster roles against.
func LoadUserInfo(path string) (*match.UserInfo, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	docs, err := manifest.Decode(path, data)
	if err != nil {
		return nil, nil, err
	}
	if len(docs) == 0 {
		return nil, nil, fmt.Errorf("%s: empty user info file", path)
	}
	var ui v1alpha1.UserInfo
	warnings, err := manifest.Into(docs[0], &ui)
	if err != nil {
		return nil, warnings, err
	}
	return &match.UserInfo{
		Username:     ui.AdmissionUserInfo.Username,
		Groups:       ui.AdmissionUserInfo.Groups,
		Roles:        ui.Roles,
		ClusterRoles: ui.ClusterRoles,
	}, warnings, nil
}

// ResourceValues returns the values for one resource of one policy: the
// global values overlaid with the policy's per-resource values.
func (v *Values) ResourceValues(policy, resource string) map[string]any {
	if v == nil {
		return nil
	}
	out := map[string]any{}
	for k, val := range v.Spec.GlobalValues {
		out[k] = val
	}
	for _, p := range v.Spec.Policies {
		if p.Name != policy {
			continue
		}
		for _, r := range p.Resources {
			if r.Name == resource {
				for k, val := range r.Values {
					out[k] = val
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// RuleValues returns the values and foreach values of one rule of a policy.
// Values given for a rule also apply to its autogen rules.
func (v *Values) RuleValues(policy, rule string) (map[string]any, map[string][]any) {
	if v == nil {
		return nil, nil
	}
	base := strings.TrimPrefix(strings.TrimPrefix(rule, "autogen-cronjob-"), "autogen-")
	for _, p := range v.Spec.Policies {
		if p.Name != policy {
			continue
		}
		for _, r := range p.Rules {
			if r.Name == rule || r.Name == base {
				return r.Values, r.ForeachValues
			}
		}
	}
	return nil, nil
}

// Package match decides whether a rule's match and exclude blocks select a
// resource, with Kyverno's semantics: any/all and the legacy inline form; kinds
// as Kind, version/Kind, group/version/Kind and Kind/subresource with
// wildcards; names, namespaces, annotations, label and namespace selectors,
// operations; and the requester's subjects, roles and cluster roles.
//
// Blocks are compiled once (kind selectors parsed, selectors built) and then
// evaluated against many resources without re-parsing.
package match

import (
	"fmt"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// GVK is a resource's group, version and kind.
type GVK struct{ Group, Version, Kind string }

// Resource is what matching needs to know about the resource under review.
type Resource struct {
	GVK         GVK
	Subresource string
	// Name is metadata.name, or metadata.generateName when there is no name.
	Name        string
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
}

// UserInfo is the requester: name, groups and the roles bound to it.
type UserInfo struct {
	Username     string
	Groups       []string
	Roles        []string
	ClusterRoles []string
}

// IsEmpty reports whether no requester information is known (as in the CLI
// without a user-info file); user-info conditions of match blocks are then ignored.
func (u *UserInfo) IsEmpty() bool {
	return u == nil || (u.Username == "" && len(u.Groups) == 0 && len(u.Roles) == 0 && len(u.ClusterRoles) == 0)
}

// NamespaceLabeler returns the labels of a namespace. The CLI answers from the
// values file, the admission controller from an informer.
type NamespaceLabeler interface {
	NamespaceLabels(namespace string) map[string]string
}

// Request is one evaluation: the resource, the operation and the requester.
type Request struct {
	Resource   Resource
	Operation  string
	User       *UserInfo
	Namespaces NamespaceLabeler
}

func (r *Request) namespaceLabels() map[string]string {
	if r.Namespaces == nil {
		return nil
	}
	return r.Namespaces.NamespaceLabels(r.Resource.Namespace)
}

// Rule is a compiled match block with its optional exclude block.
type Rule struct {
	match   block
	exclude *block
}

// block is a compiled MatchResources: any (OR), all (AND) or legacy (one filter).
type block struct {
	any    []*filter
	all    []*filter
	legacy *filter
}

// filter is a compiled ResourceFilter.
type filter struct {
	empty        bool
	emptyRes     bool
	kinds        []kindSelector
	names        []string
	namespaces   []string
	annotations  map[string]string
	selector     *selector
	nsSelector   *selector
	operations   []string
	roles        []string
	clusterRoles []string
	subjects     []subject
}

type subject struct{ kind, name, namespace string }

// Compile compiles a rule's match and exclude blocks. path names the rule for
// errors, e.g. "spec.rules[0]".
func Compile(path string, m *kyvernov1.MatchResources, exclude *kyvernov1.MatchResources) (*Rule, error) {
	r := &Rule{}
	var err error
	if r.match, err = compileBlock(path+".match", m); err != nil {
		return nil, err
	}
	if exclude != nil {
		b, err := compileBlock(path+".exclude", exclude)
		if err != nil {
			return nil, err
		}
		r.exclude = &b
	}
	return r, nil
}

func compileBlock(path string, m *kyvernov1.MatchResources) (block, error) {
	var b block
	if m == nil {
		return b, nil
	}
	legacy := kyvernov1.ResourceFilter{UserInfo: m.UserInfo, Resources: m.Resources}
	hasLegacy := !isEmptyFilter(&legacy)
	if (len(m.Any) > 0 || len(m.All) > 0) && hasLegacy {
		return b, fmt.Errorf("%s: can't specify any/all together with match resources", path)
	}
	if len(m.Any) > 0 && len(m.All) > 0 {
		return b, fmt.Errorf("%s: can't specify any and all together", path)
	}
	for i := range m.Any {
		f, err := compileFilter(fmt.Sprintf("%s.any[%d]", path, i), &m.Any[i])
		if err != nil {
			return b, err
		}
		b.any = append(b.any, f)
	}
	for i := range m.All {
		f, err := compileFilter(fmt.Sprintf("%s.all[%d]", path, i), &m.All[i])
		if err != nil {
			return b, err
		}
		b.all = append(b.all, f)
	}
	if len(b.any) == 0 && len(b.all) == 0 {
		f, err := compileFilter(path, &legacy)
		if err != nil {
			return b, err
		}
		b.legacy = f
	}
	return b, nil
}

func isEmptyFilter(f *kyvernov1.ResourceFilter) bool {
	return isEmptyUserInfo(&f.UserInfo) && isEmptyDescription(&f.Resources)
}

func isEmptyUserInfo(u *kyvernov1.UserInfo) bool {
	return len(u.Roles) == 0 && len(u.ClusterRoles) == 0 && len(u.Subjects) == 0
}

func isEmptyDescription(d *kyvernov1.ResourceDescription) bool {
	return len(d.Kinds) == 0 && d.Name == "" && len(d.Names) == 0 && len(d.Namespaces) == 0 &&
		len(d.Annotations) == 0 && d.Selector == nil && d.NamespaceSelector == nil && len(d.Operations) == 0
}

func compileFilter(path string, f *kyvernov1.ResourceFilter) (*filter, error) {
	d := &f.Resources
	c := &filter{
		empty:        isEmptyFilter(f),
		emptyRes:     isEmptyDescription(d),
		namespaces:   d.Namespaces,
		annotations:  d.Annotations,
		operations:   d.Operations,
		roles:        f.Roles,
		clusterRoles: f.ClusterRoles,
	}
	for _, k := range d.Kinds {
		c.kinds = append(c.kinds, ParseKindSelector(k))
	}
	if d.Name != "" {
		c.names = append(c.names, d.Name)
	}
	c.names = append(c.names, d.Names...)
	var err error
	if d.Selector != nil {
		if c.selector, err = compileSelector(d.Selector); err != nil {
			return nil, fmt.Errorf("%s.resources.selector: %w", path, err)
		}
	}
	if d.NamespaceSelector != nil {
		if c.nsSelector, err = compileSelector(d.NamespaceSelector); err != nil {
			return nil, fmt.Errorf("%s.resources.namespaceSelector: %w", path, err)
		}
	}
	for _, s := range f.Subjects {
		c.subjects = append(c.subjects, subject{kind: s.Kind, name: s.Name, namespace: s.Namespace})
	}
	return c, nil
}

// Match reports whether the rule selects the request's resource: the match
// block selects it and the exclude block does not. The reason says why not.
func (r *Rule) Match(req *Request) (bool, string) {
	if !r.match.matches(req, false) {
		return false, "no resource matched"
	}
	if r.exclude != nil && r.exclude.matches(req, true) {
		return false, "resource excluded"
	}
	return true, ""
}

// matches evaluates the block; for exclude blocks an empty filter never
// excludes, for match blocks an empty filter never matches.
func (b *block) matches(req *Request, exclude bool) bool {
	switch {
	case len(b.any) > 0:
		for _, f := range b.any {
			if f.matches(req, exclude) {
				return true
			}
		}
		return false
	case len(b.all) > 0:
		for _, f := range b.all {
			if !f.matches(req, exclude) {
				return false
			}
		}
		return true
	case b.legacy != nil:
		return b.legacy.matches(req, exclude)
	}
	return false
}

func (f *filter) matches(req *Request, exclude bool) bool {
	ignoreUser := !exclude && req.User.IsEmpty()
	if f.empty || (ignoreUser && f.emptyRes) {
		// Kyverno: an empty match is an error ("match cannot be empty"); an
		// empty exclude excludes nothing.
		return false
	}
	res := &req.Resource
	if len(f.kinds) > 0 && !checkKinds(f.kinds, res.GVK, res.Subresource) {
		return false
	}
	if len(f.names) > 0 {
		ok := false
		for _, n := range f.names {
			if wildcard.Match(n, res.Name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.namespaces) > 0 {
		ns := res.Namespace
		if res.GVK.Kind == "Namespace" {
			ns = res.Name
		}
		ok := false
		for _, n := range f.namespaces {
			if wildcard.Match(n, ns) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.annotations) > 0 && !checkAnnotations(f.annotations, res.Annotations) {
		return false
	}
	if f.selector != nil && !f.selector.matches(res.Labels) {
		return false
	}
	if f.nsSelector != nil {
		if res.GVK.Kind == "Namespace" {
			return false
		}
		if !f.nsSelector.matches(req.namespaceLabels()) {
			return false
		}
	}
	if len(f.operations) > 0 {
		op := req.Operation
		if op == "" {
			op = "CREATE"
		}
		ok := false
		for _, o := range f.operations {
			if o == op {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if ignoreUser {
		return true
	}
	return f.matchesUser(req.User)
}

func (f *filter) matchesUser(u *UserInfo) bool {
	if u == nil {
		u = &UserInfo{}
	}
	if len(f.roles) > 0 && !anyWildcard(f.roles, u.Roles) {
		return false
	}
	if len(f.clusterRoles) > 0 && !anyWildcard(f.clusterRoles, u.ClusterRoles) {
		return false
	}
	if len(f.subjects) > 0 && !matchSubjects(f.subjects, u) {
		return false
	}
	return true
}

func anyWildcard(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if wildcard.Match(p, v) {
				return true
			}
		}
	}
	return false
}

const serviceAccountPrefix = "system:serviceaccount:"

func matchSubjects(subjects []subject, u *UserInfo) bool {
	for _, s := range subjects {
		switch s.kind {
		case "ServiceAccount":
			sa, ok := strings.CutPrefix(u.Username, serviceAccountPrefix)
			if ok && wildcard.Match(s.namespace+":"+s.name, sa) {
				return true
			}
		case "User", "Group":
			if wildcard.Match(s.name, u.Username) {
				return true
			}
			for _, g := range u.Groups {
				if wildcard.Match(s.name, g) {
					return true
				}
			}
		}
	}
	return false
}

func checkAnnotations(want, have map[string]string) bool {
	for k, v := range want {
		found := false
		for hk, hv := range have {
			if wildcard.Match(k, hk) && wildcard.Match(v, hv) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// selector is a compiled label selector. Selectors whose matchLabels contain
// wildcards are expanded against each resource's labels, as Kyverno does.
type selector struct {
	static   labels.Selector
	wildcard *metav1.LabelSelector
}

func compileSelector(s *metav1.LabelSelector) (*selector, error) {
	for k, v := range s.MatchLabels {
		if wildcard.ContainsWildcard(k) || wildcard.ContainsWildcard(v) {
			// Validate the non-wildcard parts now; expansion happens per resource.
			probe := s.DeepCopy()
			probe.MatchLabels = expandLabels(s.MatchLabels, nil)
			if _, err := metav1.LabelSelectorAsSelector(probe); err != nil {
				return nil, err
			}
			return &selector{wildcard: s}, nil
		}
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return nil, err
	}
	return &selector{static: sel}, nil
}

func (s *selector) matches(l map[string]string) bool {
	if s.static != nil {
		return s.static.Matches(labels.Set(l))
	}
	expanded := s.wildcard.DeepCopy()
	expanded.MatchLabels = expandLabels(s.wildcard.MatchLabels, l)
	sel, err := metav1.LabelSelectorAsSelector(expanded)
	if err != nil {
		return false
	}
	return sel.Matches(labels.Set(l))
}

// expandLabels replaces wildcard keys and values of matchLabels with the
// first resource label they match, or with the pattern's '*' and '?' turned
// into '0' when none matches (so the selector is valid and does not match).
func expandLabels(pattern, have map[string]string) map[string]string {
	out := make(map[string]string, len(pattern))
	for k, v := range pattern {
		if !wildcard.ContainsWildcard(k) && !wildcard.ContainsWildcard(v) {
			out[k] = v
			continue
		}
		found := false
		for hk, hv := range have {
			if wildcard.Match(k, hk) && wildcard.Match(v, hv) {
				out[hk] = hv
				found = true
				break
			}
		}
		if !found {
			out[zeroWildcards(k)] = zeroWildcards(v)
		}
	}
	return out
}

func zeroWildcards(s string) string {
	return strings.NewReplacer("*", "0", "?", "0").Replace(s)
}

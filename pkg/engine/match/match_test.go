package match

import (
	"testing"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type nsLabels map[string]map[string]string

func (n nsLabels) NamespaceLabels(ns string) map[string]string { return n[ns] }

func pod(name, ns string, labels map[string]string) Resource {
	return Resource{GVK: GVK{Version: "v1", Kind: "Pod"}, Name: name, Namespace: ns, Labels: labels}
}

func TestParseKindSelector(t *testing.T) {
	tests := []struct {
		name, in                          string
		group, version, kind, subresource string
		all                               bool
	}{
		{name: "kind", in: "Pod", group: "*", version: "*", kind: "Pod"},
		{name: "version/kind", in: "v1/Pod", group: "*", version: "v1", kind: "Pod"},
		{name: "group/version/kind", in: "apps/v1/Deployment", group: "apps", version: "v1", kind: "Deployment"},
		{name: "kind/subresource", in: "Pod/exec", group: "*", version: "*", kind: "Pod", subresource: "exec"},
		{name: "kind.subresource", in: "Deployment.scale", group: "*", version: "*", kind: "Deployment", subresource: "scale"},
		{name: "version/kind/subresource", in: "v1/Pod/status", group: "*", version: "v1", kind: "Pod", subresource: "status"},
		{name: "full", in: "apps/v1/Deployment/scale", group: "apps", version: "v1", kind: "Deployment", subresource: "scale"},
		{name: "dotted group", in: "networking.k8s.io/v1/NetworkPolicy", group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy"},
		{name: "star", in: "*", all: true},
		{name: "star star", in: "*/*", group: "*", version: "*", kind: "*", subresource: "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseKindSelector(tt.in)
			want := kindSelector{all: tt.all, group: tt.group, version: tt.version, kind: tt.kind, subresource: tt.subresource}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestKindMatches(t *testing.T) {
	deploy := GVK{Group: "apps", Version: "v1", Kind: "Deployment"}
	podGVK := GVK{Version: "v1", Kind: "Pod"}
	tests := []struct {
		name     string
		selector string
		gvk      GVK
		sub      string
		want     bool
	}{
		{name: "kind", selector: "Deployment", gvk: deploy, want: true},
		{name: "wrong kind", selector: "Pod", gvk: deploy},
		{name: "wildcard kind", selector: "Deploy*", gvk: deploy, want: true},
		{name: "wrong group", selector: "batch/v1/Deployment", gvk: deploy},
		{name: "kind does not select subresource", selector: "Deployment", gvk: deploy, sub: "scale"},
		{name: "subresource", selector: "Deployment/scale", gvk: deploy, sub: "scale", want: true},
		{name: "pod selects ephemeral containers", selector: "Pod", gvk: podGVK, sub: "ephemeralcontainers", want: true},
		{name: "star selects subresources", selector: "*", gvk: deploy, sub: "status", want: true},
		{name: "star slash star", selector: "*/*", gvk: deploy, sub: "status", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseKindSelector(tt.selector).Matches(tt.gvk, tt.sub); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRuleMatch(t *testing.T) {
	pods := kyvernov1.ResourceDescription{Kinds: []string{"Pod"}}
	tests := []struct {
		name    string
		match   kyvernov1.MatchResources
		exclude *kyvernov1.MatchResources
		res     Resource
		op      string
		user    *UserInfo
		ns      nsLabels
		want    bool
	}{
		{name: "legacy kinds", match: kyvernov1.MatchResources{Resources: pods}, res: pod("a", "default", nil), want: true},
		{name: "any kinds", match: kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: pods}}}, res: pod("a", "default", nil), want: true},
		{name: "empty match never matches", match: kyvernov1.MatchResources{}, res: pod("a", "default", nil)},
		{name: "name wildcard", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Names: []string{"web-*"}}}, res: pod("web-1", "default", nil), want: true},
		{name: "name mismatch", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Name: "db"}}, res: pod("web-1", "default", nil)},
		{name: "namespace wildcard", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Namespaces: []string{"team-?"}}}, res: pod("a", "team-a", nil), want: true},
		{name: "namespace of a Namespace is its name", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Namespace"}, Namespaces: []string{"prod"}}},
			res: Resource{GVK: GVK{Version: "v1", Kind: "Namespace"}, Name: "prod"}, want: true},
		{name: "selector", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
			res: pod("a", "default", map[string]string{"app": "web"}), want: true},
		{name: "selector with wildcard value", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "w*"}}}},
			res: pod("a", "default", map[string]string{"app": "web"}), want: true},
		{name: "selector with wildcard that matches nothing", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app*": "x"}}}},
			res: pod("a", "default", map[string]string{"app": "web"})},
		{name: "namespace selector", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}}},
			res: pod("a", "shop", nil), ns: nsLabels{"shop": {"env": "prod"}}, want: true},
		{name: "namespace selector never selects a Namespace", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Namespace"}, NamespaceSelector: &metav1.LabelSelector{}}},
			res: Resource{GVK: GVK{Version: "v1", Kind: "Namespace"}, Name: "shop"}},
		{name: "annotations", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Annotations: map[string]string{"team/*": "a*"}}},
			res: Resource{GVK: GVK{Version: "v1", Kind: "Pod"}, Name: "a", Annotations: map[string]string{"team/owner": "alice"}}, want: true},
		{name: "operation", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Operations: []string{"DELETE"}}}, res: pod("a", "default", nil), op: "DELETE", want: true},
		{name: "operation mismatch", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}, Operations: []string{"DELETE"}}}, res: pod("a", "default", nil), op: "CREATE"},
		{name: "all needs every filter", match: kyvernov1.MatchResources{All: kyvernov1.ResourceFilters{{Resources: pods}, {Resources: kyvernov1.ResourceDescription{Namespaces: []string{"prod"}}}}}, res: pod("a", "dev", nil)},
		{name: "exclude any", match: kyvernov1.MatchResources{Resources: pods}, exclude: &kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: kyvernov1.ResourceDescription{Namespaces: []string{"kube-system"}}}}}, res: pod("a", "kube-system", nil)},
		{name: "exclude all needs every filter", match: kyvernov1.MatchResources{Resources: pods}, exclude: &kyvernov1.MatchResources{All: kyvernov1.ResourceFilters{{Resources: kyvernov1.ResourceDescription{Namespaces: []string{"kube-system"}}}, {Resources: kyvernov1.ResourceDescription{Names: []string{"x"}}}}}, res: pod("a", "kube-system", nil), want: true},
		{name: "user info ignored without requester", match: kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: pods, UserInfo: kyvernov1.UserInfo{ClusterRoles: []string{"admin"}}}}}, res: pod("a", "default", nil), want: true},
		{name: "cluster role", match: kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: pods, UserInfo: kyvernov1.UserInfo{ClusterRoles: []string{"admin"}}}}}, res: pod("a", "default", nil), user: &UserInfo{Username: "u", ClusterRoles: []string{"view"}}},
		{name: "service account subject", match: kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: pods, UserInfo: kyvernov1.UserInfo{Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: "ci"}}}}}},
			res: pod("a", "default", nil), user: &UserInfo{Username: "system:serviceaccount:ci:deployer"}, want: true},
		{name: "group subject", match: kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: pods, UserInfo: kyvernov1.UserInfo{Subjects: []rbacv1.Subject{{Kind: "Group", Name: "system:masters"}}}}}},
			res: pod("a", "default", nil), user: &UserInfo{Username: "alice", Groups: []string{"system:masters"}}, want: true},
		{name: "exclude by subject", match: kyvernov1.MatchResources{Resources: pods}, exclude: &kyvernov1.MatchResources{UserInfo: kyvernov1.UserInfo{Subjects: []rbacv1.Subject{{Kind: "User", Name: "admin"}}}},
			res: pod("a", "default", nil), user: &UserInfo{Username: "admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile("spec.rules[0]", &tt.match, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			req := &Request{Resource: tt.res, Operation: tt.op, User: tt.user}
			if tt.ns != nil {
				req.Namespaces = tt.ns
			}
			if got, reason := r.Match(req); got != tt.want {
				t.Errorf("got %v (%s), want %v", got, reason, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		match kyvernov1.MatchResources
		want  string
	}{
		{name: "any with legacy", match: kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{}}, Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}}}, want: "spec.rules[0].match: can't specify any/all together with match resources"},
		{name: "bad selector", match: kyvernov1.MatchResources{Resources: kyvernov1.ResourceDescription{Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Bogus"}}}}}, want: "spec.rules[0].match.resources.selector: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile("spec.rules[0]", &tt.match, nil)
			if err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
				t.Errorf("got %v, want prefix %q", err, tt.want)
			}
		})
	}
}

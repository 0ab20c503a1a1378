package config

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		data    map[string]string
		check   func(t *testing.T, c *Config)
		wantErr string
	}{
		{name: "defaults", data: nil, check: func(t *testing.T, c *Config) {
			if !c.Filtered(Request{Kind: "Event", Namespace: "x", Name: "e"}) || !c.Filtered(Request{Kind: "Pod", Namespace: "kube-system", Name: "p"}) {
				t.Error("default filters")
			}
			if c.Filtered(Request{Version: "v1", Kind: "Pod", Namespace: "default", Name: "p"}) {
				t.Error("a Pod in default is filtered")
			}
			if !c.Filtered(Request{Kind: "Pod", Subresource: "binding", Namespace: "default"}) || c.Filtered(Request{Kind: "Pod", Subresource: "exec", Namespace: "default"}) {
				t.Error("subresource filters")
			}
			if !c.ExcludedUser("kubelet", []string{"system:nodes"}, nil, nil) || c.ExcludedUser("alice", []string{"dev"}, nil, nil) {
				t.Error("default excludeGroups system:nodes")
			}
			if c.DefaultRegistry != "docker.io" || !c.EnableDefaultRegistryMutation {
				t.Error("registry defaults")
			}
		}},
		{name: "custom filters and exclusions", data: map[string]string{
			"resourceFilters": " [ConfigMap,team-*,*] [apps/v1/Deployment,*,legacy-?] ", "excludeUsernames": "robot, !robot-audited, ci-*",
			"excludeGroups": "", "excludeClusterRoles": "cluster-admin", "generateSuccessEvents": "true",
		}, check: func(t *testing.T, c *Config) {
			if !c.Filtered(Request{Kind: "ConfigMap", Namespace: "team-a"}) || c.Filtered(Request{Kind: "ConfigMap", Namespace: "default"}) {
				t.Error("ConfigMap filter")
			}
			if !c.Filtered(Request{Group: "apps", Version: "v1", Kind: "Deployment", Name: "legacy-1"}) || c.Filtered(Request{Group: "apps", Version: "v1", Kind: "Deployment", Name: "legacy-10"}) {
				t.Error("group/version/Kind filter with ?")
			}
			if c.Filtered(Request{Kind: "Event"}) {
				t.Error("an explicit resourceFilters replaces the defaults")
			}
			if !c.ExcludedUser("robot", nil, nil, nil) || c.ExcludedUser("robot-audited", nil, nil, nil) || !c.ExcludedUser("ci-bot", nil, nil, nil) {
				t.Error("username exclusions with ! re-inclusion and wildcards")
			}
			if c.ExcludedUser("kubelet", []string{"system:nodes"}, nil, nil) {
				t.Error("an empty excludeGroups clears the default")
			}
			if !c.ExcludedUser("x", nil, nil, []string{"cluster-admin"}) || !c.GenerateSuccessEvents {
				t.Error("cluster role exclusion, generateSuccessEvents")
			}
		}},
		{name: "webhooks object and list", data: map[string]string{"webhooks": `[{"namespaceSelector":{"matchLabels":{"a":"b"}}}]`, "webhookAnnotations": `{"x":"y"}`},
			check: func(t *testing.T, c *Config) {
				if c.Webhooks.NamespaceSelector == nil || c.Webhooks.NamespaceSelector.MatchLabels["a"] != "b" || c.WebhookAnnotations["x"] != "y" {
					t.Errorf("%+v %v", c.Webhooks, c.WebhookAnnotations)
				}
			}},
		{name: "unterminated filter", data: map[string]string{"resourceFilters": "[Pod,*,*][Event,*"}, wantErr: "resourceFilters: missing ']'"},
		{name: "garbage between filters", data: map[string]string{"resourceFilters": "[Pod,*,*] x"}, wantErr: "expected '['"},
		{name: "four parts", data: map[string]string{"resourceFilters": "[Pod,a,b,c]"}, wantErr: "more than three parts"},
		{name: "bad webhooks JSON", data: map[string]string{"webhooks": "{namespaceSelector"}, wantErr: "webhooks:"},
		{name: "bad labels", data: map[string]string{"webhookLabels": `["a"]`}, wantErr: "webhookLabels: want a JSON object of strings"},
		{name: "bad bool", data: map[string]string{"generateSuccessEvents": "yes please"}, wantErr: `generateSuccessEvents: want true or false, got "yes please"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func FuzzParseFilters(f *testing.F) {
	f.Add(DefaultResourceFilters)
	f.Add("[a/b/c/d,*,*][x,y]")
	f.Add("[,,][")
	f.Fuzz(func(t *testing.T, s string) {
		filters, err := ParseFilters(s)
		if err != nil {
			return
		}
		c := &Config{ResourceFilters: filters}
		_ = c.Filtered(Request{Kind: "Pod", Namespace: "default", Name: "p"})
	})
}

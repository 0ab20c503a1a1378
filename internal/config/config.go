// Package config is the admission controller's runtime configuration: the
// keys of Kanon's ConfigMap (the same keys as Kyverno's `kyverno` ConfigMap:
// resourceFilters, excludeGroups, excludeUsernames, excludeRoles,
// excludeClusterRoles, webhooks, webhookAnnotations, webhookLabels,
// defaultRegistry, enableDefaultRegistryMutation, generateSuccessEvents),
// parsed once per ConfigMap change into an immutable Config.
package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultResourceFilters are used when the ConfigMap has no resourceFilters
// key: the requests Kyverno's chart filters out by default (events, nodes,
// API services, access reviews, bindings, ReplicaSets and the system
// namespaces).
const DefaultResourceFilters = "[Event,*,*][*/*,kube-system,*][*/*,kube-public,*][*/*,kube-node-lease,*]" +
	"[Node,*,*][Node/*,*,*][APIService,*,*][APIService/*,*,*][TokenReview,*,*][SubjectAccessReview,*,*]" +
	"[SelfSubjectAccessReview,*,*][Binding,*,*][Pod/binding,*,*][ReplicaSet,*,*][ReplicaSet/*,*,*]" +
	"[EphemeralReport,*,*][ClusterEphemeralReport,*,*]"

// Filter is one `[Kind,Namespace,Name]` resource filter; each part may use
// wildcards and Kind may be `group/version/Kind/subresource`, `Kind/sub` or
// `*/*`.
type Filter struct {
	Group, Version, Kind, Subresource string
	Namespace, Name                   string
}

// Exclusions is a list of identities with `!`-prefixed re-inclusions.
type Exclusions struct {
	Exclude, Include []string
}

// Matches reports whether any of values is excluded and not re-included.
func (e Exclusions) Matches(values ...string) bool {
	excluded := false
	for _, v := range values {
		for _, p := range e.Include {
			if wildcard.Match(p, v) {
				return false
			}
		}
		for _, p := range e.Exclude {
			if wildcard.Match(p, v) {
				excluded = true
			}
		}
	}
	return excluded
}

// WebhookSelectors are the `webhooks` key: selectors added to every
// resource webhook.
type WebhookSelectors struct {
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	ObjectSelector    *metav1.LabelSelector `json:"objectSelector,omitempty"`
}

// Config is the parsed ConfigMap. It is immutable once built.
type Config struct {
	ResourceFilters               []Filter
	ExcludeGroups                 Exclusions
	ExcludeUsernames              Exclusions
	ExcludeRoles                  Exclusions
	ExcludeClusterRoles           Exclusions
	Webhooks                      WebhookSelectors
	WebhookAnnotations            map[string]string
	WebhookLabels                 map[string]string
	DefaultRegistry               string
	EnableDefaultRegistryMutation bool
	GenerateSuccessEvents         bool
}

// Default is the configuration without a ConfigMap.
func Default() *Config {
	c, err := Parse(nil)
	if err != nil {
		panic(err) // the defaults are constants; a failure is a programming error
	}
	return c
}

// Parse builds a Config from ConfigMap data. Missing keys take Kyverno's
// defaults; a malformed key is an error naming the key and the value.
func Parse(data map[string]string) (*Config, error) {
	c := &Config{DefaultRegistry: "docker.io", EnableDefaultRegistryMutation: true}
	filters, ok := data["resourceFilters"]
	if !ok {
		filters = DefaultResourceFilters
	}
	var err error
	if c.ResourceFilters, err = ParseFilters(filters); err != nil {
		return nil, fmt.Errorf("resourceFilters: %w", err)
	}
	groups, ok := data["excludeGroups"]
	if !ok {
		groups = "system:nodes"
	}
	c.ExcludeGroups = parseExclusions(groups)
	c.ExcludeUsernames = parseExclusions(data["excludeUsernames"])
	c.ExcludeRoles = parseExclusions(data["excludeRoles"])
	c.ExcludeClusterRoles = parseExclusions(data["excludeClusterRoles"])
	if s := strings.TrimSpace(data["webhooks"]); s != "" {
		if err := parseWebhooks(s, &c.Webhooks); err != nil {
			return nil, fmt.Errorf("webhooks: %w (value %q)", err, s)
		}
	}
	for key, dst := range map[string]*map[string]string{"webhookAnnotations": &c.WebhookAnnotations, "webhookLabels": &c.WebhookLabels} {
		if s := strings.TrimSpace(data[key]); s != "" {
			if err := json.Unmarshal([]byte(s), dst); err != nil {
				return nil, fmt.Errorf("%s: want a JSON object of strings: %w (value %q)", key, err, s)
			}
		}
	}
	if s := strings.TrimSpace(data["defaultRegistry"]); s != "" {
		c.DefaultRegistry = s
	}
	for key, dst := range map[string]*bool{"enableDefaultRegistryMutation": &c.EnableDefaultRegistryMutation, "generateSuccessEvents": &c.GenerateSuccessEvents} {
		if s := strings.TrimSpace(data[key]); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, fmt.Errorf("%s: want true or false, got %q", key, s)
			}
			*dst = b
		}
	}
	return c, nil
}

// parseWebhooks accepts Kyverno's shapes: a JSON object, or a list whose
// first element is used.
func parseWebhooks(s string, out *WebhookSelectors) error {
	if strings.HasPrefix(s, "[") {
		var list []WebhookSelectors
		if err := json.Unmarshal([]byte(s), &list); err != nil {
			return err
		}
		if len(list) > 0 {
			*out = list[0]
		}
		return nil
	}
	return json.Unmarshal([]byte(s), out)
}

func parseExclusions(s string) Exclusions {
	var e Exclusions
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case strings.HasPrefix(part, "!"):
			e.Include = append(e.Include, part[1:])
		default:
			e.Exclude = append(e.Exclude, part)
		}
	}
	return e
}

// ParseFilters parses Kyverno's `[Kind,Namespace,Name][...]` string.
// Whitespace between filters is ignored; a filter with fewer than three
// parts leaves the rest as `*`.
func ParseFilters(s string) ([]Filter, error) {
	var out []Filter
	rest := strings.TrimSpace(s)
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("expected '[' at %q", clip(rest))
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("missing ']' after %q", clip(rest))
		}
		parts := strings.Split(rest[1:end], ",")
		if len(parts) > 3 {
			return nil, fmt.Errorf("filter %q has more than three parts [Kind,Namespace,Name]", rest[:end+1])
		}
		for len(parts) < 3 {
			parts = append(parts, "*")
		}
		f := Filter{Namespace: strings.TrimSpace(parts[1]), Name: strings.TrimSpace(parts[2])}
		if err := f.setKind(strings.TrimSpace(parts[0])); err != nil {
			return nil, fmt.Errorf("filter %q: %w", rest[:end+1], err)
		}
		out = append(out, f)
		rest = strings.TrimSpace(rest[end+1:])
	}
	return out, nil
}

func (f *Filter) setKind(k string) error {
	if k == "" {
		return fmt.Errorf("empty kind")
	}
	parts := strings.Split(k, "/")
	f.Group, f.Version = "*", "*"
	switch len(parts) {
	case 1:
		f.Kind = parts[0]
	case 2: // Kind/subresource, or */*
		f.Kind, f.Subresource = parts[0], parts[1]
	case 3: // version/Kind/subresource or group/version/Kind
		if isKindName(parts[1]) {
			f.Version, f.Kind, f.Subresource = parts[0], parts[1], parts[2]
		} else {
			f.Group, f.Version, f.Kind = parts[0], parts[1], parts[2]
		}
	case 4:
		f.Group, f.Version, f.Kind, f.Subresource = parts[0], parts[1], parts[2], parts[3]
	default:
		return fmt.Errorf("kind %q has too many '/' parts", k)
	}
	return nil
}

func isKindName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Request is what the filters look at.
type Request struct {
	Group, Version, Kind, Subresource string
	Namespace, Name                   string
}

// Filtered reports whether a request matches a resource filter and is
// skipped entirely.
func (c *Config) Filtered(r Request) bool {
	for i := range c.ResourceFilters {
		f := &c.ResourceFilters[i]
		if f.matches(r) {
			return true
		}
	}
	return false
}

func (f *Filter) matches(r Request) bool {
	if f.Kind == "*" && f.Subresource == "*" {
		// `*/*` matches every kind, with or without a subresource.
	} else {
		if !wildcard.Match(f.Kind, r.Kind) {
			return false
		}
		if f.Subresource != "" || r.Subresource != "" {
			if !wildcard.Match(f.Subresource, r.Subresource) {
				return false
			}
		}
	}
	return wildcard.Match(f.Group, r.Group) && wildcard.Match(f.Version, r.Version) &&
		wildcard.Match(f.Namespace, r.Namespace) && wildcard.Match(f.Name, r.Name)
}

// ExcludedUser reports whether requests of this identity are skipped.
func (c *Config) ExcludedUser(username string, groups, roles, clusterRoles []string) bool {
	return c.ExcludeUsernames.Matches(username) || c.ExcludeGroups.Matches(groups...) ||
		c.ExcludeRoles.Matches(roles...) || c.ExcludeClusterRoles.Matches(clusterRoles...)
}

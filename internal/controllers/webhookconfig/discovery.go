package webhookconfig

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// resource is one served resource (or subresource) from discovery.
type resource struct {
	GVR         schema.GroupVersionResource
	Kind        string // the parent's kind for a subresource
	Subresource string
	Namespaced  bool
}

// Resources is the API server's resources, from discovery, refreshed on
// demand (when a policy names a kind that is not known yet) at most once per
// MinRefresh.
type Resources struct {
	client     discovery.DiscoveryInterface
	MinRefresh time.Duration

	mu        sync.RWMutex
	list      []resource
	kinds     map[schema.GroupVersionResource]string
	refreshed time.Time
}

// NewResources returns an empty index; call Refresh to fill it.
func NewResources(client discovery.DiscoveryInterface) *Resources {
	return &Resources{client: client, MinRefresh: 10 * time.Second}
}

// Refresh reloads the index from discovery: every resource and subresource
// at its group's preferred version (or at another version when the
// preferred one does not serve it). Partial discovery failures (an
// aggregated API that is down) keep what was found.
func (r *Resources) Refresh() error {
	groups, lists, err := r.client.ServerGroupsAndResources()
	if lists == nil && err != nil {
		return err
	}
	preferred := map[string]string{}
	for _, g := range groups {
		preferred[g.Name] = g.PreferredVersion.Version
	}
	// Preferred versions first, so other versions only fill gaps.
	sort.SliceStable(lists, func(i, j int) bool {
		return isPreferred(lists[i].GroupVersion, preferred) && !isPreferred(lists[j].GroupVersion, preferred)
	})
	var out []resource
	kinds := map[schema.GroupVersionResource]string{}
	seen := map[string]bool{} // group/resource[/sub]
	for _, l := range lists {
		gv, perr := schema.ParseGroupVersion(l.GroupVersion)
		if perr != nil {
			continue
		}
		for _, ar := range l.APIResources {
			name, sub, _ := strings.Cut(ar.Name, "/")
			gvr := gv.WithResource(name)
			if sub == "" {
				kinds[gvr] = ar.Kind
			}
			if key := gv.Group + "/" + ar.Name; !seen[key] {
				seen[key] = true
				out = append(out, resource{GVR: gvr, Kind: ar.Kind, Subresource: sub, Namespaced: ar.Namespaced})
			}
		}
	}
	for i := range out {
		if out[i].Subresource != "" {
			out[i].Kind = kinds[out[i].GVR]
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	r.mu.Lock()
	r.list, r.kinds, r.refreshed = out, kinds, time.Now()
	r.mu.Unlock()
	return nil
}

func (x resource) key() string {
	return x.GVR.Group + "/" + x.GVR.Version + "/" + x.GVR.Resource + "/" + x.Subresource
}

// KindFor returns the kind served at a group/version/resource ("" when
// unknown). The admission server uses it for the parent kind of
// subresource requests.
func (r *Resources) KindFor(group, version, res string) string {
	r.mu.RLock()
	k := r.kinds[schema.GroupVersionResource{Group: group, Version: version, Resource: res}]
	r.mu.RUnlock()
	if k == "" && r.maybeRefresh() {
		r.mu.RLock()
		k = r.kinds[schema.GroupVersionResource{Group: group, Version: version, Resource: res}]
		r.mu.RUnlock()
	}
	return k
}

func (r *Resources) maybeRefresh() bool {
	r.mu.RLock()
	stale := time.Since(r.refreshed) >= r.MinRefresh
	r.mu.RUnlock()
	return stale && r.Refresh() == nil
}

// kindSelector is a policy kind: Kind, Kind/subresource, version/Kind,
// group/version/Kind or group/version/Kind/subresource, with wildcards.
type kindSelector struct {
	Group, Version, Kind, Subresource string
}

func parseKind(s string) kindSelector {
	parts := strings.Split(s, "/")
	k := kindSelector{Group: "*", Version: "*"}
	upper := func(p string) bool { return p != "" && (p[0] >= 'A' && p[0] <= 'Z' || p[0] == '*') }
	switch len(parts) {
	case 1:
		k.Kind = parts[0]
	case 2:
		if upper(parts[0]) { // Kind/subresource
			k.Kind, k.Subresource = parts[0], parts[1]
		} else { // version/Kind (core group)
			k.Group, k.Version, k.Kind = "", parts[0], parts[1]
		}
	case 3:
		if upper(parts[1]) && !upper(parts[2]) { // version/Kind/subresource
			k.Group, k.Version, k.Kind, k.Subresource = "", parts[0], parts[1], parts[2]
		} else {
			k.Group, k.Version, k.Kind = parts[0], parts[1], parts[2]
		}
	default:
		k.Group, k.Version, k.Kind, k.Subresource = parts[0], parts[1], parts[2], strings.Join(parts[3:], "/")
	}
	return k
}

// resolve returns the resources a kind selector names, and whether the
// selector is the catch-all "*".
func (r *Resources) resolve(sel string) (out []resource, all bool) {
	k := parseKind(sel)
	if k.Kind == "*" && k.Group == "*" && k.Version == "*" && k.Subresource == "" {
		return nil, true
	}
	find := func() {
		r.mu.RLock()
		defer r.mu.RUnlock()
		for _, x := range r.list {
			if !wildcard.Match(k.Kind, x.Kind) || !wildcard.Match(k.Group, x.GVR.Group) {
				continue
			}
			// The webhook's version is the preferred one; a policy naming
			// another version still matches it (matchPolicy Equivalent).
			if (k.Subresource == "") != (x.Subresource == "") || (k.Subresource != "" && !wildcard.Match(k.Subresource, x.Subresource)) {
				continue
			}
			out = append(out, x)
		}
	}
	find()
	if len(out) == 0 && r.maybeRefresh() {
		find()
	}
	return out, false
}

// Known reports whether a policy kind selector names at least one served
// resource (the catch-all "*" always does).
func (r *Resources) Known(sel string) bool {
	list, all := r.resolve(sel)
	return all || len(list) > 0
}

func isPreferred(groupVersion string, preferred map[string]string) bool {
	gv, err := schema.ParseGroupVersion(groupVersion)
	return err == nil && preferred[gv.Group] == gv.Version
}

// ResourceFor maps an apiVersion ("v1", "group/version"; "" for the
// preferred version of any group, the core group first) and a kind to the
// resource that serves it, and whether it is namespaced. Subresources are
// never returned. An unknown kind refreshes discovery (at most once per
// MinRefresh) before answering false.
func (r *Resources) ResourceFor(apiVersion, kind string) (gvr schema.GroupVersionResource, namespaced, ok bool) {
	var gv schema.GroupVersion
	if apiVersion != "" {
		var err error
		if gv, err = schema.ParseGroupVersion(apiVersion); err != nil {
			return gvr, false, false
		}
	}
	find := func() bool {
		r.mu.RLock()
		defer r.mu.RUnlock()
		for _, x := range r.list { // preferred versions, sorted by group: the core group first
			if x.Subresource != "" || x.Kind != kind || (apiVersion != "" && x.GVR.Group != gv.Group) {
				continue
			}
			gvr, namespaced, ok = x.GVR, x.Namespaced, true
			if apiVersion == "" || x.GVR.Version == gv.Version {
				return true
			}
			// Another version of the same group and resource.
			if k := r.kinds[x.GVR.GroupResource().WithVersion(gv.Version)]; k == kind {
				gvr = x.GVR.GroupResource().WithVersion(gv.Version)
				return true
			}
			ok = false
		}
		return ok
	}
	if find() || !r.maybeRefresh() {
		return gvr, namespaced, ok
	}
	find()
	return gvr, namespaced, ok
}

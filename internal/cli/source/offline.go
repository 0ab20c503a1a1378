package source

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// Offline answers context entries without a cluster: ConfigMaps from the
// resources given to the command, API calls from a test's apiCallResponses
// mocks, global context entries from a test's globalContextEntries mocks.
// Anything else is engine.ErrNoData, which leaves the entry unset (values
// files can still provide it), as Kyverno's CLI does.
type Offline struct {
	Resources []manifest.Document
	// Sources are extra objects generate rules may clone (a test's
	// cloneSourceResource files).
	Sources       []manifest.Document
	APIResponses  []v1alpha1.APICallResponse
	GlobalEntries []v1alpha1.GlobalContextEntryMock
}

var (
	_ engine.ExternalData   = (*Offline)(nil)
	_ engine.ResourceLister = (*Offline)(nil)
	_ engine.ResourceLister = Objects(nil)
)

// List implements engine.ResourceLister for generate clone and cloneList
// sources: the clone sources, then the given resources.
func (o *Offline) List(q engine.ResourceQuery) ([]map[string]any, error) {
	out, _ := Objects(o.Sources).List(q)
	more, _ := Objects(o.Resources).List(q)
	return append(out, more...), nil
}

// Objects is a fixed set of objects (a test's targetResources, apply's
// --target-resource files) answering engine.ResourceLister queries.
type Objects []manifest.Document

// List implements engine.ResourceLister, in file order.
func (l Objects) List(q engine.ResourceQuery) ([]map[string]any, error) {
	var out []map[string]any
	for i := range l {
		if q.Matches(l[i].Object) {
			out = append(out, l[i].Object)
		}
	}
	return out, nil
}

// ConfigMap implements engine.ExternalData.
func (o *Offline) ConfigMap(namespace, name string) (map[string]any, error) {
	for _, d := range o.Resources {
		apiVersion, kind := Kind(&d)
		if apiVersion != "v1" || kind != "ConfigMap" {
			continue
		}
		meta, _ := d.Object["metadata"].(map[string]any)
		if meta["name"] == name && (meta["namespace"] == namespace || namespace == "") {
			return d.Object, nil
		}
	}
	return nil, engine.ErrNoData
}

// APICall implements engine.ExternalData from the test's mocks.
func (o *Offline) APICall(call engine.APICall) (any, error) {
	for _, m := range o.APIResponses {
		method := m.Method
		if method == "" {
			method = "GET"
		}
		if !strings.EqualFold(method, call.Method) {
			continue
		}
		if (call.ServiceURL != "" && m.URL == call.ServiceURL) || (call.ServiceURL == "" && m.URLPath != "" && m.URLPath == call.URLPath) {
			if m.Response.StatusCode >= 400 {
				return nil, fmt.Errorf("HTTP %d", m.Response.StatusCode)
			}
			if m.Response.Body == nil {
				return nil, nil
			}
			var body any
			if err := json.Unmarshal(m.Response.Body.Raw, &body); err != nil {
				return nil, fmt.Errorf("mocked response for %s: %w", call.URLPath+call.ServiceURL, err)
			}
			return body, nil
		}
	}
	return nil, engine.ErrNoData
}

// ImageData implements engine.ExternalData: the CLI has no registry access.
func (o *Offline) ImageData(string) (map[string]any, error) { return nil, engine.ErrNoData }

// GlobalContext implements engine.ExternalData from the test's mocks.
func (o *Offline) GlobalContext(name string) (any, error) {
	entry, projection, _ := strings.Cut(name, ".")
	for _, g := range o.GlobalEntries {
		if g.Name != entry {
			continue
		}
		var data any
		switch {
		case g.Data != nil:
			if err := json.Unmarshal(g.Data.Raw, &data); err != nil {
				return nil, fmt.Errorf("global context entry %s: %w", g.Name, err)
			}
		case len(g.Resources) > 0:
			list := make([]any, 0, len(g.Resources))
			for _, r := range g.Resources {
				var v any
				if err := json.Unmarshal(r.Raw, &v); err != nil {
					return nil, fmt.Errorf("global context entry %s: %w", g.Name, err)
				}
				list = append(list, v)
			}
			data = list
		}
		if g.FieldPath != "" {
			v, err := jmespath.Search(g.FieldPath, data)
			if err != nil {
				return nil, fmt.Errorf("global context entry %s: fieldPath: %w", g.Name, err)
			}
			data = v
		}
		if projection != "" {
			for _, p := range g.Projections {
				if p.Name == projection {
					return jmespath.Search(p.Path, data)
				}
			}
			return nil, fmt.Errorf("global context entry %s has no projection %s", g.Name, projection)
		}
		return data, nil
	}
	return nil, engine.ErrNoData
}

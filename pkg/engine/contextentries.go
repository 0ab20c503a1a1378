package engine

import (
	"encoding/json"
	"errors"
	"fmt"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
)

// ExternalData loads the context entries that need data from outside the
// request. The CLI answers from values files, test resources and mocked API
// responses; the admission controller from the cluster.
type ExternalData interface {
	// ConfigMap returns the ConfigMap object (apiVersion, kind, metadata, data).
	ConfigMap(namespace, name string) (map[string]any, error)
	// APICall performs a Kubernetes API call (URLPath) or an external
	// service call (Service) and returns the decoded JSON response.
	APICall(call APICall) (any, error)
	// ImageData returns registry metadata of an image reference.
	ImageData(reference string) (map[string]any, error)
	// GlobalContext returns the data of a GlobalContextEntry.
	GlobalContext(name string) (any, error)
}

// APICall is an apiCall context entry with its variables substituted.
type APICall struct {
	URLPath    string
	Method     string
	Data       map[string]any
	ServiceURL string
	Headers    map[string]string
}

// ErrNoData is returned by an ExternalData that cannot provide an entry; the
// entry is then left unset (as Kyverno's CLI does), so a variable that uses
// it fails unless a default catches it.
var ErrNoData = errors.New("no data available for context entry")

// contextEntry is a compiled context entry.
type contextEntry struct {
	raw      kyvernov1.ContextEntry
	value    any // decoded variable.value
	defValue any // decoded variable.default / apiCall.default
	data     map[string]any
}

func compileContext(path string, entries []kyvernov1.ContextEntry) ([]contextEntry, error) {
	var out []contextEntry
	for i, e := range entries {
		p := fmt.Sprintf("%s.context[%d]", path, i)
		if e.Name == "" {
			return nil, fmt.Errorf("%s.name: required", p)
		}
		sources := 0
		for _, set := range []bool{e.ConfigMap != nil, e.APICall != nil, e.ImageRegistry != nil, e.Variable != nil, e.GlobalReference != nil} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			return nil, fmt.Errorf("%s: exactly one of configMap, apiCall, imageRegistry, variable or globalReference is required", p)
		}
		ce := contextEntry{raw: e}
		var err error
		if v := e.Variable; v != nil {
			if ce.value, err = decodeJSON(p+".variable.value", v.Value); err != nil {
				return nil, err
			}
			if ce.defValue, err = decodeJSON(p+".variable.default", v.Default); err != nil {
				return nil, err
			}
			if v.Value == nil && v.JMESPath == "" {
				return nil, fmt.Errorf("%s.variable: one of value or jmesPath is required", p)
			}
		}
		if a := e.APICall; a != nil {
			if ce.defValue, err = decodeJSON(p+".apiCall.default", a.Default); err != nil {
				return nil, err
			}
			ce.data = map[string]any{}
			for j, d := range a.Data {
				if ce.data[d.Key], err = decodeJSON(fmt.Sprintf("%s.apiCall.data[%d].value", p, j), d.Value); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, ce)
	}
	return out, nil
}

// load evaluates the entries in order into c; each entry sees the previous.
func loadContext(entries []contextEntry, c *evalContext, data ExternalData) error {
	for i := range entries {
		if err := entries[i].load(c, data); err != nil {
			return err
		}
	}
	return nil
}

func (e *contextEntry) load(c *evalContext, data ExternalData) error {
	name := e.raw.Name
	switch {
	case e.raw.Variable != nil:
		return e.loadVariable(c)
	case c.has(name):
		// Already provided by values: the values file mocks the entry.
		return nil
	case data == nil:
		return nil
	case e.raw.ConfigMap != nil:
		ns, err := substString(e.raw.ConfigMap.Namespace, c)
		if err != nil {
			return err
		}
		cmName, err := substString(e.raw.ConfigMap.Name, c)
		if err != nil {
			return err
		}
		cm, err := data.ConfigMap(ns, cmName)
		if errors.Is(err, ErrNoData) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("failed to load configMap %s/%s for context entry %s: %w", ns, cmName, name, err)
		}
		c.setPath(name, cm)
	case e.raw.APICall != nil:
		return e.loadAPICall(c, data)
	case e.raw.ImageRegistry != nil:
		ref, err := substString(e.raw.ImageRegistry.Reference, c)
		if err != nil {
			return err
		}
		img, err := data.ImageData(ref)
		if errors.Is(err, ErrNoData) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("failed to fetch image data for %s: %w", ref, err)
		}
		return c.setWithPath(name, img, e.raw.ImageRegistry.JMESPath, nil)
	case e.raw.GlobalReference != nil:
		v, err := data.GlobalContext(e.raw.GlobalReference.Name)
		if errors.Is(err, ErrNoData) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("failed to load global context entry %s: %w", e.raw.GlobalReference.Name, err)
		}
		return c.setWithPath(name, v, e.raw.GlobalReference.JMESPath, nil)
	}
	return nil
}

func (e *contextEntry) loadAPICall(c *evalContext, data ExternalData) error {
	a := e.raw.APICall
	call := APICall{Method: a.Method}
	if call.Method == "" {
		call.Method = "GET"
	}
	var err error
	if call.URLPath, err = substString(a.URLPath, c); err != nil {
		return err
	}
	if a.Service != nil {
		if call.ServiceURL, err = substString(a.Service.URL, c); err != nil {
			return err
		}
		call.Headers = map[string]string{}
		for _, h := range a.Service.Headers {
			call.Headers[h.Key] = h.Value
		}
	}
	if len(e.data) > 0 {
		d, err := variables.SubstituteAll(e.data, c, variables.Options{})
		if err != nil {
			return err
		}
		call.Data, _ = d.(map[string]any)
	}
	resp, err := data.APICall(call)
	if errors.Is(err, ErrNoData) {
		if e.defValue != nil {
			c.setPath(e.raw.Name, e.defValue)
		}
		return nil
	}
	if err != nil {
		if e.defValue != nil {
			c.setPath(e.raw.Name, e.defValue)
			return nil
		}
		return fmt.Errorf("failed to load context entry %s: %w", e.raw.Name, err)
	}
	return c.setWithPath(e.raw.Name, resp, a.JMESPath, e.defValue)
}

// setWithPath applies an optional JMESPath to value and sets the result.
func (c *evalContext) setWithPath(name string, value any, path string, def any) error {
	if path != "" {
		p, err := substString(path, c)
		if err != nil {
			return err
		}
		value, err = jmespath.Search(p, value)
		if err != nil {
			if def != nil {
				value = def
			} else {
				return fmt.Errorf("failed to apply jmespath %s to context entry %s: %w", p, name, err)
			}
		}
	}
	c.setPath(name, value)
	return nil
}

func (e *contextEntry) loadVariable(c *evalContext) error {
	v := e.raw.Variable
	path := ""
	if v.JMESPath != "" {
		p, err := substString(v.JMESPath, c)
		if err != nil {
			return err
		}
		path = p
	}
	var def any
	if e.defValue != nil {
		d, err := variables.SubstituteAll(e.defValue, c, variables.Options{})
		if err != nil {
			return err
		}
		def = d
	}
	output := def
	if e.value != nil {
		val, err := variables.SubstituteAll(e.value, c, variables.Options{})
		if err != nil {
			return err
		}
		if path == "" {
			output = val
		} else if res, err := jmespath.Search(path, val); err == nil {
			output = res
		} else if def == nil {
			return fmt.Errorf("failed to apply jmespath %s to variable %v: %w", path, val, err)
		}
	} else if path != "" {
		if res, err := c.Query(path); err == nil {
			if res != nil {
				output = res
			}
		} else if def == nil {
			return fmt.Errorf("failed to apply jmespath %s to variable: %w", path, err)
		}
	}
	if output == nil {
		return fmt.Errorf("unable to add context entry for variable %s since it evaluated to nil", e.raw.Name)
	}
	c.setPath(e.raw.Name, output)
	return nil
}

// substString substitutes variables in a string field and requires a string.
func substString(s string, c *evalContext) (string, error) {
	if !variables.HasVariables(s) {
		return s, nil
	}
	v, err := variables.SubstituteAll(s, c, variables.Options{})
	if err != nil {
		return "", err
	}
	switch t := v.(type) {
	case string:
		return t, nil
	default:
		b, _ := json.Marshal(t)
		return string(b), nil
	}
}

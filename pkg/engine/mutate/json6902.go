package mutate

import (
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// jsonPatchOptions are the options Kyverno applies patchesJson6902 with:
// "-1" style negative indices, removing a missing path is a no-op, and "add"
// creates missing parent objects.
func jsonPatchOptions() *jsonpatch.ApplyOptions {
	return &jsonpatch.ApplyOptions{
		SupportNegativeIndices:   true,
		AllowMissingPathOnRemove: true,
		EnsurePathExistsOnAdd:    true,
	}
}

// ConvertJSON6902 returns the JSON form of a patchesJson6902 document. As in
// Kyverno, text starting with '[' is taken as JSON and anything else is
// converted from YAML.
func ConvertJSON6902(patches string) ([]byte, error) {
	if patches == "" || patches[0] == '[' {
		return []byte(patches), nil
	}
	b, err := yaml.YAMLToJSON([]byte(patches))
	if err != nil {
		return nil, fmt.Errorf("failed to convert patchesJson6902 to JSON: %w", err)
	}
	return b, nil
}

// DecodeJSON6902 parses a patchesJson6902 document (YAML or JSON list of
// RFC 6902 operations).
func DecodeJSON6902(patches string) (jsonpatch.Patch, error) {
	raw, err := ConvertJSON6902(patches)
	if err != nil {
		return nil, err
	}
	p, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		return nil, fmt.Errorf("failed to decode patches: %w", err)
	}
	return p, nil
}

// ApplyJSON6902 applies a patchesJson6902 document to the resource and
// returns the patched copy (the input is not modified). An empty or
// white-space-only document leaves the resource unchanged. When an operation
// fails, the error names its index, kind and path. Integers of the result
// decode as int64 and other numbers as float64.
func ApplyJSON6902(resource map[string]any, patches string) (map[string]any, error) {
	if strings.TrimSpace(patches) == "" {
		return resource, nil
	}
	p, err := DecodeJSON6902(patches)
	if err != nil {
		return nil, err
	}
	return ApplyPatch(resource, p)
}

// ApplyPatch applies decoded operations (DecodeJSON6902) as ApplyJSON6902
// does; a patch without variables is decoded once and applied many times.
func ApplyPatch(resource map[string]any, p jsonpatch.Patch) (map[string]any, error) {
	if len(p) == 0 {
		return resource, nil
	}
	doc, err := json.Marshal(resource)
	if err != nil {
		return nil, fmt.Errorf("failed to marshal resource: %w", err)
	}
	opts := jsonPatchOptions()
	out, err := p.ApplyWithOptions(doc, opts)
	if err != nil {
		return nil, locateFailure(p, doc, opts, err)
	}
	var res map[string]any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(out, &res); err != nil {
		return nil, fmt.Errorf("failed to decode patched resource: %w", err)
	}
	return res, nil
}

// locateFailure replays the operations one at a time to find the one that
// fails, so that the error can name it.
func locateFailure(p jsonpatch.Patch, doc []byte, opts *jsonpatch.ApplyOptions, whole error) error {
	cur := doc
	for i, op := range p {
		next, err := jsonpatch.Patch{op}.ApplyWithOptions(cur, opts)
		if err != nil {
			path, perr := op.Path()
			if perr != nil {
				path = "<missing>"
			}
			return fmt.Errorf("patchesJson6902[%d] (%s %q): %w", i, op.Kind(), path, err)
		}
		cur = next
	}
	return whole
}

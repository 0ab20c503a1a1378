package engine

import (
	"encoding/json"
	"errors"
	"fmt"

	"gomodules.xyz/jsonpatch/v2"
)

// JSONPatch returns the RFC 6902 JSON patch (a JSON array of operations)
// that turns original into patched, or nil when they are equal. Both are
// decoded JSON objects (map[string]any trees, as Request.Object); neither is
// modified. The admission webhook sends this patch back to the API server.
//
// Both must be objects: an admission patch cannot replace the whole
// document, so a nil original or patched object is an error.
func JSONPatch(original, patched map[string]any) ([]byte, error) {
	if original == nil || patched == nil {
		return nil, errors.New("json patch: both the original and the patched object are required")
	}
	a, err := json.Marshal(original)
	if err != nil {
		return nil, fmt.Errorf("json patch: original object: %w", err)
	}
	b, err := json.Marshal(patched)
	if err != nil {
		return nil, fmt.Errorf("json patch: patched object: %w", err)
	}
	ops, err := jsonpatch.CreatePatch(a, b)
	if err != nil {
		return nil, fmt.Errorf("json patch: %w", err)
	}
	if len(ops) == 0 {
		return nil, nil
	}
	return json.Marshal(ops)
}

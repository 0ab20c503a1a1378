package source

import (
	"encoding/json"
	"fmt"

	"github.com/kanon-policy/kanon/pkg/manifest"
	kjson "sigs.k8s.io/json"
)

// Into decodes a document into a typed object, with one warning per unknown field.
func Into(doc manifest.Document, out any) ([]string, error) {
	data, err := json.Marshal(doc.Object)
	if err != nil {
		return nil, err
	}
	strict, err := kjson.UnmarshalStrict(data, out)
	if err != nil {
		return nil, fmt.Errorf("%s: document %d: %w", doc.Source, doc.Index, err)
	}
	var w []string
	for _, e := range strict {
		w = append(w, fmt.Sprintf("%s: document %d: %v", doc.Source, doc.Index, e))
	}
	return w, nil
}

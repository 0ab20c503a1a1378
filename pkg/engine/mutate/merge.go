package mutate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/filters/patchstrategicmerge"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// schemaOnce guards the initialisation of kyaml's global OpenAPI schema,
// which is lazily built on first use and whose initialisation is not safe
// for concurrent callers.
var schemaOnce sync.Once

func initKustomizeSchema() { schemaOnce.Do(func() { _ = openapi.Schema() }) }

// StrategicMerge applies a Kyverno patchStrategicMerge body to a resource: anchors are
// pre-processed against the resource (PreprocessStrategicMerge), then the patch is merged
// the way kustomize's patchstrategicmerge filter merges (lists of containers etc. merged by name,
// $patch directives, null deletes). A conditional/global anchor that does not hold returns
// an error for which IsSkip is true. Inputs are not modified; numbers in the output are int64 for
// integers and float64 otherwise (as pkg/manifest produces).
//
// The merge itself is kustomize's patchstrategicmerge filter (merge2.Merge
// with list prepending), as in Kyverno; the trees are
// converted to and from kyaml nodes directly, with the same scalar tags a
// JSON round trip would give. A patch that deletes the whole resource (a
// top-level "$patch: delete") is an error, as in Kyverno.
func StrategicMerge(resource map[string]any, patch any) (map[string]any, error) {
	if resource == nil {
		return nil, errors.New("strategic merge: resource is nil")
	}
	pre, err := PreprocessStrategicMerge(patch, resource)
	if err != nil {
		if IsSkip(err) {
			return nil, err
		}
		return nil, fmt.Errorf("failed to preprocess patchStrategicMerge: %w", err)
	}
	initKustomizeSchema()

	patchNode, err := toYNode(pre)
	if err != nil {
		return nil, fmt.Errorf("failed to convert patch: %w", err)
	}
	resNode, err := toYNode(resource)
	if err != nil {
		return nil, fmt.Errorf("failed to convert resource: %w", err)
	}
	f := patchstrategicmerge.Filter{Patch: kyaml.NewRNode(patchNode)}
	nodes, err := f.Filter([]*kyaml.RNode{kyaml.NewRNode(resNode)})
	if err != nil {
		return nil, fmt.Errorf("failed to apply patchStrategicMerge: %w", err)
	}
	if len(nodes) != 1 || nodes[0].IsNil() {
		return nil, errors.New("failed to apply patchStrategicMerge: the patch deletes the resource")
	}
	out := nodes[0]
	v, err := fromYNode(out.YNode())
	if err != nil {
		return nil, fmt.Errorf("failed to convert patched resource: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("patched resource is a %s, not a map", typeName(v))
	}
	return m, nil
}

func scalarNode(tag, value string) *kyaml.Node {
	n := &kyaml.Node{Kind: kyaml.ScalarNode, Tag: tag, Value: value}
	if tag == kyaml.NodeTagString {
		n.Style = kyaml.DoubleQuotedStyle
	}
	return n
}

// toYNode converts a decoded JSON tree to a YAML node equivalent to what
// parsing its JSON encoding gives: map keys in sorted order, strings tagged
// !!str, numbers tagged !!int or !!float after their JSON text.
func toYNode(v any) (*kyaml.Node, error) {
	switch t := v.(type) {
	case nil:
		return scalarNode(kyaml.NodeTagNull, "null"), nil
	case string:
		return scalarNode(kyaml.NodeTagString, t), nil
	case bool:
		return scalarNode(kyaml.NodeTagBool, strconv.FormatBool(t)), nil
	case int64:
		return scalarNode(kyaml.NodeTagInt, strconv.FormatInt(t, 10)), nil
	case int:
		return scalarNode(kyaml.NodeTagInt, strconv.Itoa(t)), nil
	case int32:
		return scalarNode(kyaml.NodeTagInt, strconv.FormatInt(int64(t), 10)), nil
	case uint64:
		return scalarNode(kyaml.NodeTagInt, strconv.FormatUint(t, 10)), nil
	case float64:
		return floatNode(t)
	case float32:
		return floatNode(float64(t))
	case json.Number:
		return numberNode(string(t)), nil
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &kyaml.Node{Kind: kyaml.MappingNode, Tag: kyaml.NodeTagMap, Content: make([]*kyaml.Node, 0, 2*len(keys))}
		for _, k := range keys {
			c, err := toYNode(t[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, scalarNode(kyaml.NodeTagString, k), c)
		}
		return n, nil
	case []any:
		n := &kyaml.Node{Kind: kyaml.SequenceNode, Tag: kyaml.NodeTagSeq, Content: make([]*kyaml.Node, 0, len(t))}
		for _, e := range t {
			c, err := toYNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	}
	// Anything else: go through its JSON form, as Kyverno does for all.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var d any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(b, &d); err != nil {
		return nil, err
	}
	return toYNode(d)
}

// floatNode writes f as encoding/json does, so that an integral float such
// as 80.0 becomes the !!int "80" exactly as after a JSON round trip.
func floatNode(f float64) (*kyaml.Node, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("unsupported number %v", f)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return numberNode(string(b)), nil
}

func numberNode(s string) *kyaml.Node {
	if strings.ContainsAny(s, ".eE") {
		return scalarNode(kyaml.NodeTagFloat, s)
	}
	return scalarNode(kyaml.NodeTagInt, s)
}

// fromYNode converts a YAML node back to a decoded JSON tree (int64 for
// integers, float64 for other numbers).
func fromYNode(n *kyaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case kyaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYNode(n.Content[0])
	case kyaml.AliasNode:
		return fromYNode(n.Alias)
	case kyaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			v, err := fromYNode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case kyaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromYNode(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case kyaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, fmt.Errorf("unexpected YAML node kind %d", n.Kind)
}

func scalarValue(n *kyaml.Node) (any, error) {
	switch n.ShortTag() {
	case kyaml.NodeTagString:
		return n.Value, nil
	case kyaml.NodeTagNull:
		return nil, nil
	case kyaml.NodeTagBool:
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	case kyaml.NodeTagInt:
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return i, nil
		}
	case kyaml.NodeTagFloat:
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f, nil
		}
	}
	// Other spellings (hex/octal ints, .inf, timestamps, ...): let the YAML
	// decoder resolve it and normalise through JSON as Kyverno does.
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var d any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(b, &d); err != nil {
		return nil, err
	}
	return d, nil
}

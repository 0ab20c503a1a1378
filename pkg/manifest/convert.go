package manifest

import (
	"fmt"
	"math"

	yaml "go.yaml.in/yaml/v3"
)

// maxDepth bounds the nesting of a decoded value, aliases included. It
// matches the parser's own limit on nesting in the source text.
const maxDepth = 10000

// Alias expansion budget: a document may produce at most
// aliasBytesFactor values per byte of its text through aliases (and
// merge keys that name an alias), within [minAliasBudget, maxAliasBudget].
// A "billion laughs" document fails fast; real manifests, whose anchors
// stand for small shared blocks, stay far below the limit.
const (
	aliasBytesFactor = 100
	minAliasBudget   = 10_000
	maxAliasBudget   = 1_000_000
)

func aliasBudget(size int) int {
	if size > maxAliasBudget/aliasBytesFactor {
		return maxAliasBudget
	}
	return max(minAliasBudget, size*aliasBytesFactor)
}

// converter turns a yaml.Node tree into JSON-compatible Go values.
type converter struct {
	lineBase   int // absolute line of the first line of the parsed text
	depth      int
	aliasDepth int
	aliasNodes int
	aliasLimit int
	expanding  map[*yaml.Node]bool
}

// nodeError is a conversion error at an absolute line of the source.
type nodeError struct {
	line int
	msg  string
}

func (e *nodeError) Error() string {
	if e.line <= 0 {
		return "yaml: " + e.msg
	}
	return fmt.Sprintf("yaml: line %d: %s", e.line, e.msg)
}

func (c *converter) errorf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil && n.Line > 0 {
		line = c.lineBase + n.Line - 1
	}
	return &nodeError{line: line, msg: fmt.Sprintf(format, args...)}
}

// count charges one value to the alias budget when inside an alias.
func (c *converter) count(n *yaml.Node) error {
	if c.aliasDepth > 0 {
		c.aliasNodes++
		if c.aliasNodes > c.aliasLimit {
			return c.errorf(n, "document contains excessive aliasing (more than %d values expanded from aliases)", c.aliasLimit)
		}
	}
	return nil
}

func (c *converter) enterAlias(n *yaml.Node) (*yaml.Node, error) {
	t := n.Alias
	if t == nil {
		return nil, c.errorf(n, "unknown anchor '%s' referenced", n.Value)
	}
	if c.expanding == nil {
		c.expanding = make(map[*yaml.Node]bool)
	}
	if c.expanding[t] {
		return nil, c.errorf(n, "anchor '%s' value contains itself", n.Value)
	}
	// Aliases count as nesting: a chain of merges through aliases recurses.
	if err := c.enter(n); err != nil {
		c.depth--
		return nil, err
	}
	c.expanding[t] = true
	c.aliasDepth++
	return t, nil
}

func (c *converter) leaveAlias(t *yaml.Node) {
	delete(c.expanding, t)
	c.aliasDepth--
	c.depth--
}

func (c *converter) enter(n *yaml.Node) error {
	c.depth++
	if c.depth > maxDepth {
		return c.errorf(n, "document nesting exceeds %d levels", maxDepth)
	}
	return nil
}

// value converts any node into a JSON-compatible value.
func (c *converter) value(n *yaml.Node) (any, error) {
	if err := c.count(n); err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.ScalarNode:
		v, err := c.scalar(n)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, c.errorf(n, "%s is not a valid JSON number", n.Value)
			}
		case uint64:
			return float64(x), nil
		}
		return v, nil
	case yaml.MappingNode:
		if err := c.enter(n); err != nil {
			return nil, err
		}
		m := make(map[string]any, len(n.Content)/2)
		err := c.mappingInto(m, n)
		c.depth--
		if err != nil {
			return nil, err
		}
		return m, nil
	case yaml.SequenceNode:
		if err := c.enter(n); err != nil {
			return nil, err
		}
		s := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, err := c.value(e)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		c.depth--
		return s, nil
	case yaml.AliasNode:
		t, err := c.enterAlias(n)
		if err != nil {
			return nil, err
		}
		v, err := c.value(t)
		c.leaveAlias(t)
		return v, err
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	}
	return nil, c.errorf(n, "unexpected YAML node kind %d", n.Kind)
}

// scalar resolves a scalar node. Floats may be NaN or infinite and
// integers above math.MaxInt64 come back as uint64: the caller decides.
func (c *converter) scalar(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		v, _, err := resolveTagged(n.Tag, n.Value)
		if err != nil {
			return nil, c.errorf(n, "%v", err)
		}
		return v, nil
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	v, _ := resolvePlain(n.Value)
	return v, nil
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == tagMerge
}

// mappingInto adds the pairs of mapping node n to m. As in yaml.v2 (and so
// in kubectl and Kyverno), pairs are applied in order and a merge key
// writes the merged pairs at its position: keys after "<<" override merged
// ones, keys before it are overridden.
func (c *converter) mappingInto(m map[string]any, n *yaml.Node) error {
	content := n.Content
	for i := 0; i+1 < len(content); i += 2 {
		k, v := content[i], content[i+1]
		if isMergeKey(k) {
			if err := c.merge(m, v); err != nil {
				return err
			}
			continue
		}
		key, err := c.key(k)
		if err != nil {
			return err
		}
		val, err := c.value(v)
		if err != nil {
			return err
		}
		m[key] = val
	}
	return nil
}

func (c *converter) key(k *yaml.Node) (string, error) {
	if err := c.count(k); err != nil {
		return "", err
	}
	switch k.Kind {
	case yaml.ScalarNode:
		v, err := c.scalar(k)
		if err != nil {
			return "", err
		}
		s, err := keyString(v)
		if err != nil {
			return "", c.errorf(k, "%v", err)
		}
		return s, nil
	case yaml.AliasNode:
		t, err := c.enterAlias(k)
		if err != nil {
			return "", err
		}
		s, err := c.key(t)
		c.leaveAlias(t)
		return s, err
	case yaml.MappingNode:
		return "", c.errorf(k, "invalid map key: a mapping cannot be a key")
	case yaml.SequenceNode:
		return "", c.errorf(k, "invalid map key: a sequence cannot be a key")
	}
	return "", c.errorf(k, "invalid map key")
}

// merge applies the value of a merge key ("<<") to m, following yaml.v2:
// a mapping, an alias of a mapping, or a sequence of those, where earlier
// entries of the sequence take precedence over later ones.
func (c *converter) merge(m map[string]any, v *yaml.Node) error {
	switch v.Kind {
	case yaml.MappingNode:
		if err := c.count(v); err != nil {
			return err
		}
		return c.mappingInto(m, v)
	case yaml.AliasNode:
		return c.mergeAlias(m, v)
	case yaml.SequenceNode:
		for i := len(v.Content) - 1; i >= 0; i-- {
			e := v.Content[i]
			switch e.Kind {
			case yaml.AliasNode:
				if err := c.mergeAlias(m, e); err != nil {
					return err
				}
			case yaml.MappingNode:
				if err := c.count(e); err != nil {
					return err
				}
				if err := c.mappingInto(m, e); err != nil {
					return err
				}
			default:
				return c.errorf(e, "map merge requires map or sequence of maps as the value")
			}
		}
		return nil
	}
	return c.errorf(v, "map merge requires map or sequence of maps as the value")
}

func (c *converter) mergeAlias(m map[string]any, a *yaml.Node) error {
	t, err := c.enterAlias(a)
	if err != nil {
		return err
	}
	defer c.leaveAlias(t)
	if t.Kind != yaml.MappingNode {
		return c.errorf(a, "map merge requires map or sequence of maps as the value")
	}
	if err := c.count(t); err != nil {
		return err
	}
	return c.mappingInto(m, t)
}

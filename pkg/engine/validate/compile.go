package validate

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/kanon-policy/kanon/pkg/engine/pattern"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// Pattern is a compiled validation pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	root *node
	raw  any
	// trackIDs numbers the distinct conditional, existence and negation
	// anchor keys of the pattern (Kyverno's anchor map is keyed by the key
	// text, shared by the whole pattern).
	trackIDs map[string]int
}

// CompileError reports an invalid pattern. Path is the location of the
// offending element in dotted form, e.g. "spec.containers[0].image"; it is
// empty for the root.
type CompileError struct {
	Path string
	Msg  string
}

func (e *CompileError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

type nodeKind uint8

const (
	nodeScalar nodeKind = iota
	nodeMap
	nodeArray
)

type node struct {
	kind nodeKind
	raw  any // the pattern value, used for error messages

	// hasAnchors is true when this value contains an anchor key at any depth
	// (Kyverno's hasNestedAnchors).
	hasAnchors bool

	// scalar
	value  *pattern.Value
	isStar bool // the pattern is the string "*"

	// map
	phase1     []entry // conditional, existence, equality, negation anchors
	phase2     []entry // global anchors, keys with nested anchors, the rest
	expandKeys bool    // labels/annotations map under metadata with wildcard keys

	// array
	elems []*node
}

type entry struct {
	key    string // the key as written in the pattern (or expanded from it)
	source string // the key as written in the pattern
	name   string // the resource key (anchor removed)
	anchor AnchorKind
	track  int // index into the anchor presence table, or -1
	value  *node
}

// Compile compiles a decoded JSON pattern (map[string]any, []any, string,
// float64, int, int64, bool or nil).
func Compile(pat any) (*Pattern, error) {
	c := compiler{track: map[string]int{}}
	root, err := c.compile(pat, "")
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root, raw: pat, trackIDs: c.track}, nil
}

// MustCompile is like Compile but panics on error.
func MustCompile(pat any) *Pattern {
	p, err := Compile(pat)
	if err != nil {
		panic(err)
	}
	return p
}

// Raw returns the value the pattern was compiled from.
func (p *Pattern) Raw() any { return p.raw }

type compiler struct {
	track map[string]int
}

func (c *compiler) trackID(key string) int {
	id, ok := c.track[key]
	if !ok {
		id = len(c.track)
		c.track[key] = id
	}
	return id
}

func childPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func (c *compiler) compile(v any, path string) (*node, error) {
	switch t := v.(type) {
	case map[string]any:
		return c.compileMap(t, path)
	case []any:
		n := &node{kind: nodeArray, raw: v, elems: make([]*node, 0, len(t))}
		for i, el := range t {
			child, err := c.compile(el, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			n.hasAnchors = n.hasAnchors || child.hasAnchors
			n.elems = append(n.elems, child)
		}
		return n, nil
	default:
		val, err := pattern.Compile(v)
		if err != nil {
			return nil, &CompileError{Path: path, Msg: err.Error()}
		}
		s, isString := v.(string)
		return &node{kind: nodeScalar, raw: v, value: val, isStar: isString && s == "*"}, nil
	}
}

func (c *compiler) compileMap(m map[string]any, path string) (*node, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	n := &node{kind: nodeMap, raw: m}
	entries := make([]entry, 0, len(m))
	for _, k := range keys {
		val := m[k]
		kp := childPath(path, k)
		kind, name := ParseAnchor(k)
		switch kind {
		case AnchorAddIfNotPresent:
			return nil, &CompileError{Path: kp, Msg: fmt.Sprintf("add-if-not-present anchor %q is not supported in validate patterns", k)}
		case AnchorExistence:
			list, ok := val.([]any)
			if !ok {
				return nil, &CompileError{Path: kp, Msg: fmt.Sprintf("existence anchor %q should have a value of type list, found %T", k, val)}
			}
			if len(list) == 0 {
				return nil, &CompileError{Path: kp, Msg: fmt.Sprintf("existence anchor %q should have at least one value", k)}
			}
		}
		child, err := c.compile(val, kp)
		if err != nil {
			return nil, err
		}
		e := entry{key: k, source: k, name: name, anchor: kind, track: -1, value: child}
		if kind.tracked() {
			e.track = c.trackID(k)
		}
		if kind != AnchorNone || child.hasAnchors {
			n.hasAnchors = true
		}
		entries = append(entries, e)
	}
	n.phase1, n.phase2 = orderEntries(entries)
	markMetadata(n)
	return n, nil
}

// orderEntries splits the entries of a map into the two evaluation phases and
// orders them. Entries must already be sorted (see sortEntries).
func orderEntries(entries []entry) (phase1, phase2 []entry) {
	var globals, nested, rest []entry
	for _, e := range entries {
		switch {
		case e.anchor.phaseOne():
			phase1 = append(phase1, e)
		case e.anchor == AnchorGlobal:
			globals = append(globals, e)
		case e.value.hasAnchors:
			nested = append(nested, e)
		default:
			rest = append(rest, e)
		}
	}
	phase2 = make([]entry, 0, len(globals)+len(nested)+len(rest))
	phase2 = append(phase2, globals...)
	phase2 = append(phase2, nested...)
	phase2 = append(phase2, rest...)
	return phase1, phase2
}

// sortEntries sorts entries by key; expanded wildcard keys can collide with
// each other or with literal keys, so ties are broken by the source key
// (unique within a map).
func sortEntries(entries []entry) {
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].key != entries[j].key {
			return entries[i].key < entries[j].key
		}
		return entries[i].source < entries[j].source
	})
}

// markMetadata flags the labels/annotations maps under a "metadata" key of n
// (the key may carry an anchor) whose keys contain wildcards, so that they
// are expanded against the resource keys at match time (Kyverno's
// wildcards.ExpandInMetadata).
func markMetadata(n *node) {
	for md := range allEntries(n) {
		if md.name != "metadata" || md.value.kind != nodeMap {
			continue
		}
		for tag := range allEntries(md.value) {
			if (tag.name != "labels" && tag.name != "annotations") || tag.value.kind != nodeMap {
				continue
			}
			for e := range allEntries(tag.value) {
				if wildcard.ContainsWildcard(e.name) {
					tag.value.expandKeys = true
					break
				}
			}
		}
	}
}

// allEntries iterates over both phases of a map node.
func allEntries(n *node) func(yield func(entry) bool) {
	return func(yield func(entry) bool) {
		for _, e := range n.phase1 {
			if !yield(e) {
				return
			}
		}
		for _, e := range n.phase2 {
			if !yield(e) {
				return
			}
		}
	}
}

package validate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// maxInlineDepth and maxInlineTracked size the matcher's inline (stack)
// storage; deeper paths or more anchor keys spill to the heap.
const (
	maxInlineDepth   = 32
	maxInlineTracked = 32
)

// anchor presence states (Kyverno's anchor map values).
const (
	anchorUnseen  uint8 = iota
	anchorMissing       // seen in the pattern, not yet found in the resource
	anchorPresent
)

// seg is one element of the current path: a map key, or an array index when
// idx >= 0.
type seg struct {
	key string
	idx int
}

// matcher holds the per-call state of Pattern.Match. It lives on the stack;
// strings for paths and messages are only built when an error is produced.
type matcher struct {
	p *Pattern

	depth    int
	segs     [maxInlineDepth]seg
	overflow []seg // path elements beyond maxInlineDepth

	state      [maxInlineTracked]uint8
	bigState   []uint8          // used instead of state for large patterns
	extraState map[string]uint8 // keys created by wildcard expansion

	// quiet > 0 while only the success of a sub-match matters (existence
	// anchor candidates, first pass over array elements); errors are then
	// shared sentinels.
	quiet int
	// eager > 0 while re-validating to produce reportable errors.
	eager int
}

// Match validates a decoded resource against the pattern. It returns nil when
// the resource satisfies the pattern; see Error for the meaning of a non-nil
// result.
func (p *Pattern) Match(resource any) *Error {
	var m matcher
	m.p = p
	if n := len(p.trackIDs); n > maxInlineTracked {
		m.bigState = make([]uint8, n)
	}
	err := m.element(resource, p.root)
	if err == nil {
		return nil
	}
	switch {
	case err.skip():
		return &Error{Err: err, Skip: true}
	case err.kind == errNegation:
		return &Error{Err: err, Path: err.path}
	case m.keysMissing():
		return &Error{Err: err}
	}
	return &Error{Err: err, Path: err.path}
}

// ---- path handling ----

func (m *matcher) pushKey(k string) {
	if m.depth < maxInlineDepth {
		m.segs[m.depth] = seg{key: k, idx: -1}
	} else {
		m.overflow = append(m.overflow[:m.depth-maxInlineDepth], seg{key: k, idx: -1})
	}
	m.depth++
}

func (m *matcher) pushIndex(i int) {
	if m.depth < maxInlineDepth {
		m.segs[m.depth] = seg{idx: i}
	} else {
		m.overflow = append(m.overflow[:m.depth-maxInlineDepth], seg{idx: i})
	}
	m.depth++
}

func (m *matcher) pop() { m.depth-- }

// path renders the current path, e.g. "/spec/containers/0/".
func (m *matcher) path() string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < m.depth; i++ {
		var s seg
		if i < maxInlineDepth {
			s = m.segs[i]
		} else {
			s = m.overflow[i-maxInlineDepth]
		}
		if s.idx >= 0 {
			b.WriteString(strconv.Itoa(s.idx))
		} else {
			b.WriteString(s.key)
		}
		b.WriteByte('/')
	}
	return b.String()
}

// ---- error construction ----

// fail returns a new error of the given kind at the current path; msg is only
// called when the error is not quiet.
func (m *matcher) fail(kind errKind, msg func(path string) string) *matchError {
	if m.quiet > 0 {
		return &quietErrors[kind]
	}
	p := m.path()
	return &matchError{kind: kind, msg: msg(p), path: p}
}

// wrap turns err into a conditional or global anchor error, keeping its path.
func (m *matcher) wrap(kind errKind, prefix string, err *matchError) *matchError {
	if m.quiet > 0 {
		return &quietErrors[kind]
	}
	return &matchError{kind: kind, msg: prefix + err.msg, path: err.path}
}

// ---- anchor presence bookkeeping ----

func (m *matcher) getState(e *entry) uint8 {
	switch {
	case e.track < 0:
		return m.extraState[e.key]
	case m.bigState != nil:
		return m.bigState[e.track]
	}
	return m.state[e.track]
}

func (m *matcher) setState(e *entry, s uint8) {
	switch {
	case e.track < 0:
		if m.extraState == nil {
			m.extraState = map[string]uint8{}
		}
		m.extraState[e.key] = s
	case m.bigState != nil:
		m.bigState[e.track] = s
	default:
		m.state[e.track] = s
	}
}

// record notes, for every conditional/existence/negation anchor key of a map
// pattern, whether the resource map has the key. Once present, a key stays
// present for the rest of the match.
func (m *matcher) record(entries []entry, rm map[string]any) {
	for i := range entries {
		e := &entries[i]
		if !e.anchor.tracked() {
			continue
		}
		if m.getState(e) == anchorPresent {
			continue
		}
		if _, ok := rm[e.name]; ok {
			m.setState(e, anchorPresent)
		} else {
			m.setState(e, anchorMissing)
		}
	}
}

func (m *matcher) keysMissing() bool {
	st := m.state[:]
	if m.bigState != nil {
		st = m.bigState
	}
	for _, s := range st {
		if s == anchorMissing {
			return true
		}
	}
	for _, s := range m.extraState {
		if s == anchorMissing {
			return true
		}
	}
	return false
}

// ---- the walk ----

func (m *matcher) element(res any, n *node) *matchError {
	switch n.kind {
	case nodeMap:
		rm, ok := res.(map[string]any)
		if !ok {
			return m.fail(errMismatch, func(p string) string {
				return fmt.Sprintf("pattern and resource have different structures. Path: %s. Expected %T, found %T", p, n.raw, res)
			})
		}
		return m.mapNode(rm, n)
	case nodeArray:
		ra, ok := res.([]any)
		if !ok {
			return m.fail(errMismatch, func(p string) string {
				return fmt.Sprintf("validation rule failed at path %s, resource does not satisfy the expected overlay pattern", p)
			})
		}
		return m.array(res, ra, n)
	}
	if ra, ok := res.([]any); ok {
		for _, item := range ra {
			if !n.value.Match(item) {
				return m.scalarMismatch(res, n)
			}
		}
		return nil
	}
	if !n.value.Match(res) {
		return m.scalarMismatch(res, n)
	}
	return nil
}

func (m *matcher) scalarMismatch(res any, n *node) *matchError {
	return m.fail(errMismatch, func(p string) string {
		return fmt.Sprintf("resource value '%v' does not match '%v' at path %s", res, n.raw, p)
	})
}

func (m *matcher) mapNode(rm map[string]any, n *node) *matchError {
	phase1, phase2 := n.phase1, n.phase2
	if n.expandKeys {
		phase1, phase2 = m.expand(n, rm)
	}
	m.record(phase1, rm)
	for i := range phase1 {
		if err := m.handle(rm, &phase1[i]); err != nil {
			return err
		}
	}
	for i := range phase2 {
		if err := m.handle(rm, &phase2[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *matcher) handle(rm map[string]any, e *entry) *matchError {
	switch e.anchor {
	case AnchorNone:
		// Plain key (Kyverno's default handler).
		if e.value.isStar {
			if rm[e.name] != nil {
				return nil
			}
			return m.fail(errMismatch, func(p string) string {
				return p + "/" + e.name + " not found"
			})
		}
		m.pushKey(e.name)
		err := m.element(rm[e.name], e.value)
		m.pop()
		return err

	case AnchorCondition:
		v, ok := rm[e.name]
		m.pushKey(e.name)
		var err *matchError
		if !ok {
			err = m.fail(errConditional, func(string) string {
				return conditionalPrefix + "conditional anchor key doesn't exist in the resource"
			})
		} else if err = m.element(v, e.value); err != nil {
			err = m.wrap(errConditional, conditionalPrefix, err)
		}
		m.pop()
		return err

	case AnchorGlobal:
		v, ok := rm[e.name]
		if !ok {
			return nil
		}
		m.pushKey(e.name)
		err := m.element(v, e.value)
		m.pop()
		if err != nil {
			return m.wrap(errGlobal, globalPrefix, err)
		}
		return nil

	case AnchorEquality:
		v, ok := rm[e.name]
		if !ok {
			return nil
		}
		m.pushKey(e.name)
		err := m.element(v, e.value)
		m.pop()
		return err

	case AnchorNegation:
		if _, ok := rm[e.name]; !ok {
			return nil
		}
		m.pushKey(e.name)
		err := m.fail(errNegation, func(p string) string {
			return negationPrefix + p + " is not allowed"
		})
		m.pop()
		return err

	case AnchorExistence:
		v, ok := rm[e.name]
		if !ok {
			return nil
		}
		m.pushKey(e.name)
		err := m.existence(v, e.value)
		m.pop()
		return err
	}
	return nil
}

// existence implements the ^(key) anchor: every map of the pattern list must
// be matched by at least one element of the resource list.
func (m *matcher) existence(v any, pat *node) *matchError {
	list, ok := v.([]any)
	if !ok {
		return m.fail(errMismatch, func(string) string {
			return fmt.Sprintf("invalid resource type %T: Existence ^ () anchor can be used only on list/array type resource", v)
		})
	}
	if pat.kind != nodeArray {
		return m.fail(errMismatch, func(string) string {
			return fmt.Sprintf("invalid pattern type %T: Pattern has to be of list to compare against resource", pat.raw)
		})
	}
	for _, want := range pat.elems {
		if want.kind != nodeMap {
			return m.fail(errMismatch, func(string) string {
				return fmt.Sprintf("invalid pattern type %T: Pattern has to be of type map to compare against items in resource", pat.raw)
			})
		}
		found := false
		m.quiet++
		for i, item := range list {
			m.pushIndex(i)
			err := m.element(item, want)
			m.pop()
			if err == nil {
				found = true
				break
			}
		}
		m.quiet--
		if !found {
			return m.fail(errMismatch, func(p string) string {
				return "existence anchor validation failed at path " + p
			})
		}
	}
	return nil
}

// array validates the resource array ra (res is the same value as an
// interface, passed along to avoid boxing it again).
func (m *matcher) array(res any, ra []any, n *node) *matchError {
	if len(n.elems) == 0 {
		return m.fail(errMismatch, func(string) string { return "pattern Array empty" })
	}
	first := n.elems[0]
	switch first.kind {
	case nodeScalar:
		// Every element of the resource must match the first pattern scalar.
		return m.element(res, first)
	case nodeMap:
		// Every element of the resource must match the first pattern map;
		// elements skipped by conditional/global anchors are ignored.
		if m.quiet == 0 && m.eager == 0 {
			return m.arrayOfMapsLazily(ra, first)
		}
		return m.arrayOfMaps(ra, first)
	}
	// Nested arrays: compare position by position.
	if len(ra) < len(n.elems) {
		if m.quiet > 0 {
			return &quietErrors[errMismatch]
		}
		return &matchError{
			kind: errMismatch,
			msg:  fmt.Sprintf("validate Array failed, array length mismatch, resource Array len is %d and pattern Array len is %d", len(ra), len(n.elems)),
		}
	}
	applied := 0
	var skips []*matchError
	for i, pe := range n.elems {
		m.pushIndex(i)
		err := m.element(ra[i], pe)
		m.pop()
		if err != nil {
			if err.skip() {
				skips = append(skips, err)
				continue
			}
			return err
		}
		applied++
	}
	return m.allSkipped(applied, skips)
}

func (m *matcher) arrayOfMaps(ra []any, first *node) *matchError {
	applied := 0
	var skips []*matchError
	for i, item := range ra {
		m.pushIndex(i)
		err := m.element(item, first)
		m.pop()
		if err != nil {
			if err.skip() {
				skips = append(skips, err)
				continue
			}
			return err
		}
		applied++
	}
	return m.allSkipped(applied, skips)
}

// arrayOfMapsLazily has the same result as arrayOfMaps but first validates
// every element quietly, so that skipped elements (common with conditional
// anchors) cost no error formatting. Elements whose errors are actually
// reported are validated a second time, eagerly; validation results do not
// depend on the matcher state, and nested arrays do not repeat the trick, so
// the extra work is bounded by a factor of two on failure paths only.
func (m *matcher) arrayOfMapsLazily(ra []any, first *node) *matchError {
	applied, skipped := 0, 0
	for i, item := range ra {
		m.pushIndex(i)
		m.quiet++
		err := m.element(item, first)
		m.quiet--
		if err != nil && !err.skip() {
			m.eager++
			err = m.element(item, first)
			m.eager--
			m.pop()
			return err
		}
		m.pop()
		if err != nil {
			skipped++
			continue
		}
		applied++
	}
	if applied > 0 || skipped == 0 {
		return nil
	}
	m.eager++
	err := m.arrayOfMaps(ra, first)
	m.eager--
	return err
}

// allSkipped returns a skip error for the whole array when no element applied
// and at least one was skipped.
func (m *matcher) allSkipped(applied int, skips []*matchError) *matchError {
	if applied > 0 || len(skips) == 0 {
		return nil
	}
	if m.quiet > 0 {
		for _, e := range skips {
			if e.kind == errConditional {
				return &quietErrors[errConditional]
			}
		}
		return &quietErrors[errGlobal]
	}
	return combineSkips(skips, m.path())
}

// expand replaces the wildcard keys of a metadata labels/annotations map by
// every matching resource key (keeping the anchor); keys that match nothing
// are kept as written.
func (m *matcher) expand(n *node, rm map[string]any) (phase1, phase2 []entry) {
	var out []entry
	var matches []string
	for e := range allEntries(n) {
		if !wildcard.ContainsWildcard(e.name) {
			out = append(out, e)
			continue
		}
		matches = matches[:0]
		for k := range rm {
			if wildcard.Match(e.name, k) {
				matches = append(matches, k)
			}
		}
		if len(matches) == 0 {
			out = append(out, e)
			continue
		}
		sort.Strings(matches)
		for _, k := range matches {
			x := e
			x.name = k
			x.key = AnchorString(e.anchor, k)
			x.track = -1
			if e.anchor.tracked() {
				if id, ok := m.p.trackIDs[x.key]; ok {
					x.track = id
				}
			}
			out = append(out, x)
		}
	}
	sortEntries(out)
	return orderEntries(out)
}

package validate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/pattern"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// This file holds a deliberately naive reference implementation of the
// matching algorithm: it walks the raw pattern, builds every path and error
// eagerly and re-derives evaluation orders on every call. It shares the
// ordering and wildcard-expansion choices of the compiled matcher, so tests and
// fuzzing can check that the compiled matcher's optimisations (precomputed
// orders, path stack, quiet/lazy error construction) do not change results.

type refAnchors struct{ m map[string]bool }

type refErr struct {
	kind errKind
	msg  string
}

func (e *refErr) Error() string { return e.msg }

func refMatch(resource, pat any) (msg, path string, skip bool, ok bool) {
	ac := &refAnchors{m: map[string]bool{}}
	p, err := refElement(resource, pat, "/", ac, 0)
	if err == nil {
		return "", "", false, true
	}
	switch {
	case err.kind == errConditional || err.kind == errGlobal:
		return err.msg, "", true, false
	case err.kind == errNegation:
		return err.msg, p, false, false
	}
	for _, present := range ac.m {
		if !present {
			return err.msg, "", false, false
		}
	}
	return err.msg, p, false, false
}

// refKV is a pattern map entry; expanded label maps may hold duplicate keys.
type refKV struct {
	key, source string
	val         any
}

// Location tags: a map that is the value of a "metadata" key, and a map that
// is the labels/annotations value inside such a map.
const (
	tagNone = iota
	tagMetadata
	tagLabels
)

func refElement(res, pat any, path string, ac *refAnchors, tag int) (string, *refErr) {
	switch tp := pat.(type) {
	case map[string]any:
		rm, ok := res.(map[string]any)
		if !ok {
			return path, &refErr{msg: fmt.Sprintf("pattern and resource have different structures. Path: %s. Expected %T, found %T", path, pat, res)}
		}
		kvs := refExpand(tp, rm, tag == tagLabels)
		for _, kv := range kvs {
			if kind, name := ParseAnchor(kv.key); kind.tracked() {
				if !ac.m[kv.key] {
					_, has := rm[name]
					ac.m[kv.key] = has
				}
			}
		}
		return refMap(rm, kvs, path, ac, tag)
	case []any:
		ra, ok := res.([]any)
		if !ok {
			return path, &refErr{msg: fmt.Sprintf("validation rule failed at path %s, resource does not satisfy the expected overlay pattern", path)}
		}
		return refArray(ra, tp, path, ac)
	}
	v := pattern.MustCompile(pat)
	if ra, ok := res.([]any); ok {
		for _, item := range ra {
			if !v.Match(item) {
				return path, &refErr{msg: fmt.Sprintf("resource value '%v' does not match '%v' at path %s", res, pat, path)}
			}
		}
		return "", nil
	}
	if !v.Match(res) {
		return path, &refErr{msg: fmt.Sprintf("resource value '%v' does not match '%v' at path %s", res, pat, path)}
	}
	return "", nil
}

// refExpand lists the entries of a pattern map, expanding wildcard keys
// against the resource keys when the map is a metadata labels/annotations map.
func refExpand(pat, rm map[string]any, expand bool) []refKV {
	var out []refKV
	for k, v := range pat {
		kind, name := ParseAnchor(k)
		if !expand || !wildcard.ContainsWildcard(name) {
			out = append(out, refKV{k, k, v})
			continue
		}
		matched := false
		for rk := range rm {
			if wildcard.Match(name, rk) {
				matched = true
				out = append(out, refKV{AnchorString(kind, rk), k, v})
			}
		}
		if !matched {
			out = append(out, refKV{k, k, v})
		}
	}
	return out
}

func refHasAnchors(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if kind, _ := ParseAnchor(k); kind != AnchorNone || refHasAnchors(x) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if refHasAnchors(x) {
				return true
			}
		}
	}
	return false
}

func refMap(rm map[string]any, kvs []refKV, path string, ac *refAnchors, tag int) (string, *refErr) {
	var p1, globals, nested, rest []refKV
	for _, kv := range kvs {
		kind, _ := ParseAnchor(kv.key)
		switch {
		case kind.phaseOne():
			p1 = append(p1, kv)
		case kind == AnchorGlobal:
			globals = append(globals, kv)
		case refHasAnchors(kv.val):
			nested = append(nested, kv)
		default:
			rest = append(rest, kv)
		}
	}
	for _, s := range [][]refKV{p1, globals, nested, rest} {
		sort.Slice(s, func(i, j int) bool {
			if s[i].key != s[j].key {
				return s[i].key < s[j].key
			}
			return s[i].source < s[j].source
		})
	}
	order := append(append(append(p1, globals...), nested...), rest...)
	for _, kv := range order {
		if p, err := refHandle(rm, kv.key, kv.val, path, ac, tag); err != nil {
			return p, err
		}
	}
	return "", nil
}

func refHandle(rm map[string]any, key string, pat any, path string, ac *refAnchors, parentTag int) (string, *refErr) {
	kind, name := ParseAnchor(key)
	cur := path + name + "/"
	tag := tagNone
	switch {
	case name == "metadata":
		tag = tagMetadata
	case parentTag == tagMetadata && (name == "labels" || name == "annotations"):
		tag = tagLabels
	}
	v, present := rm[name]
	switch kind {
	case AnchorCondition:
		if !present {
			return cur, &refErr{kind: errConditional, msg: conditionalPrefix + "conditional anchor key doesn't exist in the resource"}
		}
		if p, err := refElement(v, pat, cur, ac, tag); err != nil {
			return p, &refErr{kind: errConditional, msg: conditionalPrefix + err.msg}
		}
		return "", nil
	case AnchorGlobal:
		if !present {
			return "", nil
		}
		if p, err := refElement(v, pat, cur, ac, tag); err != nil {
			return p, &refErr{kind: errGlobal, msg: globalPrefix + err.msg}
		}
		return "", nil
	case AnchorEquality:
		if !present {
			return "", nil
		}
		return refElement(v, pat, cur, ac, tag)
	case AnchorNegation:
		if present {
			return cur, &refErr{kind: errNegation, msg: negationPrefix + cur + " is not allowed"}
		}
		return "", nil
	case AnchorExistence:
		if !present {
			return "", nil
		}
		list, ok := v.([]any)
		if !ok {
			return cur, &refErr{msg: fmt.Sprintf("invalid resource type %T: Existence ^ () anchor can be used only on list/array type resource", v)}
		}
		pl, ok := pat.([]any)
		if !ok {
			return cur, &refErr{msg: fmt.Sprintf("invalid pattern type %T: Pattern has to be of list to compare against resource", pat)}
		}
		for _, pe := range pl {
			pm, ok := pe.(map[string]any)
			if !ok {
				return cur, &refErr{msg: fmt.Sprintf("invalid pattern type %T: Pattern has to be of type map to compare against items in resource", pat)}
			}
			found := false
			for i, item := range list {
				if _, err := refElement(item, pm, cur+strconv.Itoa(i)+"/", ac, tagNone); err == nil {
					found = true
					break
				}
			}
			if !found {
				return cur, &refErr{msg: "existence anchor validation failed at path " + cur}
			}
		}
		return "", nil
	}
	if s, ok := pat.(string); ok && s == "*" {
		if rm[key] != nil {
			return "", nil
		}
		return path, &refErr{msg: fmt.Sprintf("%s/%s not found", path, key)}
	}
	return refElement(rm[key], pat, path+key+"/", ac, tag)
}

func refArray(ra, pa []any, path string, ac *refAnchors) (string, *refErr) {
	if len(pa) == 0 {
		return path, &refErr{msg: "pattern Array empty"}
	}
	var skips []*refErr
	applied := 0
	collect := func(p string, err *refErr) (string, *refErr) {
		if err == nil {
			applied++
			return "", nil
		}
		if err.kind == errConditional || err.kind == errGlobal {
			skips = append(skips, err)
			return "", nil
		}
		return p, err
	}
	switch pa[0].(type) {
	case map[string]any:
		for i, item := range ra {
			if p, err := collect(refElement(item, pa[0], path+strconv.Itoa(i)+"/", ac, tagNone)); err != nil {
				return p, err
			}
		}
	case []any:
		if len(ra) < len(pa) {
			return "", &refErr{msg: fmt.Sprintf("validate Array failed, array length mismatch, resource Array len is %d and pattern Array len is %d", len(ra), len(pa))}
		}
		for i, pe := range pa {
			if p, err := collect(refElement(ra[i], pe, path+strconv.Itoa(i)+"/", ac, tagNone)); err != nil {
				return p, err
			}
		}
	default:
		return refElement(ra, pa[0], path, ac, tagNone)
	}
	if applied > 0 || len(skips) == 0 {
		return "", nil
	}
	kind := errGlobal
	msgs := make([]string, len(skips))
	for i, e := range skips {
		msgs[i] = e.msg
		if e.kind == errConditional {
			kind = errConditional
		}
	}
	return path, &refErr{kind: kind, msg: strings.Join(msgs, "; ")}
}

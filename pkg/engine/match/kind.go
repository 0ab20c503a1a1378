package match

import (
	"strings"
	"unicode"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// kindSelector is a parsed kinds entry: group/version/Kind/subresource, each
// part a wildcard pattern.
type kindSelector struct {
	all                               bool
	group, version, kind, subresource string
}

// ParseKindSelector parses a kinds entry. Forms: Kind, version/Kind,
// group/version/Kind, Kind/subresource, version/Kind/subresource,
// group/version/Kind/subresource, Kind.subresource (the last segment is split
// on its first dot), * and */*.
func ParseKindSelector(s string) kindSelector {
	if s == "*" {
		return kindSelector{all: true}
	}
	parts := strings.Split(s, "/")
	sel := kindSelector{group: "*", version: "*"}
	switch len(parts) {
	case 1:
		sel.kind = parts[0]
	case 2:
		if startsUpper(parts[0]) || parts[0] == "*" {
			sel.kind, sel.subresource = parts[0], parts[1]
		} else {
			sel.version, sel.kind = parts[0], parts[1]
		}
	case 3:
		if startsUpper(parts[1]) {
			sel.version, sel.kind, sel.subresource = parts[0], parts[1], parts[2]
		} else {
			sel.group, sel.version, sel.kind = parts[0], parts[1], parts[2]
		}
	default:
		sel.group, sel.version, sel.kind, sel.subresource = parts[0], parts[1], parts[2], strings.Join(parts[3:], "/")
	}
	if sel.subresource == "" {
		if k, sub, ok := strings.Cut(sel.kind, "."); ok {
			sel.kind, sel.subresource = k, sub
		}
	}
	return sel
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}

// Matches reports whether the selector selects the kind and subresource.
func (k kindSelector) Matches(gvk GVK, subresource string) bool {
	if k.all {
		return true
	}
	if !wildcard.Match(k.group, gvk.Group) || !wildcard.Match(k.version, gvk.Version) || !wildcard.Match(k.kind, gvk.Kind) {
		return false
	}
	if wildcard.Match(k.subresource, subresource) {
		return true
	}
	// Pod also selects Pod/ephemeralcontainers, for backward compatibility.
	return gvk.Group == "" && gvk.Version == "v1" && gvk.Kind == "Pod" && subresource == "ephemeralcontainers" && k.subresource == ""
}

func checkKinds(kinds []kindSelector, gvk GVK, subresource string) bool {
	for _, k := range kinds {
		if k.Matches(gvk, subresource) {
			return true
		}
	}
	return false
}

// ParseGVK splits an apiVersion and kind into a GVK.
func ParseGVK(apiVersion, kind string) GVK {
	g, v, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return GVK{Version: apiVersion, Kind: kind}
	}
	return GVK{Group: g, Version: v, Kind: kind}
}

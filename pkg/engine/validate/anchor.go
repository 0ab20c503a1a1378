package validate

import (
	"strconv"
	"strings"
)

// AnchorKind is the kind of anchor written around a pattern map key.
type AnchorKind uint8

const (
	// AnchorNone marks a plain (non-anchor) key.
	AnchorNone AnchorKind = iota
	// AnchorCondition is "(key)": if the key is absent or its value does not
	// match, the enclosing map (or array element) is skipped.
	AnchorCondition
	// AnchorGlobal is "<(key)": if the key is present and its value does not
	// match, the whole rule is skipped.
	AnchorGlobal
	// AnchorEquality is "=(key)": if the key is present its value must match.
	AnchorEquality
	// AnchorExistence is "^(key)": every pattern element must be matched by at
	// least one element of the resource list.
	AnchorExistence
	// AnchorNegation is "X(key)": the key must not be present.
	AnchorNegation
	// AnchorAddIfNotPresent is "+(key)" (mutate only; rejected in validate).
	AnchorAddIfNotPresent
)

var anchorModifiers = [...]string{"", "", "<", "=", "^", "X", "+"}
var anchorNames = [...]string{"none", "condition", "global", "equality", "existence", "negation", "add-if-not-present"}

// Modifier returns the character written before the parenthesis ("" for
// AnchorNone and AnchorCondition).
func (k AnchorKind) Modifier() string {
	if int(k) < len(anchorModifiers) {
		return anchorModifiers[k]
	}
	return ""
}

// String returns a human-readable name of the kind.
func (k AnchorKind) String() string {
	if int(k) < len(anchorNames) {
		return anchorNames[k]
	}
	return "AnchorKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseAnchor parses a pattern map key with the grammar
// ^(?P<modifier>[+<=X^])?\((?P<key>.+)\)$ (after trimming surrounding white
// space, as Kyverno does). It returns the anchor kind and the bare key name.
// A key that is not an anchor yields (AnchorNone, key) unchanged.
func ParseAnchor(key string) (kind AnchorKind, name string) {
	s := strings.TrimSpace(key)
	if len(s) < 3 || s[len(s)-1] != ')' {
		return AnchorNone, key
	}
	start := 1
	switch s[0] {
	case '(':
		kind = AnchorCondition
	case '<', '=', '^', 'X', '+':
		if s[1] != '(' {
			return AnchorNone, key
		}
		start = 2
		kind = modifierKind(s[0])
	default:
		return AnchorNone, key
	}
	name = s[start : len(s)-1]
	// The regular expression's '.' needs at least one character and never
	// matches a newline.
	if name == "" || strings.IndexByte(name, '\n') >= 0 {
		return AnchorNone, key
	}
	return kind, name
}

func modifierKind(c byte) AnchorKind {
	switch c {
	case '<':
		return AnchorGlobal
	case '=':
		return AnchorEquality
	case '^':
		return AnchorExistence
	case 'X':
		return AnchorNegation
	case '+':
		return AnchorAddIfNotPresent
	}
	return AnchorNone
}

// AnchorString builds the key text of an anchor, e.g.
// AnchorString(AnchorEquality, "app") == "=(app)". AnchorNone returns name
// unchanged.
func AnchorString(kind AnchorKind, name string) string {
	if kind == AnchorNone {
		return name
	}
	return kind.Modifier() + "(" + name + ")"
}

// tracked reports whether keys of this kind take part in the "missing anchor"
// bookkeeping (Kyverno's anchor map): conditional, existence and negation.
func (k AnchorKind) tracked() bool {
	return k == AnchorCondition || k == AnchorExistence || k == AnchorNegation
}

// phaseOne reports whether keys of this kind are evaluated in the first
// phase of a map, before all other keys (Kyverno's
// GetAnchorsResourcesFromMap: conditional, existence, equality and negation;
// global anchors are evaluated first in the second phase instead).
func (k AnchorKind) phaseOne() bool {
	return k == AnchorCondition || k == AnchorExistence || k == AnchorEquality || k == AnchorNegation
}

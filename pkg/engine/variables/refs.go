package variables

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	// reReference matches an unescaped reference: `$(` at the start of the
	// string, or after a character other than a backslash (included in the
	// match). As in Kyverno, a reference extends to the last ')' before a
	// space.
	reReference = regexp.MustCompile(`^\$\(.[^\ ]*\)|[^\\]\$\(.[^\ ]*\)`)
	// reEscReference matches an escaped reference `\$(...)`, up to the first ')'.
	reEscReference = regexp.MustCompile(`\\\$\(.[^\ ]*?\)`)
	// reAnchor is the anchor syntax of pattern keys: (key), <(key), =(key),
	// ^(key), X(key), +(key).
	reAnchor = regexp.MustCompile(`^([+<=X^])?\((.+)\)$`)
	// Kyverno's range operators, recognised (and mis-stripped) like Kyverno
	// does when they start a reference.
	reInRange    = regexp.MustCompile(`^([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)-([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)$`)
	reNotInRange = regexp.MustCompile(`^([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)!-([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)$`)
)

var errEmptyReference = errors.New("expected path, found empty reference")

// referencesLeaf resolves the $(...) references of one string against the
// document being substituted, then unescapes `\$(...)`.
func (s *substituter) referencesLeaf(value string) (any, error) {
	if !strings.Contains(value, "$(") {
		return value, nil
	}
	if locs := reReference.FindAllStringIndex(value, -1); len(locs) > 0 {
		var b strings.Builder
		last := 0
		for _, loc := range locs {
			start := loc[0]
			if !strings.HasPrefix(value[start:], "$(") {
				_, size := utf8.DecodeRuneInString(value[start:])
				start += size // keep the character before the reference
			}
			ref := value[start:loc[1]]
			text, err := s.resolveReference(ref)
			if err != nil {
				return nil, err
			}
			b.WriteString(value[last:start])
			b.WriteString(text)
			last = loc[1]
		}
		b.WriteString(value[last:])
		value = b.String()
	}
	if strings.Contains(value, `\$(`) {
		value = reEscReference.ReplaceAllStringFunc(value, func(m string) string { return m[1:] })
	}
	return value, nil
}

// resolveReference returns the text a reference ("$(<=./../x)") stands for.
func (s *substituter) resolveReference(ref string) (string, error) {
	at := s.pathString()
	p := strings.Trim(ref, "$()")
	op := referenceOperator(p)
	p = p[len(op):]
	if p == "" {
		return "", &ReferenceError{Reference: ref, Path: at, Kind: ReferenceInvalid, Err: errEmptyReference}
	}
	target := formAbsolutePath(p, at)
	val := s.lookupReference(removeAnchorsFromPath(target))
	if op == "" {
		switch v := val.(type) {
		case nil:
			return "", &ReferenceError{Reference: ref, Path: at, Kind: ReferenceNotFound}
		case string:
			return v, nil
		default:
			return "", &ReferenceError{Reference: ref, Path: at, Kind: ReferenceNotString}
		}
	}
	var str string
	switch v := val.(type) {
	case string:
		str = v
	case int:
		str = strconv.Itoa(v)
	case int64:
		str = strconv.FormatInt(v, 10)
	case float64:
		str = fmt.Sprintf("%f", v) // Kyverno's formatting: 3000 -> "3000.000000"
	default:
		return "", &ReferenceError{Reference: ref, Path: at, Kind: ReferenceInvalid,
			Err: fmt.Errorf("incorrect expression: operator %s does not match with value %v", op, val)}
	}
	return op + str, nil
}

// referenceOperator returns the operator a reference path starts with
// (Kyverno's GetOperatorFromStringPattern).
func referenceOperator(p string) string {
	if len(p) < 2 {
		return ""
	}
	for _, op := range []string{">=", "<=", ">", "<", "!"} {
		if strings.HasPrefix(p, op) {
			return op
		}
	}
	if reNotInRange.MatchString(p) {
		return "!-"
	}
	if reInRange.MatchString(p) {
		return "-"
	}
	return ""
}

// formAbsolutePath joins a relative reference path to the path of the node
// holding it; an absolute one is returned as is.
func formAbsolutePath(referencePath, absolutePath string) string {
	if path.IsAbs(referencePath) {
		return referencePath
	}
	return path.Join(absolutePath, referencePath)
}

// removeAnchorsFromPath strips the anchors of every component of a
// '/'-separated path and cleans it.
func removeAnchorsFromPath(str string) string {
	components := strings.Split(str, "/")
	if components[0] == "" {
		components = components[1:]
	}
	for i, c := range components {
		if m := reAnchor.FindStringSubmatch(c); m != nil {
			components[i] = m[2]
		}
	}
	p := path.Join(components...)
	if path.IsAbs(str) {
		p = "/" + p
	}
	return p
}

// lookupReference returns the node at an anchor-free path of the reference
// document, or nil. Like Kyverno, which looks among leaves and map keys, a path
// naming a map yields one of its keys (the greatest here; Kyverno's is
// arbitrary) and a path naming a list yields nil.
func (s *substituter) lookupReference(p string) any {
	if s.refIndex == nil {
		s.refIndex = map[string]any{}
		indexReferences(s.refIndex, s.refDoc, "")
	}
	return s.refIndex[p]
}

func indexReferences(idx map[string]any, v any, p string) {
	switch t := v.(type) {
	case map[string]any:
		clean := removeAnchorsFromPath(p)
		for _, k := range slices.Sorted(maps.Keys(t)) {
			idx[clean] = k
			indexReferences(idx, t[k], p+"/"+k)
		}
	case []any:
		for i, e := range t {
			indexReferences(idx, e, p+"/"+strconv.Itoa(i))
		}
	default:
		idx[removeAnchorsFromPath(p)] = v
	}
}

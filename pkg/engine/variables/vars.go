package variables

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Evaluator answers a JMESPath query against the rule's context (request,
// context entries, element, ...).
//
// A missing key must be an error (Kyverno's JMESPath fork raises NotFoundError
// instead of returning null), and `a || b` must fall back to b when a is
// missing or falsy. The error text ends up in ResolveError messages; to
// reproduce Kyverno's wording exactly, wrap compile errors as
// "incorrect query <expr>: <err>" and search errors as
// "JMESPath query failed: <err>", as Kyverno's context.Query does.
type Evaluator interface {
	Query(expr string) (any, error)
}

// EvaluatorFunc adapts a function to the Evaluator interface.
type EvaluatorFunc func(expr string) (any, error)

// Query calls f(expr).
func (f EvaluatorFunc) Query(expr string) (any, error) { return f(expr) }

// Options tunes SubstituteAll. The zero value substitutes like Kyverno does
// for a non-DELETE request, with {{@}} paths taken as-is under
// "request.object" (or "target", see AtPrefix).
type Options struct {
	// DeleteRequest rewrites every "request.object" in a variable to
	// "request.oldObject" before it is evaluated (Kyverno does this whenever
	// request.operation is DELETE, since request.object is null then).
	DeleteRequest bool

	// AtPrefix is the JMESPath that {{@}} paths are relative to, e.g.
	// "request.object" or "target". Empty selects Kyverno's rule: "target"
	// when the evaluator resolves "target" without error, otherwise
	// "request.object".
	AtPrefix string

	// AtSkip maps the path of the node holding {{@}} to a path in the
	// resource. Zero uses the node's path in the substituted document as is,
	// which is right when the document is the overlay itself (a validate
	// pattern or a patchStrategicMerge body). Kyverno substitutes whole rules
	// and computes the path by dropping everything up to and including a
	// "foreach" segment, then the first 2 segments ("/mutate/patchStrategicMerge"
	// or "/validate/pattern"): AtSkip 2 reproduces that for rule documents.
	AtSkip int
}

// Limits; exceeding one is an error wrapping ErrLimit.
const (
	// MaxPasses bounds how many times one string is re-scanned (nesting depth
	// plus re-substitution of substituted text).
	MaxPasses = 100
	// MaxEvaluations bounds the variable evaluations of one substitution call.
	MaxEvaluations = 1 << 17
	// MaxStringLength bounds the length in bytes of a string being built.
	MaxStringLength = 1 << 24
	// MaxDepth bounds the nesting of the walked document, including map and
	// list values that variables expand to.
	MaxDepth = 10000
)

// reEscVariable matches an escaped variable `\{{ ... }}`.
var reEscVariable = regexp.MustCompile(`\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}`)

// SubstituteAll returns a deep copy of doc, a decoded JSON document
// (map[string]any, []any, string, float64, bool, nil, ...), in which every
// $(...) reference and then every {{...}} variable in string values and map
// keys has been substituted (see the package documentation). Values of other
// types are copied by reference. doc is not modified.
func SubstituteAll(doc any, e Evaluator, opts Options) (any, error) {
	if str, ok := doc.(string); ok && e != nil {
		if expr, ok := wholeVariable(str); ok {
			return substituteWhole(expr, e, opts)
		}
	}
	s := newSubstituter(e, opts)
	return s.substituteDocument(doc)
}

// wholeVariable returns the expression of a string that is exactly one
// plain variable, "{{ expr }}" (the common key of a condition), with no
// braces inside, no reference and not {{@}}: such a string substitutes to
// the variable's value without the general machinery.
func wholeVariable(s string) (string, bool) {
	if len(s) < 4 || s[:2] != "{{" || s[len(s)-2:] != "}}" || strings.Contains(s, "$(") {
		return "", false
	}
	inner := s[2 : len(s)-2]
	if strings.ContainsAny(inner, "{}") {
		return "", false
	}
	expr := strings.TrimSpace(inner)
	if strings.HasPrefix(expr, "-") { // the shallow marker, moot for a whole string
		expr = strings.TrimSpace(expr[1:])
	}
	if expr == "@" {
		return "", false
	}
	return expr, true
}

// substituteWhole is SubstituteAll for a string that is exactly the
// variable expr (see wholeVariable): the same value, errors and limits.
func substituteWhole(expr string, e Evaluator, opts Options) (any, error) {
	if opts.DeleteRequest {
		expr = strings.ReplaceAll(expr, "request.object", "request.oldObject")
	}
	val, err := e.Query(expr)
	if err != nil {
		if errors.Is(err, ErrLimit) {
			return nil, err
		}
		return nil, &ResolveError{Variable: expr, Err: err}
	}
	switch val.(type) {
	case map[string]any, []any:
		// A map or list is copied and its variables substituted in turn.
		s := newSubstituter(e, opts)
		s.evals = 1
		return s.walk(val, (*substituter).variablesLeaf, 1)
	}
	return val, nil
}

// SubstituteString substitutes the references and variables of one string,
// e.g. a validation message. A string that is exactly one variable yields the
// typed value; otherwise the result is a string. As Kyverno does for every
// substitution, request.object is rewritten to request.oldObject when the
// evaluator reports request.operation DELETE (queried only if s holds a
// variable).
func SubstituteString(s string, e Evaluator) (any, error) {
	if !strings.Contains(s, "{{") && !strings.Contains(s, "$(") {
		return s, nil
	}
	sub := newSubstituter(e, Options{})
	sub.deleteAuto = true
	return sub.substituteDocument(s)
}

// IsDeleteRequest reports whether the evaluator resolves request.operation to
// "DELETE".
func IsDeleteRequest(e Evaluator) bool {
	if e == nil {
		return false
	}
	op, err := e.Query("request.operation")
	return err == nil && op == "DELETE"
}

// HasVariables reports whether any string value or map key of v contains "{{"
// or "$(" (escaped forms included, since substitution removes their
// backslash). When it is false, SubstituteAll returns an unchanged copy of v,
// so a compiled pattern without variables needs no per-request substitution.
func HasVariables(v any) bool {
	switch t := v.(type) {
	case string:
		return mayChange(t)
	case map[string]any:
		for k, e := range t {
			if mayChange(k) || HasVariables(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if HasVariables(e) {
				return true
			}
		}
	}
	return false
}

// IsVariable reports whether s holds an unescaped {{...}} variable.
func IsVariable(s string) bool { return len(findVariables(s, nil)) > 0 }

// IsReference reports whether s holds an unescaped $(...) reference.
func IsReference(s string) bool { return strings.Contains(s, "$(") && reReference.MatchString(s) }

// Variables returns the expressions of the unescaped variables found in a
// first scan of s, in order, trimmed and without the shallow marker. Inner
// variables of nested ones are found, their enclosing ones are not (they are
// only complete once the inner ones are substituted).
func Variables(s string) []string {
	if !strings.Contains(s, "{{") {
		return nil
	}
	var out []string
	for _, loc := range findVariables(s, nil) {
		expr, _ := parseVariable(s[loc[0]:loc[1]])
		out = append(out, expr)
	}
	return out
}

func mayChange(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "$(")
}

type substituter struct {
	eval Evaluator
	opts Options

	// deleteAuto: detect DELETE through the evaluator before the first query.
	deleteAuto bool
	// atPrefix is the resolved prefix of {{@}} paths, split on '.'.
	atPrefix []string

	evals int
	path  []string // path of the node being substituted

	refDoc   any            // the document references resolve against
	refIndex map[string]any // anchor-free path -> node, built on first use
}

func newSubstituter(e Evaluator, opts Options) *substituter {
	if e == nil {
		e = EvaluatorFunc(func(string) (any, error) { return nil, errNoEvaluator })
	}
	return &substituter{eval: e, opts: opts}
}

var errNoEvaluator = errors.New("no evaluator")

func (s *substituter) substituteDocument(doc any) (any, error) {
	if hasReference(doc) {
		s.refDoc = doc
		var err error
		if doc, err = s.walk(doc, (*substituter).referencesLeaf, 0); err != nil {
			return nil, err
		}
		s.refDoc, s.refIndex = nil, nil
	}
	return s.walk(doc, (*substituter).variablesLeaf, 0)
}

func hasReference(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.Contains(t, "$(")
	case map[string]any:
		for k, e := range t {
			if strings.Contains(k, "$(") || hasReference(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasReference(e) {
				return true
			}
		}
	}
	return false
}

type leafFunc func(s *substituter, str string) (any, error)

// walk copies v, applying leaf to every string value and map key, in the
// order of Kyverno's JSON traversal (for each key, in sorted order here: the
// key, then its value). A string value that becomes a map or list is walked in
// turn, at the same path.
func (s *substituter) walk(v any, leaf leafFunc, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: document nested deeper than %d levels", ErrLimit, MaxDepth)
	}
	switch t := v.(type) {
	case string:
		r, err := leaf(s, t)
		if err != nil {
			return nil, err
		}
		switch r.(type) {
		case map[string]any, []any:
			return s.walk(r, leaf, depth+1)
		}
		return r, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			nk := k
			if mayChange(k) {
				r, err := leaf(s, k)
				if err != nil {
					return nil, err
				}
				switch rk := r.(type) {
				case nil: // Kyverno keeps the key as written
				case string:
					nk = rk
				default:
					return nil, &KeyError{Key: k, Value: r}
				}
			}
			s.path = append(s.path, k)
			val, err := s.walk(t[k], leaf, depth+1)
			s.path = s.path[:len(s.path)-1]
			if err != nil {
				return nil, err
			}
			out[nk] = val
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			s.path = append(s.path, strconv.Itoa(i))
			val, err := s.walk(e, leaf, depth+1)
			s.path = s.path[:len(s.path)-1]
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	default:
		return v, nil
	}
}

// pathString renders the current path like Kyverno's traversal does:
// "/a/0/b", or "" for the root.
func (s *substituter) pathString() string {
	if len(s.path) == 0 {
		return ""
	}
	return "/" + strings.Join(s.path, "/")
}

// variablesLeaf substitutes the variables of one string.
//
// Kyverno substitutes, in each pass, one variable of the pass's matches into
// the original text and re-scans; substituting all matches of a pass at once,
// as done here, reaches the same strings in fewer passes.
func (s *substituter) variablesLeaf(value string) (any, error) {
	if !strings.Contains(value, "{{") {
		return value, nil
	}
	var locs [][2]int
	for pass := 0; ; pass++ {
		locs = findVariables(value, locs[:0])
		if len(locs) == 0 {
			break
		}
		if pass >= MaxPasses {
			return nil, fmt.Errorf("%w: variables at path %s still unresolved after %d passes", ErrLimit, s.pathString(), MaxPasses)
		}
		var b strings.Builder
		last := 0
		for _, loc := range locs {
			start, end := loc[0], loc[1]
			expr, shallow := parseVariable(value[start:end])
			expr, err := s.rewrite(expr)
			if err != nil {
				return nil, err
			}
			val, err := s.query(expr)
			if err != nil {
				if errors.Is(err, ErrLimit) {
					return nil, err
				}
				return nil, &ResolveError{Variable: expr, Path: s.pathString(), Err: err}
			}
			if start == 0 && end == len(value) {
				return val, nil // the whole string is the variable: keep the type
			}
			text, err := spliceText(val, shallow)
			if err != nil {
				return nil, &ResolveError{Variable: expr, Path: s.pathString(), Err: err}
			}
			b.WriteString(value[last:start])
			b.WriteString(text)
			last = end
			if b.Len() > MaxStringLength {
				return nil, fmt.Errorf("%w: substituted string at path %s longer than %d bytes", ErrLimit, s.pathString(), MaxStringLength)
			}
		}
		b.WriteString(value[last:])
		value = b.String()
	}
	if strings.Contains(value, `\{{`) {
		value = reEscVariable.ReplaceAllStringFunc(value, func(m string) string { return m[1:] })
	}
	return value, nil
}

// parseVariable strips the braces and spaces of a matched variable and the
// shallow marker of `{{- expr }}`.
func parseVariable(v string) (expr string, shallow bool) {
	expr = strings.ReplaceAll(v, "{{", "")
	expr = strings.ReplaceAll(expr, "}}", "")
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "-") {
		return strings.TrimSpace(expr[1:]), true
	}
	return expr, false
}

// rewrite applies the {{@}} expansion and the DELETE rewriting to a variable.
func (s *substituter) rewrite(expr string) (string, error) {
	if expr == "@" {
		p, err := s.atPath()
		if err != nil {
			return "", err
		}
		expr = p
	}
	if s.deleteAuto {
		s.deleteAuto = false
		s.opts.DeleteRequest = IsDeleteRequest(countingEvaluator{s})
	}
	if s.opts.DeleteRequest {
		expr = strings.ReplaceAll(expr, "request.object", "request.oldObject")
	}
	return expr, nil
}

// atPath is the JMESPath of the current node in the resource.
func (s *substituter) atPath() (string, error) {
	if s.atPrefix == nil {
		prefix := s.opts.AtPrefix
		if prefix == "" {
			prefix = "request.object"
			if _, err := s.query("target"); err == nil {
				prefix = "target"
			} else if errors.Is(err, ErrLimit) {
				return "", err
			}
		}
		s.atPrefix = strings.Split(prefix, ".")
	}
	segs := s.path
	if n := s.opts.AtSkip; n > 0 {
		if i := slices.Index(segs, "foreach"); i >= 0 {
			segs = segs[i+1:]
		}
		segs = segs[min(n, len(segs)):]
	}
	return jmesPathOf(slices.Concat(s.atPrefix, segs)), nil
}

func (s *substituter) query(expr string) (any, error) {
	s.evals++
	if s.evals > MaxEvaluations {
		return nil, fmt.Errorf("%w: more than %d variable evaluations", ErrLimit, MaxEvaluations)
	}
	return s.eval.Query(expr)
}

// countingEvaluator charges the substituter's evaluation budget.
type countingEvaluator struct{ s *substituter }

func (c countingEvaluator) Query(expr string) (any, error) { return c.s.query(expr) }

// spliceText renders a value substituted into surrounding text: strings raw,
// anything else as JSON. A shallow variable's text has its "{{" escaped so
// that later passes do not substitute it.
func spliceText(val any, shallow bool) (string, error) {
	var text string
	if str, ok := val.(string); ok {
		text = str
	} else {
		buf, err := json.Marshal(val)
		if err != nil {
			return "", fmt.Errorf("failed to marshal %T: %v", val, val)
		}
		text = string(buf)
	}
	if shallow {
		text = strings.ReplaceAll(text, "{{", `\{{`)
	}
	return text, nil
}

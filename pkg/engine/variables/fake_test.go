package variables

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// fakeEval is a small stand-in for the JMESPath evaluator: dotted paths with
// [n] indexes and "quoted" identifiers over a JSON document, 'raw strings',
// `json literals`, top-level `||` with Kyverno's fallback (a missing operand
// counts as null, the first truthy operand wins, else the last), and exact
// expression overrides for anything else (functions, projections).
//
// A missing key is notFoundError, wrapped like Kyverno's context.Query wraps
// search errors ("JMESPath query failed: ...").
type fakeEval struct {
	data      any
	overrides map[string]any
	queries   []string
}

type notFoundError struct{ key string }

func (e notFoundError) Error() string { return fmt.Sprintf("Unknown key \"%s\" in path", e.key) }

func newFake(dataJSON string) *fakeEval {
	f := &fakeEval{}
	if dataJSON != "" {
		f.data = mustJSON(dataJSON)
	}
	return f
}

func (f *fakeEval) Query(expr string) (any, error) {
	f.queries = append(f.queries, expr)
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, errors.New("invalid query (nil)")
	}
	v, err := f.eval(expr)
	if err != nil {
		var nf notFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("JMESPath query failed: %w", err)
		}
		return nil, fmt.Errorf("incorrect query %s: %v", expr, err)
	}
	return v, nil
}

func (f *fakeEval) eval(expr string) (any, error) {
	parts := splitOr(expr)
	if len(parts) == 1 {
		return f.term(parts[0])
	}
	var last any
	for _, p := range parts {
		v, err := f.eval(p)
		if err != nil {
			var nf notFoundError
			if errors.As(err, &nf) {
				last = nil
				continue
			}
			return nil, err
		}
		last = v
		if truthy(v) {
			return v, nil
		}
	}
	return last, nil
}

func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// splitOr splits on top-level "||", outside quotes, backticks and brackets.
func splitOr(expr string) []string {
	var parts []string
	var quote byte
	depth, start := 0, 0
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case depth == 0 && c == '|' && i+1 < len(expr) && expr[i+1] == '|':
			parts = append(parts, strings.TrimSpace(expr[start:i]))
			i++
			start = i + 1
		}
	}
	return append(parts, strings.TrimSpace(expr[start:]))
}

func (f *fakeEval) term(expr string) (any, error) {
	if v, ok := f.overrides[expr]; ok {
		return v, nil
	}
	n := len(expr)
	switch {
	case n >= 2 && expr[0] == '\'' && expr[n-1] == '\'':
		return strings.ReplaceAll(expr[1:n-1], `\'`, `'`), nil
	case n >= 2 && expr[0] == '`' && expr[n-1] == '`':
		var v any
		if err := json.Unmarshal([]byte(expr[1:n-1]), &v); err != nil {
			return nil, fmt.Errorf("invalid literal %s", expr)
		}
		return v, nil
	}
	cur := f.data
	for i := 0; i < n; {
		switch c := expr[i]; {
		case c == '.' && i > 0:
			i++
			continue
		case c == '[':
			j := strings.IndexByte(expr[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("SyntaxError: unclosed [ in %q", expr)
			}
			idx, err := strconv.Atoi(expr[i+1 : i+j])
			if err != nil {
				return nil, fmt.Errorf("SyntaxError: bad index in %q", expr)
			}
			i += j + 1
			l, _ := cur.([]any)
			if idx < 0 {
				idx += len(l)
			}
			if idx < 0 || idx >= len(l) {
				cur = nil
			} else {
				cur = l[idx]
			}
			continue
		}
		var key string
		if expr[i] == '"' {
			j := i + 1
			for j < n && expr[j] != '"' {
				if expr[j] == '\\' {
					j++
				}
				j++
			}
			if j >= n {
				return nil, fmt.Errorf("SyntaxError: unclosed quote in %q", expr)
			}
			k, err := strconv.Unquote(expr[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("SyntaxError: bad quoted identifier in %q", expr)
			}
			key, i = k, j+1
		} else {
			j := i
			for j < n && (expr[j] == '_' || 'a' <= expr[j] && expr[j] <= 'z' || 'A' <= expr[j] && expr[j] <= 'Z' || j > i && '0' <= expr[j] && expr[j] <= '9') {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("SyntaxError: unexpected %q in %q", expr[i], expr)
			}
			key, i = expr[i:j], j
		}
		if i < n && expr[i] != '.' && expr[i] != '[' {
			return nil, fmt.Errorf("SyntaxError: unexpected %q in %q", expr[i], expr)
		}
		m, ok := cur.(map[string]any)
		if !ok {
			cur = nil
			continue
		}
		v, ok := m[key]
		if !ok {
			return nil, notFoundError{key}
		}
		cur = v
	}
	return cur, nil
}

func mustJSON(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(fmt.Sprintf("bad test JSON %q: %v", s, err))
	}
	return v
}

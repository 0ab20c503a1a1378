package conditions

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Condition is one raw (unsubstituted) condition.
type Condition struct {
	// Key is the decoded JSON of `key`; it usually holds variables.
	Key any
	// Value is the decoded JSON of `value`.
	Value any
	// Operator is the operator as written in the policy.
	Operator string
	// Message is the optional `message` of the condition.
	Message string
}

// Block is one {any, all} block. A nil Any means that `any` was absent (or
// null); a non-nil empty Any means `any: []`, which never holds.
type Block struct {
	Any []Condition
	All []Condition
}

// Conditions is a parsed conditions field. The zero value (and a nil
// *Conditions) holds no conditions and always evaluates to true.
type Conditions struct {
	// Blocks are ANDed. A legacy flat list is one block with only All.
	Blocks []Block

	legacy bool // parsed from a legacy flat list (affects messages only)
}

// ParseError is the error returned by Parse. Path locates the offending part
// of the conditions (e.g. "any[1].operator", "[0].value"); it is empty for
// problems with the whole field.
type ParseError struct {
	Path string
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func perr(path, format string, args ...any) error {
	return &ParseError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses the decoded JSON of a conditions field (see the package
// documentation for the accepted shapes and the checks performed).
func Parse(raw any) (*Conditions, error) {
	switch t := raw.(type) {
	case nil:
		return &Conditions{}, nil
	case map[string]any:
		b, err := parseBlock(t, "")
		if err != nil {
			return nil, err
		}
		return &Conditions{Blocks: []Block{b}}, nil
	case []any:
		return parseList(t)
	default:
		return nil, perr("", "conditions must be an object with any/all or a list of conditions, got %s", typeName(raw))
	}
}

// MustParse is like Parse but panics on error; for tests and literals.
func MustParse(raw any) *Conditions {
	c, err := Parse(raw)
	if err != nil {
		panic(err)
	}
	return c
}

// IsEmpty reports whether c holds no condition at all (so that it always
// evaluates to true without calling the substitution function).
func (c *Conditions) IsEmpty() bool {
	if c == nil {
		return true
	}
	for _, b := range c.Blocks {
		if b.Any != nil || len(b.All) > 0 {
			return false
		}
	}
	return true
}

// conditionFields are the fields of a condition.
var conditionFields = []string{"key", "operator", "value", "message"}

// isBlock reports whether a list element is an {any, all} block rather than
// a condition: it has an "any" or "all" field and no condition field.
func isBlock(m map[string]any) bool {
	_, hasAny := m["any"]
	_, hasAll := m["all"]
	if !hasAny && !hasAll {
		return false
	}
	for k := range m {
		for _, f := range conditionFields {
			if strings.EqualFold(k, f) {
				return false
			}
		}
	}
	return true
}

func parseList(list []any) (*Conditions, error) {
	blocks := 0
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && isBlock(m) {
			blocks++
		}
	}
	if blocks > 0 && blocks < len(list) {
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok || !isBlock(m) {
				return nil, perr(index("", i), "cannot mix any/all blocks with legacy conditions in one list")
			}
		}
	}
	if blocks > 0 {
		c := &Conditions{Blocks: make([]Block, 0, len(list))}
		for i, e := range list {
			b, err := parseBlock(e.(map[string]any), index("", i))
			if err != nil {
				return nil, err
			}
			c.Blocks = append(c.Blocks, b)
		}
		return c, nil
	}
	conds, err := parseConditions(list, "", true)
	if err != nil {
		return nil, err
	}
	c := &Conditions{legacy: true}
	if len(conds) > 0 {
		c.Blocks = []Block{{All: conds}}
	}
	return c, nil
}

func parseBlock(m map[string]any, path string) (Block, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "any" && k != "all" {
			return Block{}, perr(join(path, k), "unknown field %q (only \"any\" and \"all\" are allowed)", k)
		}
	}
	var b Block
	for _, name := range []string{"any", "all"} {
		raw, ok := m[name]
		if !ok || raw == nil {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			return Block{}, perr(join(path, name), "must be a list of conditions, got %s", typeName(raw))
		}
		conds, err := parseConditions(list, join(path, name), false)
		if err != nil {
			return Block{}, err
		}
		if conds == nil {
			conds = []Condition{} // present: an empty `any` never holds
		}
		if name == "any" {
			b.Any = conds
		} else {
			b.All = conds
		}
	}
	return b, nil
}

func parseConditions(list []any, path string, legacy bool) ([]Condition, error) {
	var conds []Condition
	for i, e := range list {
		c, err := parseCondition(e, index(path, i), legacy)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	return conds, nil
}

// field returns the value of a condition field, matched like encoding/json
// matches struct fields: the exact name first, then case-insensitively (the
// first such key in sorted order).
func field(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	var found string
	ok := false
	for k := range m {
		if strings.EqualFold(k, name) && (!ok || k < found) {
			found, ok = k, true
		}
	}
	if !ok {
		return nil, false
	}
	return m[found], true
}

func parseCondition(raw any, path string, legacy bool) (Condition, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return Condition{}, perr(path, "condition must be an object, got %s", typeName(raw))
	}
	var c Condition
	op, _ := field(m, "operator")
	switch t := op.(type) {
	case nil:
		return Condition{}, perr(join(path, "operator"), "missing (key, operator and value are required)")
	case string:
		c.Operator = t
	default:
		return Condition{}, perr(join(path, "operator"), "must be a string, got %s", typeName(op))
	}
	if c.Operator == "" {
		return Condition{}, perr(join(path, "operator"), "missing (key, operator and value are required)")
	}
	kind, exact := lookupOperator(c.Operator)
	if kind == opUnknown {
		return Condition{}, perr(join(path, "operator"), "unknown operator %q", c.Operator)
	}
	if legacy && !exact {
		return Condition{}, perr(join(path, "operator"), "unknown operator %q (a legacy condition list requires the exact operator name %q)", c.Operator, operatorNames[kind])
	}
	if msg, ok := field(m, "message"); ok && msg != nil {
		s, ok := msg.(string)
		if !ok {
			return Condition{}, perr(join(path, "message"), "must be a string, got %s", typeName(msg))
		}
		c.Message = s
	}
	c.Key, _ = field(m, "key")
	if c.Key == nil {
		return Condition{}, perr(join(path, "key"), "missing (key, operator and value are required)")
	}
	c.Value, _ = field(m, "value")
	if c.Value == nil {
		return Condition{}, perr(join(path, "value"), "missing (key, operator and value are required)")
	}
	if err := checkRequestOperation(c, path); err != nil {
		return Condition{}, err
	}
	return c, nil
}

// requestOperations are the values allowed for a {{request.operation}} key.
var requestOperations = []string{"CREATE", "UPDATE", "DELETE", "CONNECT"}

// checkRequestOperation validates the value of a condition whose key is the
// variable {{request.operation}} (spaces ignored), as Kyverno's policy
// validation does.
func checkRequestOperation(c Condition, path string) error {
	k, ok := c.Key.(string)
	if !ok || strings.ReplaceAll(k, " ", "") != "{{request.operation}}" {
		return nil
	}
	valuePath := join(path, "value")
	switch v := c.Value.(type) {
	case string:
		// a variable may resolve to a valid operation
		if len(v) >= 4 && strings.HasPrefix(v, "{{") && strings.HasSuffix(v, "}}") {
			return nil
		}
		if !slices.Contains(requestOperations, v) {
			return perr(valuePath, "unknown value %q for {{request.operation}}; only CREATE, UPDATE, DELETE and CONNECT are allowed", v)
		}
	case []any:
		for i, e := range v {
			s, ok := e.(string)
			if !ok || !slices.Contains(requestOperations, s) {
				return perr(index(valuePath, i), "unknown value %s for {{request.operation}}; only CREATE, UPDATE, DELETE and CONNECT are allowed", quoteAny(e))
			}
		}
	default:
		return perr(valuePath, "the value of a {{request.operation}} condition must be a string or a list, got %s", typeName(c.Value))
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func quoteAny(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}

// typeName names the JSON type of a decoded value for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	}
	if _, ok := toFloat(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

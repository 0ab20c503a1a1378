// Package pattern compiles and evaluates the scalar leaves of Kyverno-style
// validation patterns ("nginx:*", ">=2", "128Mi-512Mi", "!*:latest | foo",
// true, 3, null, ...).
//
// A pattern leaf is compiled once with Compile; the resulting *Value can then
// be matched against any number of decoded resource values with Value.Match.
// All parsing of the pattern (operators, alternatives, numbers, Kubernetes
// quantities, durations) happens in Compile; Match only inspects (and where
// needed parses) the resource value. A *Value is immutable and safe for
// concurrent use.
//
// Resource values are expected to come from JSON-like decoding:
// map[string]any, []any, string, float64, int64, int, bool and nil.
//
// # Semantics
//
// The semantics follow Kyverno's pkg/engine/pattern:
//
//   - bool pattern: the resource must be a bool with the same value.
//   - integer pattern (Go int or int64): an int/int64 resource must be equal;
//     a float64 resource must have no fractional part and be equal; a string
//     resource must parse with strconv.ParseInt (base 10) to the same value.
//   - float64 pattern (this is what JSON decoding produces for every number,
//     with or without a fraction): a float64 resource must be equal; an
//     int/int64 resource is equal only if the pattern has no fractional part
//     and the values are equal; a string resource must parse with
//     strconv.ParseFloat to the same value.
//   - nil pattern: matches nil, 0, 0.0, "" and false; never a map or a slice.
//   - map pattern: only checks that the resource is a map[string]any.
//   - string pattern: see below.
//
// A string pattern first short-circuits to true when the resource is a string
// identical to the whole pattern. Otherwise it is split on '|' (OR) and each
// alternative on '&' (AND), so "a & b | c" means (a AND b) OR c; spaces around
// the parts are trimmed. Each part is an operand with an optional operator:
//
//	>=v  <=v  >v  <v   comparison
//	!v                 not equal (negation of the equality below)
//	a-b                inclusive range, same as ">=a & <=b"
//	a!-b               outside the range, same as "<a | >b"
//	v                  equality
//
// A part shorter than two characters never carries an operator (so "!" and
// ">" are literals). Ranges are recognised by the regular expression
// ^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$ and its
// "!-" counterpart, e.g. "0-2", "128Mi-512Mi", "-10-+8", "10!-20".
//
// An operand v is compared with the resource by the first applicable method:
//
//  1. durations: if v parses with time.ParseDuration and the resource's
//     textual form does too, the durations are compared;
//  2. quantities: if v parses with resource.ParseQuantity and the resource's
//     textual form does too, the quantities are compared (plain numbers are
//     quantities, so ">1" works on 2, "2" and "2.5");
//  3. strings: only for equality and "!": the resource's string form is
//     wildcard-matched ('*', '?') against v. Other operators are false.
//
// The "textual form" used in steps 1 and 2 is the string itself for strings,
// the decimal form for integers, fmt's %f form (six decimals) for float64, and
// "0" for nil; other types (bool, maps, slices) are not comparable there. The
// string form used in step 3 is the string itself, the decimal form for
// integers, strconv.FormatFloat(f, 'E', -1, 64) for float64 and
// "true"/"false" for bools; nil, maps and slices have no string form, so both
// "v" and "!v" are false for them. In particular, a nil resource behaves like
// 0 for numeric and duration operands (">=0" and "0" match nil, "!1" matches
// nil) but matches neither "*" nor "!x" nor "".
//
// Unlike Kyverno, strings longer than 1024 bytes or with a decimal exponent
// beyond ±1000 (e.g. "1e-999999999") are not treated as quantities: parsing
// or comparing them with k8s.io/apimachinery takes time exponential in the
// exponent's length, and resource values are untrusted.
package pattern

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kanon-policy/kanon/pkg/engine/quantity"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
)

// Kind is the kind of a compiled pattern value.
type Kind uint8

const (
	// KindNil is a null pattern.
	KindNil Kind = iota
	// KindBool is a boolean pattern.
	KindBool
	// KindInt is an integer pattern (compiled from a Go int or int64).
	KindInt
	// KindFloat is a number pattern compiled from a float64 (JSON numbers).
	KindFloat
	// KindString is a string pattern with operators and wildcards.
	KindString
	// KindMap is a map pattern; as a value it only requires a map resource.
	KindMap
)

var kindNames = [...]string{"nil", "bool", "int", "float", "string", "map"}

// String returns the name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Operator is a comparison operator of a string pattern operand.
type Operator uint8

const (
	// Equal is the default operator (no prefix).
	Equal Operator = iota
	// NotEqual is the "!" prefix.
	NotEqual
	// More is the ">" prefix.
	More
	// Less is the "<" prefix.
	Less
	// MoreEqual is the ">=" prefix.
	MoreEqual
	// LessEqual is the "<=" prefix.
	LessEqual
	// InRange is the "a-b" form.
	InRange
	// NotInRange is the "a!-b" form.
	NotInRange
)

var operatorNames = [...]string{"", "!", ">", "<", ">=", "<=", "-", "!-"}

// String returns the textual form of the operator ("" for Equal).
func (o Operator) String() string {
	if int(o) < len(operatorNames) {
		return operatorNames[o]
	}
	return "Operator(" + strconv.Itoa(int(o)) + ")"
}

var (
	inRangeRE    = regexp.MustCompile(`^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$`)
	notInRangeRE = regexp.MustCompile(`^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)!-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$`)
)

// ParseOperator returns the operator of a single (already trimmed) operand of
// a string pattern, following Kyverno's rules: operands shorter than two
// characters are always Equal; then the prefixes ">=", "<=", ">", "<", "!";
// then the range forms.
func ParseOperator(s string) Operator {
	if len(s) < 2 {
		return Equal
	}
	switch {
	case strings.HasPrefix(s, ">="):
		return MoreEqual
	case strings.HasPrefix(s, "<="):
		return LessEqual
	case s[0] == '>':
		return More
	case s[0] == '<':
		return Less
	case s[0] == '!':
		return NotEqual
	case inRangeRE.MatchString(s):
		return InRange
	case notInRangeRE.MatchString(s):
		return NotInRange
	}
	return Equal
}

// operand is one compiled comparison of a string pattern.
type operand struct {
	op       Operator
	text     string // operand with the operator removed, spaces trimmed
	wildcard bool   // text contains '*' or '?'

	hasDur bool
	dur    time.Duration
	hasQty bool
	qty    resource.Quantity

	// sub holds the two endpoint comparisons of InRange (>=lo, <=hi) and
	// NotInRange (<lo, >hi).
	sub []operand
}

// Value is a compiled scalar pattern. The zero Value is a nil pattern.
type Value struct {
	kind Kind
	raw  any
	text string // String(); for KindString the pattern itself

	b bool
	i int64
	f float64

	alts [][]operand // KindString: OR of ANDs
}

// Compile compiles a decoded JSON scalar pattern: string, float64, int, int64,
// bool or nil. A map[string]any compiles to a KindMap value that only checks
// that the resource is a map. Slices and other types are rejected; string
// patterns never fail to compile (unknown syntax is compared literally).
func Compile(v any) (*Value, error) {
	val := &Value{raw: v}
	switch t := v.(type) {
	case nil:
		val.kind = KindNil
		val.text = "<nil>"
	case bool:
		val.kind, val.b = KindBool, t
		val.text = strconv.FormatBool(t)
	case int:
		val.kind, val.i = KindInt, int64(t)
		val.text = strconv.Itoa(t)
	case int64:
		val.kind, val.i = KindInt, t
		val.text = strconv.FormatInt(t, 10)
	case float64:
		val.kind, val.f = KindFloat, t
		val.text = fmt.Sprint(t)
	case string:
		val.kind, val.text = KindString, t
		val.alts = compileString(t)
	case map[string]any:
		val.kind = KindMap
		val.text = fmt.Sprint(t)
	case []any:
		return nil, fmt.Errorf("arrays are not supported as scalar patterns")
	default:
		return nil, fmt.Errorf("unsupported pattern type %T", v)
	}
	return val, nil
}

// MustCompile is like Compile but panics on error. It is intended for tests
// and package-level pattern literals.
func MustCompile(v any) *Value {
	val, err := Compile(v)
	if err != nil {
		panic(err)
	}
	return val
}

// Kind returns the kind of the pattern.
func (v *Value) Kind() Kind { return v.kind }

// String returns the original pattern text (for non-string patterns, its fmt
// %v form, e.g. "<nil>", "true", "3").
func (v *Value) String() string { return v.text }

// Raw returns the value the pattern was compiled from.
func (v *Value) Raw() any { return v.raw }

func compileString(p string) [][]operand {
	orParts := strings.Split(p, "|")
	alts := make([][]operand, 0, len(orParts))
	for _, alt := range orParts {
		andParts := strings.Split(strings.Trim(alt, " "), "&")
		ands := make([]operand, 0, len(andParts))
		for _, part := range andParts {
			ands = append(ands, compileOperand(strings.Trim(part, " ")))
		}
		alts = append(alts, ands)
	}
	return alts
}

func compileOperand(s string) operand {
	op := ParseOperator(s)
	switch op {
	case InRange:
		m := inRangeRE.FindStringSubmatch(s)
		return operand{op: op, text: s, sub: []operand{newComparison(MoreEqual, m[1]), newComparison(LessEqual, m[2])}}
	case NotInRange:
		m := notInRangeRE.FindStringSubmatch(s)
		return operand{op: op, text: s, sub: []operand{newComparison(Less, m[1]), newComparison(More, m[2])}}
	}
	return newComparison(op, strings.TrimSpace(s[len(operatorNames[op]):]))
}

func newComparison(op Operator, text string) operand {
	o := operand{op: op, text: text, wildcard: wildcard.ContainsWildcard(text)}
	if d, err := time.ParseDuration(text); err == nil {
		o.hasDur, o.dur = true, d
	}
	if q, ok := quantity.Parse(text); ok {
		o.hasQty, o.qty = true, q
	}
	return o
}

// Match reports whether the decoded resource value satisfies the pattern.
func (v *Value) Match(res any) bool {
	switch v.kind {
	case KindNil:
		return matchNil(res)
	case KindBool:
		b, ok := res.(bool)
		return ok && b == v.b
	case KindInt:
		return v.matchInt(res)
	case KindFloat:
		return v.matchFloat(res)
	case KindMap:
		_, ok := res.(map[string]any)
		return ok
	case KindString:
		if s, ok := res.(string); ok && s == v.text {
			return true
		}
		var rv resValue
		rv.v = res
		for _, alt := range v.alts {
			if matchAll(alt, &rv) {
				return true
			}
		}
	}
	return false
}

func matchAll(ands []operand, rv *resValue) bool {
	for i := range ands {
		if !ands[i].match(rv) {
			return false
		}
	}
	return true
}

// resValue is a resource value with its duration and quantity forms parsed
// lazily, at most once per Value.Match call.
type resValue struct {
	v any

	durDone, durOK bool
	dur            time.Duration
	qtyDone, qtyOK bool
	qty            resource.Quantity
}

func (r *resValue) duration() (time.Duration, bool) {
	if !r.durDone {
		r.durDone = true
		r.dur, r.durOK = durationOf(r.v)
	}
	return r.dur, r.durOK
}

func (r *resValue) quantity() (*resource.Quantity, bool) {
	if !r.qtyDone {
		r.qtyDone = true
		r.qty, r.qtyOK = quantityOf(r.v)
	}
	return &r.qty, r.qtyOK
}

func matchNil(res any) bool {
	switch t := res.(type) {
	case nil:
		return true
	case float64:
		return t == 0
	case int64:
		return t == 0
	case int:
		return t == 0
	case string:
		return t == ""
	case bool:
		return !t
	}
	return false
}

func (v *Value) matchInt(res any) bool {
	switch t := res.(type) {
	case int64:
		return t == v.i
	case int:
		return int64(t) == v.i
	case float64:
		return t == math.Trunc(t) && int64(t) == v.i
	case string:
		n, err := strconv.ParseInt(t, 10, 64)
		return err == nil && n == v.i
	}
	return false
}

func (v *Value) matchFloat(res any) bool {
	switch t := res.(type) {
	case float64:
		return t == v.f
	case int64:
		return v.f == math.Trunc(v.f) && int64(v.f) == t
	case int:
		return v.f == math.Trunc(v.f) && int64(v.f) == int64(t)
	case string:
		f, err := strconv.ParseFloat(t, 64)
		return err == nil && f == v.f
	}
	return false
}

func (o *operand) match(rv *resValue) bool {
	switch o.op {
	case InRange:
		return o.sub[0].match(rv) && o.sub[1].match(rv)
	case NotInRange:
		return o.sub[0].match(rv) || o.sub[1].match(rv)
	}
	if o.hasDur {
		if d, ok := rv.duration(); ok {
			return compare(o.op, cmp3(int64(d), int64(o.dur)))
		}
	}
	if o.hasQty {
		if q, ok := rv.quantity(); ok {
			return compare(o.op, q.Cmp(o.qty))
		}
	}
	res := rv.v
	if o.op != Equal && o.op != NotEqual {
		return false // ordering operators do not apply to plain strings
	}
	var eq bool
	if s, ok := res.(string); ok && !o.wildcard {
		eq = s == o.text // fast path: literal against a string
	} else {
		s, ok := stringOf(res)
		if !ok {
			return false
		}
		eq = wildcard.Match(o.text, s)
	}
	return eq != (o.op == NotEqual)
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(op Operator, c int) bool {
	switch op {
	case Equal:
		return c == 0
	case NotEqual:
		return c != 0
	case More:
		return c > 0
	case Less:
		return c < 0
	case MoreEqual:
		return c >= 0
	case LessEqual:
		return c <= 0
	}
	return false
}

// durationOf parses the resource's textual form (see the package
// documentation) as a duration.
func durationOf(res any) (time.Duration, bool) {
	switch t := res.(type) {
	case string:
		d, err := time.ParseDuration(t)
		return d, err == nil
	case nil:
		return 0, true // textual form "0"
	case int64:
		return 0, t == 0 // only "0" is a valid duration without a unit
	case int:
		return 0, t == 0
	}
	// float64's textual form always has a fraction and no unit; other types
	// have no textual form.
	return 0, false
}

// quantityOf parses the resource's textual form (see the package
// documentation) as a Kubernetes quantity.
func quantityOf(res any) (resource.Quantity, bool) {
	switch t := res.(type) {
	case string:
		return quantity.Parse(t)
	case int64:
		return *resource.NewQuantity(t, resource.DecimalSI), true
	case int:
		return *resource.NewQuantity(int64(t), resource.DecimalSI), true
	case float64:
		return quantity.Parse(strconv.FormatFloat(t, 'f', 6, 64))
	case nil:
		return resource.Quantity{}, true // textual form "0"
	}
	return resource.Quantity{}, false
}

// stringOf returns the resource's string form used for (wildcard) equality.
func stringOf(res any) (string, bool) {
	switch t := res.(type) {
	case string:
		return t, true
	case int64:
		return strconv.FormatInt(t, 10), true
	case int:
		return strconv.Itoa(t), true
	case float64:
		return strconv.FormatFloat(t, 'E', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

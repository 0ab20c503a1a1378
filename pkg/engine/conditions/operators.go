package conditions

import (
	"fmt"
	"strings"
)

type opKind uint8

const (
	opUnknown opKind = iota
	opEqual
	opEquals
	opNotEqual
	opNotEquals
	opIn
	opAnyIn
	opAllIn
	opNotIn
	opAnyNotIn
	opAllNotIn
	opGreaterThanOrEquals
	opGreaterThan
	opLessThanOrEquals
	opLessThan
	opDurationGreaterThanOrEquals
	opDurationGreaterThan
	opDurationLessThanOrEquals
	opDurationLessThan
	opCount
)

// operatorNames are the exact operator names, indexed by opKind.
var operatorNames = [opCount]string{
	opEqual:                       "Equal",
	opEquals:                      "Equals",
	opNotEqual:                    "NotEqual",
	opNotEquals:                   "NotEquals",
	opIn:                          "In",
	opAnyIn:                       "AnyIn",
	opAllIn:                       "AllIn",
	opNotIn:                       "NotIn",
	opAnyNotIn:                    "AnyNotIn",
	opAllNotIn:                    "AllNotIn",
	opGreaterThanOrEquals:         "GreaterThanOrEquals",
	opGreaterThan:                 "GreaterThan",
	opLessThanOrEquals:            "LessThanOrEquals",
	opLessThan:                    "LessThan",
	opDurationGreaterThanOrEquals: "DurationGreaterThanOrEquals",
	opDurationGreaterThan:         "DurationGreaterThan",
	opDurationLessThanOrEquals:    "DurationLessThanOrEquals",
	opDurationLessThan:            "DurationLessThan",
}

// Operators returns the exact names of all condition operators, including
// the deprecated ones (Equal, NotEqual, In, NotIn and the Duration* ones).
func Operators() []string {
	return append([]string(nil), operatorNames[1:]...)
}

// IsDeprecated reports whether name (case-insensitive) is a deprecated
// operator: Equal, NotEqual, In, NotIn or one of the Duration* operators.
func IsDeprecated(name string) bool {
	switch k, _ := lookupOperator(name); k {
	case opEqual, opNotEqual, opIn, opNotIn,
		opDurationGreaterThanOrEquals, opDurationGreaterThan, opDurationLessThanOrEquals, opDurationLessThan:
		return true
	}
	return false
}

// lookupOperator finds an operator by name, case-insensitively; exact
// reports whether name is spelled exactly.
func lookupOperator(name string) (kind opKind, exact bool) {
	for k := opKind(1); k < opCount; k++ {
		if strings.EqualFold(name, operatorNames[k]) {
			return k, name == operatorNames[k]
		}
	}
	return opUnknown, false
}

// EvalOperator applies a condition operator (name matched case-insensitively)
// to an already substituted key and value. It returns an error only for an
// unknown operator.
func EvalOperator(operator string, key, value any) (bool, error) {
	kind, exact := lookupOperator(operator)
	key, value = normalize(key), normalize(value)
	switch kind {
	case opEqual, opEquals:
		return equals(key, value), nil
	case opNotEqual, opNotEquals:
		return notEquals(key, value), nil
	case opIn:
		return in(key, value, false), nil
	case opNotIn:
		return in(key, value, true), nil
	case opAnyIn:
		return membership(key, value, false, anySetIn), nil
	case opAnyNotIn:
		return membership(key, value, true, anySetIn), nil
	case opAllIn:
		return membership(key, value, false, allSetIn), nil
	case opAllNotIn:
		return membership(key, value, true, allSetIn), nil
	case opGreaterThanOrEquals, opGreaterThan, opLessThanOrEquals, opLessThan:
		// Kyverno selects the handler case-insensitively but compares only
		// for the exactly spelled operator.
		if !exact {
			return false, nil
		}
		return numeric(key, value, ordering(kind)), nil
	case opDurationGreaterThanOrEquals, opDurationGreaterThan, opDurationLessThanOrEquals, opDurationLessThan:
		if !exact {
			return false, nil
		}
		return durationOp(key, value, ordering(kind)), nil
	}
	return false, fmt.Errorf("failed to create handler for condition operator %q", operator)
}

// order is an ordering comparison.
type order uint8

const (
	orderGT order = iota
	orderGTE
	orderLT
	orderLTE
)

func ordering(k opKind) order {
	switch k {
	case opGreaterThan, opDurationGreaterThan:
		return orderGT
	case opGreaterThanOrEquals, opDurationGreaterThanOrEquals:
		return orderGTE
	case opLessThan, opDurationLessThan:
		return orderLT
	}
	return orderLTE
}

// holds reports whether c (the sign of key-value: -1, 0 or 1) satisfies o.
func (o order) holds(c int) bool {
	switch o {
	case orderGT:
		return c > 0
	case orderGTE:
		return c >= 0
	case orderLT:
		return c < 0
	}
	return c <= 0
}

// floats compares two floats with o; NaN compares false.
func (o order) floats(a, b float64) bool {
	switch o {
	case orderGT:
		return a > b
	case orderGTE:
		return a >= b
	case orderLT:
		return a < b
	}
	return a <= b
}

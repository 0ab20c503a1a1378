package jmespath

import (
	"fmt"
	"math"
	"time"

	"gopkg.in/inf.v0"
	"k8s.io/apimachinery/pkg/api/resource"
)

// kind is the type of an arithmetic operand.
type kind int

const (
	kScalar kind = iota
	kQuantity
	kDuration
)

// operand is a resolved arithmetic operand.
type operand struct {
	kind kind
	f    float64
	q    resource.Quantity
	d    time.Duration
}

// candidate is an argument before resolution: a string may be a valid
// quantity, a valid duration, or both ("0", "5m").
type candidate struct {
	scalar   bool
	f        float64
	q        resource.Quantity
	d        time.Duration
	isQ, isD bool
}

func parseCandidate(name string, v any) (candidate, error) {
	var c candidate
	switch t := v.(type) {
	case float64:
		c.scalar, c.f = true, t
		return c, nil
	case string:
		if q, err := resource.ParseQuantity(t); err == nil {
			c.isQ, c.q = true, q
		}
		if d, err := time.ParseDuration(t); err == nil {
			c.isD, c.d = true, d
		}
		if c.isQ || c.isD {
			return c, nil
		}
	}
	return c, fnErrorf(name, "invalid operand")
}

func (c candidate) resolve(durationContext bool) operand {
	switch {
	case c.scalar:
		return operand{kind: kScalar, f: c.f}
	case c.isD && !c.isQ:
		return operand{kind: kDuration, d: c.d}
	case c.isQ && !c.isD:
		return operand{kind: kQuantity, q: c.q}
	case durationContext:
		return operand{kind: kDuration, d: c.d}
	}
	return operand{kind: kQuantity, q: c.q}
}

// operands parses the two arguments of an arithmetic function. An ambiguous
// string is a duration when the other operand is unambiguously a duration.
func operands(name string, a []any) (operand, operand, error) {
	c1, err := parseCandidate(name, a[0])
	if err != nil {
		return operand{}, operand{}, err
	}
	c2, err := parseCandidate(name, a[1])
	if err != nil {
		return operand{}, operand{}, err
	}
	ctx := (c1.isD && !c1.isQ) || (c2.isD && !c2.isQ)
	return c1.resolve(ctx), c2.resolve(ctx), nil
}

// add implements + for add and sum (name is used in errors).
func add(name string, x, y operand) (any, error) {
	if x.kind != y.kind {
		return nil, typeMismatchError(name)
	}
	switch x.kind {
	case kQuantity:
		x.q.Add(y.q)
		return x.q.String(), nil
	case kDuration:
		return (x.d + y.d).String(), nil
	}
	return x.f + y.f, nil
}

func jpAdd(_ *Env, a []any) (any, error) {
	x, y, err := operands("add", a)
	if err != nil {
		return nil, err
	}
	return add("add", x, y)
}

// jpSum folds add over the array. As in Kyverno the first element is
// returned as is when it is the only one.
func jpSum(_ *Env, a []any) (any, error) {
	items, ok := a[0].([]any)
	if !ok {
		return nil, typeMismatchError("sum")
	}
	if len(items) == 0 {
		return nil, fnErrorf("sum", "at least one element in the array is required")
	}
	result := items[0]
	for _, item := range items[1:] {
		x, y, err := operands("sum", []any{result, item})
		if err != nil {
			return nil, err
		}
		if result, err = add("sum", x, y); err != nil {
			return nil, err
		}
	}
	return result, nil
}

func jpSubtract(_ *Env, a []any) (any, error) {
	x, y, err := operands("subtract", a)
	if err != nil {
		return nil, err
	}
	if x.kind != y.kind {
		return nil, typeMismatchError("subtract")
	}
	switch x.kind {
	case kQuantity:
		x.q.Sub(y.q)
		return x.q.String(), nil
	case kDuration:
		return (x.d - y.d).String(), nil
	}
	return x.f - y.f, nil
}

// scalarQuantity converts a number to a quantity the way Kyverno does (via
// its %v text).
func scalarQuantity(f float64) (resource.Quantity, error) {
	return resource.ParseQuantity(fmt.Sprintf("%v", f))
}

// scaleDuration multiplies a duration by a factor through seconds.
func scaleDuration(d time.Duration, factor float64) string {
	return time.Duration(d.Seconds() * factor * float64(time.Second)).String()
}

func jpMultiply(_ *Env, a []any) (any, error) {
	x, y, err := operands("multiply", a)
	if err != nil {
		return nil, err
	}
	if x.kind == kScalar && y.kind != kScalar {
		x, y = y, x
	}
	if y.kind != kScalar {
		return nil, typeMismatchError("multiply")
	}
	switch x.kind {
	case kQuantity:
		factor, err := scalarQuantity(y.f)
		if err != nil {
			return nil, err
		}
		var prod inf.Dec
		prod.Mul(x.q.AsDec(), factor.AsDec())
		return resource.NewDecimalQuantity(prod, x.q.Format).String(), nil
	case kDuration:
		return scaleDuration(x.d, y.f), nil
	}
	return x.f * y.f, nil
}

func jpDivide(_ *Env, a []any) (any, error) {
	x, y, err := operands("divide", a)
	if err != nil {
		return nil, err
	}
	switch {
	case x.kind == kQuantity && y.kind == kQuantity:
		divisor := y.q.AsApproximateFloat64()
		if divisor == 0 {
			return nil, zeroDivisionError("divide")
		}
		return x.q.AsApproximateFloat64() / divisor, nil
	case x.kind == kQuantity && y.kind == kScalar:
		if y.f == 0 {
			return nil, zeroDivisionError("divide")
		}
		divisor, err := scalarQuantity(y.f)
		if err != nil {
			return nil, err
		}
		dividend := x.q.AsDec()
		scale := max(dividend.Scale(), divisor.AsDec().Scale())
		var quo inf.Dec
		quo.QuoRound(dividend, divisor.AsDec(), scale, inf.RoundDown)
		return resource.NewDecimalQuantity(quo, x.q.Format).String(), nil
	case x.kind == kDuration && y.kind == kDuration:
		if y.d.Seconds() == 0 {
			return nil, zeroDivisionError("divide")
		}
		return x.d.Seconds() / y.d.Seconds(), nil
	case x.kind == kDuration && y.kind == kScalar:
		if y.f == 0 {
			return nil, zeroDivisionError("divide")
		}
		return time.Duration(x.d.Seconds() / y.f * float64(time.Second)).String(), nil
	case x.kind == kScalar && y.kind == kScalar:
		if y.f == 0 {
			return nil, zeroDivisionError("divide")
		}
		return x.f / y.f, nil
	}
	return nil, typeMismatchError("divide")
}

// exactInt64 converts f to an int64 when it is an integer in range.
func exactInt64(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

func jpModulo(_ *Env, a []any) (any, error) {
	x, y, err := operands("modulo", a)
	if err != nil {
		return nil, err
	}
	if x.kind != y.kind {
		return nil, typeMismatchError("modulo")
	}
	switch x.kind {
	case kDuration:
		if y.d == 0 {
			return nil, zeroDivisionError("modulo")
		}
		return (x.d % y.d).String(), nil
	case kQuantity:
		i1, ok1 := exactInt64(x.q.AsApproximateFloat64())
		i2, ok2 := exactInt64(y.q.AsApproximateFloat64())
		if !ok1 || !ok2 {
			return nil, nonIntModuloError("modulo")
		}
		if i2 == 0 {
			return nil, zeroDivisionError("modulo")
		}
		return resource.NewQuantity(i1%i2, x.q.Format).String(), nil
	}
	i1, ok1 := exactInt64(x.f)
	i2, ok2 := exactInt64(y.f)
	if !ok1 || !ok2 {
		return nil, nonIntModuloError("modulo")
	}
	if i2 == 0 {
		return nil, zeroDivisionError("modulo")
	}
	return float64(i1 % i2), nil
}

func jpRound(_ *Env, a []any) (any, error) {
	v, digits := a[0].(float64), a[1].(float64)
	n, ok := exactInt64(digits)
	if !ok {
		return nil, fnErrorf("round", "Non-integer argument(s) passed for round off")
	}
	if n < 0 {
		return nil, fnErrorf("round", "argument #2 must not be negative")
	}
	shift := math.Pow(10, float64(n))
	return math.Round(v*shift) / shift, nil
}

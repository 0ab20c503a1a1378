package conditions

import (
	"fmt"
	"strings"
)

// Evaluate evaluates the conditions. subst substitutes variables in a key or
// value (the caller's JSON-value substitution); an error it returns (e.g. for
// an unresolvable variable) stops the evaluation and is returned wrapped.
// A nil subst leaves keys and values unchanged.
//
// ok reports whether the conditions hold; msg holds the messages of the
// deciding conditions (see the package documentation). Evaluation stops as
// Kyverno's does: an `any` list at its first true condition, an `all` list
// at its first false one, and a list of blocks (or a legacy list) at its
// first failing block (condition); both lists of a block are evaluated.
func (c *Conditions) Evaluate(subst func(any) (any, error)) (ok bool, msg string, err error) {
	if c == nil || len(c.Blocks) == 0 {
		return true, "", nil
	}
	if c.legacy {
		var msgs []string
		for _, b := range c.Blocks {
			for i := range b.All {
				cond := &b.All[i]
				ok, err := cond.eval(subst)
				if err != nil {
					return false, "", err
				}
				if !ok {
					return false, cond.Message, nil
				}
				msgs = append(msgs, cond.Message)
			}
		}
		return true, JoinNonEmpty(msgs, ";"), nil
	}
	var msgs []string
	for i := range c.Blocks {
		ok, msg, err := c.Blocks[i].Evaluate(subst)
		if err != nil {
			return false, "", err
		}
		if !ok {
			return false, msg, nil
		}
		msgs = append(msgs, msg)
	}
	return true, JoinNonEmpty(msgs, ";"), nil
}

// Evaluate evaluates one {any, all} block (see Conditions.Evaluate).
func (b *Block) Evaluate(subst func(any) (any, error)) (ok bool, msg string, err error) {
	anyOK, allOK := true, true
	var trueMsgs, falseMsgs []string
	if b.Any != nil {
		anyOK = false
		for i := range b.Any {
			cond := &b.Any[i]
			ok, err := cond.eval(subst)
			if err != nil {
				return false, "", err
			}
			if ok {
				anyOK = true
				trueMsgs = append(trueMsgs, cond.Message)
				break
			}
			falseMsgs = append(falseMsgs, cond.Message)
		}
	}
	for i := range b.All {
		cond := &b.All[i]
		ok, err := cond.eval(subst)
		if err != nil {
			return false, "", err
		}
		if !ok {
			allOK = false
			falseMsgs = append(falseMsgs, cond.Message)
			break
		}
		trueMsgs = append(trueMsgs, cond.Message)
	}
	if anyOK && allOK {
		return true, JoinNonEmpty(trueMsgs, "; "), nil
	}
	return false, JoinNonEmpty(falseMsgs, "; "), nil
}

// Evaluate substitutes the key and the value of the condition with subst
// (nil: unchanged) and applies the operator.
func (c *Condition) Evaluate(subst func(any) (any, error)) (bool, error) {
	return c.eval(subst)
}

func (c *Condition) eval(subst func(any) (any, error)) (bool, error) {
	key, value := c.Key, c.Value
	if subst != nil {
		var err error
		if key, err = subst(key); err != nil {
			return false, fmt.Errorf("failed to substitute variables in condition key: %w", err)
		}
		if value, err = subst(value); err != nil {
			return false, fmt.Errorf("failed to substitute variables in condition value: %w", err)
		}
	}
	return EvalOperator(c.Operator, key, value)
}

// SkipMessage returns the message of a rule skipped because its
// preconditions are not met, given the msg returned by Evaluate:
// "preconditions not met" followed by "; " and msg when msg is not empty.
func SkipMessage(msg string) string {
	return JoinNonEmpty([]string{"preconditions not met", msg}, "; ")
}

// JoinNonEmpty joins the non-empty strings of parts with sep.
func JoinNonEmpty(parts []string, sep string) string {
	var sb strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString(sep)
		}
		sb.WriteString(p)
	}
	return sb.String()
}

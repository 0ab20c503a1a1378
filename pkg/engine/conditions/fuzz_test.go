package conditions

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseEvaluate parses arbitrary JSON as conditions and evaluates the
// result with a substitution that maps "{{...}}" strings to values taken
// from the input itself. Neither Parse nor Evaluate may panic, and an
// evaluation must be deterministic.
func FuzzParseEvaluate(f *testing.F) {
	seeds := []string{
		`{"any":[{"key":"{{a}}","operator":"AnyIn","value":"1-3"}],"all":[{"key":"5","operator":"GreaterThan","value":"1Gi"}]}`,
		`[{"key":"1h","operator":"Equals","value":3600},{"key":[1,2],"operator":"AllNotIn","value":"[\"1\",\"x\"]"}]`,
		`[{"any":[]},{"all":[{"key":"1.2.3","operator":"LessThan","value":"1.10.0"}]}]`,
		`{"all":[{"key":"{{request.operation}}","operator":"In","value":["CREATE"]}]}`,
		`{"all":[{"key":"1e999","operator":"Equals","value":"1e-999"},{"key":"-5-10","operator":"AnyNotIn","value":"-5-10"}]}`,
		`{"all":[{"key":{"a":[1,{"b":null}]},"operator":"NotEquals","value":{"a":[1,{"b":null}]}}]}`,
		`{"all":[{"key":1e308,"operator":"DurationGreaterThan","value":"-9223372036854775808ns"}]}`,
		`[{"key":"a","operator":"equals","value":"a"}]`,
		`null`, `[]`, `{}`, `"x"`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw any
		if err := json.Unmarshal(data, &raw); err != nil {
			return
		}
		c, err := Parse(raw)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %T is not a *ParseError", err)
			}
			return
		}
		subst := func(v any) (any, error) {
			if s, ok := v.(string); ok && len(s) >= 4 && s[:2] == "{{" && s[len(s)-2:] == "}}" {
				if len(s)%3 == 0 {
					return nil, errors.New("not found")
				}
				return raw, nil // any JSON value, including maps and lists
			}
			return v, nil
		}
		ok1, msg1, err1 := c.Evaluate(subst)
		ok2, msg2, err2 := c.Evaluate(subst)
		if ok1 != ok2 || msg1 != msg2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("non-deterministic: %v %q %v / %v %q %v", ok1, msg1, err1, ok2, msg2, err2)
		}
		if err1 != nil && (ok1 || msg1 != "") {
			t.Fatalf("error with a result: %v %q %v", ok1, msg1, err1)
		}
		// every operator on every pair of the input's values
		for _, b := range c.Blocks {
			for _, cond := range append(append([]Condition(nil), b.Any...), b.All...) {
				for _, op := range Operators() {
					_, _ = EvalOperator(op, cond.Key, cond.Value)
					_, _ = EvalOperator(op, cond.Value, cond.Key)
				}
			}
		}
	})
}

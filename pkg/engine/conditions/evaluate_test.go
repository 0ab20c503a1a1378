package conditions

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var errNotFound = errors.New("variable not found")

// testSubst resolves whole-string variables "{{name}}" from vars (an
// unknown name is an error) and counts its calls.
type testSubst struct {
	vars  map[string]any
	calls int
}

func (s *testSubst) subst(v any) (any, error) {
	s.calls++
	return s.resolve(v)
}

func (s *testSubst) resolve(v any) (any, error) {
	switch t := v.(type) {
	case string:
		if strings.HasPrefix(t, "{{") && strings.HasSuffix(t, "}}") {
			name := strings.TrimSpace(t[2 : len(t)-2])
			val, ok := s.vars[name]
			if !ok {
				return nil, fmt.Errorf("%w: %s", errNotFound, name)
			}
			return val, nil
		}
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := s.resolve(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

var testVars = map[string]any{
	"name":     "temp",
	"foo":      "bar",
	"replicas": 3.0,
	"op":       "CREATE",
	"labels":   []any{"a", "b"},
}

func TestEvaluateStructure(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		wantOK  bool
		wantMsg string
	}{
		{"nil-like empty object holds", `{}`, true, ""},
		{"empty legacy list holds", `[]`, true, ""},
		{"empty all holds", `{"all":[]}`, true, ""},
		{"empty any never holds", `{"any":[]}`, false, ""},
		{"null any is ignored", `{"any":null,"all":[{"key":"{{name}}","operator":"Equals","value":"temp"}]}`, true, ""},
		{
			"any is OR",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"x","message":"m1"},{"key":"{{foo}}","operator":"Equals","value":"bar","message":"m2"}]}`,
			true, "m2",
		},
		{
			"any fails with all false messages",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"x","message":"m1"},{"key":"{{foo}}","operator":"Equals","value":"y","message":"m2"}]}`,
			false, "m1; m2",
		},
		{
			"all is AND and stops at the first false",
			`{"all":[{"key":"{{name}}","operator":"Equals","value":"temp","message":"m1"},{"key":"{{foo}}","operator":"Equals","value":"y","message":"m2"},{"key":"{{foo}}","operator":"Equals","value":"z","message":"m3"}]}`,
			false, "m2",
		},
		{
			"all holds with all messages",
			`{"all":[{"key":"{{name}}","operator":"Equals","value":"temp","message":"m1"},{"key":"{{replicas}}","operator":"GreaterThan","value":2},{"key":"{{foo}}","operator":"Equals","value":"bar","message":"m3"}]}`,
			true, "m1; m3",
		},
		{
			"any and all both must hold",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"temp","message":"a1"}],"all":[{"key":"{{foo}}","operator":"Equals","value":"nope","message":"b1"}]}`,
			false, "b1",
		},
		{
			"failed any before the true one is reported with a failing all",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"x","message":"a1"},{"key":"{{name}}","operator":"Equals","value":"temp","message":"a2"}],"all":[{"key":"{{foo}}","operator":"Equals","value":"nope","message":"b1"}]}`,
			false, "a1; b1",
		},
		{
			"failing any and holding all",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"x","message":"a1"}],"all":[{"key":"{{foo}}","operator":"Equals","value":"bar","message":"b1"}]}`,
			false, "a1",
		},
		{
			"any and all hold",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"temp","message":"a1"}],"all":[{"key":"{{foo}}","operator":"Equals","value":"bar","message":"b1"}]}`,
			true, "a1; b1",
		},
		{
			"legacy list fails with the first false message",
			`[{"key":"{{name}}","operator":"Equals","value":"temp","message":"m1"},{"key":"{{foo}}","operator":"NotEquals","value":"bar","message":"m2"}]`,
			false, "m2",
		},
		{
			"legacy list holds with messages joined by semicolon",
			`[{"key":"{{name}}","operator":"Equals","value":"temp","message":"m1"},{"key":"{{foo}}","operator":"Equals","value":"bar","message":"m2"}]`,
			true, "m1;m2",
		},
		{
			"list of blocks fails with the first failing block",
			`[{"all":[{"key":"{{name}}","operator":"Equals","value":"temp","message":"b0"}]},{"any":[{"key":"{{foo}}","operator":"Equals","value":"x","message":"b1a"},{"key":"{{foo}}","operator":"Equals","value":"y","message":"b1b"}]},{"all":[{"key":"{{foo}}","operator":"Equals","value":"z","message":"b2"}]}]`,
			false, "b1a; b1b",
		},
		{
			"list of blocks holds with block messages joined by semicolon",
			`[{"all":[{"key":"{{name}}","operator":"Equals","value":"temp","message":"b0"},{"key":"{{foo}}","operator":"Equals","value":"bar","message":"b0b"}]},{"all":[{"key":"{{foo}}","operator":"Equals","value":"bar","message":"b1"}]}]`,
			true, "b0; b0b;b1",
		},
		{
			"variables in values and lists",
			`{"all":[{"key":"{{labels}}","operator":"AllIn","value":["a","b","c"]},{"key":"{{op}}","operator":"AnyIn","value":["CREATE","UPDATE"]}]}`,
			true, "",
		},
		{
			"lower-case operator in a block",
			`{"all":[{"key":"{{name}}","operator":"notequals","value":"other"}]}`,
			true, "",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := MustParse(decodeJSON(t, tc.raw))
			s := &testSubst{vars: testVars}
			ok, msg, err := c.Evaluate(s.subst)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if ok != tc.wantOK || msg != tc.wantMsg {
				t.Fatalf("Evaluate = %v, %q; want %v, %q", ok, msg, tc.wantOK, tc.wantMsg)
			}
		})
	}
}

// TestConditionMessages follows the scenario of Kyverno's condition
// message test (EvaluateAnyAllConditions with a list of blocks).
func TestConditionMessages(t *testing.T) {
	cond := func(key, value, msg string) Condition {
		return Condition{Key: key, Operator: "Equal", Value: value, Message: msg}
	}
	s := &testSubst{vars: testVars}
	c := &Conditions{Blocks: []Block{{Any: []Condition{
		cond("{{name}}", "temp2", "invalid name"),
		cond("{{foo}}", "bar2", "invalid foo"),
	}}}}
	ok, msg, err := c.Evaluate(s.subst)
	if err != nil || ok || msg != "invalid name; invalid foo" {
		t.Fatalf("step 1: %v %q %v", ok, msg, err)
	}

	c.Blocks[0].Any[0].Value = "temp"
	c.Blocks[0].Any[1].Value = "bar"
	ok, msg, err = c.Evaluate(s.subst)
	if err != nil || !ok || msg != "invalid name" {
		t.Fatalf("step 2: %v %q %v", ok, msg, err)
	}

	c.Blocks[0].All = append(c.Blocks[0].All, c.Blocks[0].Any[0], c.Blocks[0].Any[1])
	c.Blocks[0].All[1].Value = "bar2"
	ok, msg, err = c.Evaluate(s.subst)
	if err != nil || ok || !strings.Contains(msg, "invalid foo") {
		t.Fatalf("step 3: %v %q %v", ok, msg, err)
	}

	c.Blocks[0].Any[0].Value = "temp1"
	c.Blocks[0].Any[1].Value = "bar2"
	c.Blocks[0].All[1].Message = "invalid foo2"
	ok, msg, err = c.Evaluate(s.subst)
	if err != nil || ok || msg != "invalid name; invalid foo; invalid foo2" {
		t.Fatalf("step 4: %v %q %v", ok, msg, err)
	}
}

func TestEvaluateSubstitutionErrors(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		wantErr string
	}{
		{
			"unresolvable key",
			`{"all":[{"key":"{{missing}}","operator":"Equals","value":"x"}]}`,
			"failed to substitute variables in condition key: variable not found: missing",
		},
		{
			"unresolvable value",
			`[{"key":"{{name}}","operator":"Equals","value":"{{missing}}"}]`,
			"failed to substitute variables in condition value: variable not found: missing",
		},
		{
			"all is evaluated even when any failed",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"x"}],"all":[{"key":"{{missing}}","operator":"Equals","value":"x"}]}`,
			"failed to substitute variables in condition key: variable not found: missing",
		},
		{
			"error in a later block of a list",
			`[{"all":[{"key":"{{name}}","operator":"Equals","value":"temp"}]},{"all":[{"key":"{{missing}}","operator":"Equals","value":"x"}]}]`,
			"failed to substitute variables in condition key: variable not found: missing",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := MustParse(decodeJSON(t, tc.raw))
			s := &testSubst{vars: testVars}
			ok, msg, err := c.Evaluate(s.subst)
			if err == nil {
				t.Fatalf("Evaluate = %v, %q, want an error", ok, msg)
			}
			if err.Error() != tc.wantErr || !errors.Is(err, errNotFound) {
				t.Fatalf("error = %q, want %q wrapping errNotFound", err, tc.wantErr)
			}
			if ok || msg != "" {
				t.Fatalf("with an error: ok=%v msg=%q", ok, msg)
			}
		})
	}
}

func TestEvaluateShortCircuit(t *testing.T) {
	cases := []struct {
		name      string
		raw       string
		wantCalls int // two substitutions (key, value) per evaluated condition
	}{
		{
			"any stops at the first true condition",
			`{"any":[{"key":"{{name}}","operator":"Equals","value":"temp"},{"key":"{{missing}}","operator":"Equals","value":"x"}]}`,
			2,
		},
		{
			"all stops at the first false condition",
			`{"all":[{"key":"{{name}}","operator":"Equals","value":"x"},{"key":"{{missing}}","operator":"Equals","value":"x"}]}`,
			2,
		},
		{
			"legacy list stops at the first false condition",
			`[{"key":"{{name}}","operator":"Equals","value":"x"},{"key":"{{missing}}","operator":"Equals","value":"x"}]`,
			2,
		},
		{
			"list of blocks stops at the first failing block",
			`[{"any":[]},{"all":[{"key":"{{missing}}","operator":"Equals","value":"x"}]}]`,
			0,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := MustParse(decodeJSON(t, tc.raw))
			s := &testSubst{vars: testVars}
			if _, _, err := c.Evaluate(s.subst); err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if s.calls != tc.wantCalls {
				t.Fatalf("subst called %d times, want %d", s.calls, tc.wantCalls)
			}
		})
	}
}

func TestEvaluateNilSubst(t *testing.T) {
	c := MustParse(decodeJSON(t, `{"all":[{"key":"{{name}}","operator":"Equals","value":"{{*}}"}]}`))
	ok, _, err := c.Evaluate(nil)
	if err != nil || !ok {
		t.Fatalf("Evaluate(nil) = %v, %v; want true (the raw strings are compared)", ok, err)
	}
}

func TestEvaluateUnknownOperatorBuiltByHand(t *testing.T) {
	c := &Conditions{Blocks: []Block{{All: []Condition{{Key: "a", Operator: "Bogus", Value: "a"}}}}}
	if _, _, err := c.Evaluate(nil); err == nil {
		t.Fatal("expected an error for an unknown operator")
	}
}

func TestSkipMessage(t *testing.T) {
	if got := SkipMessage(""); got != "preconditions not met" {
		t.Errorf("SkipMessage(\"\") = %q", got)
	}
	if got := SkipMessage("name must be x; foo"); got != "preconditions not met; name must be x; foo" {
		t.Errorf("SkipMessage = %q", got)
	}
}

func TestJoinNonEmpty(t *testing.T) {
	for _, tc := range []struct {
		parts []string
		sep   string
		want  string
	}{
		{nil, ";", ""},
		{[]string{"", "a", "", "b", ""}, "; ", "a; b"},
		{[]string{"", ""}, ";", ""},
		{[]string{"a"}, ";", "a"},
	} {
		if got := JoinNonEmpty(tc.parts, tc.sep); got != tc.want {
			t.Errorf("JoinNonEmpty(%q, %q) = %q, want %q", tc.parts, tc.sep, got, tc.want)
		}
	}
}

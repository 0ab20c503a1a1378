package conditions

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		wantErr string // exact error text
	}{
		{
			name:    "unknown operator in any",
			raw:     `{"any":[{"key":"a","operator":"Equals","value":"a"},{"key":"a","operator":"Equalz","value":"a"}]}`,
			wantErr: `any[1].operator: unknown operator "Equalz"`,
		},
		{
			name:    "unknown operator in legacy list",
			raw:     `[{"key":"a","operator":"Bogus","value":"a"}]`,
			wantErr: `[0].operator: unknown operator "Bogus"`,
		},
		{
			name:    "legacy list requires exact operator names",
			raw:     `[{"key":"a","operator":"equals","value":"a"}]`,
			wantErr: `[0].operator: unknown operator "equals" (a legacy condition list requires the exact operator name "Equals")`,
		},
		{
			name:    "unknown field in block",
			raw:     `{"all":[],"none":[]}`,
			wantErr: `none: unknown field "none" (only "any" and "all" are allowed)`,
		},
		{
			name:    "block field names are case-sensitive",
			raw:     `{"Any":[]}`,
			wantErr: `Any: unknown field "Any" (only "any" and "all" are allowed)`,
		},
		{
			name:    "any is not a list",
			raw:     `{"any":{"key":"a"}}`,
			wantErr: `any: must be a list of conditions, got object`,
		},
		{
			name:    "condition is not an object",
			raw:     `{"all":["a"]}`,
			wantErr: `all[0]: condition must be an object, got string`,
		},
		{
			name:    "null condition in legacy list",
			raw:     `[null]`,
			wantErr: `[0]: condition must be an object, got null`,
		},
		{
			name:    "missing key",
			raw:     `{"all":[{"operator":"Equals","value":"a"}]}`,
			wantErr: `all[0].key: missing (key, operator and value are required)`,
		},
		{
			name:    "null key",
			raw:     `{"all":[{"key":null,"operator":"Equals","value":"a"}]}`,
			wantErr: `all[0].key: missing (key, operator and value are required)`,
		},
		{
			name:    "missing value",
			raw:     `{"any":[{"key":"a","operator":"Equals"}]}`,
			wantErr: `any[0].value: missing (key, operator and value are required)`,
		},
		{
			name:    "missing operator",
			raw:     `[{"key":"a","value":"a"}]`,
			wantErr: `[0].operator: missing (key, operator and value are required)`,
		},
		{
			name:    "empty operator",
			raw:     `[{"key":"a","operator":"","value":"a"}]`,
			wantErr: `[0].operator: missing (key, operator and value are required)`,
		},
		{
			name:    "operator not a string",
			raw:     `[{"key":"a","operator":1,"value":"a"}]`,
			wantErr: `[0].operator: must be a string, got number`,
		},
		{
			name:    "message not a string",
			raw:     `[{"key":"a","operator":"Equals","value":"a","message":["x"]}]`,
			wantErr: `[0].message: must be a string, got list`,
		},
		{
			name:    "misspelled field means missing",
			raw:     `{"all":[{"key":"a","operator":"Equals","vaule":"a"}]}`,
			wantErr: `all[0].value: missing (key, operator and value are required)`,
		},
		{
			name:    "scalar root",
			raw:     `"Equals"`,
			wantErr: `conditions must be an object with any/all or a list of conditions, got string`,
		},
		{
			name:    "mixing blocks and conditions",
			raw:     `[{"any":[]},{"key":"a","operator":"Equals","value":"a"}]`,
			wantErr: `[1]: cannot mix any/all blocks with legacy conditions in one list`,
		},
		{
			name:    "error inside a list of blocks",
			raw:     `[{"any":[{"key":"a","operator":"Equals","value":"a"}]},{"all":[{"operator":"In","value":[]}]}]`,
			wantErr: `[1].all[0].key: missing (key, operator and value are required)`,
		},
		{
			name:    "request.operation unknown value",
			raw:     `{"all":[{"key":"{{ request.operation }}","operator":"Equals","value":"CREATED"}]}`,
			wantErr: `all[0].value: unknown value "CREATED" for {{request.operation}}; only CREATE, UPDATE, DELETE and CONNECT are allowed`,
		},
		{
			name:    "request.operation unknown value in list",
			raw:     `{"any":[{"key":"{{request.operation}}","operator":"AnyIn","value":["CREATE","FOO"]}]}`,
			wantErr: `any[0].value[1]: unknown value "FOO" for {{request.operation}}; only CREATE, UPDATE, DELETE and CONNECT are allowed`,
		},
		{
			name:    "request.operation value of another type",
			raw:     `[{"key":"{{request.operation}}","operator":"Equals","value":1}]`,
			wantErr: `[0].value: the value of a {{request.operation}} condition must be a string or a list, got number`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(decodeJSON(t, tc.raw))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error %q", c, tc.wantErr)
			}
			if err.Error() != tc.wantErr {
				t.Fatalf("error = %q\nwant    %q", err.Error(), tc.wantErr)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
		})
	}
}

func TestParseShapes(t *testing.T) {
	eq := func(key, value any, msg string) Condition {
		return Condition{Key: key, Operator: "Equals", Value: value, Message: msg}
	}
	cases := []struct {
		name   string
		raw    string
		want   []Block
		legacy bool
	}{
		{
			name: "any and all",
			raw:  `{"any":[{"key":"a","operator":"Equals","value":"b","message":"m"}],"all":[{"key":1,"operator":"Equals","value":[1]}]}`,
			want: []Block{{Any: []Condition{eq("a", "b", "m")}, All: []Condition{eq(1.0, []any{1.0}, "")}}},
		},
		{
			name: "empty object",
			raw:  `{}`,
			want: []Block{{}},
		},
		{
			name: "null any is absent",
			raw:  `{"any":null,"all":null}`,
			want: []Block{{}},
		},
		{
			name: "empty any is present",
			raw:  `{"any":[]}`,
			want: []Block{{Any: []Condition{}}},
		},
		{
			name:   "legacy list",
			raw:    `[{"key":"a","operator":"Equals","value":"b"},{"key":"c","operator":"Equals","value":"d"}]`,
			want:   []Block{{All: []Condition{eq("a", "b", ""), eq("c", "d", "")}}},
			legacy: true,
		},
		{
			name:   "empty legacy list",
			raw:    `[]`,
			want:   nil,
			legacy: true,
		},
		{
			name: "list of blocks",
			raw:  `[{"any":[{"key":"a","operator":"Equals","value":"b"}]},{"all":[]}]`,
			want: []Block{{Any: []Condition{eq("a", "b", "")}}, {All: []Condition{}}},
		},
		{
			name: "case-insensitive condition fields, lower-case operator in a block",
			raw:  `{"all":[{"Key":"a","OPERATOR":"equals","Value":"b","Message":"m"}]}`,
			want: []Block{{All: []Condition{{Key: "a", Operator: "equals", Value: "b", Message: "m"}}}},
		},
		{
			name: "exact field name wins",
			raw:  `{"all":[{"key":"exact","Key":"folded","operator":"Equals","value":"b"}]}`,
			want: []Block{{All: []Condition{eq("exact", "b", "")}}},
		},
		{
			name: "unknown condition fields are ignored",
			raw:  `{"all":[{"key":"a","operator":"Equals","value":"b","comment":"x"}]}`,
			want: []Block{{All: []Condition{eq("a", "b", "")}}},
		},
		{
			name: "request.operation variable value",
			raw:  `{"all":[{"key":"{{request.operation}}","operator":"Equals","value":"{{ element.op }}"}]}`,
			want: []Block{{All: []Condition{eq("{{request.operation}}", "{{ element.op }}", "")}}},
		},
		{
			name: "deprecated operators are accepted",
			raw:  `{"all":[{"key":"a","operator":"In","value":["a"]},{"key":"1h","operator":"DurationGreaterThan","value":"1m"}]}`,
			want: []Block{{All: []Condition{
				{Key: "a", Operator: "In", Value: []any{"a"}},
				{Key: "1h", Operator: "DurationGreaterThan", Value: "1m"},
			}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(decodeJSON(t, tc.raw))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(c.Blocks, tc.want) {
				t.Fatalf("Blocks = %#v\nwant     %#v", c.Blocks, tc.want)
			}
			if c.legacy != tc.legacy {
				t.Fatalf("legacy = %v, want %v", c.legacy, tc.legacy)
			}
		})
	}
}

func TestParseNil(t *testing.T) {
	c, err := Parse(nil)
	if err != nil || !c.IsEmpty() {
		t.Fatalf("Parse(nil) = %+v, %v", c, err)
	}
	ok, msg, err := c.Evaluate(nil)
	if !ok || msg != "" || err != nil {
		t.Fatalf("Evaluate = %v %q %v", ok, msg, err)
	}
}

func TestIsEmpty(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want bool
	}{
		{`{}`, true}, {`[]`, true}, {`{"all":[]}`, true}, {`{"any":[]}`, false},
		{`[{"key":"a","operator":"Equals","value":"a"}]`, false},
	} {
		if got := MustParse(decodeJSON(t, tc.raw)).IsEmpty(); got != tc.want {
			t.Errorf("IsEmpty(%s) = %v, want %v", tc.raw, got, tc.want)
		}
	}
	var nilConds *Conditions
	if !nilConds.IsEmpty() {
		t.Error("nil *Conditions should be empty")
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "unknown operator") {
			t.Fatalf("recover() = %v", r)
		}
	}()
	MustParse(decodeJSON(t, `[{"key":"a","operator":"x","value":"a"}]`))
}

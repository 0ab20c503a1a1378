package variables

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// TestWholeVariableMatchesGeneralPath checks that strings taking the
// shortcut for a whole variable substitute exactly as the general
// substituter does: value, error text and error type.
func TestWholeVariableMatchesGeneralPath(t *testing.T) {
	data := `{"request": {"object": {"name": "new", "n": 3, "list": ["{{request.oldObject.name}}", "x"]},
		"oldObject": {"name": "old"}, "operation": "CREATE"}, "m": {"k": "{{ request.operation }}"}}`
	cases := []struct {
		name     string
		in       string
		opts     Options
		shortcut bool
	}{
		{name: "plain", in: "{{request.object.name}}", shortcut: true},
		{name: "spaces", in: "{{  request.object.name  }}", shortcut: true},
		{name: "shallow marker", in: "{{- request.object.name }}", shortcut: true},
		{name: "number", in: "{{ request.object.n }}", shortcut: true},
		{name: "list with variables", in: "{{ request.object.list }}", shortcut: true},
		{name: "map with variables", in: "{{ m }}", shortcut: true},
		{name: "missing key", in: "{{ request.object.missing }}", shortcut: true},
		{name: "empty", in: "{{}}", shortcut: true},
		{name: "delete request", in: "{{ request.object.name }}", opts: Options{DeleteRequest: true}, shortcut: true},
		{name: "at", in: "{{@}}"},
		{name: "text around", in: "x {{ request.object.name }}"},
		{name: "two variables", in: "{{ request.object.name }}{{ request.object.n }}"},
		{name: "nested", in: "{{ request.{{ request.operation }} }}"},
		{name: "braces inside", in: "{{ request.object.{name: name} }}"},
		{name: "reference", in: "{{ $(./name) }}"},
		{name: "unterminated", in: "{{ request.object.name }"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := wholeVariable(tc.in); ok != tc.shortcut {
				t.Fatalf("wholeVariable(%q) = %v, want %v", tc.in, ok, tc.shortcut)
			}
			got, gotErr := SubstituteAll(tc.in, newFake(data), tc.opts)
			want, wantErr := newSubstituter(newFake(data), tc.opts).substituteDocument(tc.in)
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("got %#v, %v; want %#v, %v", got, gotErr, want, wantErr)
			}
			var gotRE, wantRE *ResolveError
			if errors.As(gotErr, &gotRE) != errors.As(wantErr, &wantRE) {
				t.Fatalf("error types differ: %T, %T", gotErr, wantErr)
			}
		})
	}
}

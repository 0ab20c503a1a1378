package variables

import (
	"errors"
	"reflect"
	"testing"
)

func FuzzSubstitute(f *testing.F) {
	for _, s := range []string{
		"plain",
		"{{ a }}",
		"x {{ a }} {{ n }} {{ m }}",
		"{{ m.{{ key }} }}",
		"{{- tmpl }} and {{ tmpl }}",
		`\{{ a }} \$(./b)`,
		"{{ loop }}x",
		"$(./../b) $(<=./c) $(>=)",
		"{{@}} {{ request.object.metadata.name }}",
		"{{ missing || 'd' }}",
		"{{ {a: b} }} {{{{a}}}} }}{{ {{",
		"é{{a}}ü$(/b)",
		"{{ a }}{{ a }}{{ a }}",
	} {
		f.Add(s)
	}
	data := `{"a": "x", "key": "k", "n": 5, "m": {"k": "{{ a }}"}, "loop": "{{ loop }}", "tmpl": "{{ a }}",
		"request": {"operation": "CREATE", "object": {"metadata": {"name": "pod"}, "s": {"k": 1}}}}`
	f.Fuzz(func(t *testing.T, s string) {
		checkScanner(t, s)
		doc := map[string]any{
			"s":      s,
			"l":      []any{s, map[string]any{s: s}},
			"b":      "B",
			"c":      3.0,
			"k:" + s: true,
		}
		run := func() (any, error) {
			e := newFake(data)
			e.overrides = map[string]any{"{a: b}": map[string]any{"b": "{{ a }}"}}
			return SubstituteAll(doc, e, Options{DeleteRequest: len(s)%2 == 0, AtSkip: len(s) % 3})
		}
		got, err := run()
		again, errAgain := run()
		if (err == nil) != (errAgain == nil) || (err != nil && err.Error() != errAgain.Error()) {
			t.Fatalf("non-deterministic error: %v / %v", err, errAgain)
		}
		if err != nil {
			var re *ResolveError
			var ref *ReferenceError
			var ke *KeyError
			if !errors.As(err, &re) && !errors.As(err, &ref) && !errors.As(err, &ke) && !errors.Is(err, ErrLimit) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("non-deterministic result")
		}
		if !HasVariables(doc) && !reflect.DeepEqual(got, doc) {
			t.Fatalf("document without variables changed: %v", got)
		}
		if _, err := SubstituteString(s, newFake(data)); err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
		Variables(s)
		IsVariable(s)
		IsReference(s)
	})
}
